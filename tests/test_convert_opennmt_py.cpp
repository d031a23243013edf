// rnmt convert --from opennmt-py against OpenNMT-py itself: the fixtures in tests/data/opennmt-py
// are real checkpoints and OpenNMT-py v3.4.0's own n-best lists for test.src (make_fixtures.sh).
// A converted model translates them into the same hypotheses, in the same order, with the same
// scores (OpenNMT-py's length penalty "avg": log p / length, its length counting <s> and </s>).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convert/opennmt_py.hpp"
#include "core/error.hpp"
#include "fixture_lines.hpp"
#include "model_file/model_file.hpp"
#include "rnmt/tokenizer.hpp"
#include "rnmt/translator.hpp"
#include "temp_dir.hpp"

using namespace rnmt;
using rnmt::test::lines_of;

namespace {

const std::string kFixtures = std::string(RNMT_TEST_DATA) + "/opennmt-py/";

std::string converted(const std::string& name) {
  std::ostringstream log;
  const std::string out = test::temp(name + ".rnmt");
  write_model_file(convert_opennmt_py(kFixtures + name + ".pt", log), out);
  CHECK(log.str().find("OpenNMT-py") != std::string::npos);
  return out;
}

}  // namespace

namespace {

// The fixture's n-best list (make_fixtures.sh: -beam_size 3 -n_best 3 -ban_unk_token) against
// rnmt's with these options: the same hypotheses in the same order, the same scores.
void check_nbest(const Translator& translator, TranslationOptions options,
                 const std::string& sources_file, const std::string& nbest_file) {
  const std::vector<std::string> sources = lines_of(kFixtures + sources_file);
  options.beam_size = 3;
  options.num_hypotheses = 3;
  options.disable_unk = true;
  const std::vector<TranslationResult> results = translator.translate(sources, options);
  const std::vector<std::string> expected = lines_of(kFixtures + nbest_file);
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

}  // namespace

TEST_CASE("converted OpenNMT-py models give OpenNMT-py's n-best lists and scores", "[convert]") {
  // v2-vocab and 0x-vocab are lstm-general-feed with vocabularies as OpenNMT-py 1.x-2.x and 0.x
  // saved them (torchtext objects): the same translations
  for (const std::string name :
       {"lstm-general-feed", "lstm-dot-2layers", "lstm-shared", "lstm-mlp-bridge",
        "gru-general-2layers-bridge", "lstm-sentencepiece", "v2-vocab", "0x-vocab"}) {
    INFO(name);
    const bool old_vocabulary = name == "v2-vocab" || name == "0x-vocab";
    const Translator translator(converted(name));
    // translate.py's defaults: its length penalty avg (alpha 1, the length counting <s>) and its
    // beam search
    const TranslationOptions options = translator.default_options();
    CHECK(options.length_penalty == 1.0);
    CHECK(options.length_includes_start);
    CHECK(options.length_penalty_form == "power");
    CHECK(options.beam_style == "opennmt_py");
    CHECK_FALSE(options.disable_unk);
    // the SentencePiece model reads raw text (full-width letters, runs of spaces)
    check_nbest(translator, options, name == "lstm-sentencepiece" ? "test-raw.src" : "test.src",
                (old_vocabulary ? "lstm-general-feed" : name) + ".nbest");
  }
  // -length_penalty wu -alpha 0.6
  const Translator translator(converted("lstm-general-feed"));
  TranslationOptions wu = translator.default_options();
  wu.length_penalty_form = "wu";
  wu.length_penalty = 0.6;
  check_nbest(translator, wu, "test.src", "lstm-general-feed.wu.nbest");
}

TEST_CASE("what rnmt cannot run as OpenNMT-py does is refused by option name", "[convert]") {
  std::ostringstream log;
  // make_fixtures.sh's lstm-general-feed options with one changed
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"transformer", "option -encoder_type transformer: rnmt converts RNN models"},
      {"copy-attn", "option -copy_attn: rnmt's network has no such part"},
      {"sparsemax", "option -global_attention_function sparsemax: "},
      {"sru", "option -rnn_type SRU: rnmt has LSTM and GRU cells"},
      {"features", "source features (a second source embedding, emb_luts.1): rnmt reads no "},
      {"onmt-tokenize",
       "option -transforms onmt_tokenize: rnmt cannot tokenize as this transform does; give "
       "--src-tokenizer and --tgt-tokenizer"},
      {"prefix", "option -transforms prefix: it changes the text at translation time"},
      {"sentencepiece-no-model", "option -transforms sentencepiece without -src_subword_model"}};
  for (const auto& [name, message] : refused) {
    INFO(name);
    CHECK_THROWS_WITH(convert_opennmt_py(kFixtures + "refused-" + name + ".pt", log),
                      Catch::Contains("refused-" + name + ".pt: OpenNMT-py " + message));
  }
  // a tokenizing transform is passed over when both tokenizers are given (then the missing
  // weights are what stops this options-only file)
  CHECK_THROWS_WITH(convert_opennmt_py(kFixtures + "refused-onmt-tokenize.pt", log,
                                       {.source = "whitespace", .target = "whitespace"}),
                    Catch::Contains("refused-onmt-tokenize.pt: the checkpoint has no weight"));
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

TEST_CASE("an OpenNMT-py model trained on SentencePiece pieces reads and writes raw text",
          "[convert]") {
  // make_fixtures.sh: OpenNMT-py's sentencepiece transform with joint.model, which the
  // checkpoint names as "joint.model": found beside the checkpoint.
  const std::string path = converted("lstm-sentencepiece");
  const LoadedModel model = load_model(path);
  CHECK(model.src->model().options.segmentation == Segmentation::sentencepiece);
  CHECK(model.tgt->model().options.segmentation == Segmentation::sentencepiece);
  // SentencePiece's own normalization (nmt_nfkc): full-width letters and runs of spaces
  const std::vector<std::string> pieces = model.src->tokenize("  ｓｕｎ \t moon ");
  CHECK(pieces == model.src->tokenize("sun moon"));
  CHECK(pieces.size() >= 2);
  CHECK(model.tgt->detokenize(model.tgt->tokenize("NUS-0  NOOM-1")) == "NUS-0 NOOM-1");
  // the same through the public API
  Tokenizer target = Tokenizer::from_model(path, ModelSide::target);
  CHECK(target.decode(target.tokenize("NUS-0  NOOM-1")) == "NUS-0 NOOM-1");

  // OpenNMT-py translated test-raw.src through the same transform (the test above finds its
  // n-best lists): every hypothesis it lists has the same score under forced decoding too.
  const std::vector<std::string> sources = lines_of(kFixtures + "test-raw.src");
  const std::vector<std::string> expected = lines_of(kFixtures + "lstm-sentencepiece.nbest");
  REQUIRE(expected.size() == 3 * sources.size());
  const Translator translator(path);
  const TranslationOptions options = translator.default_options();
  std::vector<std::string> repeated, targets;
  for (size_t i = 0; i < expected.size(); ++i) {
    repeated.push_back(sources[i / 3]);
    targets.push_back(expected[i].substr(0, expected[i].find('\t')));
  }
  const std::vector<ScoringResult> scored = translator.score(repeated, targets, options);
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("line " << i / 3 << ", hypothesis " << i % 3 << ": " << expected[i]);
    const double score = std::stod(expected[i].substr(expected[i].find('\t') + 1));
    // OpenNMT-py's length penalty avg: the length counts <s> and </s>
    const double length = static_cast<double>(scored[i].tokens.size() + 2);
    CHECK(std::abs(scored[i].log_probability / length - score) < 1e-4);
  }
}

TEST_CASE("a SentencePiece model is taken as given, or its absence is named", "[convert]") {
  std::ostringstream log;
  // Given explicitly: whitespace instead (text tokenized beforehand), on one side only
  const ModelFileContents whitespace = convert_opennmt_py(kFixtures + "lstm-sentencepiece.pt", log,
                                                          {.source = "whitespace", .target = ""});
  CHECK(parse_tokenizer(whitespace.src_tokenizer, "src").options.segmentation ==
        Segmentation::whitespace);
  const TokenizerModel target = parse_tokenizer(whitespace.tgt_tokenizer, "tgt");
  CHECK(target.options.segmentation == Segmentation::sentencepiece);
  // The tokenizer file keeps the model's bytes exactly (version 3, in hex)
  std::ifstream file(kFixtures + "joint.model", std::ios::binary);
  CHECK(target.sentencepiece_model ==
        std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()));
  CHECK(tokenizer_text(target) == whitespace.tgt_tokenizer);
  std::string damaged = whitespace.tgt_tokenizer;
  damaged[damaged.find("sentencepiece_model ") + 40] = 'x';
  CHECK_THROWS_WITH(parse_tokenizer(damaged, "t"), Catch::Contains("t:9: expected the "));
  // Neither where the checkpoint says nor beside it
  const std::string alone = test::temp("alone");
  std::filesystem::create_directories(alone);
  std::filesystem::copy_file(kFixtures + "lstm-sentencepiece.pt", alone + "/model.pt");
  CHECK_THROWS_WITH(
      convert_opennmt_py(alone + "/model.pt", log),
      Catch::Contains("model.pt: OpenNMT-py option -src_subword_model joint.model names the "
                      "SentencePiece model") &&
          Catch::Contains("give it with --src-tokenizer FILE"));
  // An rnmt tokenizer file: its segmentation and merges, the checkpoint's vocabulary
  TokenizerModel own;
  own.options.split_digits = true;
  own.merges = {{"s", "u"}};
  own.vocabulary.add("unused");
  const std::string own_path = test::temp("own.tokenizer");
  save_tokenizer(own, own_path);
  const ModelFileContents with_own = convert_opennmt_py(
      kFixtures + "lstm-general-feed.pt", log, {.source = own_path, .target = "whitespace"});
  const TokenizerModel source = parse_tokenizer(with_own.src_tokenizer, "src");
  CHECK(source.options.segmentation == Segmentation::rnmt);
  CHECK(source.options.split_digits);
  CHECK(source.merges == own.merges);
  CHECK(source.vocabulary.ids.count("land") == 1);
  CHECK(source.vocabulary.ids.count("unused") == 0);
  // A file that is neither a SentencePiece model nor an rnmt tokenizer
  CHECK_THROWS_WITH(
      convert_opennmt_py(alone + "/model.pt", log,
                         {.source = kFixtures + "test.src", .target = "whitespace"}),
      Catch::Contains("test.src (not an rnmt tokenizer either): not a SentencePiece"));
}
