#include <filesystem>

#include "core/files.hpp"
#include "model_file/model_file.hpp"
#include "model_file/weights.hpp"
#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"

namespace rnmt {

void export_stage(const Recipe& r, std::ostream& log) {
  const std::string path = r.workdir + "/model.rnmt";
  write_model_file({.recipe = dump_recipe(r),
                    .src_tokenizer = read_whole_file(src_tokenizer_path(r), "tokenizer model"),
                    .tgt_tokenizer = read_whole_file(tgt_tokenizer_path(r), "tokenizer model"),
                    .weights = read_archive(r.workdir + "/train/best.params", kWeightsFileTag,
                                            kWeightsFileVersion)
                                   .get(kWeightsSection)},
                   path);
  log << "export: wrote " << path << " (" << std::filesystem::file_size(path) / 1000 << " kB)"
      << std::endl;
}

}  // namespace rnmt
