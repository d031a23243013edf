// rnmt convert --from marian against Marian itself: the fixtures in tests/data/marian are real s2s
// models and Marian's own n-best lists for test.src (make_fixtures.sh). A converted model
// translates them into the same hypotheses, in the same order, with the same scores. Also:
// Marian's configuration and vocabularies read, its decoder options taken, and what rnmt cannot
// run refused by option name.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "convert/marian.hpp"
#include "convert/marian_model.hpp"
#include "convert/npz.hpp"
#include "core/error.hpp"
#include "fixture_lines.hpp"
#include "model_file/model_file.hpp"
#include "rnmt/translator.hpp"
#include "temp_dir.hpp"

using namespace rnmt;
using Catch::Contains;
using rnmt::test::lines_of;

namespace {

const std::string kMarian = std::string(RNMT_TEST_DATA) + "/marian/";
const std::vector<std::string> kVocabs = {kMarian + "vocab.src.yml", kMarian + "vocab.tgt.yml"};

std::string converted(const std::string& name, const MarianFiles& files = {kVocabs, "", ""}) {
  std::ostringstream log;
  const std::string out = test::temp(name + ".rnmt");
  write_model_file(convert_marian(kMarian + name + ".npz", log, files), out);
  CHECK(log.str().find(name.rfind("amun", 0) == 0 ? "Marian amun model" : "Marian s2s model") !=
        std::string::npos);
  return out;
}

}  // namespace

TEST_CASE("converted Marian models give Marian's n-best lists and scores", "[convert]") {
  const std::vector<std::string> sources = lines_of(kMarian + "test.src");
  // amun: the GRU model saved under Amun's and Nematus' names (Marian's --type amun)
  // amun-old-layout: the same as Nematus-era files hold it (vectors for biases, the output layer
  // not transposed; old_layout.py)
  for (const std::string name : {"s2s-gru", "s2s-lstm", "amun", "amun-old-layout"}) {
    INFO(name);
    const Translator translator(converted(name));
    // marian-decoder's defaults: beam 12, no length normalisation, <unk> never output, the beam
    // narrowing as hypotheses finish
    TranslationOptions options = translator.default_options();
    CHECK(options.beam_size == 12);
    CHECK(options.length_penalty == 0);
    CHECK(options.disable_unk);
    CHECK(options.beam_style == "narrowing");
    options.beam_size = options.num_hypotheses = 3;  // make_fixtures.sh's --beam-size 3 --n-best
    const std::vector<TranslationResult> results = translator.translate(sources, options);
    const std::vector<std::string> expected =
        lines_of(kMarian + (name == "amun-old-layout" ? "amun" : name) + ".nbest");
    REQUIRE(expected.size() == 3 * sources.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO(expected[i]);
      // "line ||| hypothesis ||| F0= score ||| score"
      const size_t a = expected[i].find(" ||| "), b = expected[i].find(" ||| ", a + 5);
      REQUIRE(std::stoul(expected[i].substr(0, a)) == i / 3);
      const TranslationResult& result = results.at(i / 3);
      const TranslationHypothesis& ours = result.hypotheses.at(i % 3);
      CHECK(ours.text == expected[i].substr(a + 5, b - a - 5));
      CHECK(std::abs(ours.score - std::stod(expected[i].substr(expected[i].rfind(" ||| ") + 5))) <
            1e-4);
      // the source as Marian reads it: its words, then </s>
      CHECK(result.source_tokens.back() == "</s>");
    }
  }
}

TEST_CASE("a Marian model's decoder options give its vocabularies and translation options",
          "[convert]") {
  // as Marian leaves a model it trained: MODEL.npz.decoder.yml beside it, naming its vocabularies
  // where they were then (here: nowhere, so they are looked for beside the model)
  const std::filesystem::path dir = test::temp("marian-model");
  std::filesystem::create_directories(dir);
  const std::string model = (dir / "model.npz").string();
  std::filesystem::copy_file(kMarian + "s2s-gru.npz", model);
  for (const char* v : {"vocab.src.yml", "vocab.tgt.yml"})
    std::filesystem::copy_file(kMarian + v, dir / v);
  std::ofstream(model + ".decoder.yml")
      << "models:\n  - /gone/model.npz\nvocabs:\n  - /gone/vocab.src.yml\n  - /gone/vocab.tgt.yml\n"
         "beam-size: 6\nnormalize: 0.6\nword-penalty: 0\nallow-unk: true\n";
  std::ostringstream log;
  const std::string out = test::temp("from-decoder-yml.rnmt");
  write_model_file(convert_marian(model, log), out);
  const Translator translator(out);
  const TranslationOptions options = translator.default_options();
  CHECK(options.beam_size == 6);
  CHECK(options.length_penalty == Approx(0.6));
  CHECK_FALSE(options.disable_unk);
  // the same network as with the vocabularies given
  const std::vector<std::string> sources = lines_of(kMarian + "test.src");
  CHECK(translator.translate(sources, options).at(0).hypotheses.at(0).text ==
        Translator(converted("s2s-gru")).translate(sources, options).at(0).hypotheses.at(0).text);

  // without them: named
  std::filesystem::remove(dir / "vocab.src.yml");
  CHECK_THROWS_WITH(convert_marian(model, log),
                    Contains("its vocabulary /gone/vocab.src.yml is neither there nor beside the "
                             "model: give them with --vocabs SRC TGT"));
  std::filesystem::remove(model + ".decoder.yml");
  CHECK_THROWS_WITH(convert_marian(model, log),
                    Contains(model + ": give its vocabularies with --vocabs SRC TGT"));
  std::ofstream(model + ".decoder.yml") << "beam-size: [6\n";
  CHECK_THROWS_WITH(convert_marian(model, log, {kVocabs, "", ""}), Contains("not YAML"));
  std::ofstream(model + ".decoder.yml") << "beam-size: many\n";
  CHECK_THROWS_WITH(convert_marian(model, log, {kVocabs, "", ""}),
                    Contains(".decoder.yml: beam-size has an unexpected value"));
}

TEST_CASE("vocabularies and files a Marian model cannot use are refused by name", "[convert]") {
  std::ostringstream log;
  const std::string model = kMarian + "s2s-gru.npz";
  CHECK_THROWS_WITH(convert_marian(model, log, {{kVocabs[0]}, "", ""}),
                    Contains("--vocabs: give the source and the target vocabulary, not 1 files"));
  CHECK_THROWS_WITH(convert_marian(model, log, {{kVocabs[0], "x.spm"}, "", ""}),
                    Contains("x.spm: a SentencePiece vocabulary"));
  // a vocabulary of another size than the model's
  const std::string bigger = test::temp("bigger.yml");
  {
    std::ofstream out(bigger);
    for (const std::string& line : lines_of(kVocabs[1])) out << line << "\n";
    out << "EXTRA: 26\n";
  }
  CHECK_THROWS_WITH(convert_marian(model, log, {{kVocabs[0], bigger}, "", ""}),
                    Contains("trained on vocabularies of 26 and 26 tokens, and " + kVocabs[0] +
                             " and " + bigger + " hold 26 and 27"));
  // a token rnmt keeps for itself
  const std::string special = test::temp("special.yml");
  {
    std::ofstream out(special);
    for (const std::string& line : lines_of(kVocabs[1]))
      out << (line.rfind("DNAL-0:", 0) == 0 ? "<s>: 2" : line) << "\n";
  }
  CHECK_THROWS_WITH(convert_marian(model, log, {{kVocabs[0], special}, "", ""}),
                    Contains("token '<s>' is one of rnmt's specials"));
  // an .npz without Marian's options, and no .npz at all
  CHECK_THROWS_WITH(convert_marian(std::string(RNMT_TEST_DATA) + "/npz/refused.npz", log),
                    Contains("refused.npz: no special:model.yml: not a Marian model"));
  CHECK_THROWS_WITH(convert_marian(kVocabs[0], log, {kVocabs, "", ""}), Contains("vocab.src.yml"));
  // a model without an array its options need, or with one of another shape
  const std::string npz = std::string(RNMT_TEST_DATA) + "/npz/";
  CHECK_THROWS_WITH(convert_marian(npz + "marian-missing.npz", log, {kVocabs, "", ""}),
                    Contains("marian-missing.npz: the model has no array encoder_Wemb"));
  CHECK_THROWS_WITH(convert_marian(npz + "marian-shape.npz", log, {kVocabs, "", ""}),
                    Contains("marian-shape.npz: encoder_Wemb has shape [26, 5], not [26, 4]"));
}

TEST_CASE("Marian's configuration and vocabularies are read", "[convert]") {
  for (const char* name : {"s2s-gru", "s2s-lstm"}) {
    INFO(name);
    const NpzFile npz(kMarian + name + ".npz");
    const MarianOptions o = parse_marian_options(npz.text("special:model.yml"), name);
    CHECK(o.type == "s2s");
    CHECK(o.dim_emb == 16);
    CHECK(o.dim_rnn == 32);
    CHECK(o.enc_cell == (std::string(name) == "s2s-gru" ? "gru" : "lstm"));
    CHECK(o.dec_cell == o.enc_cell);
    CHECK(o.dim_vocabs == std::vector<int64_t>{26, 26});
    CHECK_NOTHROW(check_marian_supported(o, name));
  }
  const std::vector<std::string> tokens = read_marian_vocabulary(kMarian + "vocab.tgt.yml");
  REQUIRE(tokens.size() == 26);
  CHECK(tokens[0] == "</s>");
  CHECK(tokens[1] == "<unk>");
  CHECK(tokens[2] == "DNAL-0");
}

TEST_CASE("what rnmt cannot run as Marian does is refused by option name", "[convert]") {
  const std::string config = NpzFile(kMarian + "s2s-gru.npz").text("special:model.yml");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"type: transformer", "Marian option --type transformer: rnmt converts Marian's s2s"},
      {"type: nematus", "Marian option --type nematus: rnmt converts Marian's s2s"},
      {"enc-type: alternating", "--enc-type alternating: rnmt's encoder is bidirectional"},
      {"enc-depth: 2", "--enc-depth 2: Marian stacks each direction apart"},
      {"dec-cell-base-depth: 3", "--dec-cell-base-depth: deep transition"},
      {"dec-depth: 2", "--dec-depth 2: one decoder layer"},
      {"dec-cell: tanh", "--dec-cell tanh: rnmt has GRU and LSTM cells"},
      {"enc-cell: lstm", "--enc-cell lstm with --dec-cell gru: rnmt's encoder and decoder cells"},
      {"layer-normalization: true", "--layer-normalization: rnmt's network has none"},
      {"skip: true", "--skip: rnmt's network has no skip connections"},
      {"right-left: true", "--right-left: rnmt translates left to right"}};
  for (const auto& [change, message] : refused) {
    INFO(change);
    // the fixture's configuration with that option's line changed
    std::string changed(1, '\n');  // appends: GCC 12 sees a false overflow in a + b chains
    changed.append(config);
    std::string key(1, '\n');
    key.append(change, 0, change.find(':') + 1);
    const size_t at = changed.find(key);
    REQUIRE(at != std::string::npos);
    changed.replace(at + 1, changed.find('\n', at + 1) - at - 1, change);
    const MarianOptions o = parse_marian_options(changed, "m.npz");
    CHECK_THROWS_WITH(check_marian_supported(o, "m.npz"), Contains("m.npz: ") && Contains(message));
  }
  CHECK_THROWS_WITH(parse_marian_options("dim-rnn: many\n", "m.npz"),
                    Contains("m.npz: Marian option --dim-rnn has an unexpected value"));
  CHECK_THROWS_WITH(parse_marian_options("[1, 2]", "m.npz"), Contains("not a mapping"));
  // vocabularies: ids each once from 0, Marian's specials first
  const std::string path = test::temp("vocab.yml");
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"</s>: 0\n<unk>: 1\na: 3\n", "token 'a' has id 3: ids must be 0 to 2, each once"},
           {"</s>: 0\n<unk>: 0\n", "token '<unk>' has id 0"},
           {"<unk>: 0\n</s>: 1\n", "Marian vocabularies begin with </s> (0) and <unk> (1)"},
           {"- a\n", "a Marian vocabulary maps tokens to ids"}}) {
    INFO(text);
    std::ofstream(path) << text;
    CHECK_THROWS_WITH(read_marian_vocabulary(path), Contains(path + ": " + message));
  }
}
