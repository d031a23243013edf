#include "core/archive.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "rnmt/version.hpp"

namespace rnmt {
namespace {

void append_u64(std::string& out, uint64_t v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace

// FNV-1a over 64 bits: detects truncation and corruption (not an adversary).
uint64_t archive_checksum(std::string_view bytes, uint64_t start) {
  uint64_t h = start;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

void Archive::put(const std::string& name, const void* data, size_t bytes) {
  borrowed.erase(name);
  sections[name] = std::string(static_cast<const char*>(data), bytes);
}

void Archive::put_borrowed(const std::string& name, const void* data, size_t bytes) {
  sections.erase(name);
  borrowed[name] = std::string_view(static_cast<const char*>(data), bytes);
}

const std::string& Archive::get(const std::string& name) const {
  auto it = sections.find(name);
  if (it == sections.end()) throw Error("the file has no section '" + name + "'");
  return it->second;
}

int64_t Archive::get_int(const std::string& name) const {
  const std::string& s = get(name);
  if (s.size() != sizeof(int64_t)) throw Error("section '" + name + "' is not a number");
  int64_t v;
  std::memcpy(&v, s.data(), sizeof v);
  return v;
}

// Layout: tag[8] version:u32 count:u32 { name_len:u64 name data_len:u64 data }* checksum:u64
// Written piece by piece from where the sections are: only the framing is made here.
void write_archive(const Archive& archive, const std::string& path) {
  // Every file says which rnmt wrote it: a later rnmt's newer format is then refused by name. It
  // goes in at its place in name order, replacing any it was given.
  const std::string writer = std::string("rnmt ") + version();
  std::map<std::string_view, std::string_view> all(archive.borrowed.begin(),
                                                   archive.borrowed.end());
  for (const auto& [name, data] : archive.sections) all[name] = data;
  all[kWrittenBySection] = writer;

  std::string head(8, '\0');
  std::memcpy(head.data(), archive.tag.data(), std::min<size_t>(8, archive.tag.size()));
  const uint32_t header[2] = {archive.version, static_cast<uint32_t>(all.size())};
  head.append(reinterpret_cast<const char*>(header), sizeof header);
  // framing[i]: section i's name with the lengths around it (its data follows it in the file)
  std::vector<std::string> framing;
  framing.reserve(all.size() + 1);
  for (const auto& [name, data] : all) {
    std::string& f = framing.emplace_back();
    append_u64(f, name.size());
    f += name;
    append_u64(f, data.size());
  }
  std::vector<std::string_view> pieces{head};
  size_t i = 0;
  for (const auto& entry : all) {
    pieces.push_back(framing[i++]);
    pieces.push_back(entry.second);
  }
  uint64_t checksum = kChecksumStart;
  for (const std::string_view piece : pieces) checksum = archive_checksum(piece, checksum);
  std::string& tail = framing.emplace_back();
  append_u64(tail, checksum);
  pieces.push_back(tail);
  write_file_atomically(path, pieces);
}

Archive read_archive(const std::string& path, const std::string& expected_tag,
                     uint32_t max_version) {
  // One read of the whole file (a model file is read once, at load).
  const std::string kind = expected_tag == "RNMTMODL"   ? "model"
                           : expected_tag == "RNMTCKPT" ? "checkpoint"
                                                        : "rnmt file";
  const std::string bytes = read_whole_file(path, kind);
  return parse_archive(bytes, path, expected_tag, max_version);
}

Archive parse_archive(std::string_view bytes, const std::string& name,
                      const std::string& expected_tag, uint32_t max_version) {
  auto bad = [&](const std::string& what) { return Error("'" + name + "' " + what); };
  if (bytes.size() < 8 + 8 + 8) throw bad("is too short to be an rnmt file");
  const std::string tag = std::string(bytes.substr(0, 8)).c_str();
  if (tag != expected_tag) throw bad("is not an rnmt " + expected_tag + " file");
  uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (archive_checksum(bytes.substr(0, bytes.size() - 8)) != stored) {
    throw bad("is damaged: its checksum does not match (truncated or corrupted)");
  }
  Archive a;
  a.tag = tag;
  uint32_t header[2];
  std::memcpy(header, bytes.data() + 8, sizeof header);
  a.version = header[0];
  if (a.version == 0) throw bad("has format version 0, which no rnmt writes");
  size_t at = 16;
  const size_t end = bytes.size() - 8;
  auto take_u64 = [&]() {
    if (end - at < 8) throw bad("is damaged: a section runs past the end");
    uint64_t v;
    std::memcpy(&v, bytes.data() + at, 8);
    at += 8;
    return v;
  };
  auto read_sections = [&]() {
    for (uint32_t i = 0; i < header[1]; ++i) {
      const uint64_t name_len = take_u64();
      if (name_len > end - at) throw bad("is damaged: a section runs past the end");
      std::string section(bytes.substr(at, name_len));
      at += name_len;
      const uint64_t data_len = take_u64();
      if (data_len > end - at) throw bad("is damaged: a section runs past the end");
      a.sections[section] = bytes.substr(at, data_len);
      at += data_len;
    }
    if (at != end) throw bad("is damaged: unexpected bytes after the last section");
  };
  if (a.version > max_version) {
    // A newer format: its sections are read, if they still read, only to name the rnmt that
    // wrote it.
    std::string by;
    try {
      read_sections();
      if (const auto it = a.sections.find(kWrittenBySection); it != a.sections.end())
        by = " (written by " + it->second + ")";
    } catch (const Error&) {
    }
    throw bad("has format version " + std::to_string(a.version) + by + "; this rnmt " + version() +
              " reads format versions up to " + std::to_string(max_version) +
              ": read it with a newer rnmt");
  }
  read_sections();
  return a;
}

}  // namespace rnmt
