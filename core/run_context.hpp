#pragma once
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace rnmt {

// A request to stop, shared by whoever asks (the command line's signal watcher, Python's Ctrl-C
// check) and the run that honours it. Copies share one flag.
class StopToken {
 public:
  void request() const { flag_->store(true); }
  bool requested() const { return flag_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(false);
};

// What a run (`rnmt run`, a sweep's trials, `rnmt.run()`) takes from its caller instead of from
// the process: the library installs no signal handler, sets no environment variable and keeps no
// global stop flag.
struct RunContext {
  // A requested stop ends training with a checkpoint (exit status 130, and the same command
  // resumes), and the other stages at their next check (between batches translated, or by
  // stopping data.prepare's command), with nothing half written.
  StopToken stop;
  // Training stops at this time as it does on a stop request (rnmt sweep's --budget).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  // Called where the run checks for a stop, from the run's thread; returning true requests one.
  // Python's Ctrl-C arrives this way (its handlers run only when the interpreter is asked).
  std::function<bool()> check_stop;
  // What $RNMT names in data.prepare's environment (the rnmt command); empty: left as inherited.
  std::string rnmt_command;

  bool stop_requested() const;  // the token, or check_stop asked for it (then the token too)
  bool deadline_passed() const;
};

// Thrown by the stages other than training when a stop is requested; run_recipe turns it into
// exit status 130. Not an rnmt::Error: a sweep must not record an interrupted trial as failed.
struct Interrupted : std::exception {
  const char* what() const noexcept override { return "interrupted"; }
};

// Throws Interrupted when a stop is requested.
void stop_point(const RunContext& context);

}  // namespace rnmt
