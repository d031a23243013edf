#include "training/load_following_threads.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rnmt {
namespace {

constexpr double kWindowSeconds = 2;
constexpr double kWaitingToDrop = 0.25;  // CPUs' worth of waiting over a window
constexpr double kIdleToRaise = 0.75;    // CPUs' worth standing idle over a window
constexpr double kFirstTrial = 30, kLastTrial = 480;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Seconds this process's threads have spent runnable but waiting for a CPU (the second field of
// each thread's schedstat, in nanoseconds); -1 where the kernel does not say.
double waiting_seconds() {
  double total = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    std::ifstream in(task.path() / "schedstat");
    double running = 0, waiting = 0;
    if (in >> running >> waiting) total += waiting;  // a thread that just ended: skipped
  }
  return error ? -1 : total / 1e9;
}

// Seconds the given CPUs have stood idle (idle and iowait of /proc/stat, in clock ticks).
double idle_seconds(const cpu_set_t& cpus) {
  std::ifstream in("/proc/stat");
  std::string line;
  double ticks = 0;
  while (std::getline(in, line)) {
    int cpu = -1;
    unsigned long long user, nice, system, idle, iowait;
    if (std::sscanf(line.c_str(), "cpu%d %llu %llu %llu %llu %llu", &cpu, &user, &nice, &system,
                    &idle, &iowait) == 6 &&
        cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &cpus))
      ticks += static_cast<double>(idle + iowait);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string cpus_text(double cpus) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", cpus);
  return text;
}

}  // namespace

LoadFollowingThreads::LoadFollowingThreads(int threads, bool follow_load)
    : configured_(threads),
      threads_(threads),
      caller_threads_(omp_get_max_threads()),
      follow_(follow_load) {
  if (sched_getaffinity(0, sizeof cpus_, &cpus_) != 0) CPU_ZERO(&cpus_);
  if (!follow_load)
    not_following_ = "training.follow_load is off";
  else if (threads < 2)
    not_following_ = "one thread";
  else if (waiting_seconds() < 0 || !std::ifstream("/proc/self/schedstat"))
    not_following_ = "the kernel does not report waiting time (/proc/self/schedstat)";
  follow_ = not_following_.empty();
  omp_set_num_threads(threads);
  pinning_ = std::make_unique<ThreadPinning>(threads);
  window_start_ = sample();
}

LoadFollowingThreads::~LoadFollowingThreads() {
  pinning_.reset();  // the CPUs every thread had, back
  omp_set_num_threads(caller_threads_);
}

std::string LoadFollowingThreads::description() const {
  std::string text =
      threads_ < configured_
          ? std::to_string(threads_) + " of " + std::to_string(configured_) + " threads, not pinned"
          : std::to_string(threads_) + (threads_ == 1 ? " thread, " : " threads, ") +
                pinning_->description();
  if (follow_) return text + "; fewer while other processes want the CPUs (training.follow_load)";
  return text + "; not following the load: " + not_following_;
}

LoadFollowingThreads::Sample LoadFollowingThreads::sample() const {
  if (!follow_) return {now_seconds(), 0, 0};
  return {now_seconds(), waiting_seconds(), idle_seconds(cpus_)};
}

std::string LoadFollowingThreads::set_threads(int threads, const std::string& why) {
  pinning_.reset();  // unpin before another team size: ThreadPinning pins only a full one
  threads_ = threads;
  omp_set_num_threads(threads);
  pinning_ = std::make_unique<ThreadPinning>(threads);
  at_reduced_ = 0;
  window_start_ = sample();
  return why.empty() ? std::string() : "train: " + why + "; " + description();
}

std::string LoadFollowingThreads::step_finished() {
  if (!follow_) return {};
  const double wall = now_seconds() - window_start_.wall;
  if (wall < kWindowSeconds) return {};
  const Sample end = sample();
  const double waiting = (end.waiting - window_start_.waiting) / wall;  // CPUs' worth
  const double idle = (end.idle - window_start_.idle) / wall;
  window_start_ = end;
  if (in_trial_) {
    in_trial_ = false;
    if (waiting >= kWaitingToDrop) {  // still busy: back, and wait longer before the next trial
      trial_after_ = std::min(2 * trial_after_, kLastTrial);
      set_threads(threads_ - 1, "");
      return {};
    }
    trial_after_ = kFirstTrial;
    return "train: a trial of " + std::to_string(threads_) + " threads waited for " +
           cpus_text(waiting) + " CPUs; keeping them. " + description();
  }
  if (waiting >= kWaitingToDrop && threads_ > 1) {
    return set_threads(threads_ - 1, "other processes kept training's threads waiting for " +
                                         cpus_text(waiting) + " CPUs");
  }
  if (threads_ < configured_) {
    if (idle >= kIdleToRaise) {
      trial_after_ = kFirstTrial;
      return set_threads(threads_ + 1, cpus_text(idle) + " CPUs stood idle");
    }
    at_reduced_ += wall;
    if (at_reduced_ >= trial_after_) {
      in_trial_ = true;
      set_threads(threads_ + 1, "");
    }
  }
  return {};
}

}  // namespace rnmt
