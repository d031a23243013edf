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

// What the search keeps between steps. Each sentence's rows are consecutive.
struct BeamState {
  std::vector<Node> nodes;
  std::vector<Row> rows;
  std::vector<std::vector<Finished>> finished;  // per sentence
  // per sentence: the live hypotheses it may have; narrowing: K at first, one less for each
  // finished hypothesis; opennmt_py: K, and 0 once it ends
  std::vector<int64_t> width;
  std::vector<uint8_t> best_finished;  // opennmt_py, per sentence: a step's best candidate was </s>
  std::vector<float> weight_pool;      // attention rows of the nodes that record one, each S long
};

// What one step reads besides the state: the options, the model's step and its K best tokens.
struct StepView {
  const SearchOptions& o;
  const Batch& b;
  const Ensemble::Step& step;
  int64_t t, V, C;
  bool align, attend;
  const std::vector<int32_t>& top_ids;
  const std::vector<float>& top_values;
  const std::vector<float>& normalizer;
  const std::vector<uint8_t>& allow_eos;
};

// The last token of each live hypothesis (<s> before the first).
void last_tokens(const BeamState& s, std::vector<int32_t>& tokens) {
  tokens.resize(s.rows.size());
  for (size_t r = 0; r < s.rows.size(); ++r)
    tokens[r] = s.rows[r].node < 0 ? kBos : s.nodes[static_cast<size_t>(s.rows[r].node)].token;
}

// The logit processors see each hypothesis' tokens so far.
void process_rows(const BeamState& s, const Ensemble::Step& step, int64_t V, const SearchOptions& o,
                  Sentence& history) {
  for (size_t r = 0; r < s.rows.size(); ++r) {
    history.clear();
    for (int32_t k = s.rows[r].node; k >= 0; k = s.nodes[static_cast<size_t>(k)].parent)
      history.push_back(s.nodes[static_cast<size_t>(k)].token);
    std::reverse(history.begin(), history.end());
    process_logits(step.scores + static_cast<int64_t>(r) * V, V, history.data(),
                   static_cast<int64_t>(history.size()), o);
  }
}

// The continuations of rows [begin, end) (one sentence's) worth ranking, best first.
void rank_candidates(const BeamState& s, const StepView& v, int32_t n, int64_t begin, int64_t end,
                     std::vector<Candidate>& candidates) {
  candidates.clear();
  const int32_t forced = forced_token(v.o, n, v.t);
  for (int64_t r = begin; r < end; ++r) {
    const double base =
        s.rows[static_cast<size_t>(r)].log_probability - v.normalizer[static_cast<size_t>(r)];
    const int32_t length = s.rows[static_cast<size_t>(r)].length;
    const auto candidate = [&](int32_t token, double log_probability) {
      const int32_t tokens_then = length + (token == kEos ? 0 : 1);
      candidates.push_back({log_probability, log_probability - v.o.word_penalty * tokens_then,
                            static_cast<int32_t>(r), token});
    };
    if (forced >= 0) {  // inside the target prefix: its token is the only candidate
      candidate(forced, base + v.step.scores[r * v.V + forced]);
      continue;
    }
    bool has_eos = false;
    for (int64_t i = 0; i < v.C; ++i) {
      const auto k = static_cast<size_t>(r * v.C + i);
      candidate(v.top_ids[k], base + v.top_values[k]);
      has_eos |= v.top_ids[k] == kEos;
    }
    // A word penalty favours </s> (positive) beyond its rank among the logits.
    if (v.o.word_penalty > 0 && !has_eos && v.allow_eos[static_cast<size_t>(r)])
      candidate(kEos, base + v.step.scores[r * v.V + kEos]);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& c) { return a.key > c.key; });
}

void finish(BeamState& s, const SearchOptions& o, const Row& row, double log_probability) {
  s.finished[static_cast<size_t>(row.sentence)].push_back(
      {length_normalized(log_probability, row.length, o) - o.word_penalty * row.length,
       log_probability, row.node});
}

// Sentence n's next live hypotheses from its best candidates (</s> finishes one instead); the
// rows they continue go to `from`.
void extend(BeamState& s, const StepView& v, int32_t n, const std::vector<Candidate>& candidates,
            std::vector<Row>& next, std::vector<int32_t>& from) {
  int64_t& live = s.width[static_cast<size_t>(n)];
  const int64_t chosen = std::min<int64_t>(live, static_cast<int64_t>(candidates.size()));
  for (int64_t i = 0; i < chosen; ++i) {
    const Candidate& c = candidates[static_cast<size_t>(i)];
    if (c.token == kEos) finish(s, v.o, s.rows[static_cast<size_t>(c.row)], c.log_probability);
  }
  if (v.o.beam_style == BeamStyle::opennmt_py) {
    auto& best_finished = s.best_finished[static_cast<size_t>(n)];
    best_finished |= chosen > 0 && candidates[0].token == kEos;
    if (best_finished &&
        static_cast<int64_t>(s.finished[static_cast<size_t>(n)].size()) >= v.o.beam) {
      live = 0;  // done
      return;
    }
  }
  int64_t continuing = 0;
  for (int64_t i = 0; i < chosen; ++i) {
    const Candidate& c = candidates[static_cast<size_t>(i)];
    const Row& row = s.rows[static_cast<size_t>(c.row)];
    if (c.token == kEos) continue;
    const float* attention = v.step.attention + c.row * v.b.S;
    const int32_t source =
        v.align ? most_attended(attention, v.b.src_lengths[static_cast<size_t>(n)]) : -1;
    int64_t weights = -1;
    if (v.attend) {
      weights = static_cast<int64_t>(s.weight_pool.size());
      s.weight_pool.insert(s.weight_pool.end(), attention, attention + v.b.S);
    }
    s.nodes.push_back({c.token, row.node, source, weights});
    next.push_back(
        {n, static_cast<int32_t>(s.nodes.size() - 1), row.length + 1, c.log_probability});
    from.push_back(c.row);
    ++continuing;
  }
  // narrowing: a sentence whose width reaches 0 is done, no rows of it go on; opennmt_py: the
  // width stays, unless no candidate was left to continue
  if (v.o.beam_style == BeamStyle::narrowing || continuing == 0) live = continuing;
}

// Each sentence's n_best finished hypotheses, best first, read back through the nodes.
std::vector<std::vector<Hypothesis>> collect(BeamState& s, const SearchOptions& o, const Batch& b,
                                             bool align, bool attend) {
  std::vector<std::vector<Hypothesis>> out(static_cast<size_t>(b.N));
  for (int64_t n = 0; n < b.N; ++n) {
    auto& f = s.finished[static_cast<size_t>(n)];
    std::stable_sort(f.begin(), f.end(),
                     [](const Finished& a, const Finished& c) { return a.score > c.score; });
    for (size_t i = 0; i < f.size() && static_cast<int64_t>(i) < o.n_best; ++i) {
      Hypothesis h;
      h.score = f[i].score;
      h.log_probability = f[i].log_probability;
      for (int32_t k = f[i].node; k >= 0; k = s.nodes[static_cast<size_t>(k)].parent) {
        const Node& node = s.nodes[static_cast<size_t>(k)];
        h.tokens.push_back(node.token);
        if (align) h.alignment.push_back(node.source);
        if (attend) {
          const float* row = s.weight_pool.data() + node.weights;
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

}  // namespace

std::vector<std::vector<Hypothesis>> beam_search(Ensemble& model, const SearchOptions& o) {
  const Batch& b = model.batch();
  const int64_t N = b.N, K = o.beam, V = model.target_vocab();
  // A sentence keeps at most K live hypotheses, so a row's K best tokens are all that can matter.
  const int64_t C = std::min<int64_t>(K, V);
  const bool align = o.alignments && model.has_attention();
  const bool attend = o.attention && model.has_attention();
  const std::vector<int64_t> limit = output_limits(b, o);
  model.start(o.compute);

  BeamState s;
  s.rows.resize(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n)
    s.rows[static_cast<size_t>(n)] = {static_cast<int32_t>(n), -1, 0, 0.0};
  s.finished.resize(static_cast<size_t>(N));
  s.width.assign(static_cast<size_t>(N), K);
  s.best_finished.assign(static_cast<size_t>(N), 0);
  std::vector<Row> next;
  std::vector<int32_t> from, tokens, top_ids;
  std::vector<float> top_values, normalizer;
  std::vector<uint8_t> allow_eos;
  std::vector<Candidate> candidates;
  Sentence history;

  for (int64_t t = 0; !s.rows.empty(); ++t) {
    const int64_t R = static_cast<int64_t>(s.rows.size());
    last_tokens(s, tokens);
    const Ensemble::Step step = model.step(tokens.data(), o.compute);
    if (processes_logits(o)) process_rows(s, step, V, o, history);
    allow_eos.resize(static_cast<size_t>(R));
    for (int64_t r = 0; r < R; ++r)
      allow_eos[static_cast<size_t>(r)] = s.rows[static_cast<size_t>(r)].length >= o.min_length;
    best_tokens_of_step(step, o, R, V, C, top_ids, top_values, normalizer, allow_eos.data());
    const StepView view{o,     b,      step,    t,          V,          C,
                        align, attend, top_ids, top_values, normalizer, allow_eos};

    next.clear();
    from.clear();
    for (int64_t begin = 0; begin < R;) {  // sentence by sentence
      const int32_t n = s.rows[static_cast<size_t>(begin)].sentence;
      int64_t end = begin;
      while (end < R && s.rows[static_cast<size_t>(end)].sentence == n) ++end;
      if (t + 1 > limit[static_cast<size_t>(n)]) {
        // At the length limit every live hypothesis ends where it stands, so n-best lists fill.
        for (int64_t r = begin; r < end; ++r)
          finish(s, o, s.rows[static_cast<size_t>(r)],
                 s.rows[static_cast<size_t>(r)].log_probability);
      } else {
        rank_candidates(s, view, n, begin, end, candidates);
        extend(s, view, n, candidates, next, from);
      }
      begin = end;
    }
    s.rows.swap(next);
    // The chosen rows continue: decoder states (and attentional vectors) follow them.
    if (!s.rows.empty()) model.select(from);
  }
  return collect(s, o, b, align, attend);
}

}  // namespace rnmt
