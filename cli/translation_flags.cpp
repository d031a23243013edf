#include "cli/translation_flags.hpp"

#include <sstream>
#include <type_traits>

#include "core/error.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {
namespace {

std::string dashed(const char* name) {
  std::string s = name;
  for (char& c : s)
    if (c == '_') c = '-';
  return s;
}

bool takes(const TranslationOptionField& f, unsigned use) {
  return (f.use & use) != 0 &&
         !std::holds_alternative<std::vector<std::string> TranslationOptions::*>(f.member);
}

template <class T>
std::string shown(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// The help line: the table's help and the default (the model's recipe's, where a recipe sets it).
std::string help(const TranslationOptionField& f) {
  if (f.use & kOptionRecipe) return std::string(f.help) + " (default: the model's recipe)";
  const TranslationOptions defaults;
  return std::visit(
      [&](auto member) -> std::string {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(defaults.*member)>>;
        if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::vector<std::string>>)
          return f.help;  // a switch, or a list: no default worth showing
        else
          return std::string(f.help) + " (default: " + shown(defaults.*member) + ")";
      },
      f.member);
}

// A flag's value semantic for the field's type, storing nothing: values are read from vm.
po::value_semantic* semantic(const TranslationOptionField& f) {
  return std::visit(
      [](auto member) -> po::value_semantic* {
        using T = std::remove_reference_t<decltype(TranslationOptions{}.*member)>;
        if constexpr (std::is_same_v<T, bool>)  // --flag, or --flag=false against a recipe's true
          return po::value<bool>()->implicit_value(true, "")->value_name("[=false]");
        else
          return po::value<T>();
      },
      f.member);
}

bool given(const po::variables_map& vm, const std::string& flag) {
  return vm.count(flag) > 0 && !vm[flag].defaulted();
}

}  // namespace

std::string flag_name(const char* name) {
  return "--" + dashed(name);
}

po::options_description translation_flags(unsigned use) {
  po::options_description flags("translation options");
  for (const TranslationOptionField& f : translation_option_fields()) {
    if (!takes(f, use)) continue;
    flags.add_options()(dashed(f.name).c_str(), semantic(f), help(f).c_str());
    if (*f.alias)
      flags.add_options()(dashed(f.alias).c_str(), semantic(f),
                          ("the same as " + flag_name(f.name)).c_str());
  }
  return flags;
}

void apply_translation_flags(const po::variables_map& vm, unsigned use,
                             TranslationOptions& options) {
  for (const TranslationOptionField& f : translation_option_fields()) {
    if (!takes(f, use)) continue;
    std::string flag = dashed(f.name);
    if (*f.alias && given(vm, dashed(f.alias))) {
      if (given(vm, flag))
        throw Error(flag_name(f.name) + " and " + flag_name(f.alias) +
                    " are the same option: give one");
      flag = dashed(f.alias);
    }
    if (!given(vm, flag)) continue;
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(options.*member)>;
          options.*member = vm[flag].as<T>();
        },
        f.member);
  }
}

}  // namespace rnmt::cli
