#include <filesystem>

#include "core/error.hpp"
#include "core/files.hpp"
#include "model_file/average.hpp"
#include "model_file/model_file.hpp"
#include "model_file/weights.hpp"
#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/trainer.hpp"
#include "training/workdir.hpp"

namespace rnmt {

std::string final_weights(const Recipe& r, std::ostream& log) {
  const CheckpointDirectory checkpoints = Workdir{r.workdir}.train();
  if (r.export_model.average <= 1) {
    return read_archive(checkpoints.best(), kWeightsFileTag, kWeightsFileVersion)
        .get(kWeightsSection);
  }
  std::vector<std::string> files = checkpoints.step_files();
  const auto n = static_cast<size_t>(r.export_model.average);
  if (files.size() > n) files.erase(files.begin(), files.end() - static_cast<long>(n));
  if (files.empty()) throw Error("export.average: no step checkpoints in " + checkpoints.dir);
  std::vector<Archive> archives;
  std::string names;
  for (const auto& f : files) {
    archives.push_back(read_checkpoint(f));
    names += (names.empty() ? "" : ", ") + std::filesystem::path(f).filename().string();
  }
  log << "averaging the last " << files.size() << " checkpoints (" << names << ")"
      << (files.size() < n ? "; fewer than export.average asks for exist" : "") << std::endl;
  return average_weights(archives, files);
}

void export_stage(const Recipe& r, std::ostream& log) {
  const std::string path = Workdir{r.workdir}.model();
  const std::optional<Shortlist> shortlist = learned_shortlist(r, log);
  write_model_file({.recipe = dump_recipe(r),
                    .src_tokenizer = read_whole_file(src_tokenizer_path(r), "tokenizer model"),
                    .tgt_tokenizer = read_whole_file(tgt_tokenizer_path(r), "tokenizer model"),
                    .weights = final_weights(r, log),
                    .shortlist = shortlist ? shortlist_bytes(*shortlist) : std::string()},
                   path);
  log << "export: wrote " << path << " (" << std::filesystem::file_size(path) / 1000 << " kB)"
      << std::endl;
}

}  // namespace rnmt
