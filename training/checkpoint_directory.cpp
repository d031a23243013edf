#include "training/checkpoint_directory.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

namespace rnmt {
namespace fs = std::filesystem;

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

void CheckpointDirectory::save_step(const Trainer& trainer,
                                    const std::map<std::string, std::string>& sections,
                                    int64_t keep) const {
  const std::string numbered = dir + "/step-" + std::to_string(trainer.position().step) + ".ckpt";
  trainer.save_checkpoint(numbered, sections);
  fs::remove(last() + ".link");
  fs::create_hard_link(numbered, last() + ".link");
  fs::rename(last() + ".link", last());
  const std::vector<std::string> steps = step_files();
  for (size_t i = 0; i + static_cast<size_t>(keep) < steps.size(); ++i) fs::remove(steps[i]);
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
