#pragma once
#include <fstream>
#include <iostream>
#include <ostream>
#include <string>

namespace rnmt::cli {

// Where a command's output lines go: stdout, or -o FILE through FILE.tmp, renamed to FILE by
// commit() once every line is written, so a run that fails or is killed never leaves a FILE that
// looks complete (an old FILE stays). A special FILE (/dev/null, a FIFO) is written in place.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);  // "" is stdout
  ~OutputFile();                                 // removes FILE.tmp unless committed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return path_.empty() ? std::cout : file_; }
  // An Error naming `what` when a write failed; else FILE.tmp becomes FILE.
  void commit(const std::string& what);

 private:
  std::string path_, partial_;
  std::ofstream file_;
  bool committed_ = false;
};

}  // namespace rnmt::cli
