#include "training/token_shard.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

#include "core/archive.hpp"
#include "core/crash_point.hpp"
#include "core/error.hpp"

namespace rnmt {
namespace {

constexpr char kMagic[8] = {'R', 'N', 'M', 'T', 'S', 'H', 'R', 'D'};
constexpr uint32_t kVersion = 1;
// Bytes of ids and of index a writer gathers before writing them: prepare writes every shard of a
// corpus at once (line i to shard i mod S), so a writer's memory is kept small and bounded.
constexpr size_t kFlushBytes = size_t{64} << 10;
constexpr size_t kIndexFlushEntries = size_t{16} << 10;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t token_bytes;
  uint64_t pairs, tokens, src_vocab, tgt_vocab, reserved, checksum;
};
static_assert(sizeof(Header) == 64);
constexpr size_t kChecksummedHeader = offsetof(Header, checksum);

// Bytes of `tokens` ids, padded to a multiple of 4 (the index after them is u32-aligned).
uint64_t token_region(uint64_t tokens, uint32_t token_bytes) {
  return (tokens * token_bytes + 3) / 4 * 4;
}

// Ids are int32_t: a vocabulary has at most 2^31 entries (and at least one).
constexpr uint64_t kMaxVocab = uint64_t{1} << 31;
bool vocab_fits(uint64_t vocab) {
  return vocab >= 1 && vocab <= kMaxVocab;
}

std::string_view view(const void* bytes, size_t size) {
  return {static_cast<const char*>(bytes), size};
}

}  // namespace

// ------------------------------------------------------------------------------------ writing

ShardWriter::ShardWriter(std::string path, int64_t src_vocab, int64_t tgt_vocab)
    : path_(std::move(path)),
      temporary_(path_ + ".tmp"),
      src_vocab_(src_vocab),
      tgt_vocab_(tgt_vocab),
      token_bytes_(src_vocab <= 65536 && tgt_vocab <= 65536 ? 2 : 4),
      checksum_(kChecksumStart) {
  // (a negative size becomes one above 2^63)
  if (!vocab_fits(static_cast<uint64_t>(src_vocab)) ||
      !vocab_fits(static_cast<uint64_t>(tgt_vocab)))
    throw Error("shard '" + path_ + "': vocabularies of " + std::to_string(src_vocab) + " and " +
                std::to_string(tgt_vocab) + " entries (each must have 1 to 2^31)");
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot write shard '" + temporary_ + "': " + std::strerror(errno));
  // The index goes to a file of its own until finish() appends it: in memory it would take 8
  // bytes a pair, for every shard being written. Unlinked at once, it leaves nothing behind.
  const std::string index_path = path_ + ".index.tmp";
  index_fd_ = ::open(index_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (index_fd_ < 0) {
    const int error = errno;
    ::close(fd_);
    ::unlink(temporary_.c_str());
    throw Error("cannot write shard index '" + index_path + "': " + std::strerror(error));
  }
  ::unlink(index_path.c_str());
  const Header placeholder{};  // the real one goes in last, when the counts are known
  write_all(fd_, &placeholder, sizeof placeholder);
  buffer_.reserve(kFlushBytes + 4096);
  index_.reserve(kIndexFlushEntries + 2);
}

ShardWriter::~ShardWriter() {
  if (index_fd_ >= 0) ::close(index_fd_);
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
}

void ShardWriter::write_all(int fd, const void* bytes, size_t size) {
  const char* p = static_cast<const char*>(bytes);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("cannot write shard '" + temporary_ + "': " + std::strerror(errno));
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void ShardWriter::put_tokens(const Sentence& ids, int64_t vocab) {
  for (const int32_t id : ids) {
    if (id < 0 || id >= vocab)
      throw Error("shard '" + path_ + "': id " + std::to_string(id) + " outside a vocabulary of " +
                  std::to_string(vocab));
    if (token_bytes_ == 2) {
      const auto small = static_cast<uint16_t>(id);
      buffer_.insert(buffer_.end(), reinterpret_cast<const char*>(&small),
                     reinterpret_cast<const char*>(&small) + 2);
    } else {
      buffer_.insert(buffer_.end(), reinterpret_cast<const char*>(&id),
                     reinterpret_cast<const char*>(&id) + 4);
    }
  }
  tokens_ += ids.size();
}

void ShardWriter::flush() {
  checksum_ = archive_checksum(view(buffer_.data(), buffer_.size()), checksum_);
  write_all(fd_, buffer_.data(), buffer_.size());
  buffer_.clear();
  crash_point("shard.writing", path_);
}

void ShardWriter::flush_index() {
  write_all(index_fd_, index_.data(), index_.size() * sizeof(uint32_t));
  index_entries_ += index_.size();
  index_.clear();
}

void ShardWriter::add(const Sentence& src, const Sentence& tgt) {
  if (tokens_ + src.size() + tgt.size() > std::numeric_limits<uint32_t>::max())
    throw Error("shard '" + path_ + "' would hold 2^32 tokens or more: lower data.shard_pairs");
  index_.push_back(static_cast<uint32_t>(tokens_));
  put_tokens(src, src_vocab_);
  index_.push_back(static_cast<uint32_t>(tokens_));
  put_tokens(tgt, tgt_vocab_);
  if (buffer_.size() >= kFlushBytes) flush();
  if (index_.size() >= kIndexFlushEntries) flush_index();
}

void ShardWriter::finish() {
  buffer_.resize(buffer_.size() + (token_region(tokens_, token_bytes_) - tokens_ * token_bytes_));
  flush();
  const uint64_t pairs = (index_entries_ + index_.size()) / 2;
  index_.push_back(static_cast<uint32_t>(tokens_));
  flush_index();
  // the index after the tokens, read back from its file a buffer at a time
  buffer_.resize(kFlushBytes);
  for (off_t at = 0; at < static_cast<off_t>(index_entries_ * sizeof(uint32_t));) {
    const ssize_t n = ::pread(index_fd_, buffer_.data(), buffer_.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw Error("cannot read back the index of shard '" + temporary_ +
                  "': " + (n == 0 ? std::string("it ended early") : std::strerror(errno)));
    checksum_ = archive_checksum(view(buffer_.data(), static_cast<size_t>(n)), checksum_);
    write_all(fd_, buffer_.data(), static_cast<size_t>(n));
    at += n;
  }
  ::close(index_fd_);
  index_fd_ = -1;
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.token_bytes = token_bytes_;
  h.pairs = pairs;
  h.tokens = tokens_;
  h.src_vocab = static_cast<uint64_t>(src_vocab_);
  h.tgt_vocab = static_cast<uint64_t>(tgt_vocab_);
  h.checksum = archive_checksum(view(&h, kChecksummedHeader), checksum_);
  if (::pwrite(fd_, &h, sizeof h, 0) != static_cast<ssize_t>(sizeof h) || ::fsync(fd_) != 0)
    throw Error("cannot write shard '" + temporary_ + "': " + std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
  crash_point("shard.before-rename", path_);
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    throw Error("cannot rename '" + temporary_ + "' to '" + path_ + "': " + std::strerror(error));
  }
}

// ------------------------------------------------------------------------------------ reading

int64_t shard_pair_count(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open shard '" + path + "': " + std::strerror(errno));
  Header h{};
  const ssize_t n = ::pread(fd, &h, sizeof h, 0);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof h) || std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    throw Error("'" + path + "' is not an rnmt token shard");
  return static_cast<int64_t>(h.pairs);
}

MappedShard::MappedShard(const std::string& path, ShardCheck check) : path_(path) {
  auto damaged = [&](const std::string& why) {
    return Error("shard '" + path + "' is damaged: " + why);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open shard '" + path + "': " + std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    throw Error("shard '" + path + "' is not a regular file");
  }
  size_ = static_cast<size_t>(status.st_size);
  if (size_ < sizeof(Header)) {
    ::close(fd);
    throw damaged("it is shorter than its header (" + std::to_string(size_) + " bytes)");
  }
  void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) throw Error("cannot map shard '" + path + "': " + std::strerror(errno));
  bytes_ = static_cast<const unsigned char*>(mapped);
  try {
    Header h;
    std::memcpy(&h, bytes_, sizeof h);
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
      throw Error("'" + path + "' is not an rnmt token shard");
    if (h.version > kVersion)
      throw Error("shard '" + path + "' was written by a newer rnmt (format version " +
                  std::to_string(h.version) + ")");
    if (h.version == 0 || h.reserved != 0) throw damaged("its header is not one rnmt writes");
    if (!vocab_fits(h.src_vocab) || !vocab_fits(h.tgt_vocab))
      throw damaged("its header gives vocabularies of " + std::to_string(h.src_vocab) + " and " +
                    std::to_string(h.tgt_vocab) + " entries (each must have 1 to 2^31)");
    // exactly the width ShardWriter picks: one shard, one way to write it
    const uint32_t width = h.src_vocab <= 65536 && h.tgt_vocab <= 65536 ? 2 : 4;
    if (h.token_bytes != width)
      throw damaged("its header says " + std::to_string(h.token_bytes) +
                    " bytes per token for vocabularies of " + std::to_string(h.src_vocab) +
                    " and " + std::to_string(h.tgt_vocab));
    // Sizes checked against the file before any of them is used (no overflow: each is below it).
    if (h.pairs > size_ / 8 || h.tokens > size_)
      throw damaged("its header promises more than the file holds (truncated?)");
    const uint64_t tokens_end = sizeof(Header) + token_region(h.tokens, h.token_bytes);
    const uint64_t expected = tokens_end + (2 * h.pairs + 1) * sizeof(uint32_t);
    if (expected != size_)
      throw damaged("it is " + std::to_string(size_) + " bytes where its header promises " +
                    std::to_string(expected) + " (truncated?)");
    token_bytes_ = h.token_bytes;
    pairs_ = h.pairs;
    tokens_ = h.tokens;
    src_vocab_ = h.src_vocab;
    tgt_vocab_ = h.tgt_vocab;
    token_data_ = bytes_ + sizeof(Header);
    index_ = reinterpret_cast<const uint32_t*>(bytes_ + tokens_end);
    if (check == ShardCheck::whole) {
      uint64_t checksum = archive_checksum(view(bytes_ + sizeof(Header), size_ - sizeof(Header)));
      checksum = archive_checksum(view(&h, kChecksummedHeader), checksum);
      if (checksum != h.checksum) throw damaged("its checksum does not match (corrupted)");
    }
    if (index_[0] != 0 || index_[2 * pairs_] != tokens_)
      throw damaged("its index does not span its tokens");
    for (uint64_t e = 1; e <= 2 * pairs_; ++e)
      if (index_[e] < index_[e - 1] || index_[e] > tokens_)
        throw damaged("its index is out of order at entry " + std::to_string(e));
    if (check == ShardCheck::whole) {
      for (const unsigned char* p = token_data_ + tokens_ * token_bytes_; p < bytes_ + tokens_end;
           ++p)
        if (*p != 0) throw damaged("the padding after its tokens is not zero");
      Sentence ids;
      for (uint64_t e = 0; e < 2 * pairs_; ++e) side(static_cast<int64_t>(e), ids);  // checks ids
    }
  } catch (...) {
    ::munmap(const_cast<unsigned char*>(bytes_), size_);
    throw;
  }
  // The check read every page: give them back (the file stays in the page cache).
  if (check == ShardCheck::whole)
    ::madvise(const_cast<unsigned char*>(bytes_), size_, MADV_DONTNEED);
}

MappedShard::MappedShard(MappedShard&& other) noexcept
    : path_(std::move(other.path_)),
      bytes_(other.bytes_),
      size_(other.size_),
      token_bytes_(other.token_bytes_),
      pairs_(other.pairs_),
      tokens_(other.tokens_),
      src_vocab_(other.src_vocab_),
      tgt_vocab_(other.tgt_vocab_),
      token_data_(other.token_data_),
      index_(other.index_) {
  other.bytes_ = nullptr;
}

MappedShard::~MappedShard() {
  if (bytes_) ::munmap(const_cast<unsigned char*>(bytes_), size_);
}

void MappedShard::side(int64_t s, Sentence& out) const {
  const uint32_t begin = index_[s], end = index_[s + 1];
  out.resize(end - begin);
  if (token_bytes_ == 4) {
    if (!out.empty())  // an empty side's data() may be null, which memcpy must not get
      std::memcpy(out.data(), token_data_ + 4 * static_cast<size_t>(begin), 4 * out.size());
  } else {
    for (uint32_t i = begin; i < end; ++i) {
      uint16_t id;
      std::memcpy(&id, token_data_ + 2 * static_cast<size_t>(i), 2);
      out[i - begin] = id;
    }
  }
  // Ids are checked as they are read, so that a shard opened without reading it whole still never
  // hands out one its vocabulary lacks.
  const uint64_t vocab = s % 2 == 0 ? src_vocab_ : tgt_vocab_;
  for (const int32_t id : out)
    if (id < 0 || static_cast<uint64_t>(id) >= vocab)
      throw Error("shard '" + path_ + "' is damaged: id " + std::to_string(id) +
                  " outside its vocabulary of " + std::to_string(vocab));
}

}  // namespace rnmt
