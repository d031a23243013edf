#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rnmt {

// A file of named binary sections with a format tag, a version and a checksum: the container for
// checkpoints, weight files and model files. Writing is atomic: a temporary file beside the target,
// flushed to disk (fsync), then renamed over it, so a crash leaves the previous file intact.
// Reading checks the tag, version, every size and the checksum, and refuses anything else with an
// Error that says what is wrong; it never trusts a size it has not checked against the file.
// The section every file gets on writing: "rnmt VERSION", the rnmt that wrote it.
inline constexpr const char* kWrittenBySection = "written_by";

struct Archive {
  std::string tag;  // up to 8 characters, e.g. "RNMTCKPT"
  uint32_t version = 1;
  std::map<std::string, std::string> sections;  // name -> bytes
  // Sections written from memory the caller keeps, unchanged, until write_archive returns: large
  // ones (weights, optimizer moments) are then written without a copy. Writing only: get() reads
  // `sections`, which is what read_archive fills.
  std::map<std::string, std::string_view> borrowed;

  void put(const std::string& name, const void* data, size_t bytes);
  void put_borrowed(const std::string& name, const void* data, size_t bytes);
  template <class T>
  void put_vector(const std::string& name, const std::vector<T>& v) {
    put(name, v.data(), v.size() * sizeof(T));
  }
  void put_int(const std::string& name, int64_t value) { put(name, &value, sizeof value); }

  const std::string& get(const std::string& name) const;  // Error when absent
  template <class T>
  std::vector<T> get_vector(const std::string& name) const {
    const std::string& s = get(name);
    std::vector<T> v(s.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), s.data(), v.size() * sizeof(T));
    return v;
  }
  int64_t get_int(const std::string& name) const;
};

void write_archive(const Archive& archive, const std::string& path);
Archive read_archive(const std::string& path, const std::string& expected_tag,
                     uint32_t max_version);
// The same checks on bytes already in memory; `name` stands for the file in error messages.
Archive parse_archive(std::string_view bytes, const std::string& name,
                      const std::string& expected_tag, uint32_t max_version);
// The checksum an archive's last 8 bytes must hold for the bytes before them (FNV-1a over 64
// bits). A checksum of several pieces continues from the previous one's result (`start`).
inline constexpr uint64_t kChecksumStart = 1469598103934665603ull;
uint64_t archive_checksum(std::string_view bytes_before_checksum, uint64_t start = kChecksumStart);

}  // namespace rnmt
