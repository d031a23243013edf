#include "decoding/beam_search.hpp"

#include <algorithm>
#include <numeric>

#include "decoding/logit_processors.hpp"
#include "decoding/search_steps.hpp"
#include "model/decoder_state.hpp"

namespace rnmt {
namespace {

// One output token of a hypothesis; hypotheses share their prefixes through `parent`.
struct Node {
  int32_t token, parent, source;  // source: most attended source position (-1 if not recorded)
  int64_t weights;                // its attention row in the weight pool (-1 if not recorded)
};

// A live hypothesis: one row of the decoder state.
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
  double key;  // what ranks it: log_probability less the word penalty of its tokens
  int32_t row, token;
};

}  // namespace

std::vector<std::vector<Hypothesis>> beam_search(Ensemble& model, const SearchOptions& o) {
  const Batch& b = model.batch();
  const int64_t N = b.N, K = o.beam, V = model.target_vocab();
  // A sentence keeps at most K live hypotheses, so a row's K best tokens are all that can matter.
  const int64_t C = std::min<int64_t>(K, V);
  const bool align = o.alignments && model.has_attention();
  const bool attend = o.attention && model.has_attention();
  std::vector<float> weight_pool;  // attention rows of the nodes that record one, each S long
  const std::vector<int64_t> limit = output_limits(b, o);
  std::vector<uint8_t> allow_eos;
  model.start();

  std::vector<Node> nodes;
  std::vector<Row> rows(static_cast<size_t>(N)), next;
  for (int64_t n = 0; n < N; ++n)
    rows[static_cast<size_t>(n)] = {static_cast<int32_t>(n), -1, 0, 0.0};
  std::vector<std::vector<Finished>> finished(static_cast<size_t>(N));
  // A sentence's beam width: K at first, one less for each hypothesis that finishes.
  std::vector<int64_t> width(static_cast<size_t>(N), K);
  std::vector<int32_t> from, tokens, top_ids;
  std::vector<float> top_values, normalizer;
  std::vector<Candidate> candidates;
  Sentence history;

  for (int64_t t = 0; !rows.empty(); ++t) {
    const int64_t R = static_cast<int64_t>(rows.size());
    tokens.resize(static_cast<size_t>(R));
    for (int64_t r = 0; r < R; ++r) {
      const Row& row = rows[static_cast<size_t>(r)];
      tokens[static_cast<size_t>(r)] =
          row.node < 0 ? kBos : nodes[static_cast<size_t>(row.node)].token;
    }
    const Ensemble::Step step = model.step(tokens.data(), o.compute);
    if (processes_logits(o)) {
      for (int64_t r = 0; r < R; ++r) {
        history.clear();
        for (int32_t k = rows[static_cast<size_t>(r)].node; k >= 0;
             k = nodes[static_cast<size_t>(k)].parent)
          history.push_back(nodes[static_cast<size_t>(k)].token);
        std::reverse(history.begin(), history.end());
        process_logits(step.scores + r * V, V, history.data(), static_cast<int64_t>(history.size()),
                       o);
      }
    }
    allow_eos.resize(static_cast<size_t>(R));
    for (int64_t r = 0; r < R; ++r)
      allow_eos[static_cast<size_t>(r)] = rows[static_cast<size_t>(r)].length >= o.min_length;
    best_tokens_of_step(step, o, R, V, C, top_ids, top_values, normalizer, allow_eos.data());

    // Each sentence's rows are consecutive: pick its next K live hypotheses from their candidates.
    next.clear();
    from.clear();
    for (int64_t begin = 0; begin < R;) {
      const int32_t n = rows[static_cast<size_t>(begin)].sentence;
      int64_t end = begin;
      while (end < R && rows[static_cast<size_t>(end)].sentence == n) ++end;
      auto& done = finished[static_cast<size_t>(n)];
      const auto finish = [&](const Row& row, double log_probability) {
        done.push_back({length_normalized(log_probability, row.length, o.length_penalty) -
                            o.word_penalty * row.length,
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
      const int32_t forced = forced_token(o, n, t);
      for (int64_t r = begin; r < end; ++r) {
        const double base =
            rows[static_cast<size_t>(r)].log_probability - normalizer[static_cast<size_t>(r)];
        const int32_t length = rows[static_cast<size_t>(r)].length;
        const auto candidate = [&](int32_t token, double log_probability) {
          const int32_t tokens_then = length + (token == kEos ? 0 : 1);
          candidates.push_back({log_probability, log_probability - o.word_penalty * tokens_then,
                                static_cast<int32_t>(r), token});
        };
        if (forced >= 0) {  // inside the target prefix: its token is the only candidate
          candidate(forced, base + step.scores[r * V + forced]);
          continue;
        }
        bool has_eos = false;
        for (int64_t i = 0; i < C; ++i) {
          const auto k = static_cast<size_t>(r * C + i);
          candidate(top_ids[k], base + top_values[k]);
          has_eos |= top_ids[k] == kEos;
        }
        // A word penalty favours </s> (positive) beyond its rank among the logits.
        if (o.word_penalty > 0 && !has_eos && allow_eos[static_cast<size_t>(r)])
          candidate(kEos, base + step.scores[r * V + kEos]);
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& a, const Candidate& c) { return a.key > c.key; });
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
        const int32_t source = align ? most_attended(step.attention + c.row * b.S,
                                                     b.src_lengths[static_cast<size_t>(n)])
                                     : -1;
        int64_t weights = -1;
        if (attend) {
          weights = static_cast<int64_t>(weight_pool.size());
          weight_pool.insert(weight_pool.end(), step.attention + c.row * b.S,
                             step.attention + (c.row + 1) * b.S);
        }
        nodes.push_back({c.token, row.node, source, weights});
        next.push_back(
            {n, static_cast<int32_t>(nodes.size() - 1), row.length + 1, c.log_probability});
        from.push_back(c.row);
        ++live;  // a sentence whose width reaches 0 is done: no rows of it go on
      }
      begin = end;
    }
    rows.swap(next);
    // The chosen rows continue: decoder states (and attentional vectors) follow them.
    if (!rows.empty()) model.select(from);
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
        const Node& node = nodes[static_cast<size_t>(k)];
        h.tokens.push_back(node.token);
        if (align) h.alignment.push_back(node.source);
        if (attend) {
          const float* row = weight_pool.data() + node.weights;
          h.attention.emplace_back(row, row + b.src_lengths[static_cast<size_t>(n)]);
        }
      }
      std::reverse(h.tokens.begin(), h.tokens.end());
      std::reverse(h.alignment.begin(), h.alignment.end());
      std::reverse(h.attention.begin(), h.attention.end());
      out[static_cast<size_t>(n)].push_back(std::move(h));
    }
  }
  return out;
}

}  // namespace rnmt
