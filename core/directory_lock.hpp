#pragma once
#include <string>

namespace rnmt {

// One process at a time in a directory: an exclusive flock(2) on DIR/.lock, held for the object's
// lifetime. The kernel releases it however the process ends (kill -9 included), so a killed run
// never leaves a stale lock behind. The file names the holder (its pid and command line), and a
// second process is refused with an Error that names them:
//   "the workdir 'runs/x' is in use by another rnmt (pid 1234: rnmt run recipe.yaml); ..."
// `what` is the kind of directory ("workdir").
class DirectoryLock {
 public:
  DirectoryLock(const std::string& dir, const std::string& what);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace rnmt
