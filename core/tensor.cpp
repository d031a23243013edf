#include "core/tensor.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace rnmt {

namespace {
constexpr size_t kAlignment = 64;  // one cache line, one AVX-512 register
}

void Tensor::Free::operator()(float* p) const {
  std::free(p);
}

Tensor::Tensor(const Tensor& other) {
  *this = other;
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  resize(other.dims_);
  if (size_) std::memcpy(data(), other.data(), size_ * sizeof(float));
  return *this;
}

void Tensor::resize(const std::vector<int64_t>& dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  if (n > capacity_) {
    size_t bytes = (n * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment;
    auto* p = static_cast<float*>(std::aligned_alloc(kAlignment, bytes));
    if (!p) throw std::bad_alloc();
    data_.reset(p);
    capacity_ = n;
  }
  size_ = n;
  dims_ = dims;
}

void Tensor::zero() {
  if (size_) std::memset(data(), 0, size_ * sizeof(float));
}

}  // namespace rnmt
