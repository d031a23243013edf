// The checkpoint/model container: round trip, atomic replacement, and refusal of damaged files.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/archive.hpp"
#include "core/error.hpp"

using namespace rnmt;
using Catch::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("rnmt_test_" + name)).string();
}

Archive sample(float fill, size_t floats = 1000) {
  Archive a;
  a.tag = "RNMTTEST";
  a.version = 2;
  a.put_vector("weights", std::vector<float>(floats, fill));
  a.put_int("step", 42);
  return a;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("an archive reads back what was written", "[archive]") {
  const std::string path = temp_path("a.bin");
  write_archive(sample(1.5f), path);
  const Archive a = read_archive(path, "RNMTTEST", 2);
  CHECK(a.version == 2);
  CHECK(a.get_int("step") == 42);
  CHECK(a.get_vector<float>("weights") == std::vector<float>(1000, 1.5f));
  CHECK_THROWS_WITH(a.get("optimizer"), Contains("no section 'optimizer'"));
  std::filesystem::remove(path);
}

TEST_CASE("damaged, foreign and newer files are refused with a message", "[archive][errors]") {
  const std::string path = temp_path("b.bin");
  write_archive(sample(2.0f), path);
  const std::string good = read_bytes(path);
  write_bytes(path, good.substr(0, good.size() / 2));
  CHECK_THROWS_WITH(read_archive(path, "RNMTTEST", 2), Contains("is damaged"));
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x40;
  write_bytes(path, flipped);
  CHECK_THROWS_WITH(read_archive(path, "RNMTTEST", 2), Contains("checksum does not match"));
  write_bytes(path, "hello, this is a text file and not a model at all\n");
  CHECK_THROWS_WITH(read_archive(path, "RNMTTEST", 2), Contains("is not an rnmt RNMTTEST file"));
  write_bytes(path, "");
  CHECK_THROWS_WITH(read_archive(path, "RNMTTEST", 2), Contains("too short"));
  write_bytes(path, good);
  CHECK_THROWS_WITH(read_archive(path, "RNMTTEST", 1),
                    Contains("format version 2; this rnmt reads up to 1"));
  CHECK_THROWS_WITH(read_archive(path + ".none", "RNMTTEST", 2), Contains("cannot open"));
  std::filesystem::remove(path);
}

TEST_CASE("a crash while writing leaves the previous file intact", "[archive]") {
  const std::string path = temp_path("c.bin");
  write_archive(sample(3.0f), path);
  // A child process starts replacing it with a large archive and is killed part-way.
  const pid_t child = fork();
  if (child == 0) {
    write_archive(sample(4.0f, 40u << 20), path);  // 160 MB
    _exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  const Archive a = read_archive(path, "RNMTTEST", 2);
  const auto w = a.get_vector<float>("weights");
  // Either the old file, or (had the child finished first) the new one: never a broken one.
  CHECK((w == std::vector<float>(1000, 3.0f) || (w.size() == (40u << 20) && w[0] == 4.0f)));
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".tmp");
}
