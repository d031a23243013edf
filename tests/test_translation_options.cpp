// The options' one table (rnmt/translation_options.hpp) against every front end that reads it: a
// field of TranslationOptions missing from the table, or a front end that drops a field of the
// table, fails here. Python's keyword arguments and stubs are checked in tests/python.
#include <catch2/catch.hpp>

#include <boost/program_options.hpp>
#include <set>
#include <tuple>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "cli/translation_flags.hpp"
#include "recipe/recipe.hpp"
#include "rnmt/translation_options.hpp"
#include "server/request.hpp"

using namespace rnmt;
namespace po = boost::program_options;

namespace {

// Converts to any member's type: only overload resolution sees it (never called).
struct AnyValue {
  template <class T>
  operator T() const;
};

template <class T, class Values, class = void>
struct BraceConstructible : std::false_type {};
template <class T, class... Values>
struct BraceConstructible<T, std::tuple<Values...>,
                          std::void_t<decltype(T{std::declval<Values>()...})>> : std::true_type {};

// How many members an aggregate has: the most braced initializers it accepts.
template <class T, class... Values>
constexpr size_t aggregate_fields() {
  if constexpr (sizeof...(Values) < 100 &&
                BraceConstructible<T, std::tuple<Values..., AnyValue>>::value)
    return aggregate_fields<T, Values..., AnyValue>();
  else
    return sizeof...(Values);
}

using Field = TranslationOptionField;

// A value for the field unlike the default, within the field's range, as JSON (the server's and,
// through its text, the recipe's and the command line's form).
nlohmann::json other_value(const Field& f) {
  const TranslationOptions defaults;
  return std::visit(
      [&](auto member) -> nlohmann::json {
        using T = std::remove_cv_t<std::remove_reference_t<decltype(defaults.*member)>>;
        if constexpr (std::is_same_v<T, bool>)
          return !(defaults.*member);
        else if constexpr (std::is_same_v<T, double>)
          return defaults.*member + 0.25;
        else if constexpr (std::is_same_v<T, std::string>)
          return defaults.*member + "-other";
        else if constexpr (std::is_same_v<T, std::vector<std::string>>)
          return std::vector<std::string>{"a prefix"};
        else
          return static_cast<int64_t>(defaults.*member) + 3;
      },
      f.member);
}

// The value as the command line and a recipe write it.
std::string as_text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// The options with field f set to value (through the table's member).
TranslationOptions with_value(const Field& f, const nlohmann::json& value) {
  TranslationOptions o;
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(o.*member)>;
        o.*member = value.get<T>();
      },
      f.member);
  return o;
}

}  // namespace

TEST_CASE("the options' table holds every field of TranslationOptions once", "[options]") {
  const auto& fields = translation_option_fields();
  CHECK(fields.size() == aggregate_fields<TranslationOptions>());
  std::set<std::string> names;
  for (const Field& f : fields) {
    CHECK(names.insert(f.name).second);
    if (*f.alias) CHECK(names.insert(f.alias).second);
    CHECK(std::string(f.help).size() > 10);
    CHECK(find_translation_option(f.name) == &f);
    if (*f.alias) CHECK(find_translation_option(f.alias) == &f);
  }
  CHECK(find_translation_option("beam_width") == nullptr);
}

TEST_CASE("every front end reads every field of the options' table", "[options]") {
  const TranslationOptions defaults;
  const std::string defaults_key = batch_key(defaults, 1);
  for (const Field& f : translation_option_fields()) {
    const nlohmann::json value = other_value(f);
    const TranslationOptions expected = with_value(f, value);
    INFO("option " << f.name << " = " << value.dump());
    REQUIRE(expected != defaults);  // operator== reads the field

    // the server: its batch key tells the options apart; a client sets the field or is refused
    CHECK(batch_key(expected, 1) != defaults_key);
    const nlohmann::json request = {{f.name, value}};
    if (f.use & kOptionRequest) {
      CHECK(apply_options(request, defaults) == expected);
    } else {
      CHECK_THROWS_AS(apply_options(request, defaults), RequestError);
    }

    // a recipe's translate section, under the field's name and its alias, and back in the dump
    if (f.use & kOptionRecipe) {
      for (const std::string& key : {std::string(f.name), std::string(f.alias)}) {
        if (key.empty()) continue;
        const Recipe r = parse_recipe("translate:\n  " + key + ": " + as_text(value) + "\n",
                                      "r.yaml", {}, false);
        CHECK(r.translate == expected);
        CHECK(parse_recipe(dump_recipe(r), "d.yaml", {}, false).translate == expected);
      }
    } else {
      CHECK_THROWS_AS(
          parse_recipe("translate:\n  " + std::string(f.name) + ": 1\n", "r.yaml", {}, false),
          Error);
    }

    // the command line: --name-with-dashes and the alias (lists come from files: the command's)
    const bool list = value.is_array();
    for (unsigned use : {kOptionCommandLine, kOptionScoring}) {
      if (!(f.use & use) || list) continue;
      for (const char* name : {f.name, f.alias}) {
        if (!*name) continue;
        std::vector<std::string> args = {cli::flag_name(name)};
        if (!value.is_boolean()) args.push_back(as_text(value));
        po::variables_map vm;
        po::store(po::command_line_parser(args).options(cli::translation_flags(use)).run(), vm);
        TranslationOptions o;
        cli::apply_translation_flags(vm, use, o);
        CHECK(o == expected);
      }
    }
  }
}

TEST_CASE("an option given under both its names on the command line is refused", "[options]") {
  po::variables_map vm;
  const std::vector<std::string> args = {"--beam", "2", "--beam-size", "3"};
  po::store(po::command_line_parser(args).options(cli::translation_flags(kOptionCommandLine)).run(),
            vm);
  TranslationOptions o;
  CHECK_THROWS_WITH(cli::apply_translation_flags(vm, kOptionCommandLine, o),
                    Catch::Contains("--beam-size and --beam are the same option"));
  CHECK_THROWS_WITH(parse_recipe("translate: {beam: 2, beam_size: 3}\n", "r.yaml", {}, false),
                    Catch::Contains("is set twice (as translate.beam_size and translate.beam"));
}
