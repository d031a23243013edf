// Arbitrary bytes as a token-id shard. The first byte picks a mode: odd, the fuzzer's bytes get the
// checksum their header must hold (so that mutations reach the size, index and id checks instead
// of stopping at the checksum); even, the bytes are read as they are. Properties: opening returns a
// shard or throws rnmt::Error naming the file, never a crash; a shard that opens reads every pair
// within its vocabularies, and ShardWriter writes its pairs back into exactly the same bytes (one
// shard, one way to write it).
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "fuzz/check.hpp"
#include "training/token_shard.hpp"

using namespace rnmt;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return std::move(s).str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) && bytes.size() >= 64) {
    uint64_t sum = archive_checksum(std::string_view(bytes).substr(64));
    sum = archive_checksum(std::string_view(bytes).substr(0, 56), sum);
    std::memcpy(bytes.data() + 56, &sum, 8);
  }
  static const std::string path = "/tmp/fuzz_token_shard_" + std::to_string(getpid()) + ".shard";
  static const std::string copy = path + ".again";
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  try {
    const MappedShard shard(path);
    ShardWriter again(copy, shard.src_vocab(), shard.tgt_vocab());
    Sentence src, tgt;
    for (int64_t i = 0; i < shard.pairs(); ++i) {
      shard.src(i, src);
      shard.tgt(i, tgt);
      for (const int32_t id : src) FUZZ_CHECK(id >= 0 && id < shard.src_vocab());
      for (const int32_t id : tgt) FUZZ_CHECK(id >= 0 && id < shard.tgt_vocab());
      again.add(src, tgt);
    }
    again.finish();
    FUZZ_CHECK(read_file(copy) == bytes);
  } catch (const Error& e) {
    FUZZ_CHECK(std::string(e.what()).find(path) != std::string::npos);
  }
  return 0;
}
