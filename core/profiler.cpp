#include "core/profiler.hpp"

#include <cstdio>

namespace rnmt {

int Profiler::part(const char* name) {
  for (size_t i = 0; i < parts_.size(); ++i) {
    if (parts_[i].name == name) return static_cast<int>(i);
  }
  parts_.push_back({name, 0});
  return static_cast<int>(parts_.size() - 1);
}

void Profiler::reset() {
  for (auto& p : parts_) p.seconds = 0;
}

std::string Profiler::report(double total_seconds) const {
  std::string out;
  char line[160];
  double covered = 0;
  for (const auto& p : parts_) {
    covered += p.seconds;
    std::snprintf(line, sizeof line, "  %-28s %9.1f ms %6.1f%%\n", p.name.c_str(), p.seconds * 1e3,
                  100.0 * p.seconds / total_seconds);
    out += line;
  }
  std::snprintf(line, sizeof line, "  %-28s %9.1f ms %6.1f%%\n", "(other)",
                (total_seconds - covered) * 1e3, 100.0 * (total_seconds - covered) / total_seconds);
  out += line;
  return out;
}

}  // namespace rnmt
