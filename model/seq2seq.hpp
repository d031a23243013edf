#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "attention/attention.hpp"
#include "core/params.hpp"
#include "core/profiler.hpp"
#include "core/rng.hpp"
#include "decoder/bridge.hpp"
#include "decoder/decoder.hpp"
#include "encoder/encoder.hpp"
#include "layers/dropout.hpp"
#include "layers/embedding.hpp"
#include "layers/output_loss.hpp"
#include "model/batch.hpp"
#include "model/search.hpp"

namespace rnmt {

// Everything that fixes the network's shape and regularisation.
struct ModelConfig {
  int64_t src_vocab = 0;
  int64_t tgt_vocab = 0;
  int64_t embedding = 256;  // source and target embedding size
  int64_t encoder_layers = 1;
  int64_t encoder_hidden = 512;  // per direction
  Cell decoder_cell = Cell::lstm;
  int64_t decoder_layers = 1;
  int64_t decoder_hidden = 512;
  bool input_feeding = false;  // Luong: previous attentional vector joins the next input
  AttentionType attention = AttentionType::general;
  float dropout = 0.0f;          // embeddings, between layers, before the output layer
  bool tied_embeddings = false;  // output weights = target embeddings (needs hidden == embedding)
  float label_smoothing = 0.0f;
};

// The encoder-decoder: embeddings -> bidirectional LSTM encoder -> bridge -> LSTM/GRU decoder
// (teacher forced) -> attention -> output layer with label-smoothed cross-entropy. Every part has
// an explicit backward pass; forward keeps what backward needs.
class Seq2Seq {
  Seq2Seq(const ModelConfig& config, uint64_t seed, bool trainable,
          std::optional<size_t> expected_weights = {});

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

  const ModelConfig& config() const { return config_; }
  ParamSet& params() { return params_; }
  Rng& dropout_rng() { return dropout_rng_; }
  const Rng& dropout_rng() const { return dropout_rng_; }
  const ParamSet& params() const { return params_; }
  void set_profiler(Profiler* profiler);

  // Summed loss over the batch's target tokens; keeps activations for backward.
  LossStats forward(const Batch& batch, bool training);
  // Accumulates the gradients of scale · (summed loss) into params().
  void backward(const Batch& batch, float scale);

  // Decodes the batch's source side (its target side is ignored): all live hypotheses of all
  // sentences advance together, one decoder step per output position, and a sentence leaves the
  // batch once it is done. A sentence is done when it has `beam` finished hypotheses (ending in
  // </s>), none alive, or reaches its length limit (where live ones finish as they stand). Returns
  // each sentence's n_best finished hypotheses, best first.
  std::vector<std::vector<Hypothesis>> search(const Batch& batch, const SearchOptions& options);
  // The best hypothesis' tokens of search(): greedy (beam 1) and beam search.
  std::vector<Sentence> greedy(const Batch& batch, double max_length_ratio);
  std::vector<Sentence> beam_search(const Batch& batch, int64_t beam, double alpha,
                                    double max_length_ratio);
  // Probabilities [T·N, vocab] of the last forward (rows of padding targets are not normalised).
  const Tensor& output_probabilities() const { return output_.probs; }

  const Encoder& encoder() const { return encoder_; }
  const Attention& attention() const { return attention_; }

 private:
  // Embeddings, encoder, bridge; for_backward = false (search) runs inference primitives.
  void encode(const Batch& b, bool training, bool for_backward = true);
  static std::vector<int64_t> output_limits(const Batch& b, double max_length_ratio);
  void forward_input_feeding(int64_t T, int64_t N, bool training);
  void backward_input_feeding(int64_t T, int64_t N);
  // What the output layer reads: the attentional vectors, or a dropped-out copy when training.
  const float* output_input() const { return out_dropout_.active() ? out_in_.data() : att_.data(); }

  ModelConfig config_;
  ParamSet params_;
  Rng dropout_rng_;
  Embedding src_embed_, tgt_embed_;
  Encoder encoder_;
  Bridge bridge_;
  Decoder decoder_;
  Attention attention_;
  OutputLayer output_;
  Dropout src_dropout_, tgt_dropout_, out_dropout_, feed_dropout_;
  Profiler* profiler_ = nullptr;
  int part_embed_ = 0, part_encoder_ = 0, part_decoder_ = 0, part_attention_ = 0, part_output_ = 0,
      part_bridge_ = 0;

  Tensor src_emb_, tgt_emb_, dec_in_, att_, out_in_;
  Tensor search_in_, search_feed_, search_feed_next_, search_logits_;
  Tensor d_out_in_, d_dec_out_, d_dec_in_, d_tgt_emb_, d_src_emb_, d_final_, d_feed_, d_att_t_;
};

}  // namespace rnmt
