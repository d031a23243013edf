#pragma once
// Where a test process keeps its files: a directory of its own (made on first use, removed at
// exit), so that two suites running at once, or two runs of one case, never share a file.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace rnmt::test {
namespace detail {

struct ProcessTempDir {
  std::string path;
  ProcessTempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rnmt_test_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make a temporary directory");
    path = pattern;
  }
  ~ProcessTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ProcessTempDir(const ProcessTempDir&) = delete;
  ProcessTempDir& operator=(const ProcessTempDir&) = delete;
};

}  // namespace detail

// PATH of `name` in this process's temporary directory.
inline std::string temp(const std::string& name) {
  static const detail::ProcessTempDir dir;
  return dir.path + "/" + name;
}

}  // namespace rnmt::test
