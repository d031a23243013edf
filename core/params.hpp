#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace rnmt {

// One named parameter: a view into the set's single value and gradient arenas.
struct Param {
  std::string name;
  std::vector<int64_t> dims;
  size_t offset = 0;
  size_t size = 0;
  float* w = nullptr;  // value, valid after ParamSet::allocate()
  float* g = nullptr;  // gradient, same shape
};

// All parameters of a model. Layers register their parameters while they are built; allocate() then
// lays them out in one contiguous value arena and one gradient arena, so zeroing gradients,
// clipping and the optimizer are single passes over memory. `version()` changes whenever values
// change, so layers that keep reordered copies of weights (oneDNN's preferred layouts) know to
// refresh them.
class ParamSet {
 public:
  Param& add(const std::string& name, std::vector<int64_t> dims);
  // The arena size allocate() will make for the parameters added so far (total() once allocated).
  size_t planned_total() const;
  // Lays out the arenas; without gradients (inference) grads() and every Param::g are null.
  void allocate(bool with_gradients = true);
  // Instead of allocate(), for inference: the parameters are views into `owner`'s value arena,
  // which must have the same layout, and that arena lives as long as either set. Translation
  // workers of one model share their weights this way; nothing may write them while shared.
  void share_values_of(const ParamSet& owner);

  std::deque<Param>& params() { return params_; }
  const std::deque<Param>& params() const { return params_; }
  Param& find(const std::string& name);
  size_t total() const { return values_->size(); }
  float* values() { return values_->data(); }
  float* grads() { return grads_.data(); }
  const float* values() const { return values_->data(); }
  const float* grads() const { return grads_.data(); }

  void zero_grads() { grads_.zero(); }
  uint64_t version() const { return version_; }
  void touch() { ++version_; }  // call after changing values

 private:
  std::deque<Param> params_;  // deque: references stay valid as parameters are added
  std::shared_ptr<Tensor> values_ = std::make_shared<Tensor>();  // [planned_total()]
  Tensor grads_;                                                 // [planned_total()] or empty
  uint64_t version_ = 1;
  bool allocated_ = false;
};

}  // namespace rnmt
