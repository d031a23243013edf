// The parts of Marian's converter that stand without rnmt's conditional decoder: Marian's own
// configuration and vocabularies of the fixtures (tests/data/marian/make_fixtures.sh) read, and
// what rnmt cannot run refused by option name.
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "convert/marian.hpp"
#include "convert/npz.hpp"
#include "core/error.hpp"
#include "temp_dir.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {
const std::string kMarian = std::string(RNMT_TEST_DATA) + "/marian/";
}  // namespace

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
