#include "sweep/search_space.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <optional>

#include "core/error.hpp"
#include "core/files.hpp"
#include "recipe/recipe.hpp"

namespace rnmt {
namespace {

std::optional<Distribution> distribution_named(const std::string& name) {
  for (const auto& entry : kDistributionNames) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

bool is_range(Distribution d) {
  return d != Distribution::list;
}
bool is_integer_range(Distribution d) {
  return d == Distribution::int_uniform || d == Distribution::int_log_uniform;
}
bool is_log_range(Distribution d) {
  return d == Distribution::log_uniform || d == Distribution::int_log_uniform;
}

// A range's end as the recipe would read it.
std::string end_text(double value, bool integer) {
  if (integer) return std::to_string(static_cast<long long>(value));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

struct SpaceParser {
  SearchSpace& space;

  Error error_at(const YAML::Mark& mark, const std::string& key, const std::string& what) const {
    return Error(space.path + ":" + std::to_string(mark.line + 1) + ": " + key + ": " + what);
  }

  // Whether `key` is a recipe key (not a section, nor unknown).
  static bool is_recipe_key(const std::string& key) {
    try {
      recipe_value_kind(key);
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  void walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& item : map) {
      if (!item.first.IsScalar())
        throw error_at(item.first.Mark(), prefix + "?", "a key must be a name");
      const std::string key = prefix + item.first.Scalar();
      const YAML::Node& value = item.second;
      const YAML::Mark mark = item.first.Mark();
      const bool leaf = is_recipe_key(key);
      if (value.IsMap() && !leaf && !is_distribution(value)) {
        walk(value, key + ".");
        continue;
      }
      add(key, value, mark);
    }
  }

  static bool is_distribution(const YAML::Node& value) {
    if (!value.IsMap() || value.size() != 1) return false;
    const YAML::Node name = value.begin()->first;
    return name.IsScalar() && name.Scalar() != "list" &&
           distribution_named(name.Scalar()).has_value();
  }

  void add(const std::string& key, const YAML::Node& value, const YAML::Mark& mark) {
    // "unknown key (did you mean ...)"
    if (!is_recipe_key(key)) throw error_at(mark, key, recipe_value_problem(key, ""));
    if (key == "workdir")
      throw error_at(mark, key, "cannot vary: the sweep gives each trial a workdir of its own");
    for (const Dimension& d : space.dimensions) {
      if (d.key == key)
        throw error_at(mark, key, "is named twice (first on line " + std::to_string(d.line) + ")");
    }
    Dimension d;
    d.key = key;
    d.line = mark.line + 1;
    if (value.IsNull()) throw error_at(mark, key, "has no values");
    if (value.IsMap()) {
      if (!is_distribution(value)) {
        throw error_at(mark, key,
                       "expects a list of values, one value, or a range: {uniform: [LOW, HIGH]}, "
                       "log_uniform, int_uniform or int_log_uniform");
      }
      parse_range(d, value);
    } else if (value.IsSequence()) {
      if (value.size() == 0) throw error_at(mark, key, "has an empty list of values");
      for (const auto& element : value) {
        if (!element.IsScalar())
          throw error_at(element.Mark(), key, "expects plain values in its list");
        d.values.push_back(element.Scalar());
      }
    } else {
      d.values.push_back(value.Scalar());
    }
    check(d);
    space.dimensions.push_back(std::move(d));
  }

  void parse_range(Dimension& d, const YAML::Node& value) {
    const std::string name = value.begin()->first.Scalar();
    d.distribution = *distribution_named(name);
    const YAML::Node ends = value.begin()->second;
    const YAML::Mark mark = value.Mark();
    if (!ends.IsSequence() || ends.size() != 2)
      throw error_at(mark, d.key, name + " expects [LOW, HIGH]");
    double bounds[2];
    for (size_t i = 0; i < 2; ++i) {
      const std::string text = ends[i].IsScalar() ? ends[i].Scalar() : "";
      char* end = nullptr;
      bounds[i] = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !std::isfinite(bounds[i]))
        throw error_at(mark, d.key, name + " expects two numbers, found '" + text + "'");
      if (is_integer_range(d.distribution) && bounds[i] != std::floor(bounds[i]))
        throw error_at(mark, d.key, name + " expects two whole numbers, found '" + text + "'");
    }
    d.low = bounds[0];
    d.high = bounds[1];
  }

  void check(const Dimension& d) const {
    auto fail = [&](const std::string& what) {
      return Error(space.path + ":" + std::to_string(d.line) + ": " + d.key + ": " + what);
    };
    for (const std::string& v : d.values) {
      if (const std::string problem = recipe_value_problem(d.key, v); !problem.empty())
        throw fail(problem);
    }
    if (!is_range(d.distribution)) return;
    const std::string name = enum_name(kDistributionNames, d.distribution);
    const RecipeValueKind kind = recipe_value_kind(d.key);
    if (kind != RecipeValueKind::integer && kind != RecipeValueKind::real)
      throw fail("is not a number: give a list of values, not a " + name + " range");
    if (kind == RecipeValueKind::integer && !is_integer_range(d.distribution))
      throw fail("takes whole numbers: use int_" + name + " (or a list)");
    if (d.low > d.high)
      throw fail(name + " expects LOW <= HIGH, found [" + end_text(d.low, false) + ", " +
                 end_text(d.high, false) + "]");
    if (is_log_range(d.distribution) && d.low <= 0)
      throw fail(name + " needs a positive LOW, found " + end_text(d.low, false));
    for (double end : {d.low, d.high}) {
      const std::string text = end_text(end, kind == RecipeValueKind::integer);
      if (const std::string problem = recipe_value_problem(d.key, text); !problem.empty())
        throw fail(problem);
    }
  }
};

}  // namespace

std::string where(const SearchSpace& space, const Dimension& dimension) {
  return space.path + ":" + std::to_string(dimension.line) + ": " + dimension.key + ": ";
}

SearchSpace parse_search_space(const std::string& yaml_text, const std::string& path) {
  SearchSpace space;
  space.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap())
    throw Error(path +
                ":1: a search space is a mapping of recipe keys, like 'model.dropout: [0.1, "
                "0.3]'");
  try {
    SpaceParser{space}.walk(root, "");
  } catch (const YAML::Exception& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (space.dimensions.empty()) throw Error(path + ":1: names no recipe key to vary");
  return space;
}

SearchSpace load_search_space(const std::string& path) {
  return parse_search_space(read_whole_file(path, "search space"), path);
}

}  // namespace rnmt
