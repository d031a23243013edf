#include "sweep/trial_result.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/files.hpp"

namespace rnmt {

void write_trial_result(const std::string& path, const TrialResult& r) {
  const nlohmann::ordered_json j = {
      {"trial", r.trial},
      {"rung", r.rung},
      {"steps", r.steps},
      {"score", std::isnan(r.score) ? nlohmann::ordered_json() : nlohmann::ordered_json(r.score)},
      {"best_step", r.best_step},
      {"seconds", r.seconds},
      {"error", r.error}};
  write_file_atomically(path, j.dump() + "\n");
}

TrialResult read_trial_result(const std::string& path) {
  try {
    const auto j = nlohmann::json::parse(read_whole_file(path, "trial result"));
    TrialResult r;
    r.trial = j.at("trial").get<int64_t>();
    r.rung = j.at("rung").get<int>();
    r.steps = j.at("steps").get<int64_t>();
    r.score = j.at("score").is_null() ? NAN : j.at("score").get<double>();
    r.best_step = j.at("best_step").get<int64_t>();
    r.seconds = j.at("seconds").get<double>();
    r.error = j.at("error").get<std::string>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error("trial result '" + path + "' is damaged (" + e.what() +
                "); delete it to run that trial's rung again");
  }
}

bool better_trial(const TrialResult& a, const TrialResult& b) {
  if (a.rung != b.rung) return a.rung > b.rung;
  if (std::isnan(a.score) != std::isnan(b.score)) return std::isnan(b.score);
  if (!std::isnan(a.score) && a.score != b.score) return a.score > b.score;
  return a.trial < b.trial;
}

}  // namespace rnmt
