#include "core/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crash_point.hpp"
#include "core/error.hpp"

namespace rnmt {

std::ifstream open_input_file(const std::string& path, const std::string& what) {
  const std::string named = (what.empty() ? "'" : what + " '") + path + "'";
  // A directory opens as a stream on Linux (and reads as nothing, or a nonsense size): ask first.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(named + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + named);
  return in;
}

std::string read_whole_file(const std::string& path, const std::string& what) {
  std::ifstream in = open_input_file(path, what);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error("cannot read " + what + " '" + path + "'");
  return std::move(text).str();
}

bool read_text_line(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

std::string file_identity(const std::string& path) {
  std::error_code error;
  if (path.empty() || !std::filesystem::exists(path, error)) return path + ":missing";
  return path + ":" + std::to_string(std::filesystem::file_size(path)) + ":" +
         std::to_string(std::filesystem::last_write_time(path).time_since_epoch().count());
}

bool is_special_file(const std::string& path) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  return !error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
         !std::filesystem::is_directory(status);
}

void write_file_atomically(const std::string& path, std::string_view body) {
  write_file_atomically(path, std::vector<std::string_view>{body});
}

void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces) {
  if (is_special_file(path)) {
    std::ofstream out(path, std::ios::binary);
    for (const std::string_view piece : pieces)
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    out.flush();
    if (!out) throw Error("cannot write '" + path + "'");
    return;
  }
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw Error("cannot write '" + temporary + "': " + std::strerror(errno));
  // On failure the temporary file goes (a full disk keeps no half file); the target is untouched.
  auto fail = [&](const std::string& what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    return Error("cannot " + what + " '" + temporary + "': " + std::strerror(error));
  };
  size_t total = 0;
  for (const std::string_view piece : pieces) total += piece.size();
  size_t written = 0;
  bool half_written = false;
  for (const std::string_view piece : pieces) {
    size_t done = 0;
    while (done < piece.size()) {
      if (!half_written && written >= total / 2) {
        half_written = true;
        crash_point("file.half-written", path);
      }
      // At most half the file per write, so that the crash point finds half of it on disk.
      const size_t chunk = std::min({piece.size() - done, total / 2 + 1, size_t{64} << 20});
      const ssize_t n = ::write(fd, piece.data() + done, chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw fail("write");
      done += static_cast<size_t>(n);
      written += static_cast<size_t>(n);
    }
  }
  if (::fsync(fd) != 0) throw fail("flush");
  if (::close(fd) != 0) {
    ::unlink(temporary.c_str());
    throw Error("cannot write '" + temporary + "': " + std::strerror(errno));
  }
  crash_point("file.before-rename", path);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw Error("cannot rename '" + temporary + "' to '" + path + "': " + std::strerror(errno));
  }
}

}  // namespace rnmt
