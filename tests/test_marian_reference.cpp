// Marian's s2s models (a bidirectional GRU or LSTM encoder, a cGRU or cLSTM decoder with Bahdanau
// attention, a deep output layer), computed plainly here from the .npz file Marian saved, as we
// read Marian's source (src/models/s2s.h, src/rnn/cells.h, src/rnn/attention.h): scored by teacher
// forcing, Marian's own 3-best hypotheses get Marian's own scores. This pins down the maths rnmt's
// Marian decoder must compute (issue 30's Marian part) before rnmt has it.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "convert/npz.hpp"
#include "fixture_lines.hpp"

using namespace rnmt;
using rnmt::test::lines_of;

namespace {

const std::string kMarian = std::string(RNMT_TEST_DATA) + "/marian/";
using Vec = std::vector<double>;

// Marian's YAML vocabulary: "token: id" lines.
std::map<std::string, int> vocabulary(const std::string& path) {
  std::map<std::string, int> ids;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.rfind(": ");
    REQUIRE(colon != std::string::npos);
    std::string token = line.substr(0, colon);
    if (token.size() > 1 && token.front() == '"') token = token.substr(1, token.size() - 2);
    ids[token] = std::stoi(line.substr(colon + 2));
  }
  return ids;
}

std::vector<int> ids_of(const std::string& text, const std::map<std::string, int>& v) {
  std::vector<int> out;
  std::istringstream words(text);
  for (std::string w; words >> w;) {
    const auto it = v.find(w);
    out.push_back(it == v.end() ? 1 : it->second);  // <unk>
  }
  out.push_back(0);  // </s>: Marian ends source and target sentences with it
  return out;
}

// A recurrent state: h, and an LSTM's cell c (empty for a GRU).
struct State {
  Vec h, c;
};

class MarianS2S {
 public:
  MarianS2S(const std::string& path, bool lstm) : npz_(path), lstm_(lstm) {}

  // log p(target | source), both ending in </s>
  double log_probability(const std::vector<int>& source, const std::vector<int>& target) {
    // the encoder: a GRU each way over the source embeddings, their states side by side
    const size_t S = source.size();
    std::vector<Vec> forward(S), backward(S), context(S);
    State h = zero_state();
    for (size_t t = 0; t < S; ++t)
      forward[t] = (h = cell("encoder_bi", row("encoder_Wemb", source[t]), h, false)).h;
    h = zero_state();
    for (size_t t = S; t-- > 0;)
      backward[t] = (h = cell("encoder_bi_r", row("encoder_Wemb", source[t]), h, false)).h;
    Vec mean(2 * rnn_size(), 0.0);
    for (size_t t = 0; t < S; ++t) {
      context[t] = forward[t];
      context[t].insert(context[t].end(), backward[t].begin(), backward[t].end());
      for (size_t i = 0; i < mean.size(); ++i) mean[i] += context[t][i] / static_cast<double>(S);
    }
    // the decoder starts from tanh(W · mean context + b) (an LSTM's cell too); attention keys
    // W_c · context + b
    Vec start = affine(mean, "decoder_ff_state_W", "decoder_ff_state_b");
    for (double& x : start) x = std::tanh(x);
    State s{start, lstm_ ? start : Vec()};
    std::vector<Vec> keys(S);
    for (size_t t = 0; t < S; ++t) keys[t] = affine(context[t], "decoder_Wc_att", "decoder_b_att");
    const Vec v = param("decoder_U_att");

    double log_p = 0;
    Vec previous(embedding_size(), 0.0);  // the first step's previous word: a zero embedding
    for (const int y : target) {
      const State s1 = cell("decoder_cell1", previous, s, false);
      // Bahdanau attention: e_j = v · tanh(keys_j + W_comb · s1), softmax over the source
      const Vec query = affine(s1.h, "decoder_W_comb_att", "");
      Vec e(S);
      for (size_t j = 0; j < S; ++j) {
        double sum = 0;
        for (size_t i = 0; i < v.size(); ++i) sum += v[i] * std::tanh(keys[j][i] + query[i]);
        e[j] = sum;
      }
      softmax(e);
      Vec attended(2 * rnn_size(), 0.0);
      for (size_t j = 0; j < S; ++j)
        for (size_t i = 0; i < attended.size(); ++i) attended[i] += e[j] * context[j][i];
      // the second cell reads the context, from the first cell's state ("final": the candidate's
      // bias under the reset gate)
      s = cell("decoder_cell2", attended, s1, true);
      // the deep output: tanh(W0 · previous + W1 · state + W2 · context + biases), then logits
      Vec hidden = affine(previous, "decoder_ff_logit_l1_W0", "decoder_ff_logit_l1_b0");
      const Vec from_state = affine(s.h, "decoder_ff_logit_l1_W1", "decoder_ff_logit_l1_b1");
      const Vec from_context = affine(attended, "decoder_ff_logit_l1_W2", "decoder_ff_logit_l1_b2");
      for (size_t i = 0; i < hidden.size(); ++i)
        hidden[i] = std::tanh(hidden[i] + from_state[i] + from_context[i]);
      Vec logits = transposed_affine(hidden, "decoder_ff_logit_l2_Wt", "decoder_ff_logit_l2_b");
      softmax(logits);
      log_p += std::log(logits[static_cast<size_t>(y)]);
      previous = row("decoder_Wemb", y);
    }
    return log_p;
  }

 private:
  const NpyArray& array(const std::string& name) {
    auto it = arrays_.find(name);
    if (it == arrays_.end()) it = arrays_.emplace(name, npz_.array(name)).first;
    return it->second;
  }
  Vec param(const std::string& name) {
    const std::vector<float> f = npy_floats(array(name), name);
    return Vec(f.begin(), f.end());
  }
  size_t rnn_size() { return static_cast<size_t>(array("encoder_bi_U").shape[0]); }
  State zero_state() { return {Vec(rnn_size(), 0.0), lstm_ ? Vec(rnn_size(), 0.0) : Vec()}; }
  State cell(const std::string& p, const Vec& x, const State& s, bool final) {
    return lstm_ ? lstm(p, x, s) : State{gru(p, x, s.h, final), {}};
  }
  // Marian's LSTM: gates f, i, candidate, o from x W + h U + b; c = f ⊙ c + i ⊙ tanh(candidate),
  // h = o ⊙ tanh(c)
  State lstm(const std::string& p, const Vec& x, const State& s) {
    const Vec xw = affine(x, p + "_W", ""), hu = affine(s.h, p + "_U", "");
    const Vec b = param(p + "_b");
    const size_t H = s.h.size();
    const auto sigmoid = [](double v) { return 1 / (1 + std::exp(-v)); };
    State out{Vec(H), Vec(H)};
    for (size_t i = 0; i < H; ++i) {
      const double f = sigmoid(xw[i] + hu[i] + b[i]);
      const double in = sigmoid(xw[H + i] + hu[H + i] + b[H + i]);
      const double candidate = std::tanh(xw[2 * H + i] + hu[2 * H + i] + b[2 * H + i]);
      const double o = sigmoid(xw[3 * H + i] + hu[3 * H + i] + b[3 * H + i]);
      out.c[i] = f * s.c[i] + in * candidate;
      out.h[i] = o * std::tanh(out.c[i]);
    }
    return out;
  }
  size_t embedding_size() { return static_cast<size_t>(array("encoder_Wemb").shape[1]); }
  Vec row(const std::string& name, int r) {
    const Vec m = param(name);
    const size_t D = static_cast<size_t>(array(name).shape[1]);
    return Vec(m.begin() + static_cast<long>(r * D), m.begin() + static_cast<long>((r + 1) * D));
  }
  // x · W + b, W [I, J] (b empty: none)
  Vec affine(const Vec& x, const std::string& W, const std::string& b) {
    const Vec w = param(W);
    const size_t J = static_cast<size_t>(array(W).shape[1]);
    REQUIRE(w.size() == x.size() * J);
    Vec y = b.empty() ? Vec(J, 0.0) : param(b);
    for (size_t i = 0; i < x.size(); ++i)
      for (size_t j = 0; j < J; ++j) y[j] += x[i] * w[i * J + j];
    return y;
  }
  // x · W^T + b, W [J, I]
  Vec transposed_affine(const Vec& x, const std::string& W, const std::string& b) {
    const Vec w = param(W);
    const size_t J = static_cast<size_t>(array(W).shape[0]);
    Vec y = param(b);
    for (size_t j = 0; j < J; ++j)
      for (size_t i = 0; i < x.size(); ++i) y[j] += x[i] * w[j * x.size() + i];
    return y;
  }
  // Marian's GRU: gates r, z from [W | Wx] and [U | Ux] with biases [b | bx]; the candidate
  // tanh(x W_h + r ⊙ (h U_h) + b_h), or with `final` tanh(x W_h + r ⊙ (h U_h + b_h)); then
  // (1 - z) ⊙ candidate + z ⊙ h.
  Vec gru(const std::string& p, const Vec& x, const Vec& h, bool final) {
    const Vec xw = affine(x, p + "_W", ""), xwx = affine(x, p + "_Wx", "");
    const Vec hu = affine(h, p + "_U", ""), hux = affine(h, p + "_Ux", "");
    const Vec b = param(p + "_b"), bx = param(p + "_bx");
    const size_t H = h.size();
    Vec out(H);
    for (size_t i = 0; i < H; ++i) {
      const double r = 1 / (1 + std::exp(-(xw[i] + hu[i] + b[i])));
      const double z = 1 / (1 + std::exp(-(xw[H + i] + hu[H + i] + b[H + i])));
      const double candidate =
          final ? std::tanh(xwx[i] + r * (hux[i] + bx[i])) : std::tanh(xwx[i] + r * hux[i] + bx[i]);
      out[i] = (1 - z) * candidate + z * h[i];
    }
    return out;
  }
  static void softmax(Vec& v) {
    double m = v[0], sum = 0;
    for (const double x : v) m = std::max(m, x);
    for (double& x : v) sum += (x = std::exp(x - m));
    for (double& x : v) x /= sum;
  }

  NpzFile npz_;
  bool lstm_;
  std::map<std::string, NpyArray> arrays_;
};

}  // namespace

TEST_CASE("Marian's s2s models as read from its source give Marian's scores", "[convert]") {
  const std::string name = GENERATE("s2s-gru", "s2s-lstm");
  INFO(name);
  MarianS2S model(kMarian + name + ".npz", name == "s2s-lstm");
  const auto src = vocabulary(kMarian + "vocab.src.yml"),
             tgt = vocabulary(kMarian + "vocab.tgt.yml");
  const std::vector<std::string> sources = lines_of(kMarian + "test.src");
  const std::vector<std::string> nbest = lines_of(kMarian + name + ".nbest");
  REQUIRE(nbest.size() == 3 * sources.size());
  for (const std::string& line : nbest) {
    INFO(line);
    // "N ||| hypothesis ||| F0= score ||| score" (its default: no length normalisation)
    const size_t a = line.find(" ||| "), b = line.find(" ||| ", a + 5);
    const size_t c = line.rfind(" ||| ");
    const int n = std::stoi(line.substr(0, a));
    const std::string hypothesis = line.substr(a + 5, b - a - 5);
    const double score = std::stod(line.substr(c + 5));
    const double ours = model.log_probability(ids_of(sources.at(static_cast<size_t>(n)), src),
                                              ids_of(hypothesis, tgt));
    CHECK(ours == Approx(score).margin(1e-4));
  }
}
