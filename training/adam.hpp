#pragma once
#include <cstdint>

#include "core/params.hpp"
#include "core/tensor.hpp"

namespace rnmt {

struct AdamOptions {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
};

// Adam (Kingma & Ba) with bias correction, as PyTorch's torch.optim.Adam computes it, over the
// whole parameter arena in one pass. `grad_scale` multiplies every gradient first (the clipping
// factor), so clipping costs no extra pass over memory.
class Adam {
 public:
  explicit Adam(AdamOptions options = {}) : options_(options) {}
  void step(ParamSet& params, float lr, float grad_scale = 1.0f);
  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }
  Tensor& first_moment() { return m_; }
  Tensor& second_moment() { return v_; }
  const Tensor& first_moment() const { return m_; }
  const Tensor& second_moment() const { return v_; }

 private:
  AdamOptions options_;
  Tensor m_, v_;  // [parameters] first and second moments
  int64_t steps_ = 0;
};

}  // namespace rnmt
