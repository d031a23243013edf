#pragma once
// IEEE half precision (float16) to float32, for the files other programs save in it (torch's
// HalfStorage, numpy's f2): sign, 5 exponent bits (bias 15), 10 fraction bits.
#include <cstdint>
#include <cstring>

namespace rnmt {

inline float float16_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (fraction << 13);  // infinity, NaN
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (fraction << 13);
  } else {  // zero or subnormal: fraction * 2^-24
    float v = static_cast<float>(fraction) * 5.9604644775390625e-8f;
    std::memcpy(&bits, &v, sizeof bits);
    bits |= sign;
  }
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

}  // namespace rnmt
