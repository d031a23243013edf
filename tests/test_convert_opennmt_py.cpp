// rnmt convert --from opennmt-py against OpenNMT-py itself: the fixtures in tests/data/opennmt-py
// are real checkpoints and OpenNMT-py v3.4.0's own n-best lists for test.src (make_fixtures.sh).
// A converted model translates them into the same hypotheses, in the same order, with the same
// scores (OpenNMT-py's length penalty "avg": log p / length, its length counting <s> and </s>).
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "convert/opennmt_py.hpp"
#include "core/error.hpp"
#include "model_file/model_file.hpp"
#include "rnmt/translator.hpp"
#include "temp_dir.hpp"

using namespace rnmt;

namespace {

const std::string kFixtures = std::string(RNMT_TEST_DATA) + "/opennmt-py/";

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string converted(const std::string& name) {
  std::ostringstream log;
  const std::string out = test::temp(name + ".rnmt");
  write_model_file(convert_opennmt_py(kFixtures + name + ".pt", log), out);
  CHECK(log.str().find("OpenNMT-py") != std::string::npos);
  return out;
}

}  // namespace

TEST_CASE("converted OpenNMT-py models give OpenNMT-py's n-best lists and scores", "[convert]") {
  const std::vector<std::string> sources = lines_of(kFixtures + "test.src");
  for (const char* name : {"lstm-general-feed", "lstm-dot-2layers", "lstm-shared",
                           "lstm-mlp-bridge", "gru-general-2layers-bridge"}) {
    INFO(name);
    const Translator translator(converted(name));
    // make_fixtures.sh: -beam_size 3 -n_best 3 and translate.py's default length penalty
    TranslationOptions options = translator.default_options();
    CHECK(options.length_penalty == 1.0);
    CHECK(options.length_includes_start);
    options.beam_size = 3;
    options.num_hypotheses = 3;
    const std::vector<TranslationResult> results = translator.translate(sources, options);
    const std::vector<std::string> expected = lines_of(kFixtures + name + ".nbest");
    REQUIRE(expected.size() == 3 * sources.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("line " << i / 3 << ", hypothesis " << i % 3 << ": " << expected[i]);
      const size_t tab = expected[i].find('\t');
      REQUIRE(tab != std::string::npos);
      const TranslationHypothesis& ours = results.at(i / 3).hypotheses.at(i % 3);
      CHECK(ours.text == expected[i].substr(0, tab));
      CHECK(std::abs(ours.score - std::stod(expected[i].substr(tab + 1))) < 1e-4);
    }
  }
}

TEST_CASE("what rnmt cannot run as OpenNMT-py does is refused by option name", "[convert]") {
  std::ostringstream log;
  // make_fixtures.sh's lstm-general-feed options with one changed
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"transformer", "option -encoder_type transformer: rnmt converts RNN models"},
      {"copy-attn", "option -copy_attn: rnmt's network has no such part"},
      {"sparsemax", "option -global_attention_function sparsemax: "},
      {"sru", "option -rnn_type SRU: rnmt has LSTM and GRU cells"}};
  for (const auto& [name, message] : refused) {
    INFO(name);
    CHECK_THROWS_WITH(convert_opennmt_py(kFixtures + "refused-" + name + ".pt", log),
                      Catch::Contains("refused-" + name + ".pt: OpenNMT-py " + message));
  }
  // not a checkpoint at all
  CHECK_THROWS_WITH(convert_opennmt_py(kFixtures + "test.src", log),
                    Catch::Contains("test.src: not a torch checkpoint"));
}

TEST_CASE("a converted model reads and writes whitespace tokens, and cannot be trained",
          "[convert]") {
  const std::string path = converted("lstm-general-feed");
  const LoadedModel model = load_model(path);
  CHECK(model.src->model().options.segmentation == Segmentation::whitespace);
  CHECK(model.src->tokenize("  land\tmoon  ") == std::vector<std::string>{"land", "moon"});
  // OpenNMT-py's <blank> is rnmt's <pad>; its other tokens keep their order after the specials
  const Vocabulary& v = model.tgt->model().vocabulary;
  CHECK(v.pieces[0] == "<pad>");
  CHECK(v.pieces[4] == "DNAL-0");
  CHECK(model.recipe.model.bridge == BridgeType::copy);
  CHECK_THROWS_WITH(Seq2Seq(model.network->config(), 1),
                    Catch::Contains("model.decoder.bridge: copy"));
}
