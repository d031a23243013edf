// Arbitrary bytes as one .npy array of a numpy .npz file (Marian's models). Properties: the reader
// returns an array or an rnmt::Error, never anything else; an array's bytes are exactly its shape's
// elements, and its floats (for a floating-point type) one per element.
#include <cstdint>
#include <string>

#include "convert/npz.hpp"
#include "core/error.hpp"
#include "fuzz/check.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  NpyArray array;
  try {
    array = read_npy(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.npy");
  } catch (const Error&) {
    return 0;
  }
  size_t elements = 1;
  for (const int64_t n : array.shape) {
    FUZZ_CHECK(n >= 0);
    elements *= static_cast<size_t>(n);
  }
  FUZZ_CHECK(!array.type.empty());
  FUZZ_CHECK(elements == 0 || array.data.size() % elements == 0);
  try {
    const std::vector<float> floats = npy_floats(array, "fuzz.npy");
    FUZZ_CHECK(floats.size() == elements);
  } catch (const Error&) {
    FUZZ_CHECK(array.type[0] != 'f' ||
               (array.type != "f2" && array.type != "f4" && array.type != "f8"));
  }
  return 0;
}
