#pragma once
#include <string>
#include <vector>

#include "core/enum_names.hpp"

namespace rnmt {

// How one recipe key varies across a sweep's trials: one of listed values, or a number drawn from a
// range (random search only).
enum class Distribution { list, uniform, log_uniform, int_uniform, int_log_uniform };
inline constexpr EnumName<Distribution> kDistributionNames[] = {
    {Distribution::list, "list"},
    {Distribution::uniform, "uniform"},
    {Distribution::log_uniform, "log_uniform"},
    {Distribution::int_uniform, "int_uniform"},
    {Distribution::int_log_uniform, "int_log_uniform"}};

struct Dimension {
  std::string key;  // a recipe key, "training.lr"
  int line = 0;     // where the space file names it
  Distribution distribution = Distribution::list;
  std::vector<std::string> values;  // list: each value as a recipe would spell it
  double low = 0, high = 0;         // ranges, both ends included
};

// A sweep's search space: the recipe keys that vary, in the order of the space file.
struct SearchSpace {
  std::string path;  // the file it came from (for messages)
  std::vector<Dimension> dimensions;
};

// Reads a space file: a YAML mapping from recipe keys (dotted, "model.dropout", or nested under
// their sections) to a list of values ([lstm, gru]), a single value, or a range
// ({uniform: [0.1, 0.4]}, {log_uniform: [1e-4, 3e-3]}, {int_uniform: [64, 512]},
// {int_log_uniform: [64, 1024]}). Every value and both ends of every range are checked against the
// recipe's schema, and every problem is an Error naming the file, line and key, before any work.
// The sweep gives each trial its workdir, so `workdir` cannot vary.
SearchSpace load_search_space(const std::string& path);
SearchSpace parse_search_space(const std::string& yaml_text, const std::string& path);

// "file:line: key: " for messages about a dimension.
std::string where(const SearchSpace& space, const Dimension& dimension);

}  // namespace rnmt
