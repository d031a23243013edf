#include "model/seq2seq.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <tuple>

#include "core/denormals.hpp"
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
  const bool conditional = is_conditional(c.decoder_cell);
  if (conditional && c.decoder_layers != 1)
    throw Error("model.decoder.layers: the conditional cells (clstm, cgru) are one layer");
  if (conditional && c.input_feeding)
    throw Error(
        "model.decoder.input_feeding: the conditional cells (clstm, cgru) feed the "
        "context to their second cell instead");
  if (conditional && c.attention == AttentionType::none)
    throw Error("model.attention: the conditional cells (clstm, cgru) need an attention");
  if (conditional && copies_states(c.bridge))
    throw Error(
        "model.decoder.bridge: the conditional cells (clstm, cgru) start from tanh or mean");
  if (copies_states(c.bridge) &&
      (c.decoder_layers != c.encoder_layers || c.decoder_hidden != 2 * c.encoder_hidden ||
       rnn_cell(c.decoder_cell) != c.encoder_cell)) {
    throw Error(
        "model.decoder.bridge: copy needs a decoder with the encoder's cell, its layer count "
        "and twice its hidden size (both directions)");
  }
  if (c.tied_embeddings && output_input_size(c) != c.embedding) {
    throw Error("tied_embeddings needs decoder hidden (" + std::to_string(c.decoder_hidden) +
                ") == embedding (" + std::to_string(c.embedding) + ")");
  }
  return c;
}

}  // namespace

Seq2Seq::Seq2Seq(const ModelConfig& config, uint64_t seed) : Seq2Seq(config, seed, true) {}

std::unique_ptr<Seq2Seq> Seq2Seq::for_inference(const ModelConfig& config,
                                                std::optional<size_t> expected_weights) {
  return std::unique_ptr<Seq2Seq>(new Seq2Seq(config, 1, false, expected_weights));
}

std::unique_ptr<Seq2Seq> Seq2Seq::sharing_weights_of(const Seq2Seq& owner) {
  return std::unique_ptr<Seq2Seq>(new Seq2Seq(owner.config_, 1, false, {}, &owner.params_));
}

Seq2Seq::Seq2Seq(const ModelConfig& config, uint64_t seed, bool trainable,
                 std::optional<size_t> expected_weights, const ParamSet* shared)
    : config_(checked(config)),
      dropout_rng_(seed ^ 0x5eedf00dull),
      src_embed_(params_, "src_embedding", config.src_vocab, config.embedding),
      tgt_embed_(params_, "tgt_embedding", config.tgt_vocab, config.embedding),
      encoder_(params_, "encoder", config.embedding, config.encoder_hidden, config.encoder_layers,
               static_cast<float>(config.dropout), copies_states(config.bridge),
               config.encoder_cell),
      bridge_(params_, "bridge", 2 * config.encoder_hidden, config.decoder_hidden,
              config.decoder_layers, rnn_cell(config.decoder_cell), config.bridge),
      decoder_(params_, "decoder", rnn_cell(config.decoder_cell),
               config.embedding + (config.input_feeding ? config.decoder_hidden : 0),
               config.decoder_hidden,
               is_conditional(config.decoder_cell) ? 0 : config.decoder_layers,
               static_cast<float>(config.dropout)),
      conditional_(is_conditional(config.decoder_cell)
                       ? std::make_unique<ConditionalDecoder>(
                             params_, "decoder", rnn_cell(config.decoder_cell), config.embedding,
                             2 * config.encoder_hidden, config.decoder_hidden)
                       : nullptr),
      attention_(
          params_, "attention", config.attention, config.decoder_hidden, 2 * config.encoder_hidden,
          is_conditional(config.decoder_cell) ? AttentionOutput::context : config.attention_output,
          // the conditional decoders score with as many units as the context has (Marian's),
          // Luong's with the decoder's (OpenNMT-py's mlp attention)
          is_conditional(config.decoder_cell) ? 2 * config.encoder_hidden : 0),
      deep_output_(is_conditional(config.decoder_cell)
                       ? std::make_unique<Linear>(
                             params_, "deep_output",
                             config.embedding + config.decoder_hidden + 2 * config.encoder_hidden,
                             config.embedding, true)
                       : nullptr),
      output_(params_, "output", output_input_size(config), config.tgt_vocab,
              config.tied_embeddings ? tgt_embed_.table : nullptr),
      src_dropout_{static_cast<float>(config.dropout), {}},
      tgt_dropout_{static_cast<float>(config.dropout), {}},
      out_dropout_{static_cast<float>(config.dropout), {}},
      feed_dropout_{static_cast<float>(config.dropout), {}} {
  if (expected_weights && *expected_weights != params_.planned_total()) {
    throw Error("the file holds " + std::to_string(*expected_weights) +
                " weights, but its recipe describes a network of " +
                std::to_string(params_.planned_total()));
  }
  if (shared) {
    params_.share_values_of(*shared);
    return;
  }
  params_.allocate(/*with_gradients=*/trainable);
  if (!trainable) return;
  if (copies_states(config.bridge))
    throw Error("model.decoder.bridge: " + std::string(enum_name(kBridgeTypeNames, config.bridge)) +
                " is for converted models: rnmt translates with it but does not train it (use "
                "tanh)");
  Rng rng(seed);
  src_embed_.init(rng);
  tgt_embed_.init(rng, config.tied_embeddings);
  encoder_.init(rng);
  bridge_.init(rng);
  decoder_.init(rng);
  if (conditional_) conditional_->init(rng);
  attention_.init(rng);
  if (deep_output_) deep_output_->init(rng);
  output_.init(rng, !config.tied_embeddings);
  params_.touch();
}

void Seq2Seq::set_training_compute(ComputeType compute) {
  if (compute == ComputeType::int8) throw Error("rnmt does not train in int8");
  if (compute == ComputeType::bf16 && !bf16_supported()) throw Error(kBf16Unsupported);
  training_compute_ = compute;
  encoder_.set_training_compute(compute);
  decoder_.set_training_compute(compute);
  if (conditional_) conditional_->set_training_compute(compute);
  attention_.set_training_compute(compute);
  if (deep_output_) deep_output_->training_compute = compute;
  output_.training_compute = compute;
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

void Seq2Seq::prepare_int8() {
  if (int8_version_ == params_.version()) return;
  const auto largest = [](const Param& table) {
    float m = 0;
    for (size_t i = 0; i < table.size; ++i) m = std::max(m, std::fabs(table.w[i]));
    return m;
  };
  encoder_.set_int8_input_bound(largest(*src_embed_.table));
  if (conditional_) {
    conditional_->first().set_int8_input_bound(largest(*tgt_embed_.table));
    // the second cell reads contexts, averages of the encoder's states (within 1)
    conditional_->second().set_int8_input_bound(1.0f);
  } else {
    // with input feeding the attentional vectors (tanh: within 1) join the embeddings
    decoder_.set_int8_input_bound(largest(*tgt_embed_.table));
  }
  int8_version_ = params_.version();
}

void Seq2Seq::encode(const Batch& b, bool training, bool for_backward, ComputeType compute) {
  const int64_t S = b.S, N = b.N, E = config_.embedding;
  {
    ProfileScope scope(profiler_, part_embed_);
    src_emb_.resize({S, N, E});
    src_embed_.forward(b.src.data(), S * N, src_emb_.data());
    src_dropout_.forward(src_emb_.data(), S * N * E, dropout_rng_, training);
  }
  {
    ProfileScope scope(profiler_, part_encoder_);
    if (for_backward) {
      encoder_.forward(S, N, src_emb_.data(), b.src_lengths.data(), dropout_rng_, training);
    } else {
      encoder_.forward_inference(S, N, src_emb_.data(), b.src_lengths.data(), compute);
    }
  }
  ProfileScope scope(profiler_, part_bridge_);
  if (copies_states(config_.bridge)) {
    bridge_.copy(N, encoder_.layer_final_h().data(), encoder_.layer_final_c().data());
  } else if (config_.bridge == BridgeType::mean) {
    bridge_.forward_mean(N, encoder_.memory().data(), b.src_lengths.data());
  } else {
    bridge_.forward(N, encoder_.final_state().data());
  }
}

LossStats Seq2Seq::forward(const Batch& b, bool training) {
  flush_denormals_to_zero();  // for this step's threads (core/denormals.hpp)
  const int64_t S = b.S, N = b.N, T = b.T, E = config_.embedding, O = output_input_size(config_);
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
  att_.resize({T, N, O});
  if (conditional_) {
    forward_conditional(T, N);
  } else {
    decoder_.begin(T, N, bridge_.h0(0), bridge_.c0(0), dropout_rng_, training,
                   config_.input_feeding);
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
  }
  ProfileScope scope(profiler_, part_output_);
  out_dropout_.sample(T * N * O, dropout_rng_, training);
  if (out_dropout_.active()) {
    out_in_ = att_;
    out_dropout_.apply(out_in_.data(), T * N * O);
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

void Seq2Seq::start(const Batch& b, DecoderState& state, ComputeType compute) {
  flush_denormals_to_zero();  // for this search's threads (core/denormals.hpp)
  const int64_t N = b.N, L = config_.decoder_layers, H = config_.decoder_hidden;
  if (compute == ComputeType::int8) prepare_int8();
  encode(b, false, /*for_backward=*/false, compute);
  attention_.begin_inference(b.S, N, encoder_.memory().data(), b.src_lengths.data());
  state.layers = L;
  state.hidden = H;
  state.input_feeding = config_.input_feeding;
  state.rows = state.padded_rows = N;
  state.h.resize({L, N, H});
  std::memcpy(state.h.data(), bridge_.h0(0), sizeof(float) * state.h.size());
  if (bridge_.has_c()) {
    state.c.resize({L, N, H});
    std::memcpy(state.c.data(), bridge_.c0(0), sizeof(float) * state.c.size());
  } else {
    state.c.resize({0});
  }
  state.attentional.resize({N, output_input_size(config_)});
  state.attentional.zero();  // nothing attended before the first step
  state.sentence.resize(static_cast<size_t>(N));
  std::iota(state.sentence.begin(), state.sentence.end(), 0);
  std::vector<int32_t> every_row(static_cast<size_t>(N));
  std::iota(every_row.begin(), every_row.end(), 0);
  state.select(every_row);  // pads
}

Seq2Seq::StepOutput Seq2Seq::step(DecoderState& state, const int32_t* tokens, ComputeType compute) {
  const int64_t P = state.padded_rows, L = config_.decoder_layers, E = config_.embedding,
                H = config_.decoder_hidden, V = output_.output_size();
  const bool feeding = config_.input_feeding, lstm = bridge_.has_c();
  const int64_t F = E + (feeding ? H : 0);
  step_tokens_.assign(static_cast<size_t>(P), kPad);
  std::copy(tokens, tokens + state.rows, step_tokens_.begin());
  step_in_.resize({P, F});
  tgt_embed_.forward(step_tokens_.data(), P, step_in_.data(), F);
  if (conditional_) {
    step_conditional(state, compute);
  } else {
    if (feeding) {
      for (int64_t r = 0; r < P; ++r) {
        std::memcpy(step_in_.data() + r * F + E, state.attentional.data() + r * H,
                    sizeof(float) * static_cast<size_t>(H));
      }
    }
    state.next_h.resize({L, P, H});
    if (lstm) state.next_c.resize({L, P, H});
    decoder_.forward_inference(P, step_in_.data(), state.h.data(), lstm ? state.c.data() : nullptr,
                               state.next_h.data(), lstm ? state.next_c.data() : nullptr, compute);
    std::swap(state.h, state.next_h);
    if (lstm) std::swap(state.c, state.next_c);
    state.attentional.resize({P, H});
    attention_.forward_inference(P, state.h.data() + (L - 1) * P * H, state.sentence.data(),
                                 state.attentional.data(), params_.version(), compute);
  }
  step_logits_.resize({P, V});
  output_.forward_inference(state.attentional.data(), P, step_logits_.data(), params_.version(),
                            compute);
  return {step_logits_.data(),
          config_.attention == AttentionType::none ? nullptr : attention_.row_weights().data()};
}

void Seq2Seq::backward(const Batch& b, float scale, const GradientsDone& done) {
  auto finished = [&](std::string_view component) {
    if (done) done(component);
  };
  const int64_t S = b.S, N = b.N, T = b.T, E = config_.embedding, H = config_.decoder_hidden,
                O = output_input_size(config_);
  {
    ProfileScope scope(profiler_, part_output_);
    d_out_in_.resize({T, N, O});
    output_.backward(output_input(), T * N, b.tgt_out.data(), config_.label_smoothing, scale,
                     d_out_in_.data());
    out_dropout_.backward(d_out_in_.data(), T * N * O);
  }
  finished("output");  // with tied embeddings its weight is the target embedding, finished last
  d_tgt_emb_.resize({T, N, E});
  if (conditional_) {
    backward_conditional(T, N);
    finished("deep_output");
  } else if (config_.input_feeding) {
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
  Tensor* d_memory;
  {
    ProfileScope scope(profiler_, part_attention_);
    d_memory = &attention_.finish_backward();
  }
  finished("decoder");
  finished("attention");
  {
    ProfileScope scope(profiler_, part_bridge_);
    d_final_.resize({N, 2 * config_.encoder_hidden});
    const float* dh0 = conditional_ ? conditional_->d_h0() : decoder_.d_h0();
    const float* dc0 = !bridge_.has_c() ? nullptr
                       : conditional_   ? conditional_->d_c0()
                                        : decoder_.d_c0();
    if (config_.bridge == BridgeType::mean) {
      d_final_.zero();  // the mean reads every output, not the final states
      bridge_.backward_mean(dh0, dc0, d_memory->data());
    } else {
      bridge_.backward(dh0, dc0, d_final_.data());
    }
  }
  finished("bridge");
  d_src_emb_.resize({S, N, E});
  {
    ProfileScope scope(profiler_, part_encoder_);
    encoder_.backward(d_memory->data(), d_final_.data(), d_src_emb_.data());
  }
  finished("encoder");
  {
    ProfileScope scope(profiler_, part_embed_);
    src_dropout_.backward(d_src_emb_.data(), S * N * E);
    src_embed_.backward(b.src.data(), S * N, d_src_emb_.data());
    tgt_dropout_.backward(d_tgt_emb_.data(), T * N * E);
    tgt_embed_.backward(b.tgt_in.data(), T * N, d_tgt_emb_.data());
  }
  finished("src_embedding");
  finished("tgt_embedding");
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
