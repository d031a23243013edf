#include "cli/output_file.hpp"

#include <cstdio>
#include <filesystem>

#include "core/error.hpp"
#include "core/files.hpp"

namespace rnmt::cli {

OutputFile::OutputFile(const std::string& path) : path_(path), partial_(path + ".tmp") {
  if (path_.empty()) return;
  if (std::filesystem::is_directory(path_))
    throw Error("output '" + path_ + "' is a directory, not a file");
  if (is_special_file(path_)) partial_ = path_;  // /dev/null, a FIFO: written in place
  file_.open(partial_, std::ios::binary);
  if (!file_) throw Error("cannot write '" + partial_ + "'");
}

OutputFile::~OutputFile() {
  if (!committed_ && !path_.empty() && partial_ != path_) std::remove(partial_.c_str());
}

void OutputFile::commit(const std::string& what) {
  std::ostream& out = stream();
  out.flush();
  if (!out) throw Error("writing the " + what + " failed");
  if (path_.empty()) return;
  file_.close();
  if (!file_) throw Error("cannot write '" + partial_ + "'");
  if (partial_ != path_) std::filesystem::rename(partial_, path_);
  committed_ = true;
}

}  // namespace rnmt::cli
