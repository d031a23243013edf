#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace rnmt {

// A float buffer aligned for SIMD with a shape. Resizing only allocates when the new size exceeds
// the capacity, so a layer that resizes its buffers every batch allocates only on the first
// batches.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::initializer_list<int64_t> dims) { resize(dims); }
  explicit Tensor(const std::vector<int64_t>& dims) { resize(dims); }
  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;

  void resize(const std::vector<int64_t>& dims);
  void resize(std::initializer_list<int64_t> dims) { resize(std::vector<int64_t>(dims)); }
  void zero();

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t size() const { return size_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  int64_t dim(size_t i) const { return dims_.at(i); }
  float& operator[](size_t i) { return data_.get()[i]; }
  float operator[](size_t i) const { return data_.get()[i]; }

 private:
  struct Free {
    void operator()(float* p) const;
  };
  std::unique_ptr<float[], Free> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  std::vector<int64_t> dims_;
};

}  // namespace rnmt
