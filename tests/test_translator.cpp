// rnmt::Translator, the application interface: raw text to raw text through a model file, the
// same results however lines are batched and from several threads at once, and clear errors.
#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <thread>

#include "core/packed_matmul.hpp"
#include "decoding/search.hpp"
#include "rnmt/translator.hpp"
#include "tests/model_fixture.hpp"
#include "tests/skip.hpp"
#include "tokenizer/segmenter.hpp"

using namespace rnmt;
using namespace rnmt::test;
using Catch::Contains;

namespace {

const std::vector<std::string> kLines = {"a b c",       "",    "c c a b",       "b", "a",
                                         "abc cab bca", "c a", "b b b b b b b", "",  "a c"};

// A model file whose recipe allows at most 12 source pieces.
struct SavedModel {
  std::string path = temp("translator.rnmt");
  SavedModel() {
    ModelFile f(
        "workdir: w\ndata: {max_length: 12}\nmodel: {embedding: 8, encoder: {hidden: 6}, "
        "decoder: {hidden: 10}}\ntranslate: {beam: 2}\n");
    write_archive(f.archive(), path);
  }
  ~SavedModel() { std::filesystem::remove(path); }
};

std::vector<std::string> best_texts(const std::vector<TranslationResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.hypotheses.front().text);
  return out;
}

// Whether an (untrained) model's outputs hold any text at all.
bool said_something(const std::vector<std::string>& texts) {
  return std::any_of(texts.begin(), texts.end(), [](const std::string& t) { return !t.empty(); });
}

// Every hypothesis of every line, with its score: what two runs must agree on.
std::vector<std::string> all_hypotheses(const std::vector<TranslationResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) {
    for (const auto& h : r.hypotheses) out.push_back(h.text + " ||| " + std::to_string(h.score));
  }
  return out;
}

}  // namespace

TEST_CASE("Translator: one output per line, the network's own search, empty lines stay empty",
          "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  CHECK(translator.default_options().beam_size == 2);
  CHECK(translator.max_source_length() == 12);
  const std::vector<std::string> out = translator.translate(kLines);
  REQUIRE(out.size() == kLines.size());
  CHECK(out[1].empty());
  CHECK(out[8].empty());
  // the same as the loaded network's beam search on the tokenized line, detokenized
  LoadedModel m = load_model(saved.path);
  for (size_t i = 0; i < kLines.size(); ++i) {
    if (kLines[i].empty()) continue;
    Sentence ids;
    for (const auto& p : m.src->tokenize(kLines[i])) ids.push_back(m.src->model().vocabulary.id(p));
    ids.resize(std::min<size_t>(ids.size(), 12));  // the Translator truncates as the recipe says
    const Sentence none;
    const auto tokens = beam_tokens(*m.network, make_batch({&ids}, {&none}), 2, 0.6, 2.0)[0];
    std::vector<std::string> pieces;
    for (int32_t t : tokens)
      pieces.push_back(m.tgt->model().vocabulary.pieces[static_cast<size_t>(t)]);
    INFO("line " << i);
    CHECK(out[i] == detokenize(join_tokens(pieces)));
  }
}

TEST_CASE("Translator: batching by lines or by tokens changes nothing", "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  TranslationOptions o = translator.default_options();
  o.max_batch_size = 1;
  const auto alone = best_texts(translator.translate(kLines, o));
  CHECK(said_something(alone));  // else the comparisons below would hold trivially
  o.max_batch_size = 64;
  CHECK(best_texts(translator.translate(kLines, o)) == alone);
  o.max_batch_tokens = 9;
  int64_t calls = 0, last = 0;
  CHECK(best_texts(translator.translate(kLines, o, [&](int64_t done, int64_t total) {
          ++calls;
          CHECK(done > last);
          CHECK(total == static_cast<int64_t>(kLines.size()));
          last = done;
        })) == alone);
  CHECK(calls > 1);
  CHECK(last == static_cast<int64_t>(kLines.size()));
}

TEST_CASE("Translator: n-best lists, scores, alignments and truncation", "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  TranslationOptions o = translator.default_options();
  o.beam_size = 3;
  o.num_hypotheses = 3;
  o.return_alignments = true;
  const std::vector<std::string> lines = {"a b", "c a b c a b c a b c a b c a b", ""};
  const auto results = translator.translate(lines, o);
  REQUIRE(results.size() == 3);
  CHECK_FALSE(results[0].truncated);
  CHECK(results[1].truncated);
  CHECK(results[1].source_tokens.size() == 12);
  REQUIRE(results[2].hypotheses.size() == 1);
  CHECK(results[2].hypotheses[0].text.empty());
  for (size_t i = 0; i < 2; ++i) {
    const auto& r = results[i];
    REQUIRE(r.hypotheses.size() == 3);
    for (size_t k = 1; k < r.hypotheses.size(); ++k)
      CHECK(r.hypotheses[k - 1].score >= r.hypotheses[k].score);
    for (const auto& h : r.hypotheses) {
      REQUIRE(h.alignment.size() == h.tokens.size());
      for (size_t t = 0; t < h.alignment.size(); ++t) {
        CHECK(h.alignment[t].target == static_cast<int32_t>(t));
        CHECK(h.alignment[t].source >= 0);
        CHECK(h.alignment[t].source < static_cast<int32_t>(r.source_tokens.size()));
      }
    }
  }
  o.num_hypotheses = 4;
  CHECK_THROWS_AS(translator.translate(lines, o), Error);
}

TEST_CASE("Translator: threads calling at once with different options get their serial results",
          "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  std::vector<std::string> lines;
  for (int copy = 0; copy < 4; ++copy) lines.insert(lines.end(), kLines.begin(), kLines.end());
  // greedy; beam 3 with 2-best lists; beam 2 with alignments; bf16 where the CPU has it
  std::vector<TranslationOptions> options(4, translator.default_options());
  options[0].beam_size = 1;
  options[1].beam_size = 3;
  options[1].num_hypotheses = 2;
  options[2].return_alignments = true;
  options[2].max_batch_size = 3;
  if (bf16_supported()) options[3].compute_type = "bfloat16";
  std::vector<std::vector<std::string>> serial;
  for (auto& o : options) {
    o.threads = 1;
    serial.push_back(all_hypotheses(translator.translate(lines, o)));
  }
  // an untrained model could say nothing at all, which would make equality trivially true
  CHECK(said_something(best_texts(translator.translate(lines, options[0]))));
  CHECK(serial[1].size() == 2 * lines.size() - 8);  // empty lines give one empty hypothesis
  std::vector<std::vector<std::string>> parallel(options.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < options.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int repeat = 0; repeat < 3; ++repeat)
        parallel[i] = all_hypotheses(translator.translate(lines, options[i]));
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < options.size(); ++i) {
    INFO("options " << i);
    CHECK(parallel[i] == serial[i]);
  }
}

TEST_CASE("Translator: batches shared out among workers give the one-thread results",
          "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  std::vector<std::string> lines;
  for (int copy = 0; copy < 5; ++copy) lines.insert(lines.end(), kLines.begin(), kLines.end());
  TranslationOptions o = translator.default_options();
  o.num_hypotheses = 2;
  o.max_batch_size = 3;  // many batches, so that every worker gets some
  o.threads = 1;
  const auto serial = translator.translate(lines, o);
  CHECK(said_something(best_texts(serial)));
  for (int threads : {2, 3}) {
    o.threads = threads;
    int64_t last = 0, calls = 0;
    const auto shared = translator.translate(lines, o, [&](int64_t done, int64_t total) {
      CHECK(done > last);  // called under a lock, so counts never go backwards
      CHECK(total == static_cast<int64_t>(lines.size()));
      last = done;
      ++calls;
    });
    INFO(threads << " threads");
    CHECK(last == static_cast<int64_t>(lines.size()));
    CHECK(calls > 1);
    REQUIRE(shared.size() == serial.size());
    for (size_t i = 0; i < serial.size(); ++i) {
      REQUIRE(shared[i].hypotheses.size() == serial[i].hypotheses.size());
      for (size_t k = 0; k < serial[i].hypotheses.size(); ++k) {
        CHECK(shared[i].hypotheses[k].text == serial[i].hypotheses[k].text);
        CHECK(shared[i].hypotheses[k].score == Approx(serial[i].hypotheses[k].score));
      }
    }
  }
}

TEST_CASE("Translator: validate checks options as translating would, without translating",
          "[translator][errors]") {
  SavedModel saved;
  const Translator translator(saved.path);
  TranslationOptions o = translator.default_options();
  CHECK_NOTHROW(translator.validate(o));
  o.beam_size = 0;
  CHECK_THROWS_WITH(translator.validate(o), Contains("the beam size must be at least 1"));
  o = translator.default_options();
  o.compute_type = "int4";
  CHECK_THROWS_WITH(translator.validate(o), Contains("unknown compute type 'int4'"));
  o = translator.default_options();
  o.min_decoding_length = 9;
  o.max_decoding_length = 3;
  CHECK_THROWS_WITH(translator.validate(o), Contains("is above max_decoding_length"));
  o = translator.default_options();
  o.compute_type = "bfloat16";
  if (bf16_supported())
    CHECK_NOTHROW(translator.validate(o));
  else
    CHECK_THROWS_WITH(translator.validate(o), Contains("needs a CPU with AVX-512 BF16"));
  // a model without attention has no alignments to give: refused before any line, as a
  // translation refuses it
  const std::string plain = temp("no_attention.rnmt");
  write_archive(ModelFile("workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: "
                          "{hidden: 10}, attention: none}\n")
                    .archive(),
                plain);
  const Translator no_attention(plain);
  o = no_attention.default_options();
  o.return_alignments = true;
  CHECK_THROWS_WITH(no_attention.validate(o), Contains("alignments need a model with attention"));
  CHECK_THROWS_WITH(no_attention.translate(kLines, o),
                    Contains("alignments need a model with attention"));
  std::filesystem::remove(plain);
}

TEST_CASE("Translator: the caller's OpenMP thread count is unchanged after a translation",
          "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  TranslationOptions o = translator.default_options();
  o.max_batch_size = 3;
  const int before = omp_get_max_threads();
  omp_set_num_threads(3);
  for (int threads : {1, 2, 4}) {  // one worker, and workers side by side
    o.threads = threads;
    translator.translate(kLines, o);
    CHECK(omp_get_max_threads() == 3);
  }
  omp_set_num_threads(before);
}

// Catch2's CTest discovery splits test names at ';': keep names free of them.
TEST_CASE("Translator: bfloat16 scores within bf16 rounding of float32, unknown types refused",
          "[translator]") {
  SavedModel saved;
  const Translator translator(saved.path);
  TranslationOptions o = translator.default_options();
  o.compute_type = "int4";
  CHECK_THROWS_WITH(translator.translate(kLines, o),
                    Contains("unknown compute type 'int4' (expected float32, bfloat16 or int8)"));
  // int8 (where oneDNN has s8 products: any AVX2 CPU) gives every line its translation
  o.compute_type = "int8";
  if (int8_supported()) {
    translator.validate(o);
    CHECK(translator.translate(kLines, o).size() == kLines.size());
  } else {
    CHECK_THROWS_WITH(translator.validate(o), Contains("int8 computation needs a CPU with AVX2"));
  }
  o.compute_type = "bfloat16";
  if (!bf16_supported()) {
    CHECK_THROWS_WITH(translator.translate(kLines, o), Contains("needs a CPU with AVX-512 BF16"));
    test::skip_test("the bfloat16 part: this CPU has no bf16 matmul (AVX-512 BF16 or AMX)");
    return;
  }
  const auto rounded = translator.translate(kLines, o);
  o.compute_type = "float32";
  const auto exact = translator.translate(kLines, o);
  REQUIRE(rounded.size() == kLines.size());
  CHECK(rounded[1].hypotheses.front().text.empty());
  bool differs = false;
  for (size_t i = 0; i < kLines.size(); ++i) {
    const auto& a = rounded[i].hypotheses.front();
    const auto& b = exact[i].hypotheses.front();
    if (a.tokens != b.tokens) continue;  // a near tie may go the other way in bf16
    INFO("line " << i);
    CHECK(std::abs(a.score - b.score) <= 0.05);
    differs = differs || a.score != b.score;
  }
  CHECK(differs);  // it really computed in bf16
}

TEST_CASE("Translator: alignments from a model without attention are an rnmt::Error",
          "[translator][errors]") {
  const std::string path = temp("no_attention.rnmt");
  write_archive(ModelFile("workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: "
                          "{hidden: 10}, attention: none}\n")
                    .archive(),
                path);
  const Translator translator(path);
  TranslationOptions o = translator.default_options();
  CHECK(translator.translate(kLines, o).size() == kLines.size());
  o.return_alignments = true;
  CHECK_THROWS_WITH(translator.translate(kLines, o),
                    Contains("alignments need a model with attention"));
  std::filesystem::remove(path);
}

TEST_CASE("Translator: a missing or damaged model file is an rnmt::Error", "[translator][errors]") {
  CHECK_THROWS_WITH(Translator(temp("no-such-model.rnmt")), Contains("no-such-model.rnmt"));
  const std::string path = temp("not-a-model.rnmt");
  {
    std::ofstream out(path);
    out << "hello\n";
  }
  CHECK_THROWS_AS(Translator(path), Error);
  try {
    Translator t(path);
  } catch (const std::exception& e) {  // an application may catch it as std::exception
    CHECK(std::string(e.what()).find("not-a-model.rnmt") != std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST_CASE("int8 on a GRU decoder: its layers run in float32, and the Translator says so",
          "[translator]") {
  const std::string gru = temp("gru_decoder.rnmt");
  write_archive(ModelFile("workdir: w\nmodel: {embedding: 8, encoder: {hidden: 6}, decoder: "
                          "{cell: gru, hidden: 10}}\n")
                    .archive(),
                gru);
  const SavedModel lstm;
  TranslationOptions o;
  o.beam_size = 2;
  o.compute_type = "int8";
  const Translator with_gru(gru);
  const std::vector<std::string> notes = with_gru.notes(o);
  REQUIRE(notes.size() == 1);
  CHECK_THAT(notes.front(), Contains("GRU decoder layers of '" + gru + "' run in float32"));
  CHECK(Translator(lstm.path).notes(o).empty());
  o.compute_type = "float32";
  CHECK(with_gru.notes(o).empty());
  if (!int8_supported()) return;
  o.compute_type = "int8";
  CHECK(with_gru.translate(kLines, o).size() == kLines.size());
}
