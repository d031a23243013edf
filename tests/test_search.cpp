// Search on the inference path: the inference RNN primitives against the training ones, n-best
// lists whose scores teacher forcing confirms, alignments that are the attention's argmax, and
// sentences that leave the batch without changing anyone's result.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "decoding/search.hpp"
#include "decoding/search_steps.hpp"
#include "model/seq2seq.hpp"
#include "rnn/rnn_layer.hpp"
#include "tests/model_test_util.hpp"
#include "tests/search_test_util.hpp"

using namespace rnmt;
using rnmt::test::batch_of;

namespace {

const std::vector<Sentence>& kSources = test::kReversalSources;

std::vector<Sentence> shifted_reversals() {
  return test::shifted_reversals(kSources);
}

ModelConfig config(Cell cell, bool feeding, AttentionType attention) {
  ModelConfig c = test::small_config(cell, feeding);
  c.decoder_layers = 2;
  c.attention = attention;
  return c;
}

// Enough Adam steps on the task that hypotheses end with </s> well before the length limit.
void train(Seq2Seq& model) {
  test::train_on(model, batch_of(kSources, shifted_reversals()), 250);
}

}  // namespace

TEST_CASE("inference RNN primitives compute what the training primitives compute", "[search]") {
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  const int64_t N = GENERATE(1, 5, 24);
  const int64_t T = GENERATE(1, 3);
  const int64_t I = 12, H = 20;
  ParamSet params;
  RnnLayer layer(params, "rnn", cell, I, H);
  params.allocate();
  Rng rng(5);
  layer.init(rng);
  params.touch();
  std::vector<float> x(static_cast<size_t>(T * N * I)), h0(static_cast<size_t>(N * H)),
      c0(static_cast<size_t>(N * H));
  for (auto* v : {&x, &h0, &c0}) {
    for (auto& f : *v) f = static_cast<float>(rng.uniform()) * 2 - 1;
  }
  const float* c_in = cell == Cell::lstm ? c0.data() : nullptr;
  std::vector<float> y_train(static_cast<size_t>(T * N * H)), h_train(static_cast<size_t>(N * H)),
      c_train(static_cast<size_t>(N * H)), y_infer(y_train.size()), h_infer(h_train.size()),
      c_infer(c_train.size());
  std::vector<float> workspace(layer.workspace_floats(T, N));
  const bool lstm = cell == Cell::lstm;
  layer.forward({.T = T,
                 .N = N,
                 .x = x.data(),
                 .h0 = h0.data(),
                 .c0 = c_in,
                 .y = y_train.data(),
                 .hT = h_train.data(),
                 .cT = lstm ? c_train.data() : nullptr,
                 .workspace = workspace.data()});
  layer.forward_inference({.T = T,
                           .N = N,
                           .x = x.data(),
                           .h0 = h0.data(),
                           .c0 = c_in,
                           .y = y_infer.data(),
                           .hT = h_infer.data(),
                           .cT = lstm ? c_infer.data() : nullptr});
  for (size_t i = 0; i < y_train.size(); ++i)
    REQUIRE(y_infer[i] == Approx(y_train[i]).margin(1e-5));
  for (size_t i = 0; i < h_train.size(); ++i)
    REQUIRE(h_infer[i] == Approx(h_train[i]).margin(1e-5));
  if (cell == Cell::lstm) {
    for (size_t i = 0; i < c_train.size(); ++i)
      REQUIRE(c_infer[i] == Approx(c_train[i]).margin(1e-5));
  }
}

TEST_CASE("n-best lists: distinct hypotheses, best first, scores that teacher forcing confirms",
          "[search]") {
  const bool feeding = GENERATE(false, true);
  const Cell cell = GENERATE(Cell::lstm, Cell::gru);
  Seq2Seq model(config(cell, feeding, AttentionType::general), 21);
  train(model);
  const std::vector<Sentence> none(kSources.size());
  const Batch sources = batch_of(kSources, none);
  const SearchOptions options{.beam = 4, .n_best = 3, .length_penalty = 0.6};
  const auto lists = search(model, sources, options);
  REQUIRE(lists.size() == kSources.size());
  std::vector<Sentence> best;
  for (const auto& l : lists) best.push_back(l.front().tokens);
  CHECK(beam_tokens(model, sources, 4, 0.6, 2.0) == best);
  for (size_t n = 0; n < lists.size(); ++n) {
    const auto& list = lists[n];
    INFO("sentence " << n);
    REQUIRE(list.size() == 3);
    CHECK(list[0].tokens == shifted_reversals()[n]);  // the trained answer wins
    for (size_t i = 0; i < list.size(); ++i) {
      for (size_t j = i + 1; j < list.size(); ++j) {
        CHECK(list[i].score >= list[j].score);
        CHECK(list[i].tokens != list[j].tokens);
      }
      // log p of the hypothesis and </s> under teacher forcing, and the length normalisation
      const double log_p = test::teacher_forced_log_p(model, kSources[n], list[i].tokens);
      CHECK(list[i].log_probability == Approx(log_p).margin(1e-3));
      const double length = static_cast<double>(list[i].tokens.size() + 1);
      CHECK(list[i].score == Approx(list[i].log_probability / std::pow(length, 0.6)));
    }
  }
  SearchOptions too_many = options;
  too_many.n_best = 5;
  CHECK_THROWS_WITH(search(model, sources, too_many),
                    "n-best (5) must be between 1 and the beam size (4)");
}

TEST_CASE("alignments are the argmax of the attention weights teacher forcing computes",
          "[search]") {
  const auto attention =
      GENERATE(AttentionType::dot, AttentionType::general, AttentionType::additive);
  const bool feeding = GENERATE(false, true);
  ModelConfig c = config(Cell::lstm, feeding, attention);
  if (attention == AttentionType::dot) c.encoder_hidden = c.decoder_hidden / 2;
  Seq2Seq model(c, 4);
  train(model);
  const std::vector<Sentence> none(kSources.size());
  const SearchOptions options{.beam = 3, .alignments = true};
  const auto lists = search(model, batch_of(kSources, none), options);
  for (size_t n = 0; n < kSources.size(); ++n) {
    const Hypothesis& h = lists[n].front();
    INFO("sentence " << n);
    REQUIRE(h.alignment.size() == h.tokens.size());
    const Batch scored = batch_of({kSources[n]}, {h.tokens});
    model.forward(scored, false);
    const Tensor& w = model.attention().weights();  // [T, 1, S]
    for (size_t t = 0; t < h.tokens.size(); ++t) {
      const float* row = w.data() + static_cast<int64_t>(t) * scored.S;
      const auto argmax = static_cast<int32_t>(std::max_element(row, row + scored.S) - row);
      CHECK(h.alignment[t] == argmax);
      CHECK(h.alignment[t] < static_cast<int32_t>(kSources[n].size()));
    }
  }
}

TEST_CASE("soft alignments are the attention weights teacher forcing computes", "[search]") {
  const auto attention = GENERATE(AttentionType::general, AttentionType::additive);
  const bool feeding = GENERATE(false, true);
  Seq2Seq model(config(Cell::gru, feeding, attention), 6);
  train(model);
  const std::vector<Sentence> none(kSources.size());
  for (const int64_t beam : {1, 3}) {
    const auto lists = search(model, batch_of(kSources, none),
                              {.beam = beam, .alignments = true, .attention = true});
    for (size_t n = 0; n < kSources.size(); ++n) {
      const Hypothesis& h = lists[n].front();
      INFO("beam " << beam << ", sentence " << n);
      REQUIRE(h.attention.size() == h.tokens.size());
      const Batch scored = batch_of({kSources[n]}, {h.tokens});
      model.forward(scored, false);
      const Tensor& w = model.attention().weights();  // [T, 1, S]
      for (size_t t = 0; t < h.tokens.size(); ++t) {
        REQUIRE(h.attention[t].size() == kSources[n].size());
        double sum = 0;
        for (size_t s = 0; s < kSources[n].size(); ++s) {
          CHECK(
              h.attention[t][s] ==
              Approx(w[static_cast<size_t>(static_cast<int64_t>(t) * scored.S) + s]).margin(1e-5));
          sum += h.attention[t][s];
        }
        CHECK(sum == Approx(1.0).margin(1e-5));
        const auto argmax =
            std::max_element(h.attention[t].begin(), h.attention[t].end()) - h.attention[t].begin();
        CHECK(h.alignment[t] == argmax);
      }
    }
  }
}

TEST_CASE("sentences that finish early leave the batch without changing the others' results",
          "[search][padding]") {
  const bool feeding = GENERATE(false, true);
  const bool trained = GENERATE(false, true);
  const int64_t beam = GENERATE(1, 3);
  const BeamStyle style = GENERATE(BeamStyle::narrowing, BeamStyle::opennmt_py);
  Seq2Seq model(config(Cell::lstm, feeding, AttentionType::general), 9);
  if (trained) train(model);  // trained: outputs of different lengths, so rows leave at each step
  const SearchOptions options{
      .beam = beam, .n_best = beam, .beam_style = style, .length_penalty = 0.6};
  test::check_batch_searches_as_alone(model, kSources, options);
}

namespace {

struct Scored {
  Sentence tokens;
  double score;
};

// OpenNMT-py's beam search written plainly, each next-token distribution from a teacher-forced
// forward pass over the hypothesis so far: K live hypotheses; each step the K best continuations
// of them all (those ending in </s> finish, scored log p / (tokens + 2)); a sentence ends once a
// step's best continuation finished and K hypotheses have. At the length limit the live ones end
// where they stand, as rnmt's search does (OpenNMT-py appends a last token instead).
std::vector<Scored> opennmt_py_beam(Seq2Seq& model, const Sentence& source, size_t K,
                                    size_t limit) {
  struct Live {
    Sentence tokens;
    double log_p;
  };
  const auto score = [](double log_p, size_t tokens) {
    return log_p / static_cast<double>(tokens + 2);
  };
  const int64_t V = model.config().tgt_vocab;
  std::vector<Live> live = {{{}, 0.0}};
  std::vector<Scored> finished;
  bool best_finished = false;
  for (size_t t = 0; !live.empty(); ++t) {
    if (t + 1 > limit) {
      for (const Live& l : live) finished.push_back({l.tokens, score(l.log_p, l.tokens.size())});
      break;
    }
    struct Candidate {
      double log_p;
      size_t from;
      int32_t token;
    };
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < live.size(); ++i) {
      model.forward(batch_of({source}, {live[i].tokens}), false);
      const float* p =
          model.output_probabilities().data() + static_cast<int64_t>(live[i].tokens.size()) * V;
      for (int32_t token = 0; token < V; ++token)
        candidates.push_back({live[i].log_p + std::log(static_cast<double>(p[token])), i, token});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.log_p > b.log_p; });
    candidates.resize(K);
    std::vector<Live> next;
    for (const Candidate& c : candidates) {
      if (c.token == kEos) {
        finished.push_back({live[c.from].tokens, score(c.log_p, live[c.from].tokens.size())});
      } else {
        next.push_back({live[c.from].tokens, c.log_p});
        next.back().tokens.push_back(c.token);
      }
    }
    best_finished |= candidates[0].token == kEos;
    if (best_finished && finished.size() >= K) break;
    live = next;
  }
  std::stable_sort(finished.begin(), finished.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  finished.resize(std::min(finished.size(), K));
  return finished;
}

}  // namespace

TEST_CASE("beam style opennmt_py is OpenNMT-py's beam search", "[search]") {
  // Untrained: distributions flat enough that the two styles part (trained, they agree here)
  Seq2Seq model(config(Cell::lstm, true, AttentionType::general), 5);
  const int64_t K = GENERATE(2, 4);
  SearchOptions options{.beam = K, .n_best = K, .length_penalty = 1.0};
  options.length_includes_start = true;
  options.beam_style = BeamStyle::opennmt_py;
  const std::vector<Sentence> none(kSources.size());
  const auto lists = search(model, batch_of(kSources, none), options);
  options.beam_style = BeamStyle::narrowing;
  const auto narrowing = search(model, batch_of(kSources, none), options);
  size_t differ = 0;
  const std::vector<int64_t> limits = output_limits(batch_of(kSources, none), options);
  for (size_t n = 0; n < kSources.size(); ++n) {
    INFO("sentence " << n << ", beam " << K);
    const auto expected =
        opennmt_py_beam(model, kSources[n], static_cast<size_t>(K), static_cast<size_t>(limits[n]));
    REQUIRE(lists[n].size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      CHECK(lists[n][i].tokens == expected[i].tokens);
      CHECK(lists[n][i].score == Approx(expected[i].score).margin(1e-4));
    }
    bool same = narrowing[n].size() == lists[n].size();
    for (size_t i = 0; same && i < lists[n].size(); ++i)
      same = narrowing[n][i].tokens == lists[n][i].tokens;
    differ += !same;
  }
  // the two styles are different searches on this model (else the test above proves little)
  CHECK(differ > 0);
}

TEST_CASE("disable_unk passes over <unk> and keeps the model's log-probabilities", "[search]") {
  // Trained to say <unk> for source token 4 (target 6): the outputs for sources holding a 4 have
  // <unk> in them unless it is disabled
  std::vector<Sentence> targets = shifted_reversals();
  for (Sentence& t : targets) std::replace(t.begin(), t.end(), 6, kUnk);
  Seq2Seq model(config(Cell::lstm, true, AttentionType::general), 3);
  test::train_on(model, batch_of(kSources, targets), 250);
  const std::vector<Sentence> none(kSources.size());
  const Batch sources = batch_of(kSources, none);
  const auto holds_unk = [](const Hypothesis& h) {
    return std::find(h.tokens.begin(), h.tokens.end(), kUnk) != h.tokens.end();
  };
  const int64_t V = model.config().tgt_vocab;
  const BeamStyle style = GENERATE(BeamStyle::narrowing, BeamStyle::opennmt_py);
  for (const int64_t beam : {1, 3}) {
    SearchOptions options{.beam = beam, .n_best = beam, .beam_style = style};
    size_t with_unk = 0;
    for (const auto& list : search(model, sources, options)) with_unk += holds_unk(list[0]);
    CHECK(with_unk > 0);
    options.disable_unk = true;
    SearchOptions sampling = options;
    sampling.beam = 1;
    sampling.n_best = 2;
    sampling.sampling_topk = 0;
    for (const SearchOptions& o : {options, sampling}) {
      const auto lists = search(model, sources, o);
      for (size_t n = 0; n < lists.size(); ++n) {
        for (const Hypothesis& h : lists[n]) {
          INFO("beam " << o.beam << ", sampling " << o.sampling_topk << ", sentence " << n);
          CHECK_FALSE(holds_unk(h));
          // the model's own log-probability, not one renormalised without <unk>
          const Batch scored = batch_of({kSources[n]}, {h.tokens});
          model.forward(scored, false);
          const Tensor& p = model.output_probabilities();
          double log_p = 0;
          for (int64_t t = 0; t < scored.T; ++t)
            log_p +=
                std::log(p[static_cast<size_t>(t * V + scored.tgt_out[static_cast<size_t>(t)])]);
          CHECK(h.log_probability == Approx(log_p).margin(1e-3));
        }
      }
    }
  }
}

TEST_CASE("length penalty form wu is GNMT's: log p / ((5 + length) / 6)^alpha", "[search]") {
  Seq2Seq model(config(Cell::gru, false, AttentionType::general), 4);
  test::train_on(model, batch_of(kSources, shifted_reversals()), 100);
  const std::vector<Sentence> none(kSources.size());
  const bool start = GENERATE(false, true);
  SearchOptions options{.beam = 3, .n_best = 3, .length_penalty = 0.8};
  options.length_includes_start = start;
  options.length_penalty_form = LengthPenaltyForm::wu;
  for (const auto& list : search(model, batch_of(kSources, none), options)) {
    for (const Hypothesis& h : list) {
      const double length = static_cast<double>(h.tokens.size()) + (start ? 2 : 1);
      CHECK(h.score == Approx(h.log_probability / std::pow((5 + length) / 6, 0.8)));
    }
  }
}
