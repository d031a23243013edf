#include "pipeline/training_shards.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>

#include <omp.h>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "training/token_shard.hpp"
#include "training/workdir.hpp"

namespace rnmt {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifestTag = "RNMTSHLS";
constexpr uint32_t kManifestVersion = 1;

// What the shards are made from: changing any of it makes them again.
std::string shard_key(const Recipe& r) {
  const std::string text =
      read_whole_file(src_tokenizer_path(r), "tokenizer") + "\n" +
      read_whole_file(tgt_tokenizer_path(r), "tokenizer") + "\n" + file_identity(r.data.train.src) +
      "\n" + file_identity(r.data.train.tgt) + "\nmax_length " + std::to_string(r.data.max_length) +
      "\nshard_pairs " + std::to_string(r.data.shard_pairs) + "\nformat 1";
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(archive_checksum(text)));
  return hex;
}

// The manifest's shards when it exists and holds `key`.
bool read_manifest(const Recipe& r, const std::string& key, TrainingShards& shards) {
  const Workdir w{r.workdir};
  if (!fs::exists(w.shard_manifest())) return false;
  const Archive a = read_archive(w.shard_manifest(), kManifestTag, kManifestVersion);
  if (a.get("key") != key) return false;
  const int64_t count = a.get_int("shards");
  shards.paths.clear();
  for (int64_t i = 0; i < count; ++i) shards.paths.push_back(w.shard(i));
  shards.pairs = a.get_int("pairs");
  shards.dropped = {a.get_int("dropped.empty_side"), a.get_int("dropped.too_long"),
                    a.get_int("dropped.length_ratio")};
  shards.src_vocab = a.get_int("src_vocab");
  shards.tgt_vocab = a.get_int("tgt_vocab");
  return true;
}

void write_manifest(const Recipe& r, const std::string& key, const TrainingShards& shards) {
  Archive a;
  a.tag = kManifestTag;
  a.version = kManifestVersion;
  a.sections["key"] = key;
  a.put_int("shards", static_cast<int64_t>(shards.paths.size()));
  a.put_int("pairs", shards.pairs);
  a.put_int("dropped.empty_side", shards.dropped.empty_side);
  a.put_int("dropped.too_long", shards.dropped.too_long);
  a.put_int("dropped.length_ratio", shards.dropped.length_ratio);
  a.put_int("src_vocab", shards.src_vocab);
  a.put_int("tgt_vocab", shards.tgt_vocab);
  write_archive(a, Workdir{r.workdir}.shard_manifest());
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int64_t count_lines(const std::string& path) {
  std::ifstream in = open_input_file(path);
  std::vector<char> buffer(size_t{1} << 20);
  int64_t lines = 0;
  char last = '\n';
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<size_t>(in.gcount());
    for (size_t i = 0; i < n; ++i) lines += buffer[i] == '\n';
    if (n > 0) last = buffer[n - 1];
  }
  if (in.bad()) throw Error("cannot read '" + path + "'");
  return lines + (last != '\n' ? 1 : 0);
}

TrainingShards read_training_shards(const Recipe& r) {
  TrainingShards shards;
  if (!read_manifest(r, shard_key(r), shards))
    throw Error("the token-id shards in '" + Workdir{r.workdir}.shards() +
                "' are missing or were made from other data or settings");
  return shards;
}

TrainingShards make_training_shards(const Recipe& r, std::ostream& log, const RunContext& context) {
  const std::string key = shard_key(r);
  TrainingShards shards;
  if (read_manifest(r, key, shards)) {
    try {
      for (const auto& path : shards.paths) MappedShard check(path);  // every byte checked
      log << "prepare: " << shards.paths.size() << " token-id shard"
          << (shards.paths.size() == 1 ? "" : "s") << " of " << shards.pairs
          << " pairs up to date (" << Workdir{r.workdir}.shards() << ")" << std::endl;
      return shards;
    } catch (const Error& e) {
      log << "prepare: " << e.what() << "; making the shards again" << std::endl;
      shards = {};
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const Workdir w{r.workdir};
  // Nothing of an earlier set may look complete while this one is made: the manifest goes first.
  fs::remove(w.shard_manifest());
  fs::remove_all(w.shards());
  fs::create_directories(w.shards());
  const int64_t lines = count_lines(r.data.train.src);
  const int64_t count = std::max<int64_t>(1, (lines + r.data.shard_pairs - 1) / r.data.shard_pairs);
  Tokenizers t = load_tokenizers(r);
  shards.src_vocab = static_cast<int64_t>(t.src.model().vocabulary.size());
  shards.tgt_vocab = static_cast<int64_t>(t.tgt.model().vocabulary.size());
  std::vector<std::unique_ptr<ShardWriter>> writers;
  for (int64_t i = 0; i < count; ++i) {
    shards.paths.push_back(w.shard(i));
    writers.push_back(
        std::make_unique<ShardWriter>(shards.paths.back(), shards.src_vocab, shards.tgt_vocab));
  }
  // Lines are read in chunks, encoded by every thread (each with its own tokenizers: they cache),
  // and written in their order: the shards do not depend on the thread count.
  const int threads = std::max(1, omp_get_max_threads());
  std::vector<Tokenizers> tokenizers;
  tokenizers.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i)
    tokenizers.push_back({PieceTokenizer(t.src.model()), PieceTokenizer(t.tgt.model())});
  std::vector<DroppedPairs> dropped(static_cast<size_t>(threads));
  constexpr size_t kChunk = 8192;
  std::vector<std::string> src_lines(kChunk), tgt_lines(kChunk);
  std::vector<Sentence> src_ids(kChunk), tgt_ids(kChunk);
  std::vector<char> kept(kChunk);
  std::ifstream src = open_input_file(r.data.train.src), tgt = open_input_file(r.data.train.tgt);
  int64_t line = 0;
  auto last_report = start;
  for (bool more = true; more;) {
    size_t n = 0;
    for (; n < kChunk; ++n) {
      const bool more_src = read_text_line(src, src_lines[n]);
      const bool more_tgt = read_text_line(tgt, tgt_lines[n]);
      if (more_src != more_tgt) {
        const int64_t at = line + static_cast<int64_t>(n);
        throw Error("parallel files differ in length: '" + r.data.train.src + "' has " +
                    std::to_string(more_src ? count_lines(r.data.train.src) : at) + " lines, '" +
                    r.data.train.tgt + "' has " +
                    std::to_string(more_tgt ? count_lines(r.data.train.tgt) : at));
      }
      if (!more_src) {
        more = false;
        break;
      }
    }
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (size_t i = 0; i < n; ++i) {
      const auto thread = static_cast<size_t>(omp_get_thread_num());
      try {
        kept[i] =
            encode_pair(src_lines[i], tgt_lines[i], tokenizers[thread].src, tokenizers[thread].tgt,
                        r.data.max_length, dropped[thread], src_ids[i], tgt_ids[i]);
      } catch (...) {
#pragma omp critical
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    for (size_t i = 0; i < n; ++i, ++line) {
      if (!kept[i]) continue;
      writers[static_cast<size_t>(line % count)]->add(src_ids[i], tgt_ids[i]);
      ++shards.pairs;
    }
    stop_point(context);
    if (std::chrono::steady_clock::now() - last_report > std::chrono::seconds(30)) {
      last_report = std::chrono::steady_clock::now();
      log << "prepare: encoded " << line << " of " << lines << " pairs ("
          << static_cast<int>(seconds_since(start)) << " s)" << std::endl;
    }
  }
  for (const DroppedPairs& d : dropped) {
    shards.dropped.empty_side += d.empty_side;
    shards.dropped.too_long += d.too_long;
    shards.dropped.length_ratio += d.length_ratio;
  }
  for (auto& writer : writers) writer->finish();
  write_manifest(r, key, shards);
  log << "prepare: " << shards.pairs << " of " << line << " pairs in " << count << " token-id shard"
      << (count == 1 ? "" : "s") << " (" << w.shards() << ", " << seconds_since(start) << " s)"
      << std::endl;
  return shards;
}

}  // namespace rnmt
