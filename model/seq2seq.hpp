#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "attention/attention.hpp"
#include "core/packed_matmul.hpp"
#include "core/params.hpp"
#include "core/profiler.hpp"
#include "core/rng.hpp"
#include "decoder/bridge.hpp"
#include "decoder/conditional_decoder.hpp"
#include "decoder/decoder.hpp"
#include "encoder/encoder.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/output_loss.hpp"
#include "model/batch.hpp"
#include "model/decoder_state.hpp"
#include "model/model_config.hpp"

namespace rnmt {

// The encoder-decoder: embeddings -> bidirectional LSTM encoder -> bridge -> LSTM/GRU decoder
// (teacher forced) -> attention -> output layer with label-smoothed cross-entropy. Every part has
// an explicit backward pass; forward keeps what backward needs.
class Seq2Seq {
  Seq2Seq(const ModelConfig& config, uint64_t seed, bool trainable,
          std::optional<size_t> expected_weights = {}, const ParamSet* shared = nullptr);

 public:
  // A network to train: weights initialised from the seed (core/init.hpp), gradients allocated.
  Seq2Seq(const ModelConfig& config, uint64_t seed);
  // A network that only searches: weights left at zero for the caller to fill (from a model file
  // or another network) and no gradient arena (forward/backward for training must not be used).
  // Random initialisation of the benchmark model takes longer than reading its file, and its
  // gradients would be 60 MB that search never touches.
  // With expected_weights (a model file's count), a network of another size is an Error before any
  // memory is taken for it: a damaged or forged recipe cannot ask for terabytes.
  static std::unique_ptr<Seq2Seq> for_inference(const ModelConfig& config,
                                                std::optional<size_t> expected_weights = {});
  // Another network for inference over the same weights (not copied): translation workers each
  // have their own buffers and primitive caches, and one copy of the weights between them.
  static std::unique_ptr<Seq2Seq> sharing_weights_of(const Seq2Seq& owner);

  const ModelConfig& config() const { return config_; }
  ParamSet& params() { return params_; }
  Rng& dropout_rng() { return dropout_rng_; }
  const Rng& dropout_rng() const { return dropout_rng_; }
  const ParamSet& params() const { return params_; }
  void set_profiler(Profiler* profiler);
  // The arithmetic of forward and backward (training, validation loss): f32, or bf16 products and
  // recurrent layers (bf16 operands, f32 accumulation) with f32 weights, gradients, softmax and
  // loss; the small bridge stays f32. bf16 needs bf16_supported() (an Error otherwise). Set it
  // before the first forward. Search takes its arithmetic per call (start, step).
  void set_training_compute(ComputeType compute);
  ComputeType training_compute() const { return training_compute_; }

  // Summed loss over the batch's target tokens; keeps activations for backward.
  LossStats forward(const Batch& batch, bool training);
  // Accumulates the gradients of scale · (summed loss) into params(). `done`, when given, hears
  // each component's name (the parameter names' first part: "output", "decoder", "encoder", ...)
  // once its gradients are final, so that data-parallel training can send them early.
  using GradientsDone = std::function<void(std::string_view component)>;
  void backward(const Batch& batch, float scale, const GradientsDone& done = {});

  // Decoding, driven by the search strategies in decoding/. start() encodes the batch's source
  // side (its target side is ignored) and makes `state` hold one row per sentence before the first
  // output token. step() advances every live row by one token: tokens [state.rows] (each row's
  // previous output, kBos at first) -> the logits of each row's next token and the attention
  // weights of this step, both valid until the next step. Logits, not log-probabilities: the
  // strategies need only the best few tokens and one normaliser per row, and normalising all of a
  // step's logits would be a pass over [rows, vocab] that greedy and beam search do not need.
  struct StepOutput {
    // [state.padded_rows, tgt_vocab (or the shortlist's size)]; rows past state.rows are padding.
    // Writable: the caller may process them in place (repetition penalties and the like) until
    // the next step.
    float* logits;
    const float* attention;  // [state.padded_rows, source length of the batch]; null with none
  };
  // `compute` is the encoder's arithmetic (the steps take theirs each).
  void start(const Batch& batch, DecoderState& state, ComputeType compute = ComputeType::f32);
  // A lexical shortlist for the steps that follow: their logits are [padded rows, ids.size()], of
  // the target pieces `ids` (ascending) alone; empty: the whole vocabulary
  // (OutputLayer::restrict_to).
  void restrict_output(const std::vector<int32_t>& ids) { output_.restrict_to(ids); }
  StepOutput step(DecoderState& state, const int32_t* tokens,
                  ComputeType compute = ComputeType::f32);

  // Probabilities [T·N, vocab] of the last forward (rows of padding targets are not normalised).
  const Tensor& output_probabilities() const { return output_.probs; }

  const Encoder& encoder() const { return encoder_; }
  // The recurrent stacks, for inspection (recording their calls).
  Encoder& encoder() { return encoder_; }
  Decoder& decoder() { return decoder_; }  // no layers with a conditional decoder
  ConditionalDecoder* conditional_decoder() { return conditional_.get(); }  // or null
  const Attention& attention() const { return attention_; }

 private:
  // Embeddings, encoder, bridge; for_backward = false (search) runs inference primitives.
  void encode(const Batch& b, bool training, bool for_backward = true,
              ComputeType compute = ComputeType::f32);
  // int8: the first recurrent layers' input bounds, from the embeddings, once per weight version.
  void prepare_int8();
  uint64_t int8_version_ = 0;
  void forward_input_feeding(int64_t T, int64_t N, bool training);
  void backward_input_feeding(int64_t T, int64_t N);
  // The conditional decoders (model/seq2seq_conditional.cpp): the steps and the deep output layer
  // from the target embeddings into att_, their backward from d_out_in_ into d_tgt_emb_, and one
  // search step for rows embedded in step_in_ into state.attentional.
  void forward_conditional(int64_t T, int64_t N);
  void backward_conditional(int64_t T, int64_t N);
  void step_conditional(DecoderState& state, ComputeType compute);
  // What the output layer reads: the attentional vectors, or a dropped-out copy when training.
  const float* output_input() const { return out_dropout_.active() ? out_in_.data() : att_.data(); }

  ModelConfig config_;
  ParamSet params_;
  Rng dropout_rng_;
  Embedding src_embed_, tgt_embed_;
  Encoder encoder_;
  Bridge bridge_;
  Decoder decoder_;
  std::unique_ptr<ConditionalDecoder> conditional_;  // clstm, cgru (decoder_ then has no layers)
  Attention attention_;
  // clstm, cgru: the deep output layer, tanh(W [previous embedding; s; context] + b), of the
  // embedding's size
  std::unique_ptr<Linear> deep_output_;
  OutputLayer output_;
  Dropout src_dropout_, tgt_dropout_, out_dropout_, feed_dropout_;
  Profiler* profiler_ = nullptr;
  ComputeType training_compute_ = ComputeType::f32;
  int part_embed_ = 0, part_encoder_ = 0, part_decoder_ = 0, part_attention_ = 0, part_output_ = 0,
      part_bridge_ = 0;

  // Training (E embedding, H decoder hidden, F decoder input = E or E + H with input feeding):
  Tensor src_emb_;  // [S, N, E]
  Tensor tgt_emb_;  // [T, N, E]
  Tensor dec_in_;   // [T, N, F] with input feeding
  // O = output_input_size(config), M = 2 · encoder hidden (the attention's context):
  Tensor att_;                      // [T, N, O] attentional vectors (or the deep output's)
  Tensor out_in_;                   // [T, N, O] att_ through dropout (when active)
  Tensor d_out_in_;                 // [T, N, O]
  Tensor d_dec_out_;                // [T, N, H] (input feeding, conditional: one step's [N, H])
  Tensor d_dec_in_;                 // [N, F] one step's, with input feeding
  Tensor d_tgt_emb_;                // [T, N, E]
  Tensor d_src_emb_;                // [S, N, E]
  Tensor d_final_;                  // [N, 2 · encoder hidden]
  Tensor d_feed_, d_att_t_;         // [N, H] input feeding's carries
  Tensor context_;                  // [T, N, M] conditional: the contexts
  Tensor deep_in_, d_deep_in_;      // [T, N, E + H + M] conditional: [embedding; s; context]
  Tensor d_deep_pre_;               // [T, N, E] the gradient before the deep output's tanh
  Tensor d_context_t_, d_query_t_;  // [N, M], [N, H] conditional: one step's
  // Decoding (P = state.padded_rows, V target vocabulary):
  std::vector<int32_t> step_tokens_;  // [P]
  Tensor step_in_;                    // [P, F]
  Tensor step_logits_;                // [P, V]
  Tensor step_h1_, step_c1_;          // [P, H] conditional: the first cell's states
  Tensor step_context_;               // [P, M] conditional
  Tensor step_deep_in_;               // [P, E + H + M] conditional
};

}  // namespace rnmt
