#include "decoding/search.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "decoding/beam_search.hpp"
#include "decoding/greedy_search.hpp"
#include "decoding/logit_processors.hpp"
#include "decoding/sample_search.hpp"
#include "decoding/search_steps.hpp"

namespace rnmt {
namespace {

std::vector<Sentence> first_tokens(std::vector<std::vector<Hypothesis>> hypotheses) {
  std::vector<Sentence> out(hypotheses.size());
  for (size_t n = 0; n < hypotheses.size(); ++n) {
    if (!hypotheses[n].empty()) out[n] = std::move(hypotheses[n].front().tokens);
  }
  return out;
}

}  // namespace

void check_search_options(const SearchOptions& o) {
  if (o.beam < 1) throw Error("the beam size must be at least 1");
  if (o.sampling_topk < 0) throw Error("sampling_topk must not be negative (0: every token)");
  if (!(o.repetition_penalty > 0)) throw Error("repetition_penalty must be positive (1: off)");
  if (o.no_repeat_ngram_size < 0) throw Error("no_repeat_ngram_size must not be negative (0: off)");
  if (o.word_penalty != 0 && o.sampling_topk != 1)
    throw Error("word_penalty ranks hypotheses of greedy or beam search, not samples");
  if (o.min_length < 0 || o.max_length < 0)
    throw Error("decoding lengths must not be negative (0: no limit)");
  if (o.max_length > 0 && o.min_length > o.max_length) {
    throw Error("min_decoding_length (" + std::to_string(o.min_length) +
                ") is above max_decoding_length (" + std::to_string(o.max_length) + ")");
  }
  if (!(o.sampling_topp > 0 && o.sampling_topp <= 1))
    throw Error("sampling_topp must be in (0, 1]");
  if (!(o.sampling_temperature >= 0)) throw Error("sampling_temperature must not be negative");
  if (o.sampling_topk != 1) {  // random sampling
    if (o.beam != 1) throw Error("random sampling draws one token at a time: use beam size 1");
    if (o.n_best < 1) throw Error("the number of samples must be at least 1");
    return;
  }
  if (o.n_best < 1 || o.n_best > o.beam) {
    throw Error("n-best (" + std::to_string(o.n_best) + ") must be between 1 and the beam size (" +
                std::to_string(o.beam) + ")");
  }
}

void top_tokens(const float* z, int64_t V, int64_t count, int32_t* ids, float* values) {
  // Blocks whose (vectorised) maximum cannot enter the list are skipped whole: after the first
  // few blocks that is nearly all of them.
  constexpr int64_t kBlock = 32;
  int64_t kept = 0;
  for (int64_t begin = 0; begin < V; begin += kBlock) {
    const int64_t end = std::min(V, begin + kBlock);
    if (kept == count) {
      float block_max = z[begin];
#pragma omp simd reduction(max : block_max)
      for (int64_t v = begin + 1; v < end; ++v) block_max = std::max(block_max, z[v]);
      if (block_max <= values[count - 1]) continue;
    }
    for (int64_t v = begin; v < end; ++v) {
      const float x = z[v];
      if (kept == count && x <= values[kept - 1]) continue;
      int64_t i = kept < count ? kept++ : count - 1;
      for (; i > 0 && values[i - 1] < x; --i) {
        values[i] = values[i - 1];
        ids[i] = ids[i - 1];
      }
      values[i] = x;
      ids[i] = static_cast<int32_t>(v);
    }
  }
}

void best_tokens_of_rows(const float* logits, int64_t rows, int64_t V, int64_t count,
                         std::vector<int32_t>& ids, std::vector<float>& values,
                         std::vector<float>& normalizer, const uint8_t* allow_eos,
                         bool pass_over_unk) {
  ids.resize(static_cast<size_t>(rows * count));
  values.resize(static_cast<size_t>(rows * count));
  normalizer.resize(static_cast<size_t>(rows));
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* z = logits + r * V;
    float* best = &values[static_cast<size_t>(r * count)];
    int32_t* best_ids = &ids[static_cast<size_t>(r * count)];
    const bool skip_eos = allow_eos && !allow_eos[r];
    if ((skip_eos || pass_over_unk) && count < V) {
      // more, then </s> and <unk> taken out: the order and the ties stay those of the full list
      const int64_t more = std::min<int64_t>(count + skip_eos + pass_over_unk, V);
      thread_local std::vector<int32_t> more_ids;
      thread_local std::vector<float> more_values;
      more_ids.resize(static_cast<size_t>(more));
      more_values.resize(static_cast<size_t>(more));
      top_tokens(z, V, more, more_ids.data(), more_values.data());
      normalizer[static_cast<size_t>(r)] = log_sum_exp(z, V, more_values[0]);
      int64_t k = 0;
      for (int64_t i = 0; i < more && k < count; ++i) {
        const int32_t id = more_ids[static_cast<size_t>(i)];
        if ((skip_eos && id == kEos) || (pass_over_unk && id == kUnk)) continue;
        best_ids[k] = id;
        best[k++] = more_values[static_cast<size_t>(i)];
      }
      for (; k < count; ++k) {  // a vocabulary too small to fill the list: impossible choices
        best_ids[k] = kPad;
        best[k] = -std::numeric_limits<float>::infinity();
      }
      continue;
    }
    top_tokens(z, V, count, best_ids, best);
    normalizer[static_cast<size_t>(r)] = log_sum_exp(z, V, best[0]);
  }
}

void best_tokens_of_step(const Ensemble::Step& step, const SearchOptions& o, int64_t rows,
                         int64_t V, int64_t count, std::vector<int32_t>& ids,
                         std::vector<float>& values, std::vector<float>& normalizer,
                         const uint8_t* allow_eos) {
  best_tokens_of_rows(step.scores, rows, V, count, ids, values, normalizer, allow_eos,
                      o.disable_unk);
  if (step.log_probabilities && !processes_logits(o))
    std::fill(normalizer.begin(), normalizer.end(), 0.0f);
}

std::vector<int64_t> output_limits(const Batch& b, const SearchOptions& o) {
  std::vector<int64_t> limit = output_limits(b, o.max_length_ratio);
  for (int64_t n = 0; n < b.N; ++n) {
    int64_t& l = limit[static_cast<size_t>(n)];
    if (o.max_length > 0) l = std::min(l, o.max_length);
    if (!o.target_prefixes.empty())
      l = std::max<int64_t>(l,
                            static_cast<int64_t>(o.target_prefixes[static_cast<size_t>(n)].size()));
  }
  return limit;
}

std::vector<int64_t> output_limits(const Batch& b, double max_length_ratio) {
  std::vector<int64_t> limit(static_cast<size_t>(b.N));
  for (int64_t n = 0; n < b.N; ++n) {
    limit[static_cast<size_t>(n)] =
        static_cast<int64_t>(std::ceil(max_length_ratio * b.src_lengths[static_cast<size_t>(n)])) +
        10;
  }
  return limit;
}

namespace {

std::vector<std::vector<Hypothesis>> run_strategy(Ensemble& models, const SearchOptions& o) {
  if (o.sampling_topk != 1) return sample_search(models, o);
  return o.beam == 1 ? greedy_search(models, o) : beam_search(models, o);
}

}  // namespace

std::vector<std::vector<Hypothesis>> search(Ensemble& models, const SearchOptions& o) {
  check_search_options(o);
  if (!o.target_prefixes.empty() &&
      static_cast<int64_t>(o.target_prefixes.size()) != models.batch().N)
    throw Error("one target prefix per sentence of the batch, or none");
  if (!models.restricted()) return run_strategy(models, o);
  // With a shortlist the strategies work in its index space: prefixes go in, outputs come out.
  const std::vector<int32_t>& vocabulary = models.output_vocabulary();
  SearchOptions in_shortlist = o;
  for (Sentence& prefix : in_shortlist.target_prefixes) {
    for (int32_t& token : prefix) {
      const auto at = std::lower_bound(vocabulary.begin(), vocabulary.end(), token);
      if (at == vocabulary.end() || *at != token)
        throw Error("a target prefix's piece is not in the batch's shortlist");
      token = static_cast<int32_t>(at - vocabulary.begin());
    }
  }
  std::vector<std::vector<Hypothesis>> hypotheses = run_strategy(models, in_shortlist);
  for (auto& sentence : hypotheses)
    for (Hypothesis& h : sentence)
      for (int32_t& token : h.tokens) token = models.full_id(token);
  return hypotheses;
}

std::vector<std::vector<Hypothesis>> search(Seq2Seq& model, const Batch& b,
                                            const SearchOptions& o) {
  Ensemble alone(model, b);
  return search(alone, o);
}

std::vector<Sentence> greedy_tokens(Seq2Seq& model, const Batch& b, double max_length_ratio) {
  return first_tokens(search(model, b, {.beam = 1, .max_length_ratio = max_length_ratio}));
}

std::vector<Sentence> beam_tokens(Seq2Seq& model, const Batch& b, int64_t beam, double alpha,
                                  double max_length_ratio) {
  return first_tokens(search(
      model, b, {.beam = beam, .length_penalty = alpha, .max_length_ratio = max_length_ratio}));
}

}  // namespace rnmt
