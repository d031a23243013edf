// Token-id shards: they round-trip exactly, take 2 bytes a token plus the index, refuse a truncated
// or corrupted file by name, and a writer killed or abandoned half way leaves nothing named like a
// shard.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "tests/temp_dir.hpp"
#include "training/token_shard.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

struct Pairs {
  std::vector<Sentence> src, tgt;
};

// Pairs of 0 to 30 ids (an empty side is legal in the format), ids spread over the vocabularies.
Pairs random_pairs(int64_t n, int64_t src_vocab, int64_t tgt_vocab, uint64_t seed) {
  Rng rng(seed);
  Pairs p;
  for (int64_t i = 0; i < n; ++i) {
    Sentence s(rng.below(31)), t(rng.below(31));
    for (auto& id : s) id = static_cast<int32_t>(rng.below(static_cast<uint64_t>(src_vocab)));
    for (auto& id : t) id = static_cast<int32_t>(rng.below(static_cast<uint64_t>(tgt_vocab)));
    p.src.push_back(s);
    p.tgt.push_back(t);
  }
  return p;
}

void write_shard(const std::string& path, const Pairs& p, int64_t src_vocab, int64_t tgt_vocab) {
  ShardWriter writer(path, src_vocab, tgt_vocab);
  for (size_t i = 0; i < p.src.size(); ++i) writer.add(p.src[i], p.tgt[i]);
  writer.finish();
}

int64_t tokens_of(const Pairs& p) {
  int64_t n = 0;
  for (size_t i = 0; i < p.src.size(); ++i)
    n += static_cast<int64_t>(p.src[i].size() + p.tgt[i].size());
  return n;
}

void overwrite_byte(const std::string& path, std::streamoff at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x5a));
}

}  // namespace

TEST_CASE("a shard round-trips exactly, in 2 bytes a token plus the index", "[shards]") {
  // vocabularies below, at and above 65,536 entries; and 30,000 pairs, whose index goes through the
  // writer's index file in several pieces (16,384 entries each)
  struct Case {
    int64_t pairs, vocab;
  };
  for (const Case c : {Case{500, 4}, Case{500, 65536}, Case{500, 70000}, Case{30000, 500}}) {
    INFO(c.pairs << " pairs, vocabulary " << c.vocab);
    const std::string path = test::temp("round.shard");
    const int64_t tgt_vocab = c.vocab / 2 + 4;
    const Pairs p = random_pairs(c.pairs, c.vocab, tgt_vocab, 7);
    write_shard(path, p, c.vocab, tgt_vocab);
    const MappedShard shard(path);
    REQUIRE(shard.pairs() == c.pairs);
    CHECK(shard.tokens() == tokens_of(p));
    CHECK(shard.src_vocab() == c.vocab);
    CHECK(shard.tgt_vocab() == tgt_vocab);
    Sentence s, t;
    for (int64_t i = 0; i < c.pairs; ++i) {
      shard.src(i, s);
      shard.tgt(i, t);
      REQUIRE(s == p.src[static_cast<size_t>(i)]);
      REQUIRE(t == p.tgt[static_cast<size_t>(i)]);
      REQUIRE(shard.src_length(i) == static_cast<int64_t>(s.size()));
      REQUIRE(shard.tgt_length(i) == static_cast<int64_t>(t.size()));
    }
    // 2 bytes an id up to 65,536 entries, 4 above; the header, padding to 4 bytes and the index
    const int64_t token_bytes = c.vocab <= 65536 ? 2 : 4;
    const auto size = static_cast<int64_t>(std::filesystem::file_size(path));
    CHECK(size == 64 + (token_bytes * tokens_of(p) + 3) / 4 * 4 + 4 * (2 * c.pairs + 1));
  }
  // a shard of no pairs is a shard too
  const std::string empty = test::temp("empty.shard");
  write_shard(empty, {}, 10, 10);
  CHECK(MappedShard(empty).pairs() == 0);
}

TEST_CASE("a truncated or corrupted shard is refused, naming the file", "[shards][errors]") {
  const std::string good = test::temp("good.shard"), bad = test::temp("bad.shard");
  write_shard(good, random_pairs(300, 1000, 1000, 3), 1000, 1000);
  const auto size = static_cast<std::streamoff>(std::filesystem::file_size(good));
  auto damaged_copy = [&] {
    std::filesystem::copy_file(good, bad, std::filesystem::copy_options::overwrite_existing);
  };
  for (const std::streamoff keep : {std::streamoff{0}, std::streamoff{30}, size / 2, size - 1}) {
    INFO("truncated to " << keep);
    damaged_copy();
    std::filesystem::resize_file(bad, static_cast<uintmax_t>(keep));
    CHECK_THROWS_WITH(MappedShard(bad), Contains("shard '" + bad + "' is damaged"));
  }
  // a byte changed in the tokens, the index or the header's counts
  for (const std::streamoff at : {std::streamoff{100}, size - 10, std::streamoff{17}}) {
    INFO("byte " << at << " changed");
    damaged_copy();
    overwrite_byte(bad, at);
    CHECK_THROWS_WITH(MappedShard(bad), Contains("shard '" + bad + "' is damaged"));
  }
  damaged_copy();
  overwrite_byte(bad, 2);  // the magic
  CHECK_THROWS_WITH(MappedShard(bad), Contains("'" + bad + "' is not an rnmt token shard"));
  CHECK_THROWS_WITH(MappedShard(test::temp("absent.shard")), Contains("cannot open shard"));
  CHECK(MappedShard(good).pairs() == 300);  // the original is still good
  // the count a window plans with, from the header alone
  CHECK(shard_pair_count(good) == 300);
  CHECK_THROWS_WITH(shard_pair_count(bad), Contains("'" + bad + "' is not an rnmt token shard"));
  CHECK_THROWS_WITH(shard_pair_count(test::temp("absent.shard")), Contains("cannot open shard"));
}

TEST_CASE("a shard opened by its structure alone still refuses an id outside its vocabulary",
          "[shards][errors]") {
  const std::string path = test::temp("ids-later.shard");
  Pairs pairs = random_pairs(50, 1000, 1000, 4);
  pairs.src[0] = {5, 6};
  pairs.tgt[0] = {7};
  write_shard(path, pairs, 1000, 1000);
  // the first source id (2 bytes at offset 64) becomes 65,535
  for (const std::streamoff at : {std::streamoff{64}, std::streamoff{65}}) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    f.put(static_cast<char>(0xff));
  }
  CHECK_THROWS_WITH(MappedShard(path), Contains("its checksum does not match"));
  const MappedShard shard(path, ShardCheck::structure);  // header, size and index are sound
  Sentence ids;
  shard.tgt(0, ids);
  CHECK(ids == Sentence{7});
  CHECK_THROWS_WITH(shard.src(0, ids),
                    Contains("shard '" + path + "' is damaged: id 65535 outside its vocabulary"));
}

TEST_CASE("a shard writer refuses ids outside its vocabulary", "[shards][errors]") {
  const std::string path = test::temp("ids.shard");
  ShardWriter writer(path, 10, 10);
  CHECK_THROWS_WITH(writer.add({1, 10}, {2}), Contains("id 10 outside a vocabulary of 10"));
}

TEST_CASE("vocabulary sizes an int32 id cannot index are refused, written or read",
          "[shards][errors]") {
  const std::string path = test::temp("vocab.shard");
  for (const int64_t vocab : {int64_t{0}, int64_t{-3}, (int64_t{1} << 31) + 1})
    CHECK_THROWS_WITH(ShardWriter(path, vocab, 10), Contains("each must have 1 to 2^31"));
  CHECK_NOTHROW(ShardWriter(path, int64_t{1} << 31, 10));
  // A header whose source vocabulary is 0 or above 2^31 (the fuzzer found 2^63 and more, which
  // read as a negative size), opened by structure so that the checksum does not stop it first.
  for (const uint64_t vocab : {uint64_t{0}, (uint64_t{1} << 31) + 1, uint64_t{0xb4} << 56}) {
    INFO("source vocabulary " << vocab);
    write_shard(path, random_pairs(20, 70000, 70000, 5), 70000, 70000);  // 4-byte ids
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(32);  // src_vocab, after magic, version, token_bytes, pairs and tokens
      f.write(reinterpret_cast<const char*>(&vocab), sizeof vocab);
    }
    CHECK_THROWS_WITH(MappedShard(path, ShardCheck::structure),
                      Contains("shard '" + path + "' is damaged: its header gives vocabularies"));
  }
}

TEST_CASE("a writer abandoned or killed half way leaves nothing named like a shard",
          "[shards][errors]") {
  const std::string path = test::temp("unfinished.shard");
  {
    ShardWriter writer(path, 100, 100);
    writer.add({1, 2}, {3});
  }  // never finished: its temporary file is removed
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK_FALSE(std::filesystem::exists(path + ".index.tmp"));
  // its index file cannot be made (a directory stands in its name): an error naming it, and the
  // shard's temporary file is gone too
  std::filesystem::create_directory(path + ".index.tmp");
  CHECK_THROWS_WITH(ShardWriter(path, 100, 100),
                    Contains("cannot write shard index '" + path + ".index.tmp'"));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path + ".index.tmp");
  // killed (SIGKILL) while writing its tokens, and just before its rename
  for (const char* point : {"shard.writing", "shard.before-rename"}) {
    INFO(point);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      set_crash_point(point);
      write_shard(path, random_pairs(200000, 1000, 1000, 5), 1000, 1000);
      _exit(0);  // not reached: the crash point kills the child
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK(std::filesystem::exists(path + ".tmp"));  // it died writing
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(path + ".index.tmp"));  // unlinked when opened
    std::filesystem::remove(path + ".tmp");
  }
}
