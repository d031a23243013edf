#pragma once
// A fixture file's lines (the converters' tests read test sources and other programs' n-best
// lists).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

namespace rnmt::test {

inline std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace rnmt::test
