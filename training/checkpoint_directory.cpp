#include "training/checkpoint_directory.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

namespace rnmt {
namespace fs = std::filesystem;
namespace {

// The sections' names in the checkpoint archive.
constexpr const char* kValidationSection = "validation";
constexpr const char* kModelSection = "model";
constexpr const char* kPretrainedSection = "pretrained_embeddings";

std::map<std::string, std::string> archive_sections(const RunCheckpointSections& s) {
  std::map<std::string, std::string> out = {
      {kValidationSection, format_validation_record(s.validation)},
      {kPretrainedSection, s.pretrained_embeddings}};
  if (s.model_shape) out[kModelSection] = *s.model_shape;
  return out;
}

RunCheckpointSections run_sections(const std::map<std::string, std::string>& stored) {
  RunCheckpointSections s;
  if (const auto it = stored.find(kValidationSection); it != stored.end())
    s.validation = parse_validation_record(it->second);
  if (const auto it = stored.find(kModelSection); it != stored.end()) s.model_shape = it->second;
  if (const auto it = stored.find(kPretrainedSection); it != stored.end())
    s.pretrained_embeddings = it->second;
  return s;
}

}  // namespace

std::vector<std::string> CheckpointDirectory::step_files() const {
  std::vector<std::pair<int64_t, std::string>> steps;
  if (fs::exists(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("step-", 0) == 0 && name.size() > 10 &&
          name.substr(name.size() - 5) == ".ckpt") {
        steps.emplace_back(std::atoll(name.c_str() + 5), entry.path().string());
      }
    }
  }
  std::sort(steps.begin(), steps.end());
  std::vector<std::string> files;
  for (auto& [step, path] : steps) files.push_back(std::move(path));
  return files;
}

void CheckpointDirectory::save_step(const Trainer& trainer, const RunCheckpointSections& sections,
                                    int64_t keep) const {
  const std::string numbered = dir + "/step-" + std::to_string(trainer.position().step) + ".ckpt";
  trainer.save_checkpoint(numbered, archive_sections(sections));
  fs::remove(last() + ".link");
  fs::create_hard_link(numbered, last() + ".link");
  fs::rename(last() + ".link", last());
  const std::vector<std::string> steps = step_files();
  for (size_t i = 0; i + static_cast<size_t>(keep) < steps.size(); ++i) fs::remove(steps[i]);
}

void CheckpointDirectory::save_last(const Trainer& trainer,
                                    const RunCheckpointSections& sections) const {
  trainer.save_checkpoint(last(), archive_sections(sections));
}

RunCheckpointSections CheckpointDirectory::load_last(
    Trainer& trainer, const std::function<void(const RunCheckpointSections&)>& check) const {
  return run_sections(trainer.load_checkpoint(last(), [&](const auto& stored) {
    if (check) check(run_sections(stored));
  }));
}

std::optional<CheckpointOutcome> CheckpointDirectory::last_outcome() const {
  if (!fs::exists(last())) return std::nullopt;
  const Archive a = read_checkpoint(last());
  CheckpointOutcome outcome;
  outcome.steps = a.get_int("step");
  if (const auto it = a.sections.find(kValidationSection); it != a.sections.end())
    outcome.validation = parse_validation_record(it->second);
  return outcome;
}

void CheckpointDirectory::clear() const {
  if (fs::exists(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".ckpt") fs::remove(entry.path());
    }
  }
  fs::remove(best());
}

}  // namespace rnmt
