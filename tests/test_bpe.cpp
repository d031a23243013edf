// BPE learning, application, dropout, the vocabulary, and the tokenizer model file.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <set>

#include "core/error.hpp"
#include "tokenizer/tokenizer.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/rnmt_test_" + name;
}

}  // namespace

TEST_CASE("BPE learns the merges computed by hand", "[bpe]") {
  // Pair counts at the start: e s 9, s t 9, w e 8, l o 7, o w 7, n e 6, e w 6, ... Ties go to the
  // pair whose strings sort first. Worked through by hand, step by step:
  const std::unordered_map<std::string, int64_t> words = {
      {"low", 5}, {"lower", 2}, {"newest", 6}, {"widest", 3}};
  const std::vector<Merge> expected = {{"e", "s"}, {"es", "t"},   {"l", "o"},     {"lo", "w"},
                                       {"e", "w"}, {"ew", "est"}, {"n", "ewest"}, {"d", "est"}};
  CHECK(learn_bpe(words, 8) == expected);
  // Then only pairs seen 2 or 3 times remain; min_frequency stops learning early.
  CHECK(learn_bpe(words, 100, 4).size() == 7);
}

TEST_CASE("BPE applies merges in the order learned, with a cache, and BPE-dropout", "[bpe]") {
  const std::vector<Merge> merges = {{"e", "s"}, {"es", "t"}, {"l", "o"}, {"lo", "w"}};
  BpeEncoder bpe(merges);
  std::vector<std::string> pieces;
  bpe.encode("lowest", pieces);
  CHECK(pieces == std::vector<std::string>{"low", "est"});
  bpe.encode("lowest", pieces);  // from the cache: the same pieces again
  CHECK(pieces == std::vector<std::string>{"low", "est", "low", "est"});
  pieces.clear();
  bpe.encode("\xE2\x96\x81x", pieces);  // multi-byte code points stay whole
  CHECK(pieces == std::vector<std::string>{"\xE2\x96\x81", "x"});
  // Dropout 1 skips every merge; dropout in between gives several segmentations, each of which
  // concatenates back to the word; the same seed gives the same ones.
  pieces.clear();
  Rng rng(3);
  bpe.encode("lowest", pieces, 1.0f, rng);
  CHECK(pieces.size() == 6);
  std::set<std::vector<std::string>> seen;
  Rng a(5), b(5);
  for (int i = 0; i < 50; ++i) {
    std::vector<std::string> x, y;
    bpe.encode("lowest", x, 0.3f, a);
    bpe.encode("lowest", y, 0.3f, b);
    CHECK(x == y);
    std::string joined;
    for (const auto& p : x) joined += p;
    CHECK(joined == "lowest");
    seen.insert(x);
  }
  CHECK(seen.size() > 2);
}

TEST_CASE("vocabulary: specials first, by frequency, threshold, unknown pieces", "[bpe]") {
  const Vocabulary v = Vocabulary::build({{"b", 5}, {"a", 5}, {"c", 9}, {"rare", 1}}, 2);
  CHECK(v.pieces == std::vector<std::string>{"<pad>", "<unk>", "<s>", "</s>", "c", "a", "b"});
  CHECK(v.id("a") == 5);
  CHECK(v.id("rare") == 1);
}

TEST_CASE("tokenizer model saves and loads identically, BPE pieces detokenize exactly", "[bpe]") {
  TokenizerModel m;
  m.options.normalization = Normalization::nfkc;
  m.options.split_digits = true;
  m.bpe = true;
  TokenizerModel whole_tokens;  // no BPE
  whole_tokens.options = m.options;
  PieceTokenizer plain(whole_tokens);
  std::unordered_map<std::string, int64_t> words;
  const std::vector<std::string> corpus = {
      "the lowest widest newest", "the  newest \xEF\xAC\x81nd 42",
      "\\ back\tslash \xE2\x96\x81 marker", "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 the"};
  for (const auto& line : corpus) {
    for (auto& t : plain.tokenize(line)) ++words[t];
  }
  m.merges = learn_bpe(words, 30);
  m.vocabulary = Vocabulary::build(words, 1);
  const std::string path = temp_path("tok.model");
  save_tokenizer(m, path);
  const TokenizerModel loaded = load_tokenizer(path);
  CHECK(loaded.merges == m.merges);
  CHECK(loaded.vocabulary.pieces == m.vocabulary.pieces);
  CHECK(loaded.options.normalization == Normalization::nfkc);
  CHECK(loaded.options.split_digits);
  CHECK(loaded.bpe);
  PieceTokenizer tokenizer(loaded);
  for (const auto& line : corpus) {
    const std::string normalized =
        normalize_line(line, Normalization::nfkc, InvalidUtf8::replace, false, 1, nullptr);
    CHECK(detokenize(join_tokens(tokenizer.tokenize(line))) == normalized);
  }
  std::remove(path.c_str());
}

TEST_CASE("a damaged tokenizer model is refused with file, line and problem", "[bpe][errors]") {
  const std::string path = temp_path("bad.model");
  auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  const std::string head =
      "rnmt-tokenizer 1\nnormalization nfc\ninvalid_utf8 replace\nsplit_digits 0\nlowercase 0\n";
  write("something else\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(path + ":1: expected 'rnmt-tokenizer VALUE'"));
  write("rnmt-tokenizer 9\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":1: unsupported tokenizer model version"));
  write(head + "merges 2\na b\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":7: unexpected end of file"));
  write(head + "merges 1\nab\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":7: a merge is two pieces"));
  write(head + "merges x\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":6: 'merges' needs a count"));
  write("rnmt-tokenizer 1\nnormalization nfd\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":2: unknown normalization 'nfd'"));
  write(head + "merges 0\nvocabulary 0\nextra\n");
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":8: unexpected content"));
  CHECK_THROWS_WITH(load_tokenizer(path + ".none"), Contains("cannot open tokenizer model"));
  std::remove(path.c_str());
}

TEST_CASE("a whitespace tokenizer reads pre-tokenized text as it is and joins outputs with spaces",
          "[bpe]") {
  TokenizerModel m;
  m.options.segmentation = Segmentation::whitespace;
  m.options.normalization = Normalization::none;
  m.vocabulary.add("<pad>");  // (specials first, as every vocabulary)
  for (const char* p : {"<unk>", "<s>", "</s>", "the", "cafe\xCC\x81", "a.b"}) m.vocabulary.add(p);
  const std::string path = temp_path("whitespace.model");
  save_tokenizer(m, path);
  const TokenizerModel loaded = load_tokenizer(path);
  CHECK(loaded.options.segmentation == Segmentation::whitespace);
  CHECK(loaded.options.normalization == Normalization::none);
  CHECK(loaded.vocabulary.pieces == m.vocabulary.pieces);
  PieceTokenizer tokenizer(loaded);
  // split at runs of spaces and tabs only: punctuation stays inside tokens, no BPE, no "▁", and
  // a decomposed é stays decomposed (no normalization)
  const std::vector<std::string> pieces = tokenizer.tokenize("  the\tcafe\xCC\x81  a.b ");
  CHECK(pieces == std::vector<std::string>{"the", "cafe\xCC\x81", "a.b"});
  CHECK(tokenizer.detokenize(pieces) == "the cafe\xCC\x81 a.b");
  bool truncated = false;
  CHECK(tokenizer.tokenize_prefix("the cafe a.b", 1, 2, &truncated) ==
        std::vector<std::string>{"the", "cafe"});
  CHECK(truncated);
  CHECK(tokenizer.tokenize_prefix("the cafe", 1, 2, &truncated).size() == 2);
  CHECK_FALSE(truncated);
  // rnmt's own tokenizers stay version 1 files, which older rnmt builds read
  TokenizerModel own;
  save_tokenizer(own, path);
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  CHECK(first == "rnmt-tokenizer 1");
  std::ofstream(path) << "rnmt-tokenizer 2\nsegmentation words\n";
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":2: unknown segmentation 'words'"));
  // SentencePiece models need version 3, and their bytes must be one
  const std::string head =
      "segmentation sentencepiece\nnormalization none\ninvalid_utf8 replace\nsplit_digits 0\n"
      "lowercase 0\nmerges 0\n";
  std::ofstream(path) << "rnmt-tokenizer 2\n" << head << "sentencepiece_model 1\n00\n";
  CHECK_THROWS_WITH(load_tokenizer(path),
                    Contains(":7: a SentencePiece tokenizer needs version 3"));
  std::ofstream(path) << "rnmt-tokenizer 3\n" << head << "sentencepiece_model 2\n0g\n";
  CHECK_THROWS_WITH(load_tokenizer(path),
                    Contains(":9: expected the SentencePiece model's 2 bytes"));
  std::ofstream(path) << "rnmt-tokenizer 3\n" << head << "sentencepiece_model 2\n0a0b\n";
  CHECK_THROWS_WITH(load_tokenizer(path), Contains(":9: not a SentencePiece model"));
  std::ofstream(path) << "rnmt-tokenizer 4\n";
  CHECK_THROWS_WITH(load_tokenizer(path), Contains("this rnmt reads versions 1 to 3"));
  std::remove(path.c_str());
}
