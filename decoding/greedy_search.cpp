#include "decoding/greedy_search.hpp"

#include "decoding/logit_processors.hpp"
#include "decoding/search_steps.hpp"
#include "model/decoder_state.hpp"

namespace rnmt {
namespace {

// Greedy's choice under a word penalty: </s> (if among the two best) against the best other
// token, which pays the penalty. Of equal ones the lower id wins, as without a penalty.
int32_t penalized_choice(const float* z, const int32_t* best_two, double word_penalty,
                         bool eos_allowed) {
  const int32_t other = best_two[0] == kEos ? best_two[1] : best_two[0];
  if (!eos_allowed) return other;  // then </s> is not among the two
  const double eos = z[kEos], rival = static_cast<double>(z[other]) - word_penalty;
  return eos > rival || (eos == rival && kEos < other) ? kEos : other;
}

}  // namespace

std::vector<std::vector<Hypothesis>> greedy_search(Ensemble& model, const SearchOptions& o) {
  const Batch& b = model.batch();
  const int64_t N = b.N, V = model.target_vocab();
  const bool align = o.alignments && model.has_attention();
  const bool attend = o.attention && model.has_attention();
  const std::vector<int64_t> limit = output_limits(b, o);
  std::vector<uint8_t> allow_eos(static_cast<size_t>(N));
  std::vector<Hypothesis> growing(static_cast<size_t>(N));  // each sentence's one hypothesis
  std::vector<std::vector<Hypothesis>> out(static_cast<size_t>(N));
  LiveRows live(N);
  std::vector<int32_t> tokens(static_cast<size_t>(N)), best_ids;
  std::vector<float> best_values, normalizer;
  model.start(o.compute);
  const auto finish = [&](int32_t n, double log_probability) {
    Hypothesis& h = growing[static_cast<size_t>(n)];
    h.log_probability = log_probability;
    const auto length = static_cast<int64_t>(h.tokens.size());
    h.score = length_normalized(log_probability, length, o) -
              o.word_penalty * static_cast<double>(length);
    out[static_cast<size_t>(n)].push_back(std::move(h));
  };

  for (int64_t t = 0; !live.empty(); ++t) {
    const int64_t R = live.size();
    for (int64_t r = 0; r < R; ++r) {
      const Hypothesis& h = growing[static_cast<size_t>(live[r])];
      tokens[static_cast<size_t>(r)] = h.tokens.empty() ? kBos : h.tokens.back();
    }
    const Ensemble::Step step = model.step(tokens.data(), o.compute);
    if (processes_logits(o)) {
      for (int64_t r = 0; r < R; ++r) {
        const Sentence& history = growing[static_cast<size_t>(live[r])].tokens;
        process_logits(step.scores + r * V, V, history.data(), static_cast<int64_t>(history.size()),
                       o);
      }
    }
    std::fill(allow_eos.begin(), allow_eos.end(), t >= o.min_length);
    // With a word penalty </s> competes with the best other token plus the penalty: two best.
    const int64_t count = o.word_penalty != 0 ? std::min<int64_t>(2, V) : 1;
    best_tokens_of_step(step, o, R, V, count, best_ids, best_values, normalizer, allow_eos.data());
    live.begin_step();
    for (int64_t r = 0; r < R; ++r) {
      const int32_t n = live[r];
      Hypothesis& h = growing[static_cast<size_t>(n)];
      if (t + 1 > limit[static_cast<size_t>(n)]) {  // at the limit it finishes as it stands
        finish(n, h.log_probability);
        continue;
      }
      const int32_t forced = forced_token(o, n, t);
      int32_t token = forced >= 0 ? forced : best_ids[static_cast<size_t>(r * count)];
      if (forced < 0 && count == 2) {
        token = penalized_choice(step.scores + r * V, &best_ids[static_cast<size_t>(r * 2)],
                                 o.word_penalty, t >= o.min_length);
      }
      const double base = h.log_probability - normalizer[static_cast<size_t>(r)];
      const double log_probability = base + step.scores[r * V + token];
      if (token == kEos) {
        finish(n, log_probability);
        continue;
      }
      append_token(h, token, step, r, b, n, align, attend);
      h.log_probability = log_probability;
      live.keep(r);
    }
    live.advance(model);
  }
  return out;
}

}  // namespace rnmt
