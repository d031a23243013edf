// The quickstart recipe's data: ICU spell-out in English and Spanish, disjoint splits.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "pipeline/quickstart_data.hpp"
#include "tests/temp_dir.hpp"

using namespace rnmt;

TEST_CASE("ICU spells integers out in English and Spanish", "[quickstart]") {
  CHECK(spell_out(234, "en") == "two hundred thirty-four");
  CHECK(spell_out(234, "es") == "doscientos treinta y cuatro");
  CHECK(spell_out(0, "en") == "zero");
  CHECK(spell_out(21, "es") == "veintiuno");
}

TEST_CASE("quickstart splits are line-aligned, disjoint and reproducible", "[quickstart]") {
  const std::string dir = test::temp("quickstart");
  std::filesystem::remove_all(dir);
  write_quickstart_data(dir, {.train = 300, .valid = 20, .test = 30, .seed = 4});
  auto lines = [&](const std::string& name) {
    std::ifstream in(dir + "/" + name);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  };
  const auto train = lines("train.en"), test = lines("test.en");
  CHECK(train.size() == 300);
  CHECK(lines("train.es").size() == 300);
  CHECK(lines("valid.en").size() == 20);
  CHECK(test.size() == 30);
  std::set<std::string> train_set(train.begin(), train.end());
  CHECK(train_set.size() == train.size());
  for (const auto& t : test) CHECK(train_set.count(t) == 0);
  // the same seed writes the same files
  const std::string again = test::temp("quickstart2");
  write_quickstart_data(again, {.train = 300, .valid = 20, .test = 30, .seed = 4});
  std::ifstream a(dir + "/train.es"), b(again + "/train.es");
  CHECK(std::string(std::istreambuf_iterator<char>(a), {}) ==
        std::string(std::istreambuf_iterator<char>(b), {}));
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(again);
}
