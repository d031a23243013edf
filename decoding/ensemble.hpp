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

  // The size of the vocabulary steps score: the target vocabulary, or the shortlist's.
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
  // Seq2Seq::start for every member: one row per sentence; `compute` is the encoders' arithmetic.
  void start(ComputeType compute = ComputeType::f32);
  Step step(const int32_t* tokens, ComputeType compute);
  // DecoderState::select for every member.
  void select(const std::vector<int32_t>& from);

  // Search with a lexical shortlist (shortlist/shortlist.hpp): from now on every member's steps
  // score the target pieces `ids` alone (ascending, the four specials first, so that </s> and the
  // others keep their ids), and step() takes tokens, and gives scores, in that list's index space;
  // full_id() maps an index back. Empty: the whole vocabulary. Call it before start().
  void restrict_output(std::vector<int32_t> ids);
  bool restricted() const { return !vocabulary_.empty(); }
  const std::vector<int32_t>& output_vocabulary() const { return vocabulary_; }
  int32_t full_id(int32_t index) const {
    return restricted() ? vocabulary_[static_cast<size_t>(index)] : index;
  }

 private:
  std::vector<EnsembleMember> members_;
  std::vector<DecoderState> states_;       // one per member
  std::vector<const float*> step_logits_;  // [members] each one's logits [padded rows, V]
  int64_t vocab_ = 0;
  std::vector<int32_t> vocabulary_;     // the shortlist's target ids (empty: none)
  std::vector<int32_t> member_tokens_;  // [rows] a step's tokens as target ids, with a shortlist
};

}  // namespace rnmt
