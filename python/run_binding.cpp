// rnmt.run(): a recipe-driven training run, as `rnmt run` does it.
#include <pybind11/stl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "python/bindings.hpp"
#include "rnmt/run.hpp"

namespace py = pybind11;

namespace rnmt::python {
namespace {

// An override's value as a recipe line would spell it.
std::string recipe_text(const std::string& key, const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value) ||
      py::isinstance<py::str>(value))
    return py::str(value).cast<std::string>();
  throw py::type_error("run(): override '" + key + "' expects a str, int, float or bool, got " +
                       py::str(py::type::of(value).attr("__name__")).cast<std::string>());
}

// Recipes may prepare their data with `$RNMT ...`: the rnmt command on PATH, unless RNMT is set
// (then "", which leaves it as it is).
std::string rnmt_command() {
  if (std::getenv("RNMT")) return "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (size_t start = 0; start <= dirs.size();) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::filesystem::path candidate =
        std::filesystem::path(dirs.substr(start, end - start)) / "rnmt";
    if (!candidate.parent_path().empty() && ::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
    start = end + 1;
  }
  return "";
}

// Ctrl-C in Python: the interpreter's handler only notes the signal, and runs the Python side
// (raising KeyboardInterrupt) when asked, from the main thread. The run asks through check_stop,
// at most every 50 ms; the exception is kept and raised once the run has stopped.
class PythonInterrupts {
 public:
  bool check() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(50)) return false;
    last_ = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() == 0) return false;
    error_ = std::make_unique<py::error_already_set>();  // takes the pending exception
    return true;
  }
  // With the GIL held, after the run: raises what check() caught.
  void raise_if_caught() {
    if (error_) throw std::move(*error_);
  }

 private:
  std::chrono::steady_clock::time_point last_{};
  std::unique_ptr<py::error_already_set> error_;
};

int run(const std::string& recipe_path, const py::dict& overrides,
        const std::optional<std::string>& from) {
  std::vector<std::string> sets;
  for (const auto& [key, value] : overrides) {
    const std::string name = py::str(key).cast<std::string>();
    sets.push_back(name + "=" + recipe_text(name, value));
  }
  PythonInterrupts interrupts;
  RunOptions options;
  options.overrides = std::move(sets);
  options.from_stage = from.value_or("");
  options.stop_requested = [&] { return interrupts.check(); };
  options.rnmt_command = rnmt_command();
  int status = 0;
  {
    py::gil_scoped_release release;
    status = rnmt::run(recipe_path, options);
  }
  interrupts.raise_if_caught();
  return status;
}

}  // namespace

void add_run(py::module_& m) {
  m.def("run", &run, py::arg("recipe"), py::arg("overrides") = py::dict(),
        py::arg("from_stage") = py::none(),
        "Runs a recipe as `rnmt run` does (prepare, train, evaluate, export; what is up to date is "
        "skipped; training resumes from its checkpoint), logging to stderr. overrides: recipe keys "
        "and values, as --set ({'training.lr': 0.0005}); from_stage: 'prepare', 'train', "
        "'evaluate' or 'export' to re-run from there. Returns the exit status (130 when "
        "interrupted); a bad recipe raises rnmt.Error naming the file, line and key.");
}

}  // namespace rnmt::python
