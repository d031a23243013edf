#include "decoding/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "decoding/search_steps.hpp"

namespace rnmt {

Ensemble::Ensemble(std::vector<EnsembleMember> members) : members_(std::move(members)) {
  if (members_.empty()) throw Error("an ensemble needs at least one network");
  vocab_ = members_.front().network->config().tgt_vocab;
  for (size_t k = 0; k < members_.size(); ++k) {
    const EnsembleMember& m = members_[k];
    // a network keeps its step's logits and encoder memory: one network cannot be two members
    for (size_t j = 0; j < k; ++j) {
      if (members_[j].network == m.network)
        throw Error(
            "an ensemble's members must be distinct networks (Seq2Seq::sharing_weights_of "
            "makes another over the same weights)");
    }
    if (m.network->config().tgt_vocab != vocab_)
      throw Error("the networks of an ensemble must share one target vocabulary");
    if (m.batch->N != batch().N)
      throw Error("the networks of an ensemble must read the same sentences");
    if (!std::isfinite(m.weight)) throw Error("ensemble weights must be finite numbers");
  }
  states_.resize(members_.size());
  // networks are reused from batch to batch: no shortlist of an earlier one stays
  for (auto& m : members_) m.network->restrict_output({});
}

void Ensemble::restrict_output(std::vector<int32_t> ids) {
  const int64_t full = members_.front().network->config().tgt_vocab;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= full || (i > 0 && ids[i] <= ids[i - 1]))
      throw Error("a shortlist must hold ascending ids of the target vocabulary");
  }
  if (!ids.empty() && (ids.size() <= static_cast<size_t>(kEos) || ids[kEos] != kEos))
    throw Error("a shortlist must hold the special tokens");
  vocabulary_ = std::move(ids);
  vocab_ = restricted() ? static_cast<int64_t>(vocabulary_.size()) : full;
  for (auto& m : members_) m.network->restrict_output(vocabulary_);
}

Ensemble::Ensemble(Seq2Seq& network, const Batch& batch)
    : Ensemble(std::vector<EnsembleMember>{{&network, &batch, 1.0}}) {}

bool Ensemble::has_attention() const {
  return members_.front().network->config().attention != AttentionType::none;
}

void Ensemble::start(ComputeType compute) {
  for (size_t k = 0; k < members_.size(); ++k)
    members_[k].network->start(*members_[k].batch, states_[k], compute);
}

void Ensemble::select(const std::vector<int32_t>& from) {
  for (auto& state : states_) state.select(from);
}

Ensemble::Step Ensemble::step(const int32_t* tokens, ComputeType compute) {
  if (restricted()) {  // the networks read target ids
    const auto rows = static_cast<size_t>(states_.front().rows);
    member_tokens_.resize(rows);
    for (size_t r = 0; r < rows; ++r) member_tokens_[r] = full_id(tokens[r]);
    tokens = member_tokens_.data();
  }
  const Seq2Seq::StepOutput first =
      members_.front().network->step(states_.front(), tokens, compute);
  if (members_.size() == 1) return {first.logits, first.attention, false};
  std::vector<const float*>& logits = step_logits_;
  logits.assign(1, first.logits);
  for (size_t k = 1; k < members_.size(); ++k)
    logits.push_back(members_[k].network->step(states_[k], tokens, compute).logits);
  const int64_t rows = states_.front().rows, V = vocab_, M = static_cast<int64_t>(members_.size());
  float* combined = first.logits;  // written in place, row by row, once all of a row is read
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    thread_local std::vector<float> normalizer;  // [members] log Σ exp of the row's logits
    normalizer.resize(static_cast<size_t>(M));
    for (int64_t k = 0; k < M; ++k) {
      const float* z = logits[static_cast<size_t>(k)] + r * V;
      float max = z[0];
#pragma omp simd reduction(max : max)
      for (int64_t v = 1; v < V; ++v) max = std::max(max, z[v]);
      normalizer[static_cast<size_t>(k)] = log_sum_exp(z, V, max);
    }
    float* out = combined + r * V;
    const auto w0 = static_cast<float>(members_.front().weight);
    const float n0 = normalizer[0];
#pragma omp simd
    for (int64_t v = 0; v < V; ++v) out[v] = w0 * (out[v] - n0);
    for (int64_t k = 1; k < M; ++k) {
      const float* z = logits[static_cast<size_t>(k)] + r * V;
      const auto w = static_cast<float>(members_[static_cast<size_t>(k)].weight);
      const float n = normalizer[static_cast<size_t>(k)];
#pragma omp simd
      for (int64_t v = 0; v < V; ++v) out[v] += w * (z[v] - n);
    }
  }
  return {combined, first.attention, true};
}

}  // namespace rnmt
