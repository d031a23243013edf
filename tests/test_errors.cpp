// Bad input gets a clear error: every check the model core makes, fed the input it refuses.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "core/params.hpp"
#include "model/seq2seq.hpp"
#include "training/synthetic.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

ModelConfig small() {
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = 10;
  c.embedding = 4;
  c.encoder_hidden = c.decoder_hidden = 4;
  return c;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path =
      std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/rnmt_test_" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("model configuration errors name the problem", "[errors]") {
  ModelConfig c = small();
  c.tgt_vocab = 4;
  REQUIRE_THROWS_WITH(Seq2Seq(c, 1), Contains("more than the 4 special tokens"));
  c = small();
  c.decoder_layers = 0;
  REQUIRE_THROWS_WITH(Seq2Seq(c, 1), Contains("must be positive"));
  c = small();
  c.dropout = 1.0f;
  REQUIRE_THROWS_WITH(Seq2Seq(c, 1), Contains("dropout must be in [0, 1)"));
  c = small();
  c.label_smoothing = -0.1f;
  REQUIRE_THROWS_WITH(Seq2Seq(c, 1), Contains("label_smoothing must be in [0, 1)"));
  c = small();
  c.tied_embeddings = true;
  c.decoder_hidden = 6;
  REQUIRE_THROWS_WITH(Seq2Seq(c, 1),
                      Contains("tied_embeddings needs decoder hidden (6) == embedding (4)"));
}

TEST_CASE("batches refuse empty sources and unequal sides", "[errors]") {
  const Sentence empty, one = {5};
  REQUIRE_THROWS_WITH(make_batch({&empty}, {&one}), Contains("empty source sentence"));
  REQUIRE_THROWS_WITH(make_batch({&one, &one}, {&one}), Contains("2 sources and 1 targets"));
}

TEST_CASE("parameter registration errors", "[errors]") {
  ParamSet params;
  params.add("w", {2});
  REQUIRE_THROWS_WITH(params.add("w", {3}), Contains("'w' registered twice"));
  REQUIRE_THROWS_WITH(params.find("v"), Contains("no parameter named 'v'"));
  params.allocate();
  REQUIRE_THROWS_WITH(params.add("u", {1}), Contains("'u' added after allocation"));
}

TEST_CASE("parallel files: unequal line counts name both files and counts", "[errors][data]") {
  const auto src = write_temp("a.src", "a b\nc\nd e f\n");
  const auto tgt = write_temp("a.tgt", "x\ny z\n");
  REQUIRE_THROWS_WITH(read_parallel_files(src, tgt, 100),
                      Contains("'" + src + "' has 3 lines") && Contains("'" + tgt + "' has 2"));
  REQUIRE_THROWS_WITH(read_parallel_files(src, tgt + ".missing", 100), Contains("cannot open"));
  const auto long_tgt = write_temp("b.tgt", "x x x x\ny\nz\n");
  // Pairs with an empty side or over max_length are dropped; vocabularies come from the files.
  const ParallelData data = read_parallel_files(src, long_tgt, 3);
  CHECK(data.src.size() == 2);
  CHECK(data.src_vocab == 4 + 6);
  CHECK(data.tgt_vocab == 4 + 3);
  const auto blank = write_temp("c.tgt", "\n\n\n");
  REQUIRE_THROWS_WITH(read_parallel_files(src, blank, 100), Contains("no usable sentence pairs"));
}
