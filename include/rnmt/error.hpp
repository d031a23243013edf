#pragma once
#include <stdexcept>
#include <string>

namespace rnmt {

// Every error rnmt reports to a caller: a message that says what is wrong (and with which file,
// line or option, where there is one).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace rnmt
