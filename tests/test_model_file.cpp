// The model file: what export writes loads back to the same network; damaged, foreign and
// inconsistent files are refused with a message.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "decoding/search.hpp"
#include "model_file/model_file.hpp"
#include "recipe/model_config.hpp"
#include "tests/model_fixture.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

TEST_CASE("a model file loads back to the same network", "[model]") {
  ModelFile f;
  const std::string path = temp("model.rnmt");
  write_archive(f.archive(), path);
  LoadedModel m = load_model(path);
  CHECK(m.src->model().vocabulary.size() == 7);
  CHECK(m.tgt->model().vocabulary.size() == 8);
  CHECK(m.recipe.model.decoder_hidden == 10);
  const auto& p = m.network->params();
  REQUIRE(p.total() == f.network->params().total());
  CHECK(std::memcmp(p.values(), f.network->params().values(), p.total() * sizeof(float)) == 0);
  const Sentence src = {4, 5, 6}, none;
  const Batch b = make_batch({&src}, {&none});
  CHECK(greedy_tokens(*m.network, b, 2.0) == greedy_tokens(*f.network, b, 2.0));
  CHECK(p.grads() == nullptr);  // a loaded network only searches: no gradient arena
  std::filesystem::remove(path);
}

TEST_CASE("damaged, foreign and inconsistent model files are refused", "[model][errors]") {
  ModelFile f;
  const std::string path = temp("bad.rnmt");
  std::ofstream(path) << "This is a text file that someone passed instead of a model.\n";
  CHECK_THROWS_WITH(load_model(path), Contains("is not an rnmt RNMTMODL file"));
  write_archive(f.archive(), path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path, std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  CHECK_THROWS_WITH(load_model(path), Contains("is damaged"));
  Archive short_weights = f.archive();
  short_weights.sections["params"].resize(short_weights.sections["params"].size() - 16);
  write_archive(short_weights, path);
  CHECK_THROWS_WITH(load_model(path), Contains("but its recipe describes a network of"));
  Archive bad_recipe = f.archive();
  bad_recipe.sections["recipe"] = "modle: {embedding: 8}\n";
  write_archive(bad_recipe, path);
  CHECK_THROWS_WITH(load_model(path),
                    Contains("is not a usable rnmt model") && Contains("unknown key"));
  Archive no_tokenizer = f.archive();
  no_tokenizer.sections.erase("tgt_tokenizer");
  write_archive(no_tokenizer, path);
  CHECK_THROWS_WITH(load_model(path), Contains("no section 'tgt_tokenizer'"));
  CHECK_THROWS_WITH(load_model(path + ".none"), Contains("cannot open"));
  std::filesystem::remove(path);
}

TEST_CASE("a model's tokenizers are read without building its network", "[model]") {
  ModelFile f;
  const std::string path = temp("tokenizers.rnmt");
  // weights that fit no network: building one would refuse the file, reading tokenizers does not
  Archive no_network = f.archive();
  no_network.sections["params"] = "four";
  no_network.sections["recipe"] = "model: {embedding: 1000000000}\n";
  write_archive(no_network, path);
  CHECK_THROWS(load_model(path));
  const ModelTokenizers t = load_model_tokenizers(path);
  CHECK(t.src->model().vocabulary.size() == 7);
  CHECK(t.tgt->model().vocabulary.size() == 8);
  // and the file is still checked: a missing tokenizer or a damaged file is refused by name
  Archive no_tokenizer = f.archive();
  no_tokenizer.sections.erase("src_tokenizer");
  write_archive(no_tokenizer, path);
  CHECK_THROWS_WITH(load_model_tokenizers(path), Contains("is not a usable rnmt model") &&
                                                     Contains("no section 'src_tokenizer'"));
  std::ofstream(path, std::ios::binary) << "RNMTMODL and then nothing much";
  CHECK_THROWS_WITH(load_model_tokenizers(path), Contains(path));
  std::filesystem::remove(path);
}
