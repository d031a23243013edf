#include "core/directory_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace rnmt {
namespace {

// This process's command line, its arguments separated by spaces.
std::string own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\0') text.pop_back();
  for (char& c : text)
    if (c == '\0') c = ' ';
  return text;
}

}  // namespace

DirectoryLock::DirectoryLock(const std::string& dir, const std::string& what) {
  const std::string path = dir + "/.lock";
  // O_CLOEXEC: a child process (a shell hook, a trial) must not keep the lock after we end.
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::ostringstream holder;
    char buffer[4096];
    const ssize_t n = ::pread(fd_, buffer, sizeof buffer, 0);
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) throw Error("cannot lock '" + path + "': " + std::strerror(error));
    std::string text = n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
    while (!text.empty() && text.back() == '\n') text.pop_back();
    throw Error("the " + what + " '" + dir + "' is in use by another rnmt (" +
                (text.empty() ? std::string("a process still starting") : "pid " + text) +
                "): two runs in one " + what +
                " would overwrite each other's files; wait for it "
                "to end, or use another " +
                what);
  }
  // The holder's identity for whoever is refused: "PID: COMMAND".
  const std::string me = std::to_string(::getpid()) + ": " + own_command_line() + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
    // The lock holds all the same; only the message of a refused process would lack the name.
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace rnmt
