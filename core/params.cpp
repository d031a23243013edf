#include "core/params.hpp"

#include "core/error.hpp"

namespace rnmt {

Param& ParamSet::add(const std::string& name, std::vector<int64_t> dims) {
  if (allocated_) throw Error("parameter '" + name + "' added after allocation");
  for (const auto& p : params_) {
    if (p.name == name) throw Error("parameter '" + name + "' registered twice");
  }
  Param p;
  p.name = name;
  p.size = 1;
  // Sizes come from recipes and model files: refuse what cannot be a real tensor before any
  // product can overflow (2^40 floats is 4 TiB).
  constexpr size_t kLimit = size_t{1} << 40;
  for (int64_t d : dims) {
    if (d <= 0 || static_cast<size_t>(d) > kLimit / p.size)
      throw Error("parameter '" + name + "' has an impossible shape");
    p.size *= static_cast<size_t>(d);
  }
  p.dims = std::move(dims);
  params_.push_back(std::move(p));
  return params_.back();
}

size_t ParamSet::planned_total() const {
  size_t total = 0;
  for (const auto& p : params_) total += (p.size + 15) / 16 * 16;
  return total;
}

void ParamSet::allocate(bool with_gradients) {
  // Each parameter starts on a 64-byte boundary (16 floats) so every view is SIMD-aligned.
  size_t total = 0;
  for (auto& p : params_) {
    p.offset = total;
    total += (p.size + 15) / 16 * 16;
  }
  values_->resize({static_cast<int64_t>(total)});
  values_->zero();
  if (with_gradients) {
    grads_.resize({static_cast<int64_t>(total)});
    grads_.zero();
  }
  for (auto& p : params_) {
    p.w = values_->data() + p.offset;
    p.g = with_gradients ? grads_.data() + p.offset : nullptr;
  }
  allocated_ = true;
  touch();
}

void ParamSet::share_values_of(const ParamSet& owner) {
  if (allocated_) throw Error("parameters shared after allocation");
  if (!owner.allocated_ || owner.params_.size() != params_.size() ||
      owner.total() != planned_total())
    throw Error("parameters can only be shared between networks of the same shape");
  values_ = owner.values_;
  auto from = owner.params_.begin();
  for (auto& p : params_) {
    if (p.name != from->name || p.size != from->size)
      throw Error("parameters can only be shared between networks of the same shape");
    p.offset = from->offset;
    p.w = values_->data() + p.offset;
    p.g = nullptr;
    ++from;
  }
  allocated_ = true;
  touch();
}

Param& ParamSet::find(const std::string& name) {
  for (auto& p : params_) {
    if (p.name == name) return p;
  }
  throw Error("no parameter named '" + name + "'");
}

}  // namespace rnmt
