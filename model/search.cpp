// Seq2Seq::search: greedy and beam search over a batch, on the decoder's inference steps.
#include "model/search.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "core/error.hpp"
#include "core/vec_math.hpp"
#include "model/seq2seq.hpp"

namespace rnmt {
namespace {

// The decoder, attention and output layer run on a row count rounded up to a few sizes, so that
// the primitives and GEMMs (one per row count) stay few while sentences leave the batch.
int64_t padded_rows(int64_t rows) {
  const int64_t step = rows <= 64 ? 8 : 16;
  return (rows + step - 1) / step * step;
}

// One output token of a hypothesis; hypotheses share their prefixes through `parent`.
struct Node {
  int32_t token, parent, source;  // source: most attended source position (-1 if not recorded)
};

// A live hypothesis: one row of the decoder.
struct Row {
  int32_t sentence;
  int32_t node;    // its last token, -1 before the first
  int32_t length;  // tokens so far
  double log_probability;
};

struct Finished {
  double score, log_probability;
  int32_t node;
};

struct Candidate {
  double log_probability;
  int32_t row, token;
};

// log Σ exp z[v], given the largest z (which the top-token pass has found).
float log_sum_exp(const float* z, int64_t V, float max) {
  float sum = 0;
#pragma omp simd reduction(+ : sum)
  for (int64_t v = 0; v < V; ++v) sum += fast_exp(z[v] - max);
  return max + std::log(sum);
}

// The `count` largest logits of z, largest first; of equal ones the lowest id comes first.
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

int32_t most_attended(const float* weights, int64_t length) {
  return static_cast<int32_t>(std::max_element(weights, weights + length) - weights);
}

std::vector<Sentence> best_tokens(std::vector<std::vector<Hypothesis>> hypotheses) {
  std::vector<Sentence> out(hypotheses.size());
  for (size_t n = 0; n < hypotheses.size(); ++n) {
    if (!hypotheses[n].empty()) out[n] = std::move(hypotheses[n].front().tokens);
  }
  return out;
}

}  // namespace

std::vector<std::vector<Hypothesis>> Seq2Seq::search(const Batch& b, const SearchOptions& o) {
  if (o.beam < 1) throw Error("the beam size must be at least 1");
  if (o.n_best < 1 || o.n_best > o.beam) {
    throw Error("n-best (" + std::to_string(o.n_best) + ") must be between 1 and the beam size (" +
                std::to_string(o.beam) + ")");
  }
  const int64_t N = b.N, K = o.beam, E = config_.embedding, H = config_.decoder_hidden,
                V = config_.tgt_vocab;
  const bool feeding = config_.input_feeding;
  const int64_t F = E + (feeding ? H : 0);
  // A sentence keeps at most K live hypotheses, so a row's K best tokens are all that can matter.
  const int64_t C = std::min<int64_t>(K, V);
  const bool align = o.alignments && config_.attention != AttentionType::none;
  const std::vector<int64_t> limit = output_limits(b, o.max_length_ratio);

  encode(b, false, /*for_backward=*/false);
  attention_.begin_inference(b.S, N, encoder_.memory().data(), b.src_lengths.data());
  decoder_.begin_inference(N, bridge_.h0(0), bridge_.has_c() ? bridge_.c0(0) : nullptr);

  std::vector<Node> nodes;
  std::vector<Row> rows(static_cast<size_t>(N)), next;
  for (int64_t n = 0; n < N; ++n)
    rows[static_cast<size_t>(n)] = {static_cast<int32_t>(n), -1, 0, 0.0};
  std::vector<std::vector<Finished>> finished(static_cast<size_t>(N));
  // A sentence's beam width: K at first, one less for each hypothesis that finishes (Marian's
  // rule), so a sentence ends only when its best live hypothesis has ended too.
  std::vector<int64_t> width(static_cast<size_t>(N), K);
  std::vector<int32_t> from(static_cast<size_t>(N)), sentence_of_row, tokens, top_ids;
  std::vector<float> top_values, normalizer;
  std::vector<Candidate> candidates;
  std::iota(from.begin(), from.end(), 0);
  from.resize(static_cast<size_t>(padded_rows(N)), 0);
  decoder_.select_rows(from);
  if (feeding) {
    search_feed_.resize({decoder_.inference_rows(), H});
    search_feed_.zero();  // nothing attended before the first step
  }

  for (int64_t t = 0; !rows.empty(); ++t) {
    const int64_t R = static_cast<int64_t>(rows.size()), P = decoder_.inference_rows();
    sentence_of_row.assign(static_cast<size_t>(P), 0);
    tokens.assign(static_cast<size_t>(P), kPad);
    for (int64_t r = 0; r < R; ++r) {
      const Row& row = rows[static_cast<size_t>(r)];
      sentence_of_row[static_cast<size_t>(r)] = row.sentence;
      tokens[static_cast<size_t>(r)] =
          row.node < 0 ? kBos : nodes[static_cast<size_t>(row.node)].token;
    }
    search_in_.resize({P, F});
    tgt_embed_.forward(tokens.data(), P, search_in_.data(), F);
    if (feeding) {
      for (int64_t r = 0; r < P; ++r) {
        std::memcpy(search_in_.data() + r * F + E, search_feed_.data() + r * H,
                    sizeof(float) * static_cast<size_t>(H));
      }
    }
    const float* state = decoder_.step_inference(search_in_.data());
    search_feed_next_.resize({P, H});
    attention_.forward_rows(P, state, sentence_of_row.data(), search_feed_next_.data(),
                            params_.version(), o.compute);
    search_logits_.resize({P, V});
    output_.logits(search_feed_next_.data(), P, search_logits_.data(), params_.version(),
                   o.compute);

    top_ids.resize(static_cast<size_t>(R * C));
    top_values.resize(static_cast<size_t>(R * C));
    normalizer.resize(static_cast<size_t>(R));
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < R; ++r) {
      const float* z = search_logits_.data() + r * V;
      float* values = &top_values[static_cast<size_t>(r * C)];
      top_tokens(z, V, C, &top_ids[static_cast<size_t>(r * C)], values);
      normalizer[static_cast<size_t>(r)] = log_sum_exp(z, V, values[0]);
    }

    // Each sentence's rows are consecutive: pick its next K live hypotheses from their candidates.
    next.clear();
    from.clear();
    for (int64_t begin = 0; begin < R;) {
      const int32_t n = rows[static_cast<size_t>(begin)].sentence;
      int64_t end = begin;
      while (end < R && rows[static_cast<size_t>(end)].sentence == n) ++end;
      auto& done = finished[static_cast<size_t>(n)];
      const auto finish = [&](const Row& row, double log_probability) {
        // the length counts </s>, as if it ended the hypothesis
        done.push_back({log_probability / std::pow(row.length + 1.0, o.length_penalty),
                        log_probability, row.node});
      };
      if (t + 1 > limit[static_cast<size_t>(n)]) {
        // At the length limit every live hypothesis ends where it stands, so n-best lists fill.
        for (int64_t r = begin; r < end; ++r)
          finish(rows[static_cast<size_t>(r)], rows[static_cast<size_t>(r)].log_probability);
        begin = end;
        continue;
      }
      candidates.clear();
      for (int64_t r = begin; r < end; ++r) {
        const double base =
            rows[static_cast<size_t>(r)].log_probability - normalizer[static_cast<size_t>(r)];
        for (int64_t i = 0; i < C; ++i) {
          const auto k = static_cast<size_t>(r * C + i);
          candidates.push_back({base + top_values[k], static_cast<int32_t>(r), top_ids[k]});
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& a, const Candidate& c) {
                         return a.log_probability > c.log_probability;
                       });
      int64_t& live = width[static_cast<size_t>(n)];
      const int64_t chosen = std::min<int64_t>(live, static_cast<int64_t>(candidates.size()));
      live = 0;
      for (int64_t i = 0; i < chosen; ++i) {
        const Candidate& c = candidates[static_cast<size_t>(i)];
        const Row& row = rows[static_cast<size_t>(c.row)];
        if (c.token == kEos) {
          finish(row, c.log_probability);
          continue;
        }
        const int32_t source = align ? most_attended(attention_.row_weights().data() + c.row * b.S,
                                                     b.src_lengths[static_cast<size_t>(n)])
                                     : -1;
        nodes.push_back({c.token, row.node, source});
        next.push_back(
            {n, static_cast<int32_t>(nodes.size() - 1), row.length + 1, c.log_probability});
        from.push_back(c.row);
        ++live;  // a sentence whose width reaches 0 is done: no rows of it go on
      }
      begin = end;
    }
    rows.swap(next);
    if (rows.empty()) break;
    // The chosen rows continue: decoder states and (input feeding) attentional vectors follow them.
    from.resize(static_cast<size_t>(padded_rows(static_cast<int64_t>(rows.size()))), 0);
    decoder_.select_rows(from);
    if (feeding) {
      search_feed_.resize({static_cast<int64_t>(from.size()), H});
      for (size_t r = 0; r < from.size(); ++r) {
        std::memcpy(search_feed_.data() + static_cast<int64_t>(r) * H,
                    search_feed_next_.data() + static_cast<int64_t>(from[r]) * H,
                    sizeof(float) * static_cast<size_t>(H));
      }
    }
  }

  std::vector<std::vector<Hypothesis>> out(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    auto& f = finished[static_cast<size_t>(n)];
    std::stable_sort(f.begin(), f.end(),
                     [](const Finished& a, const Finished& c) { return a.score > c.score; });
    for (size_t i = 0; i < f.size() && static_cast<int64_t>(i) < o.n_best; ++i) {
      Hypothesis h;
      h.score = f[i].score;
      h.log_probability = f[i].log_probability;
      for (int32_t k = f[i].node; k >= 0; k = nodes[static_cast<size_t>(k)].parent) {
        h.tokens.push_back(nodes[static_cast<size_t>(k)].token);
        if (align) h.alignment.push_back(nodes[static_cast<size_t>(k)].source);
      }
      std::reverse(h.tokens.begin(), h.tokens.end());
      std::reverse(h.alignment.begin(), h.alignment.end());
      out[static_cast<size_t>(n)].push_back(std::move(h));
    }
  }
  return out;
}

std::vector<Sentence> Seq2Seq::greedy(const Batch& b, double max_length_ratio) {
  return best_tokens(search(b, {.beam = 1, .max_length_ratio = max_length_ratio}));
}

std::vector<Sentence> Seq2Seq::beam_search(const Batch& b, int64_t beam, double alpha,
                                           double max_length_ratio) {
  return best_tokens(
      search(b, {.beam = beam, .length_penalty = alpha, .max_length_ratio = max_length_ratio}));
}

}  // namespace rnmt
