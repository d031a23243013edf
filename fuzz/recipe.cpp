// Arbitrary bytes as a recipe. Properties: parsing returns a recipe or throws rnmt::Error (a YAML
// parser exception or anything else escaping is a crash); an accepted recipe's dump parses back to
// a recipe that dumps the same (what --dump-config promises).
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "fuzz/check.hpp"
#include "recipe/recipe.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Recipe recipe;
  try {
    recipe = parse_recipe(text, "fuzz.yaml", {}, /*check_files=*/false);
  } catch (const Error& e) {
    FUZZ_CHECK(std::string(e.what()).find("fuzz.yaml") != std::string::npos);  // names the file
    return 0;
  }
  const std::string dumped = dump_recipe(recipe);
  FUZZ_CHECK(dump_recipe(parse_recipe(dumped, "dumped.yaml", {}, false)) == dumped);
  return 0;
}
