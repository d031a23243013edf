#include "report/training_report.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.hpp"
#include "report/inspection_json.hpp"

namespace rnmt {

nlohmann::ordered_json training_inspection_json(const TrainingInspection& inspection) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const TrainingInspection::Layer& layer : inspection.layers) {
    layers.push_back({{"name", layer_name(layer.role, layer.depth)},
                      {"cell", enum_name(kCellNames, layer.cell)},
                      {"gates", gate_names(layer.cell)},
                      {"gradient_norm", layer.gradient_norm},
                      {"sentences", layer.sentences},
                      {"saturation", layer.saturation}});
  }
  nlohmann::ordered_json parameters = nlohmann::ordered_json::array();
  for (const auto& p : inspection.parameters)
    parameters.push_back(
        {{"name", p.name}, {"weight_norm", p.weight}, {"gradient_norm", p.gradient}});
  return {{"step", inspection.step},
          {"loss", inspection.loss_per_token},
          {"gradient_norm", inspection.gradient_norm},
          {"clipped_gradient_norm", inspection.clipped_gradient_norm},
          {"layers", layers},
          {"parameters", parameters}};
}

namespace {

// The JSON objects of a .jsonl file, the latest per (kind, step); unreadable lines are counted.
struct JsonLines {
  std::map<std::pair<int, int64_t>, nlohmann::ordered_json> by_step;
  int64_t skipped = 0;
};

void read_json_lines(const std::string& path, int kind_of(const nlohmann::ordered_json&),
                     JsonLines& out) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read '" + path + "'");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("step") ||
        !j["step"].is_number_integer()) {
      ++out.skipped;
      continue;
    }
    const std::pair<int, int64_t> key{kind_of(j), j["step"].get<int64_t>()};
    out.by_step[key] = std::move(j);
  }
}

}  // namespace

nlohmann::ordered_json training_report_data(const std::string& workdir) {
  const std::string metrics = workdir + "/train/metrics.jsonl";
  const std::string inspections = workdir + "/train/inspect.jsonl";
  if (!std::filesystem::exists(metrics))
    throw Error("'" + workdir + "' has no training log (" + metrics +
                "): is it the workdir of an `rnmt run`?");
  // Kinds: 0 training entries, 1 validation entries, 2 inspections.
  JsonLines lines;
  read_json_lines(
      metrics, [](const nlohmann::ordered_json& j) { return j.contains("valid_loss") ? 1 : 0; },
      lines);
  if (std::filesystem::exists(inspections))
    read_json_lines(
        inspections, [](const nlohmann::ordered_json&) { return 2; }, lines);
  nlohmann::ordered_json training = nlohmann::ordered_json::array(),
                         validation = nlohmann::ordered_json::array(),
                         inspect = nlohmann::ordered_json::array();
  for (auto& [key, j] : lines.by_step)
    (key.first == 0 ? training : key.first == 1 ? validation : inspect).push_back(j);
  return {{"kind", "training"},       {"workdir", workdir},     {"training", training},
          {"validation", validation}, {"inspections", inspect}, {"skipped_lines", lines.skipped}};
}

}  // namespace rnmt
