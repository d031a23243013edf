#pragma once
#include <cstdint>
#include <vector>

#include "core/packed_matmul.hpp"
#include "model/batch.hpp"
#include "model/decoder_state.hpp"
#include "model/seq2seq.hpp"

namespace rnmt {

// One network of an ensemble, with the batch as it reads it: members may tokenize the source
// differently, but their batches hold the same sentences in the same order.
struct EnsembleMember {
  Seq2Seq* network;
  const Batch* batch;
  double weight = 1.0;
};

// What search and scoring decode with: one network, or several whose log-probabilities combine
// at every step into sum_k weight_k · log p_k (Marian's ensembles; no renormalisation, so a
// hypothesis scores exactly the weighted sum of its members' scores). The first member's batch
// gives the source lengths (length limits) and its attention the alignments, as in Marian.
//
// One network alone is not combined at all: its steps hand on its logits as they are.
class Ensemble {
 public:
  // The members must share the target vocabulary and hold the same sentences (else an Error).
  explicit Ensemble(std::vector<EnsembleMember> members);
  Ensemble(Seq2Seq& network, const Batch& batch);

  int64_t target_vocab() const { return vocab_; }
  bool has_attention() const;
  const Batch& batch() const { return *members_.front().batch; }

  // What a step gives search: per row, scores [padded rows, V] whose log Σ exp is the row's
  // normaliser (one network's logits), or, when `log_probabilities`, the combined
  // log-probabilities themselves (an ensemble's); writable until the next step, as logits are.
  struct Step {
    float* scores;
    const float* attention;  // the first member's [padded rows, batch().S]; null with none
    bool log_probabilities;
  };
  // Seq2Seq::start for every member: one row per sentence.
  void start();
  Step step(const int32_t* tokens, ComputeType compute);
  // DecoderState::select for every member.
  void select(const std::vector<int32_t>& from);

 private:
  std::vector<EnsembleMember> members_;
  std::vector<DecoderState> states_;       // one per member
  std::vector<const float*> step_logits_;  // [members] each one's logits [padded rows, V]
  int64_t vocab_ = 0;
};

}  // namespace rnmt
