#include "sweep/sweep_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rnmt {
namespace {

std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string status(const TrialResult& r) {
  return r.error.empty() ? "done" : "failed: " + r.error;
}

// The table's cells, header first: rank, trial, each key, rung, steps, metric, best step, time.
std::vector<std::vector<std::string>> cells(const SweepTable& t) {
  const std::string metric = enum_name(kValidationMetricNames, t.metric);
  std::vector<std::string> header = {"rank", "trial"};
  header.insert(header.end(), t.keys.begin(), t.keys.end());
  for (const char* column : {"rung", "steps"}) header.push_back(column);
  header.push_back(metric);
  for (const char* column : {"best_step", "seconds", "status"}) header.push_back(column);
  std::vector<std::vector<std::string>> rows = {header};
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const TrialResult& r = t.rows[i].result;
    std::vector<std::string> row = {std::to_string(i + 1), std::to_string(r.trial)};
    row.insert(row.end(), t.rows[i].settings.begin(), t.rows[i].settings.end());
    row.push_back(std::to_string(r.rung));
    row.push_back(std::to_string(r.steps));
    row.push_back(
        fixed(metric_value(t.metric, r.score), t.metric == ValidationMetric::bleu ? 2 : 4));
    row.push_back(std::to_string(r.best_step));
    row.push_back(fixed(r.seconds, 1));
    row.push_back(status(r));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

double metric_value(ValidationMetric metric, double score) {
  return metric == ValidationMetric::bleu ? score : -score;
}

SweepTable make_sweep_table(const SearchSpace& space, ValidationMetric metric,
                            const std::vector<TrialSettings>& trials,
                            const std::vector<TrialResult>& furthest) {
  SweepTable table;
  for (const Dimension& d : space.dimensions) table.keys.push_back(d.key);
  table.metric = metric;
  for (const TrialResult& r : furthest)
    table.rows.push_back({trials[static_cast<size_t>(r.trial - 1)], r});
  std::stable_sort(table.rows.begin(), table.rows.end(),
                   [](const SweepTable::Row& a, const SweepTable::Row& b) {
                     return better_trial(a.result, b.result);
                   });
  return table;
}

std::string sweep_table_text(const SweepTable& table) {
  const auto rows = cells(table);
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      // the last column (status) is left as it is; the others are padded to their width
      line +=
          c + 1 == row.size() ? row[c] : row[c] + std::string(width[c] - row[c].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string sweep_table_csv(const SweepTable& table) {
  std::string out;
  for (const auto& row : cells(table)) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      out += csv_field(row[c]);
    }
    out += "\r\n";
  }
  return out;
}

nlohmann::ordered_json sweep_table_json(const SweepTable& table, const std::string& title) {
  nlohmann::ordered_json trials = nlohmann::ordered_json::array();
  for (const SweepTable::Row& row : table.rows) {
    const TrialResult& r = row.result;
    const double metric = metric_value(table.metric, r.score);
    trials.push_back(
        {{"trial", r.trial},
         {"settings", row.settings},
         {"rung", r.rung},
         {"steps", r.steps},
         {"metric", std::isnan(metric) ? nlohmann::ordered_json() : nlohmann::ordered_json(metric)},
         {"best_step", r.best_step},
         {"seconds", r.seconds},
         {"error", r.error}});
  }
  return {{"title", title},
          {"metric", enum_name(kValidationMetricNames, table.metric)},
          {"higher_is_better", table.metric == ValidationMetric::bleu},
          {"keys", table.keys},
          {"trials", trials}};
}

}  // namespace rnmt
