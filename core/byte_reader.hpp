#pragma once
// Binary sections written and read field by field (a model file's shortlist, its int8 weights):
// values appended to a string, and read back in order with every read checked against what is
// left.
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.hpp"

namespace rnmt {

template <class T>
void append_values(std::string& out, const T* values, size_t count) {
  out.append(reinterpret_cast<const char*>(values), count * sizeof(T));
}

// Reads `bytes` from the front; a read past their end is an Error with the `truncated` message.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string truncated)
      : bytes_(bytes), truncated_(std::move(truncated)) {}
  void take(void* to, size_t size) {
    if (size == 0) return;  // (an empty vector's data() may be null: no memcpy from it)
    if (left() < size) throw Error(truncated_);
    std::memcpy(to, bytes_.data() + at_, size);
    at_ += size;
  }
  size_t left() const { return bytes_.size() - at_; }

 private:
  std::string_view bytes_;
  std::string truncated_;
  size_t at_ = 0;
};

}  // namespace rnmt
