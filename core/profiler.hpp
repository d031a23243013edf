#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace rnmt {

// Wall time per named part of a training step, for the benchmark's breakdown. Disabled profilers
// cost one branch per scope.
class Profiler {
 public:
  bool enabled = false;

  int part(const char* name);  // index of a part, registered on first use
  void add(int part, double seconds) { parts_[static_cast<size_t>(part)].seconds += seconds; }
  void reset();
  std::string report(double total_seconds) const;

 private:
  struct Part {
    std::string name;
    double seconds = 0;
  };
  std::vector<Part> parts_;
};

// Times the enclosing scope into a part of a profiler (if one is given and enabled).
class ProfileScope {
 public:
  ProfileScope(Profiler* profiler, int part)
      : profiler_(profiler && profiler->enabled ? profiler : nullptr), part_(part) {
    if (profiler_) start_ = std::chrono::steady_clock::now();
  }
  ~ProfileScope() {
    if (profiler_) {
      profiler_->add(
          part_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  Profiler* profiler_;
  int part_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rnmt
