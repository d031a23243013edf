#include "cli/output_file.hpp"

#include <cstdio>
#include <filesystem>

#include "core/error.hpp"

namespace rnmt::cli {

OutputFile::OutputFile(const std::string& path) : path_(path), partial_(path + ".tmp") {
  if (path_.empty()) return;
  if (std::filesystem::is_directory(path_))
    throw Error("output '" + path_ + "' is a directory, not a file");
  file_.open(partial_, std::ios::binary);
  if (!file_) throw Error("cannot write '" + partial_ + "'");
}

OutputFile::~OutputFile() {
  if (!committed_ && !path_.empty()) std::remove(partial_.c_str());
}

void OutputFile::commit(const std::string& what) {
  std::ostream& out = stream();
  out.flush();
  if (!out) throw Error("writing the " + what + " failed");
  if (path_.empty()) return;
  file_.close();
  if (!file_) throw Error("cannot write '" + partial_ + "'");
  std::filesystem::rename(partial_, path_);
  committed_ = true;
}

}  // namespace rnmt::cli
