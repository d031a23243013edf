// Reading files torch.save wrote: the fixture tests/data/torch/checkpoint.pt was written by Debian
// 12's torch from tests/data/torch/make_checkpoint.py, whose values these cases check.
#include <catch2/catch.hpp>
#include <fstream>

#include "convert/pickle.hpp"
#include "convert/torch_checkpoint.hpp"
#include "core/error.hpp"
#include "temp_dir.hpp"

using namespace rnmt;

namespace {

const std::string kCheckpoint = std::string(RNMT_TEST_DATA) + "/torch/checkpoint.pt";

// make_checkpoint.py's base tensor: arange(12).reshape(3, 4) / 4 - 1.
float base(int64_t row, int64_t column) {
  return static_cast<float>(row * 4 + column) / 4 - 1;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("a torch checkpoint's tensors come back with their values, shapes and views") {
  TorchCheckpoint checkpoint(kCheckpoint);
  const PickleNode& model = pickle_at(checkpoint.root(), "model", "checkpoint");
  REQUIRE(model.kind == PickleKind::dict);  // an OrderedDict
  REQUIRE(model.entries.size() == 7);
  CHECK(model.entries[0].first->text == "weight");  // insertion order kept

  const PickleNode& weight = pickle_at(model, "weight", "model");
  CHECK(weight.shape == std::vector<int64_t>{3, 4});
  const std::vector<float> w = checkpoint.floats(weight, "weight");
  REQUIRE(w.size() == 12);
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t c = 0; c < 4; ++c) CHECK(w[static_cast<size_t>(r * 4 + c)] == base(r, c));

  // a transposed view: strides (1, 4) over the same storage
  const PickleNode& transposed = pickle_at(model, "transposed", "model");
  CHECK(transposed.shape == std::vector<int64_t>{4, 3});
  const std::vector<float> t = checkpoint.floats(transposed, "transposed");
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 3; ++c) CHECK(t[static_cast<size_t>(r * 3 + c)] == base(c, r));

  // a row: offset 4 into the shared storage
  const PickleNode& row = pickle_at(model, "row", "model");
  CHECK(row.offset == 4);
  CHECK(row.items[0]->text == weight.items[0]->text);
  const std::vector<float> r1 = checkpoint.floats(row, "row");
  REQUIRE(r1.size() == 4);
  for (int64_t c = 0; c < 4; ++c) CHECK(r1[static_cast<size_t>(c)] == base(1, c));

  // every value is a multiple of 1/4 in [-1, 2): exact in half, bfloat16 and double too
  for (const char* name : {"half", "bf16", "double"}) {
    INFO(name);
    CHECK(checkpoint.floats(pickle_at(model, name, "model"), name) == w);
  }
  const std::vector<float> half = checkpoint.floats(pickle_at(model, "half", "model"), "half");
  CHECK(half[1] == -0.75f);

  // integers are not weights
  CHECK_THROWS_WITH(checkpoint.floats(pickle_at(model, "long", "model"), "model.long"),
                    Catch::Contains("model.long holds LongStorage values"));
  CHECK_THROWS_WITH(checkpoint.floats(pickle_at(checkpoint.root(), "raw", "checkpoint"), "raw"),
                    Catch::Contains("raw is a bytes, not a tensor"));
}

TEST_CASE("a torch checkpoint's options, vocabularies and plain values are read") {
  TorchCheckpoint checkpoint(kCheckpoint);
  const PickleNode& root = checkpoint.root();
  const PickleNode& opt = pickle_at(root, "opt", "checkpoint");
  CHECK(opt.kind == PickleKind::object);
  CHECK(opt.text == "argparse.Namespace");
  const PickleNode& options = pickle_attributes(opt, "opt");
  CHECK(pickle_at(options, "rnn_size", "opt").integer == 8);
  CHECK(pickle_at(options, "brnn", "opt").kind == PickleKind::boolean);
  CHECK(pickle_at(options, "brnn", "opt").boolean);
  CHECK(pickle_at(options, "global_attention", "opt").text == "general");
  const PickleNode& dropout = pickle_at(options, "dropout", "opt");
  REQUIRE(dropout.kind == PickleKind::list);
  CHECK(dropout.items.at(0)->real == 0.3);
  CHECK(pickle_find(options, "absent", "opt") == nullptr);
  CHECK_THROWS_WITH(pickle_at(options, "absent", "opt"), "opt has no 'absent'");

  const PickleNode& src = pickle_at(pickle_at(root, "vocab", "checkpoint"), "src", "vocab");
  REQUIRE(src.items.size() == 4);
  CHECK(src.items[3]->text == "\xc3\xa9");  // é in UTF-8

  const PickleNode& numbers = pickle_at(root, "numbers", "checkpoint");
  REQUIRE(numbers.items.size() == 11);
  const std::vector<int64_t> integers = {0, 255, 65535, -7, int64_t{1} << 40, -(int64_t{1} << 40)};
  for (size_t i = 0; i < integers.size(); ++i) {
    CHECK(numbers.items[i]->kind == PickleKind::integer);
    CHECK(numbers.items[i]->integer == integers[i]);
  }
  CHECK(numbers.items[6]->real == 1.5);
  CHECK(numbers.items[7]->real == -2.25e-3);
  CHECK(numbers.items[8]->boolean);
  CHECK_FALSE(numbers.items[9]->boolean);
  CHECK(numbers.items[10]->kind == PickleKind::none);

  const PickleNode& words = pickle_at(root, "words", "checkpoint");  // a set: a list
  CHECK(words.kind == PickleKind::list);
  CHECK(words.items.size() == 2);
  const PickleNode& raw = pickle_at(root, "raw", "checkpoint");
  CHECK(raw.kind == PickleKind::bytes);
  CHECK(raw.text == std::string("\x00\xff", 2) + "bytes");
}

TEST_CASE("files that are not torch checkpoints are refused by name") {
  const std::string text = test::temp("text.pt");
  std::ofstream(text) << "not a zip archive\n";
  CHECK_THROWS_WITH(TorchCheckpoint(text), Catch::Contains(text + ": not a torch checkpoint"));

  // a bare pickle stream: torch's format before 1.6
  const std::string legacy = test::temp("legacy.pt");
  std::ofstream(legacy, std::ios::binary) << "\x80\x02\x8a\x0a";
  CHECK_THROWS_WITH(TorchCheckpoint(legacy), Catch::Contains("before torch 1.6") &&
                                                 Catch::Contains("torch.save(torch.load("));

  // the archive cut short
  const std::string bytes = read_file(kCheckpoint);
  const std::string cut = test::temp("cut.pt");
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK_THROWS_WITH(TorchCheckpoint(cut), Catch::Contains(cut));
}

TEST_CASE("damaged pickles are refused with where they go wrong") {
  const auto refuses = [](const std::string& bytes, const std::string& why) {
    INFO(why);
    CHECK_THROWS_WITH(
        read_pickle(bytes, "p.pkl"),
        Catch::StartsWith("p.pkl: not a pickle rnmt can read") && Catch::Contains(why));
  };
  using namespace std::string_literals;  // (the pickles hold zero bytes)
  refuses("", "it ends early");
  refuses("\x80\x02}", "it ends early");  // no STOP
  refuses(
      "\x80\x02X\xff\x00\x00\x00"
      "a."s,
      "a length past its end");
  refuses("\x80\x02h\x05.", "a memo entry that was never put");
  refuses("\x80\x02I1\n.", "opcode 0x49");  // protocol 0's INT
  refuses("\x80\x02}K\x01s.", "an empty stack");
  refuses("\x80\x02]K\x01K\x02s.", "SETITEMS on a list");
  refuses("\x80\x02K\x01K\x02.", "values left on the stack");
  refuses("\x80\x02(K\x01\x8a\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09.", "wider than 64 bits");
  // a cycle (a list that holds itself) is read, and freed, without harm
  const Pickle cycle = read_pickle(
      "\x80\x02]q\x00h\x00"
      "a."s,
      "cycle");
  CHECK(cycle.root->items.at(0) == cycle.root);
}

TEST_CASE("real OpenNMT-py v3.4.0 checkpoints are read whole") {
  // tests/data/opennmt-py/make_fixtures.sh trained them; rnmt convert's fixtures
  for (const char* name : {"lstm-general-feed", "lstm-dot-2layers", "lstm-mlp-bridge",
                           "gru-general-2layers-bridge", "lstm-shared"}) {
    INFO(name);
    TorchCheckpoint checkpoint(std::string(RNMT_TEST_DATA) + "/opennmt-py/" + name + ".pt");
    const PickleNode& root = checkpoint.root();
    const PickleNode& options = pickle_attributes(pickle_at(root, "opt", "checkpoint"), "opt");
    CHECK(pickle_at(options, "encoder_type", "opt").text == "brnn");
    const int64_t hidden = pickle_at(options, "dec_hid_size", "opt").integer;
    CHECK(hidden == 32);
    const PickleNode& vocab = pickle_at(root, "vocab", "checkpoint");
    for (const char* side : {"src", "tgt"}) {
      const PickleNode& tokens = pickle_at(vocab, side, "vocab");
      REQUIRE(tokens.items.size() >= 4);
      CHECK(tokens.items[0]->text == "<unk>");
      CHECK(tokens.items[1]->text == "<blank>");
      CHECK(tokens.items[2]->text == "<s>");
      CHECK(tokens.items[3]->text == "</s>");
    }
    // every weight reads, with as many values as its shape says
    const PickleNode& model = pickle_at(root, "model", "checkpoint");
    CHECK(model.entries.size() >= 12);
    for (const auto& [key, tensor] : model.entries) {
      int64_t count = 1;
      for (int64_t d : tensor->shape) count *= d;
      CHECK(static_cast<int64_t>(checkpoint.floats(*tensor, key->text).size()) == count);
    }
    const PickleNode& generator = pickle_at(root, "generator", "checkpoint");
    const PickleNode& output = pickle_at(generator, "weight", "generator");
    CHECK(output.shape ==
          std::vector<int64_t>{static_cast<int64_t>(pickle_at(vocab, "tgt", "vocab").items.size()),
                               hidden});
    if (std::string(name) == "lstm-shared") {  // one matrix, three names
      const std::vector<float> source = checkpoint.floats(
          pickle_at(model, "encoder.embeddings.make_embedding.emb_luts.0.weight", "model"), "e");
      CHECK(checkpoint.floats(
                pickle_at(model, "decoder.embeddings.make_embedding.emb_luts.0.weight", "model"),
                "d") == source);
      CHECK(checkpoint.floats(output, "generator") == source);
    }
  }
}
