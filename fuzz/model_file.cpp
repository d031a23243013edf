// Arbitrary bytes as a model file. The first byte picks a mode: odd, the fuzzer's bytes get a valid
// checksum written over their last 8 (so that mutations reach the section parser, the embedded
// recipe and tokenizers and the weight check instead of stopping at the checksum); even, the bytes
// are read as they are. Properties: loading returns a model or throws rnmt::Error naming the file,
// never a crash and never a huge allocation from a forged size (libFuzzer's malloc limit); a model
// that loads has exactly the weights its file holds, value for value (bit for bit; int8 ones
// quantise back to the bytes they came from). The seeds include a file with a shortlist and one
// with int8 weights.
#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "fuzz/check.hpp"
#include "model_file/model_file.hpp"
#include "model_file/quantized_weights.hpp"
#include "model_file/weights.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) && bytes.size() >= 8) {
    const uint64_t sum = archive_checksum(std::string_view(bytes).substr(0, bytes.size() - 8));
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  }
  try {
    const Archive archive = parse_archive(bytes, "fuzz.rnmt", kModelFileTag, kModelFileVersion);
    const LoadedModel m = load_model(archive, "fuzz.rnmt");
    // int8 weights (rnmt quantize) load as their dequantised values, which quantise back to them
    const auto quantized = archive.sections.find(kQuantizedWeightsSection);
    if (quantized != archive.sections.end()) {
      FUZZ_CHECK(quantized_weight_bytes(m.network->params()) == quantized->second);
    } else {
      FUZZ_CHECK(weight_bytes(m.network->params()) == archive.get(kWeightsSection));
    }
  } catch (const Error& e) {
    FUZZ_CHECK(std::string(e.what()).find("fuzz.rnmt") != std::string::npos);
  }
  return 0;
}
