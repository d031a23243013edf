#pragma once
// Token-id shards: training pairs as token ids in files of their own format, read through a
// memory map, so that training holds in memory only the part of a corpus it is using.
//
// Layout (the machine's byte order; every rnmt target is little-endian):
//   [0, 64)        header: "RNMTSHRD", version u32, token_bytes u32 (2 or 4), pairs u64,
//                  tokens u64, src_vocab u64, tgt_vocab u64, reserved u64 (0), checksum u64
//   [64, ...)      tokens: token_bytes each, pair after pair (its source, then its target),
//                  zero-padded to a multiple of 4 bytes
//   index          u32 × (2 × pairs + 1): where each side starts among the tokens; the last is
//                  `tokens`
// The checksum is FNV-1a over 64 bits (core/archive.hpp) of the tokens with their padding, then the
// index, then the header's first 56 bytes. Ids take 2 bytes when both vocabularies have at most
// 65,536 entries (every id below 65,536), else 4; a shard holds fewer than 2^32 tokens.
#include <cstdint>
#include <string>
#include <vector>

#include "model/batch.hpp"

namespace rnmt {

// Writes one shard: to PATH.tmp while pairs come, renamed to PATH by finish() once the file is
// complete and on disk (fsync), so that a crash at any moment leaves no file named PATH that is not
// whole. Destroyed before finish(), it removes its temporary file. Errors name the file.
class ShardWriter {
 public:
  ShardWriter(std::string path, int64_t src_vocab, int64_t tgt_vocab);
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  void add(const Sentence& src, const Sentence& tgt);
  void finish();
  int64_t pairs() const { return static_cast<int64_t>((index_entries_ + index_.size()) / 2); }

 private:
  void put_tokens(const Sentence& ids, int64_t vocab);
  void flush();
  void flush_index();
  void write_all(int fd, const void* bytes, size_t size);

  std::string path_, temporary_;
  int fd_ = -1;
  int index_fd_ = -1;  // the index so far, in an unlinked file (appended to the shard by finish())
  uint64_t index_entries_ = 0;  // entries in that file
  int64_t src_vocab_, tgt_vocab_;
  uint32_t token_bytes_;
  uint64_t tokens_ = 0;
  uint64_t checksum_;
  std::vector<uint32_t> index_;  // where each side starts, not yet in the index file
  std::vector<char> buffer_;     // tokens not yet written
};

// A shard's pair count from its header alone (the whole file is checked when it is opened); an
// Error naming the file when it is not a shard.
int64_t shard_pair_count(const std::string& path);

// How much of a shard opening it reads: `whole` (the checksum and every id: the whole file, whose
// pages are then handed back to the kernel), or `structure` (the header, the size and the index;
// ids are checked as pairs are read). Training checks every shard whole once when it starts; its
// windows, and every MPI rank, then read only the index and their own pairs.
enum class ShardCheck { whole, structure };

// One shard, mapped read-only. Anything wrong is an Error naming the file ("shard 'P' is damaged:
// ..."), on opening or when a pair with an id outside its vocabulary is read.
class MappedShard {
 public:
  explicit MappedShard(const std::string& path, ShardCheck check = ShardCheck::whole);
  ~MappedShard();
  MappedShard(MappedShard&& other) noexcept;
  MappedShard(const MappedShard&) = delete;
  MappedShard& operator=(const MappedShard&) = delete;
  MappedShard& operator=(MappedShard&&) = delete;

  int64_t pairs() const { return static_cast<int64_t>(pairs_); }
  int64_t tokens() const { return static_cast<int64_t>(tokens_); }
  int64_t src_vocab() const { return static_cast<int64_t>(src_vocab_); }
  int64_t tgt_vocab() const { return static_cast<int64_t>(tgt_vocab_); }
  int64_t src_length(int64_t pair) const { return side_length(2 * pair); }
  int64_t tgt_length(int64_t pair) const { return side_length(2 * pair + 1); }
  // Pair `pair`'s sides into `out` (replacing what it held).
  void src(int64_t pair, Sentence& out) const { side(2 * pair, out); }
  void tgt(int64_t pair, Sentence& out) const { side(2 * pair + 1, out); }

 private:
  // side 2i is pair i's source, 2i + 1 its target
  int64_t side_length(int64_t s) const { return static_cast<int64_t>(index_[s + 1] - index_[s]); }
  void side(int64_t s, Sentence& out) const;

  std::string path_;
  const unsigned char* bytes_ = nullptr;
  size_t size_ = 0;
  uint32_t token_bytes_ = 2;
  uint64_t pairs_ = 0, tokens_ = 0, src_vocab_ = 0, tgt_vocab_ = 0;
  const unsigned char* token_data_ = nullptr;
  const uint32_t* index_ = nullptr;  // [2 × pairs + 1]
};

}  // namespace rnmt
