#include "decoding/sample_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "decoding/logit_processors.hpp"
#include "decoding/search_steps.hpp"
#include "model/decoder_state.hpp"

namespace rnmt {

uint64_t sample_seed(uint64_t sentence_seed, int64_t sample) {
  // splitmix-style mixing, so that neighbouring seeds give unrelated streams
  uint64_t z = sentence_seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(sample) + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void sampling_candidates(const float* z, int64_t V, int64_t topk, double topp, double temperature,
                         std::vector<int32_t>& ids, std::vector<double>& probabilities) {
  const int64_t k = topk > 0 ? std::min(topk, V) : V;
  ids.resize(static_cast<size_t>(k));
  if (temperature == 0 || k == 1) {
    std::vector<float> best(1);
    ids.resize(1);
    top_tokens(z, V, 1, ids.data(), best.data());
    probabilities.assign(1, 1.0);
    return;
  }
  if (k < V) {
    std::vector<float> values(static_cast<size_t>(k));
    top_tokens(z, V, k, ids.data(), values.data());
  } else {
    std::iota(ids.begin(), ids.end(), 0);
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return z[a] > z[b]; });
  }
  // softmax over the kept tokens at the temperature (the largest first, so exp(0) anchors it)
  const double top = z[ids[0]];
  probabilities.resize(ids.size());
  double sum = 0;
  for (size_t i = 0; i < ids.size(); ++i)
    sum += probabilities[i] = std::exp((static_cast<double>(z[ids[i]]) - top) / temperature);
  size_t kept = ids.size();
  double cumulative = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    probabilities[i] /= sum;
    cumulative += probabilities[i];
    if (topp < 1 && cumulative >= topp && kept == ids.size()) kept = i + 1;
  }
  if (kept < ids.size()) {
    ids.resize(kept);
    probabilities.resize(kept);
    const double total = std::accumulate(probabilities.begin(), probabilities.end(), 0.0);
    for (double& p : probabilities) p /= total;
  }
}

int32_t draw_token(const std::vector<int32_t>& ids, const std::vector<double>& probabilities,
                   Rng& rng) {
  const double u = static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0);
  double cumulative = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    cumulative += probabilities[i];
    if (u < cumulative) return ids[i];
  }
  return ids.back();  // u within rounding of 1
}

std::vector<std::vector<Hypothesis>> sample_search(Ensemble& model, const SearchOptions& o) {
  const Batch& b = model.batch();
  const int64_t N = b.N, K = o.n_best, V = model.target_vocab();
  const bool align = o.alignments && model.has_attention();
  const bool attend = o.attention && model.has_attention();
  const std::vector<int64_t> limit = output_limits(b, o);
  // Row n·K + h is sample h of sentence n, with a random stream of its own.
  struct Sample {
    int32_t sentence;
    Rng rng;
    Hypothesis hypothesis;
  };
  std::vector<Sample> samples;
  std::vector<int32_t> from;
  for (int64_t n = 0; n < N; ++n) {
    const uint64_t seed = o.sentence_seeds.empty() ? static_cast<uint64_t>(n)
                                                   : o.sentence_seeds[static_cast<size_t>(n)];
    for (int64_t h = 0; h < K; ++h) {
      samples.push_back({static_cast<int32_t>(n), Rng(sample_seed(seed, h)), {}});
      from.push_back(static_cast<int32_t>(n));
    }
  }
  model.start(o.compute);
  model.select(from);
  LiveRows live(static_cast<int64_t>(samples.size()));
  std::vector<int32_t> tokens(samples.size()), drawn, best_ids;
  std::vector<float> best_values, normalizer;
  std::vector<std::vector<Hypothesis>> out(static_cast<size_t>(N));
  const auto finish = [&](Sample& s) {
    Hypothesis& h = s.hypothesis;
    h.score = length_normalized(h.log_probability, static_cast<int64_t>(h.tokens.size()), o);
    out[static_cast<size_t>(s.sentence)].push_back(std::move(h));
  };
  for (int64_t t = 0; !live.empty(); ++t) {
    const int64_t R = live.size();
    for (int64_t r = 0; r < R; ++r) {
      const Hypothesis& h = samples[static_cast<size_t>(live[r])].hypothesis;
      tokens[static_cast<size_t>(r)] = h.tokens.empty() ? kBos : h.tokens.back();
    }
    const Ensemble::Step step = model.step(tokens.data(), o.compute);
    if (processes_logits(o)) {
      for (int64_t r = 0; r < R; ++r) {
        const Sentence& history = samples[static_cast<size_t>(live[r])].hypothesis.tokens;
        process_logits(step.scores + r * V, V, history.data(), static_cast<int64_t>(history.size()),
                       o);
      }
    }
    best_tokens_of_step(step, o, R, V, 1, best_ids, best_values, normalizer);
    drawn.resize(static_cast<size_t>(R));
#pragma omp parallel for schedule(dynamic, 4)
    for (int64_t r = 0; r < R; ++r) {
      thread_local std::vector<int32_t> ids;  // each thread's own, reused across steps
      thread_local std::vector<double> probabilities;
      thread_local std::vector<float> without_eos;
      Sample& s = samples[static_cast<size_t>(live[r])];
      const int32_t forced = forced_token(o, s.sentence, t);
      if (forced >= 0) {
        drawn[static_cast<size_t>(r)] = forced;
        continue;
      }
      const float* z = step.scores + r * V;
      const bool no_eos = static_cast<int64_t>(s.hypothesis.tokens.size()) < o.min_length;
      if (no_eos || o.disable_unk) {  // drawn from the others; scores stay the model's
        without_eos.assign(z, z + V);
        if (no_eos) without_eos[kEos] = -std::numeric_limits<float>::infinity();
        if (o.disable_unk) without_eos[kUnk] = -std::numeric_limits<float>::infinity();
        z = without_eos.data();
      }
      sampling_candidates(z, V, o.sampling_topk, o.sampling_topp, o.sampling_temperature, ids,
                          probabilities);
      drawn[static_cast<size_t>(r)] = draw_token(ids, probabilities, s.rng);
    }
    live.begin_step();
    for (int64_t r = 0; r < R; ++r) {
      Sample& s = samples[static_cast<size_t>(live[r])];
      Hypothesis& h = s.hypothesis;
      if (t + 1 > limit[static_cast<size_t>(s.sentence)]) {  // finishes as it stands
        finish(s);
        continue;
      }
      const int32_t token = drawn[static_cast<size_t>(r)];
      h.log_probability =
          h.log_probability - normalizer[static_cast<size_t>(r)] + step.scores[r * V + token];
      if (token == kEos) {
        finish(s);
        continue;
      }
      append_token(h, token, step, r, b, s.sentence, align, attend);
      live.keep(r);
    }
    live.advance(model);
  }
  for (auto& hypotheses : out) {
    std::stable_sort(hypotheses.begin(), hypotheses.end(),
                     [](const Hypothesis& a, const Hypothesis& c) { return a.score > c.score; });
  }
  return out;
}

}  // namespace rnmt
