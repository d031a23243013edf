#include "model_file/average.hpp"

#include <cstring>

#include "core/error.hpp"
#include "model_file/weights.hpp"

namespace rnmt {

std::string average_weights(const std::vector<Archive>& archives,
                            const std::vector<std::string>& names) {
  if (archives.empty()) throw Error("nothing to average");
  const size_t count = stored_weight_count(archives[0], names[0]);
  std::vector<double> sum(count, 0.0);
  std::vector<float> values(count);
  for (size_t a = 0; a < archives.size(); ++a) {
    if (stored_weight_count(archives[a], names[a]) != count) {
      throw Error("cannot average '" + names[0] + "' and '" + names[a] + "': they hold " +
                  std::to_string(count) + " and " +
                  std::to_string(stored_weight_count(archives[a], names[a])) + " weights");
    }
    std::memcpy(values.data(), archives[a].get(kWeightsSection).data(), count * sizeof(float));
    for (size_t i = 0; i < count; ++i) sum[i] += values[i];
  }
  const double n = static_cast<double>(archives.size());
  for (size_t i = 0; i < count; ++i) values[i] = static_cast<float>(sum[i] / n);
  return {reinterpret_cast<const char*>(values.data()), count * sizeof(float)};
}

ModelFileContents average_model_files(const std::vector<std::string>& paths) {
  if (paths.empty()) throw Error("nothing to average");
  std::vector<Archive> archives;
  for (const auto& path : paths)
    archives.push_back(read_archive(path, kModelFileTag, kModelFileVersion));
  const Recipe first =
      parse_recipe(archives[0].get(kRecipeSection), paths[0] + " (recipe)", {}, false);
  for (size_t a = 1; a < archives.size(); ++a) {
    const auto differ = [&](const std::string& what) {
      return Error("cannot average '" + paths[0] + "' and '" + paths[a] + "': their " + what +
                   " differ");
    };
    const Recipe recipe =
        parse_recipe(archives[a].get(kRecipeSection), paths[a] + " (recipe)", {}, false);
    if (model_shape(recipe) != model_shape(first)) throw differ("model sections");
    if (archives[a].get(kSourceTokenizerSection) != archives[0].get(kSourceTokenizerSection))
      throw differ("source tokenizers");
    if (archives[a].get(kTargetTokenizerSection) != archives[0].get(kTargetTokenizerSection))
      throw differ("target tokenizers");
  }
  // a shortlist comes from the training data, not the weights: the first file's stays
  const auto shortlist = archives[0].sections.find(kShortlistSection);
  return {archives[0].get(kRecipeSection), archives[0].get(kSourceTokenizerSection),
          archives[0].get(kTargetTokenizerSection), average_weights(archives, paths),
          shortlist == archives[0].sections.end() ? std::string() : shortlist->second};
}

}  // namespace rnmt
