#include "model/seq2seq.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <tuple>

#include "core/error.hpp"

namespace rnmt {
namespace {

ModelConfig checked(const ModelConfig& c) {
  if (c.src_vocab <= kEos + 1 || c.tgt_vocab <= kEos + 1)
    throw Error("vocabularies must hold more than the 4 special tokens");
  if (c.embedding <= 0 || c.encoder_hidden <= 0 || c.decoder_hidden <= 0 || c.encoder_layers <= 0 ||
      c.decoder_layers <= 0) {
    throw Error("model sizes and layer counts must be positive");
  }
  if (c.dropout < 0 || c.dropout >= 1) throw Error("dropout must be in [0, 1)");
  if (c.label_smoothing < 0 || c.label_smoothing >= 1)
    throw Error("label_smoothing must be in [0, 1)");
  if (c.tied_embeddings && c.decoder_hidden != c.embedding) {
    throw Error("tied_embeddings needs decoder hidden (" + std::to_string(c.decoder_hidden) +
                ") == embedding (" + std::to_string(c.embedding) + ")");
  }
  return c;
}

}  // namespace

Seq2Seq::Seq2Seq(const ModelConfig& config, uint64_t seed)
    : config_(checked(config)),
      dropout_rng_(seed ^ 0x5eedf00dull),
      src_embed_(params_, "src_embedding", config.src_vocab, config.embedding),
      tgt_embed_(params_, "tgt_embedding", config.tgt_vocab, config.embedding),
      encoder_(params_, "encoder", config.embedding, config.encoder_hidden, config.encoder_layers,
               config.dropout),
      bridge_(params_, "bridge", 2 * config.encoder_hidden, config.decoder_hidden,
              config.decoder_layers, config.decoder_cell),
      decoder_(params_, "decoder", config.decoder_cell,
               config.embedding + (config.input_feeding ? config.decoder_hidden : 0),
               config.decoder_hidden, config.decoder_layers, config.dropout),
      attention_(params_, "attention", config.attention, config.decoder_hidden,
                 2 * config.encoder_hidden),
      output_(params_, "output", config.decoder_hidden, config.tgt_vocab,
              config.tied_embeddings ? tgt_embed_.table : nullptr),
      src_dropout_{config.dropout, {}},
      tgt_dropout_{config.dropout, {}},
      out_dropout_{config.dropout, {}},
      feed_dropout_{config.dropout, {}} {
  params_.allocate();
  Rng rng(seed);
  src_embed_.init(rng);
  tgt_embed_.init(rng);
  encoder_.init(rng);
  bridge_.init(rng);
  decoder_.init(rng);
  attention_.init(rng);
  output_.init(rng, !config.tied_embeddings);
  params_.touch();
}

void Seq2Seq::set_profiler(Profiler* profiler) {
  profiler_ = profiler;
  if (!profiler) return;
  part_embed_ = profiler->part("embeddings + dropout");
  part_encoder_ = profiler->part("encoder (biLSTM)");
  part_bridge_ = profiler->part("bridge");
  part_decoder_ = profiler->part("decoder RNN");
  part_attention_ = profiler->part("attention");
  part_output_ = profiler->part("output layer + softmax/CE");
}

void Seq2Seq::encode(const Batch& b, bool training) {
  const int64_t S = b.S, N = b.N, E = config_.embedding;
  {
    ProfileScope scope(profiler_, part_embed_);
    src_emb_.resize({S, N, E});
    src_embed_.forward(b.src.data(), S * N, src_emb_.data());
    src_dropout_.forward(src_emb_.data(), S * N * E, dropout_rng_, training);
  }
  {
    ProfileScope scope(profiler_, part_encoder_);
    encoder_.forward(S, N, src_emb_.data(), b.src_lengths.data(), dropout_rng_, training);
  }
  ProfileScope scope(profiler_, part_bridge_);
  bridge_.forward(N, encoder_.final_state().data());
}

LossStats Seq2Seq::forward(const Batch& b, bool training) {
  const int64_t S = b.S, N = b.N, T = b.T, E = config_.embedding, H = config_.decoder_hidden;
  encode(b, training);
  {
    ProfileScope scope(profiler_, part_embed_);
    tgt_emb_.resize({T, N, E});
    tgt_embed_.forward(b.tgt_in.data(), T * N, tgt_emb_.data());
    tgt_dropout_.forward(tgt_emb_.data(), T * N * E, dropout_rng_, training);
  }
  {
    ProfileScope scope(profiler_, part_attention_);
    attention_.begin(S, N, T, encoder_.memory().data(), b.src_lengths.data());
  }
  att_.resize({T, N, H});
  decoder_.begin(T, N, bridge_.h0(0), bridge_.c0(0), dropout_rng_, training, config_.input_feeding);
  if (config_.input_feeding) {
    forward_input_feeding(T, N, training);
  } else {
    {
      ProfileScope scope(profiler_, part_decoder_);
      decoder_.forward(tgt_emb_.data());
    }
    ProfileScope scope(profiler_, part_attention_);
    attention_.forward(0, T, decoder_.output(), att_.data());
  }
  ProfileScope scope(profiler_, part_output_);
  out_dropout_.sample(T * N * H, dropout_rng_, training);
  if (out_dropout_.active()) {
    out_in_ = att_;
    out_dropout_.apply(out_in_.data(), T * N * H);
  }
  return output_.forward(output_input(), T * N, b.tgt_out.data(), config_.label_smoothing);
}

// Input feeding: step t's decoder input is [embedding_t ; dropout(attentional vector_{t-1})].
void Seq2Seq::forward_input_feeding(int64_t T, int64_t N, bool training) {
  const int64_t E = config_.embedding, H = config_.decoder_hidden, F = E + H;
  dec_in_.resize({T, N, F});
  feed_dropout_.sample(T * N * H, dropout_rng_, training);
  for (int64_t t = 0; t < T; ++t) {
    float* in = dec_in_.data() + t * N * F;
    for (int64_t n = 0; n < N; ++n) {
      std::memcpy(in + n * F, tgt_emb_.data() + (t * N + n) * E,
                  sizeof(float) * static_cast<size_t>(E));
      if (t == 0) {
        std::memset(in + n * F + E, 0, sizeof(float) * static_cast<size_t>(H));
      } else {
        std::memcpy(in + n * F + E, att_.data() + ((t - 1) * N + n) * H,
                    sizeof(float) * static_cast<size_t>(H));
      }
    }
    if (t > 0 && feed_dropout_.active()) {
      for (int64_t n = 0; n < N; ++n) feed_dropout_.apply(in + n * F + E, H, ((t - 1) * N + n) * H);
    }
    {
      ProfileScope scope(profiler_, part_decoder_);
      decoder_.forward_step(t, in);
    }
    ProfileScope scope(profiler_, part_attention_);
    attention_.forward(t, 1, decoder_.output() + t * N * H, att_.data() + t * N * H);
  }
}

// The longest output each sentence may get: ceil(ratio · source length) + 10 tokens.
std::vector<int64_t> Seq2Seq::output_limits(const Batch& b, double max_length_ratio) {
  std::vector<int64_t> limit(static_cast<size_t>(b.N));
  for (int64_t n = 0; n < b.N; ++n) {
    limit[static_cast<size_t>(n)] =
        static_cast<int64_t>(std::ceil(max_length_ratio * b.src_lengths[static_cast<size_t>(n)])) +
        10;
  }
  return limit;
}

// Decoding step t's input for `rows` rows: the embedding of each row's previous token, and with
// input feeding the row's attentional vector from step t-1 (zero at t = 0).
const float* Seq2Seq::step_input(int64_t t, int64_t rows, const std::vector<int32_t>& previous) {
  const int64_t E = config_.embedding, H = config_.decoder_hidden;
  const int64_t F = E + (config_.input_feeding ? H : 0);
  float* in = dec_in_.data() + t * rows * F;
  for (int64_t r = 0; r < rows; ++r) {
    tgt_embed_.forward(&previous[static_cast<size_t>(r)], 1, in + r * F);
    if (!config_.input_feeding) continue;
    float* feed = in + r * F + E;
    if (t == 0) {
      std::fill(feed, feed + H, 0.0f);
    } else {
      std::memcpy(feed, att_.data() + ((t - 1) * rows + r) * H,
                  sizeof(float) * static_cast<size_t>(H));
    }
  }
  return in;
}

std::vector<Sentence> Seq2Seq::greedy(const Batch& b, double max_length_ratio) {
  const int64_t S = b.S, N = b.N, E = config_.embedding, H = config_.decoder_hidden,
                V = config_.tgt_vocab;
  const int64_t F = E + (config_.input_feeding ? H : 0);
  const std::vector<int64_t> limit = output_limits(b, max_length_ratio);
  const int64_t L = *std::max_element(limit.begin(), limit.end()) + 1;  // + 1: room for </s>
  encode(b, false);
  attention_.begin(S, N, L, encoder_.memory().data(), b.src_lengths.data());
  decoder_.begin(L, N, bridge_.h0(0), bridge_.c0(0), dropout_rng_, false, true);
  att_.resize({L, N, H});
  dec_in_.resize({L, N, F});
  logits_.resize({N, V});
  std::vector<int32_t> previous(static_cast<size_t>(N), kBos);
  std::vector<Sentence> out(static_cast<size_t>(N));
  std::vector<bool> done(static_cast<size_t>(N), false);
  int64_t remaining = N;
  for (int64_t t = 0; t < L && remaining > 0; ++t) {
    decoder_.forward_step(t, step_input(t, N, previous));
    attention_.forward(t, 1, decoder_.output() + t * N * H, att_.data() + t * N * H);
    output_.logits(att_.data() + t * N * H, N, logits_.data());
    for (int64_t n = 0; n < N; ++n) {
      if (done[static_cast<size_t>(n)]) continue;
      const float* z = logits_.data() + n * V;
      const auto best = static_cast<int32_t>(std::max_element(z, z + V) - z);
      auto& sentence = out[static_cast<size_t>(n)];
      if (best == kEos || static_cast<int64_t>(sentence.size()) >= limit[static_cast<size_t>(n)]) {
        done[static_cast<size_t>(n)] = true;
        --remaining;
      } else {
        sentence.push_back(best);
        previous[static_cast<size_t>(n)] = best;
      }
    }
  }
  return out;
}

std::vector<Sentence> Seq2Seq::beam_search(const Batch& b, int64_t K, double alpha,
                                           double max_length_ratio) {
  const int64_t S = b.S, N = b.N, E = config_.embedding, H = config_.decoder_hidden,
                V = config_.tgt_vocab, M = 2 * config_.encoder_hidden, R = N * K;
  const int64_t F = E + (config_.input_feeding ? H : 0);
  const int64_t L_layers = config_.decoder_layers;
  const std::vector<int64_t> limit = output_limits(b, max_length_ratio);
  const int64_t L = *std::max_element(limit.begin(), limit.end()) + 1;  // + 1: room for </s>
  encode(b, false);
  // Every sentence's memory, lengths and initial states repeated for its K beams (row n·K + k).
  beam_memory_.resize({S, R, M});
  for (int64_t s = 0; s < S; ++s) {
    for (int64_t r = 0; r < R; ++r) {
      std::memcpy(beam_memory_.data() + (s * R + r) * M,
                  encoder_.memory().data() + (s * N + r / K) * M,
                  sizeof(float) * static_cast<size_t>(M));
    }
  }
  beam_lengths_.resize(static_cast<size_t>(R));
  for (int64_t r = 0; r < R; ++r)
    beam_lengths_[static_cast<size_t>(r)] = b.src_lengths[static_cast<size_t>(r / K)];
  beam_h0_.resize({L_layers, R, H});
  beam_c0_.resize({L_layers, R, H});
  for (int64_t l = 0; l < L_layers; ++l) {
    for (int64_t r = 0; r < R; ++r) {
      std::memcpy(beam_h0_.data() + (l * R + r) * H, bridge_.h0(l) + (r / K) * H,
                  sizeof(float) * static_cast<size_t>(H));
      if (bridge_.has_c())
        std::memcpy(beam_c0_.data() + (l * R + r) * H, bridge_.c0(l) + (r / K) * H,
                    sizeof(float) * static_cast<size_t>(H));
    }
  }
  attention_.begin(S, R, L, beam_memory_.data(), beam_lengths_.data());
  decoder_.begin(L, R, beam_h0_.data(), bridge_.has_c() ? beam_c0_.data() : nullptr, dropout_rng_,
                 false, true);
  att_.resize({L, R, H});
  dec_in_.resize({L, R, F});
  logits_.resize({R, V});

  constexpr double kDead = -1e30;
  std::vector<double> score(static_cast<size_t>(R), kDead);  // running log-probabilities
  for (int64_t n = 0; n < N; ++n) score[static_cast<size_t>(n * K)] = 0;  // one live beam at first
  std::vector<Sentence> history(static_cast<size_t>(R));
  std::vector<int32_t> previous(static_cast<size_t>(R), kBos);
  struct Finished {
    double normalized;
    Sentence tokens;
  };
  std::vector<std::vector<Finished>> finished(static_cast<size_t>(N));
  std::vector<bool> done(static_cast<size_t>(N), false);
  std::vector<int32_t> from(static_cast<size_t>(R));
  std::vector<double> logp(static_cast<size_t>(V));
  for (int64_t t = 0; t < L; ++t) {
    decoder_.forward_step(t, step_input(t, R, previous));
    attention_.forward(t, 1, decoder_.output() + t * R * H, att_.data() + t * R * H);
    output_.logits(att_.data() + t * R * H, R, logits_.data());
    std::vector<double> new_score(static_cast<size_t>(R), kDead);
    std::vector<Sentence> new_history(static_cast<size_t>(R));
    for (int64_t n = 0; n < N; ++n) {
      if (done[static_cast<size_t>(n)]) continue;
      // candidates (score, beam, token) over the sentence's live beams, best first
      std::vector<std::tuple<double, int64_t, int32_t>> candidates;
      for (int64_t k = 0; k < K; ++k) {
        const int64_t r = n * K + k;
        if (score[static_cast<size_t>(r)] <= kDead) continue;
        const float* z = logits_.data() + r * V;
        const double max = *std::max_element(z, z + V);
        double sum = 0;
        for (int64_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(z[v]) - max);
        const double lse = max + std::log(sum);
        for (int64_t v = 0; v < V; ++v) logp[static_cast<size_t>(v)] = z[v] - lse;
        // only the 2K best tokens of a beam can matter
        std::vector<int32_t> ids(static_cast<size_t>(V));
        std::iota(ids.begin(), ids.end(), 0);
        const auto top = std::min<int64_t>(2 * K, V);
        std::partial_sort(ids.begin(), ids.begin() + top, ids.end(), [&](int32_t a, int32_t c) {
          return logp[static_cast<size_t>(a)] > logp[static_cast<size_t>(c)];
        });
        for (int64_t i = 0; i < top; ++i) {
          const int32_t v = ids[static_cast<size_t>(i)];
          candidates.emplace_back(score[static_cast<size_t>(r)] + logp[static_cast<size_t>(v)], k,
                                  v);
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& c) {
        return std::get<0>(a) > std::get<0>(c);
      });
      const bool at_limit = t + 1 > limit[static_cast<size_t>(n)];
      int64_t filled = 0;
      for (const auto& [s, k, v] : candidates) {
        if (filled == K) break;
        const int64_t r = n * K + k;
        if (v == kEos || at_limit) {
          // a finished hypothesis: its length counts </s>; past the limit it ends where it stands
          const Sentence& h = history[static_cast<size_t>(r)];
          const double length = static_cast<double>(h.size() + 1);
          finished[static_cast<size_t>(n)].push_back(
              {(v == kEos ? s : score[static_cast<size_t>(r)]) / std::pow(length, alpha), h});
          if (at_limit) break;
          continue;
        }
        const int64_t target = n * K + filled;
        new_score[static_cast<size_t>(target)] = s;
        new_history[static_cast<size_t>(target)] = history[static_cast<size_t>(r)];
        new_history[static_cast<size_t>(target)].push_back(v);
        from[static_cast<size_t>(target)] = static_cast<int32_t>(r);
        ++filled;
      }
      for (int64_t k = filled; k < K; ++k)
        from[static_cast<size_t>(n * K + k)] = static_cast<int32_t>(n * K);
      // A sentence is done when it has K finished hypotheses, none alive, or reached its limit.
      if (static_cast<int64_t>(finished[static_cast<size_t>(n)].size()) >= K || filled == 0 ||
          at_limit) {
        done[static_cast<size_t>(n)] = true;
      }
    }
    for (int64_t n = 0; n < N; ++n) {
      if (done[static_cast<size_t>(n)]) {
        for (int64_t k = 0; k < K; ++k)
          from[static_cast<size_t>(n * K + k)] = static_cast<int32_t>(n * K + k);
      }
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    score = std::move(new_score);
    history = std::move(new_history);
    for (int64_t r = 0; r < R; ++r) {
      if (!history[static_cast<size_t>(r)].empty())
        previous[static_cast<size_t>(r)] = history[static_cast<size_t>(r)].back();
    }
    // continue the chosen beams: their decoder states and attentional vectors move into place
    decoder_.reorder_step(t, from);
    beam_scratch_.resize({R, H});
    for (int64_t r = 0; r < R; ++r) {
      std::memcpy(beam_scratch_.data() + r * H,
                  att_.data() + (t * R + from[static_cast<size_t>(r)]) * H,
                  sizeof(float) * static_cast<size_t>(H));
    }
    std::memcpy(att_.data() + t * R * H, beam_scratch_.data(),
                sizeof(float) * static_cast<size_t>(R * H));
  }
  std::vector<Sentence> out(static_cast<size_t>(N));
  for (int64_t n = 0; n < N; ++n) {
    const auto& f = finished[static_cast<size_t>(n)];
    if (f.empty()) continue;
    out[static_cast<size_t>(n)] =
        std::max_element(f.begin(), f.end(), [](const auto& a, const auto& c) {
          return a.normalized < c.normalized;
        })->tokens;
  }
  return out;
}

void Seq2Seq::backward(const Batch& b, float scale) {
  const int64_t S = b.S, N = b.N, T = b.T, E = config_.embedding, H = config_.decoder_hidden;
  {
    ProfileScope scope(profiler_, part_output_);
    d_out_in_.resize({T, N, H});
    output_.backward(output_input(), T * N, b.tgt_out.data(), config_.label_smoothing, scale,
                     d_out_in_.data());
    out_dropout_.backward(d_out_in_.data(), T * N * H);
  }
  d_tgt_emb_.resize({T, N, E});
  if (config_.input_feeding) {
    backward_input_feeding(T, N);
  } else {
    d_dec_out_.resize({T, N, H});
    {
      ProfileScope scope(profiler_, part_attention_);
      attention_.backward(0, T, d_out_in_.data(), d_dec_out_.data());
    }
    ProfileScope scope(profiler_, part_decoder_);
    decoder_.backward(d_dec_out_.data(), d_tgt_emb_.data());
  }
  const Tensor* d_memory;
  {
    ProfileScope scope(profiler_, part_attention_);
    d_memory = &attention_.finish_backward();
  }
  {
    ProfileScope scope(profiler_, part_bridge_);
    d_final_.resize({N, 2 * config_.encoder_hidden});
    bridge_.backward(encoder_.final_state().data(), decoder_.d_h0(),
                     bridge_.has_c() ? decoder_.d_c0() : nullptr, d_final_.data());
  }
  d_src_emb_.resize({S, N, E});
  {
    ProfileScope scope(profiler_, part_encoder_);
    encoder_.backward(d_memory->data(), d_final_.data(), d_src_emb_.data());
  }
  ProfileScope scope(profiler_, part_embed_);
  src_dropout_.backward(d_src_emb_.data(), S * N * E);
  src_embed_.backward(b.src.data(), S * N, d_src_emb_.data());
  tgt_dropout_.backward(d_tgt_emb_.data(), T * N * E);
  tgt_embed_.backward(b.tgt_in.data(), T * N, d_tgt_emb_.data());
}

void Seq2Seq::backward_input_feeding(int64_t T, int64_t N) {
  const int64_t E = config_.embedding, H = config_.decoder_hidden, F = E + H;
  d_feed_.resize({N, H});  // gradient reaching attentional vector t from step t+1's input
  d_feed_.zero();
  d_att_t_.resize({N, H});
  d_dec_out_.resize({N, H});
  d_dec_in_.resize({N, F});
  for (int64_t t = T - 1; t >= 0; --t) {
    float* d_att = d_att_t_.data();
    const float* d_out = d_out_in_.data() + t * N * H;
    for (int64_t i = 0; i < N * H; ++i) d_att[i] = d_out[i] + d_feed_[static_cast<size_t>(i)];
    {
      ProfileScope scope(profiler_, part_attention_);
      attention_.backward(t, 1, d_att, d_dec_out_.data());
    }
    {
      ProfileScope scope(profiler_, part_decoder_);
      decoder_.backward_step(t, d_dec_out_.data(), d_dec_in_.data());
    }
    for (int64_t n = 0; n < N; ++n) {
      const float* d_in = d_dec_in_.data() + n * F;
      std::memcpy(d_tgt_emb_.data() + (t * N + n) * E, d_in,
                  sizeof(float) * static_cast<size_t>(E));
      std::memcpy(d_feed_.data() + n * H, d_in + E, sizeof(float) * static_cast<size_t>(H));
    }
    if (t > 0) feed_dropout_.backward(d_feed_.data(), N * H, (t - 1) * N * H);
  }
}

}  // namespace rnmt
