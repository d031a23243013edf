// Pretrained word vectors: word2vec (text and binary) and GloVe files read exactly, every malformed
// file refused naming its line, vectors placed on the vocabulary's pieces by the documented rule,
// and frozen tables unchanged by training while the rest learns.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "embeddings/pretrained_embeddings.hpp"
#include "embeddings/word_vectors.hpp"
#include "recipe/recipe.hpp"
#include "tests/model_fixture.hpp"
#include "training/synthetic.hpp"
#include "training/trainer.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

const std::string kMark = "\xE2\x96\x81";  // ▁

struct Vectors {
  std::vector<std::string> words;
  std::vector<std::vector<float>> rows;
};

Vectors sample_vectors() {
  Rng rng(5);
  Vectors v{{"house", "houses", "the", "singing", "sing", ",", "\xC3\xA9t\xC3\xA9"}, {}};
  for (size_t i = 0; i < v.words.size(); ++i) {
    std::vector<float> row(4);
    for (float& x : row) x = static_cast<float>(rng.uniform() * 2 - 1) / 3.0f;
    v.rows.push_back(row);
  }
  return v;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string text_lines(const Vectors& v) {
  std::string out;
  char number[32];
  for (size_t i = 0; i < v.words.size(); ++i) {
    out += v.words[i];
    for (float x : v.rows[i]) {
      std::snprintf(number, sizeof number, " %.9g", static_cast<double>(x));
      out += number;
    }
    out += "\n";
  }
  return out;
}

std::string word2vec_text(const Vectors& v) {
  return std::to_string(v.words.size()) + " 4\n" + text_lines(v);
}

std::string word2vec_binary(const Vectors& v) {
  std::string out = std::to_string(v.words.size()) + " 4\n";
  for (size_t i = 0; i < v.words.size(); ++i) {
    out += v.words[i] + " ";
    out.append(reinterpret_cast<const char*>(v.rows[i].data()), 4 * sizeof(float));
    out += "\n";
  }
  return out;
}

void check_equal(const WordVectors& read, const Vectors& v) {
  REQUIRE(read.dimension == 4);
  REQUIRE(read.words == v.words);
  for (size_t i = 0; i < v.words.size(); ++i) {
    CHECK(read.rows.at(v.words[i]) == static_cast<int64_t>(i));
    for (size_t d = 0; d < 4; ++d) CHECK(read.row(static_cast<int64_t>(i))[d] == v.rows[i][d]);
  }
}

// Trains 40 steps: whether the loss per token of the last 4 fell below 0.9x that of the first 4.
bool learns(Trainer& trainer) {
  std::vector<double> losses;
  for (int i = 0; i < 40; ++i) {
    const StepResult s = trainer.step();
    losses.push_back(s.loss.loss / static_cast<double>(s.loss.tokens));
  }
  return losses[36] + losses[37] + losses[38] + losses[39] <
         0.9 * (losses[0] + losses[1] + losses[2] + losses[3]);
}

}  // namespace

TEST_CASE("word vectors: word2vec text and binary and GloVe read exactly, detected or named",
          "[embeddings]") {
  const Vectors v = sample_vectors();
  const std::string path = temp("vectors");
  write(path, word2vec_text(v));
  check_equal(read_word_vectors(path), v);
  check_equal(read_word_vectors(path, WordVectorFormat::word2vec), v);
  write(path, word2vec_binary(v));
  check_equal(read_word_vectors(path), v);
  check_equal(read_word_vectors(path, WordVectorFormat::word2vec), v);
  write(path, text_lines(v));
  check_equal(read_word_vectors(path), v);
  check_equal(read_word_vectors(path, WordVectorFormat::glove), v);
  std::string crlf;
  for (const char c : word2vec_text(v)) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  write(path, crlf);
  check_equal(read_word_vectors(path), v);
  std::filesystem::remove(path);
}

TEST_CASE("word vectors: a malformed file is an rnmt::Error naming its file and line",
          "[embeddings][errors]") {
  const Vectors v = sample_vectors();
  const std::string path = temp("bad_vectors");
  const auto refused = [&](const std::string& bytes, WordVectorFormat format) {
    write(path, bytes);
    try {
      read_word_vectors(path, format);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const auto detect = WordVectorFormat::detect;
  std::string lines = text_lines(v);
  CHECK(refused(lines + "extra 1 2 3\n", detect) ==
        path + ":8: expected 4 values after 'extra', found 3");
  CHECK(refused("2 4\n" + lines, WordVectorFormat::word2vec) ==
        path + ": the header announces 2 vectors, the file has 7");
  CHECK(refused(lines.substr(0, lines.find('\n') + 1) + "word 1 2 x 4\n", detect) ==
        path + ":2: 'x' is not a number");
  CHECK(refused("one 1 nan 2 3\n", detect) == path + ":1: value 2 of 'one' is not finite");
  CHECK(refused(lines, WordVectorFormat::word2vec) ==
        path + ":1: expected a word2vec header 'count dimension'");
  CHECK(refused(word2vec_text(v), WordVectorFormat::glove) ==
        path + ":1: a 'count dimension' header: this is a word2vec file, not GloVe");
  const std::string binary = word2vec_binary(v);
  CHECK(refused(binary.substr(0, binary.size() - 7), detect) ==
        path + ":8: the vector of record 7 ends early");
  CHECK(refused(binary + "extra ", detect) == path + ":9: more records than the header's 7");
  std::string one_short = binary;
  one_short[0] = '8';  // the header announces a record more than there are
  CHECK(refused(one_short, detect) == path + ":9: record 8 has no word and vector");
  CHECK(refused("", detect) == path + ": no word vectors");
  CHECK(refused("word\n", detect) == path + ":1: a word without values");
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(read_word_vectors(path),
                    Contains("cannot open word vectors") && Contains(path));
}

TEST_CASE("pretrained vectors land on the pieces that are their words, means on the others",
          "[embeddings]") {
  const Vectors v = sample_vectors();
  const std::string path = temp("place_vectors");
  write(path, word2vec_text(v));
  const WordVectors vectors = read_word_vectors(path);
  TokenizerModel model;
  train_bpe(model,
            {{kMark + "house", 6},
             {kMark + "houses", 2},
             {"the", 9},
             {kMark + "the", 9},
             {kMark + "sing", 3},
             {kMark + "singing", 1},
             {kMark + "tree", 2}},
            {.merges = 12, .min_frequency = 1});
  PieceTokenizer tokenizer(model);
  const Vocabulary& vocabulary = model.vocabulary;
  const auto V = static_cast<int64_t>(vocabulary.size());
  std::vector<float> table(static_cast<size_t>(V * 4), 7.0f);  // [V, 4]: 7 = not placed
  const EmbeddingCoverage coverage = place_word_vectors(vectors, path, tokenizer, table.data(), 4);
  const auto row = [&](int32_t id) {
    return std::vector<float>(&table[id * 4], &table[id * 4 + 4]);
  };
  const auto vector_of = [&](const std::string& word) {
    return v.rows[static_cast<size_t>(vectors.rows.at(word))];
  };
  for (int32_t id = 0; id < 4; ++id) CHECK(row(id) == std::vector<float>(4, 7.0f));
  int64_t words = 0, composed = 0;
  for (int32_t id = 4; id < V; ++id) {
    const std::string& piece = vocabulary.pieces[static_cast<size_t>(id)];
    INFO("piece " << piece);
    const std::string word = piece.rfind(kMark, 0) == 0 ? piece.substr(kMark.size()) : piece;
    if (vectors.rows.count(word)) {
      CHECK(row(id) == vector_of(word));
      ++words;
      continue;
    }
    // the mean of the words whose pieces (line-initial or after a space) include it
    std::vector<double> sum(4, 0.0);
    int64_t n = 0;
    for (const auto& w : v.words) {
      const auto a = tokenizer.tokenize(w), b = tokenizer.tokenize("x " + w);
      if (std::find(a.begin(), a.end(), piece) == a.end() &&
          std::find(b.begin() + 1, b.end(), piece) == b.end())
        continue;
      for (size_t d = 0; d < 4; ++d) sum[d] += vector_of(w)[d];
      ++n;
    }
    if (n == 0) {
      CHECK(row(id) == std::vector<float>(4, 7.0f));
      continue;
    }
    ++composed;
    for (size_t d = 0; d < 4; ++d) CHECK(row(id)[d] == Approx(sum[d] / n).margin(1e-6));
  }
  CHECK(words >= 4);  // ▁house, ▁houses, the, ▁the, ...
  CHECK(composed >= 1);
  CHECK(coverage.pieces == V - 4);
  CHECK(coverage.words == words);
  CHECK(coverage.composed == composed);
  CHECK_THROWS_WITH(place_word_vectors(vectors, path, tokenizer, table.data(), 8),
                    path + ": vectors of dimension 4, but model.embedding is 8");
  std::filesystem::remove(path);
}

TEST_CASE("frozen embedding tables stay as loaded while the rest of the network learns",
          "[embeddings][trainer]") {
  const ParallelData data = synthetic_data(64, 5, 14, 2);
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = data.src_vocab;
  c.embedding = 8;
  c.encoder_hidden = 8;
  c.decoder_hidden = 12;
  Seq2Seq model(c, 4);
  const Param& src = model.params().find("src_embedding");
  const Param& tgt = model.params().find("tgt_embedding");
  const Param& out = model.params().find("output.bias");
  const std::vector<float> src_before(src.w, src.w + src.size), tgt_before(tgt.w, tgt.w + tgt.size),
      out_before(out.w, out.w + out.size);
  Trainer trainer(model, data,
                  {.lr = 0.01, .batch_sentences = 16, .seed = 3, .frozen = {"src_embedding"}});
  CHECK(learns(trainer));
  CHECK(std::vector<float>(src.w, src.w + src.size) == src_before);
  CHECK(std::vector<float>(tgt.w, tgt.w + tgt.size) != tgt_before);
  CHECK(std::vector<float>(out.w, out.w + out.size) != out_before);
}

TEST_CASE("with tied embeddings a frozen target table freezes the output weights too",
          "[embeddings][trainer]") {
  const ParallelData data = synthetic_data(64, 5, 14, 2);
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = data.src_vocab;
  c.embedding = c.decoder_hidden = 8;  // tying needs them equal
  c.encoder_hidden = 8;
  c.tied_embeddings = true;
  Seq2Seq model(c, 4);
  CHECK_THROWS(model.params().find("output.weight"));  // one table serves both
  const Param& tgt = model.params().find("tgt_embedding");
  const Param& src = model.params().find("src_embedding");
  const Param& bias = model.params().find("output.bias");
  const std::vector<float> tgt_before(tgt.w, tgt.w + tgt.size), src_before(src.w, src.w + src.size),
      bias_before(bias.w, bias.w + bias.size);
  Trainer trainer(model, data,
                  {.lr = 0.03, .batch_sentences = 16, .seed = 3, .frozen = {"tgt_embedding"}});
  CHECK(learns(trainer));
  CHECK(std::vector<float>(tgt.w, tgt.w + tgt.size) == tgt_before);  // table and output weights
  CHECK(std::vector<float>(src.w, src.w + src.size) != src_before);
  CHECK(std::vector<float>(bias.w, bias.w + bias.size) != bias_before);
}

TEST_CASE("recipe: model.pretrained_embeddings keys, and freeze needs vectors",
          "[embeddings][recipe]") {
  const std::string base =
      "workdir: w\nmodel:\n  embedding: 8\n  pretrained_embeddings:\n    src: s.vec\n"
      "    format: glove\n    freeze: true\n";
  const Recipe r = parse_recipe(base, "r.yaml", {}, false);
  CHECK(r.model.pretrained.src == "s.vec");
  CHECK(r.model.pretrained.tgt.empty());
  CHECK(r.model.pretrained.format == WordVectorFormat::glove);
  CHECK(r.model.pretrained.freeze);
  // the initial embeddings do not change the network's shape: checkpoints and averaging agree
  CHECK(model_shape(r) ==
        model_shape(parse_recipe("workdir: w\nmodel: {embedding: 8}\n", "r.yaml", {}, false)));
  CHECK_THROWS_WITH(parse_recipe("workdir: w\nmodel:\n  pretrained_embeddings:\n    freeze: true\n",
                                 "r.yaml", {}, false),
                    Contains("r.yaml:4: model.pretrained_embeddings.freeze: freezes nothing"));
  CHECK_THROWS_WITH(
      parse_recipe("workdir: w\nmodel:\n  pretrained_embeddings: {format: fasttext}\n", "r.yaml",
                   {}, false),
      Contains("expects one of auto, word2vec, glove, found 'fasttext'"));
}
