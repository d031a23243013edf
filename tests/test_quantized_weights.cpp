// Model files with int8 weights (rnmt quantize): each weight within half a quantisation step of
// its original, quantising again gives the same bytes, every kind of damage is refused by name,
// and a quantised file translates.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "model_file/quantized_weights.hpp"
#include "rnmt/translator.hpp"
#include "tests/model_fixture.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

// A network with every kind of parameter: embeddings, LSTM encoder, GRU decoder, bridge,
// additive attention (a vector), output layer.
ModelFile every_kind() {
  return ModelFile(
      "workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: {cell: gru, hidden: 10}, "
      "attention: additive}\n");
}

}  // namespace

TEST_CASE("int8 weights: within half a step, and quantising again changes nothing", "[quantize]") {
  const ModelFile f = every_kind();
  const ParamSet& original = f.network->params();
  const std::string bytes = quantized_weight_bytes(original);
  CHECK(bytes.size() < original.total() * sizeof(float) / 2);
  auto copy = Seq2Seq::for_inference(f.network->config());
  set_quantized_weights(copy->params(), bytes, "q.rnmt");
  const auto& a = original.params();
  const auto& b = copy->params().params();
  REQUIRE(a.size() == b.size());
  bool changed = false;
  for (size_t k = 0; k < a.size(); ++k) {
    INFO(a[k].name);
    // a bound for every group's step: the whole tensor's largest magnitude (a recurrent layer's
    // two matrices share their groups: both of theirs)
    float largest = 0;
    for (const Param& p : a) {
      const bool same = p.name == a[k].name;
      const auto stem = [](const std::string& n) { return n.substr(0, n.rfind('.')); };
      const bool partner = a[k].name.find(".weights_") != std::string::npos &&
                           p.name.find(".weights_") != std::string::npos &&
                           stem(p.name) == stem(a[k].name);
      if (!same && !partner) continue;
      for (size_t i = 0; i < p.size; ++i) largest = std::max(largest, std::fabs(p.w[i]));
    }
    const bool vector = a[k].dims.size() == 1 || a[k].name.find(".bias") != std::string::npos;
    for (size_t i = 0; i < a[k].size; ++i) {
      if (vector) {
        CHECK(b[k].w[i] == a[k].w[i]);  // biases and vectors stay float32
      } else {
        CHECK(std::fabs(b[k].w[i] - a[k].w[i]) <= largest / 254.0f * 1.0001f);
        changed |= b[k].w[i] != a[k].w[i];
      }
    }
  }
  CHECK(changed);
  CHECK(quantized_weight_bytes(copy->params()) == bytes);
}

TEST_CASE("damaged int8 weights are refused, naming the file", "[quantize]") {
  const ModelFile f = every_kind();
  const std::string bytes = quantized_weight_bytes(f.network->params());
  auto target = Seq2Seq::for_inference(f.network->config());
  ParamSet& params = target->params();
  CHECK_THROWS_WITH(set_quantized_weights(params, bytes.substr(0, bytes.size() - 1), "q.rnmt"),
                    Contains("'q.rnmt': its int8 weights are truncated"));
  CHECK_THROWS_WITH(set_quantized_weights(params, bytes + "x", "q.rnmt"),
                    Contains("bytes after their end"));
  CHECK_THROWS_WITH(set_quantized_weights(params, bytes.substr(0, 3), "q.rnmt"),
                    Contains("truncated"));
  std::string other_network = bytes;
  const uint64_t total = params.total() + 16;
  std::memcpy(other_network.data(), &total, sizeof total);
  CHECK_THROWS_WITH(set_quantized_weights(params, other_network, "q.rnmt"),
                    Contains("are for a network of"));
  std::string regrouped = bytes;
  regrouped[sizeof(uint64_t)] = 0;  // the source embeddings' grouping byte: as if a vector
  CHECK_THROWS_WITH(set_quantized_weights(params, regrouped, "q.rnmt"),
                    Contains("do not match the network at src_embedding"));
  std::string zero_scale = bytes;
  std::memset(zero_scale.data() + sizeof(uint64_t) + 1, 0, sizeof(float));
  CHECK_THROWS_WITH(set_quantized_weights(params, zero_scale, "q.rnmt"),
                    Contains("not a positive number"));
}

TEST_CASE("a model file with int8 weights loads and translates", "[quantize]") {
  ModelFile f = every_kind();
  Archive archive = f.archive();
  archive.sections.erase(kWeightsSection);
  archive.sections[kQuantizedWeightsSection] = quantized_weight_bytes(f.network->params());
  const std::string path = temp("quantized.rnmt");
  write_archive(archive, path);
  const LoadedModel m = load_model(path);
  CHECK(quantized_weight_bytes(m.network->params()) == archive.sections[kQuantizedWeightsSection]);
  TranslationOptions o;
  o.beam_size = 2;
  const std::vector<std::string> lines = {"a b c", "", "c c a"};
  CHECK(Translator(path).translate(lines, o).size() == lines.size());
}
