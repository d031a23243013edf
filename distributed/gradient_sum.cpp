#include "distributed/gradient_sum.hpp"

#include <algorithm>

namespace rnmt {

GradientSum::GradientSum(Communicator& comm, ParamSet& params, size_t bucket_floats)
    : comm_(comm), grads_(params.grads()), bucket_floats_(std::max<size_t>(1, bucket_floats)) {
  for (const Param& p : params.params()) {
    const std::string component = p.name.substr(0, p.name.find('.'));
    // A component's parameters are registered together; if one ever is not, it gets two spans,
    // never a span that covers another component's gradients.
    if (!spans_.empty() && spans_.back().component == component && spans_.back().end == p.offset) {
      spans_.back().end = p.offset + p.size;
    } else {
      spans_.push_back({component, p.offset, p.offset + p.size});
    }
  }
  std::reverse(spans_.begin(), spans_.end());
}

void GradientSum::start() {
  for (Span& span : spans_) span.done = span.sent = false;
}

void GradientSum::send_ready() {
  for (Span& span : spans_) {
    if (!span.done) return;
    if (span.sent) continue;
    for (size_t begin = span.begin; begin < span.end; begin += bucket_floats_)
      comm_.start_sum(grads_ + begin, std::min(bucket_floats_, span.end - begin));
    span.sent = true;
  }
}

void GradientSum::component_done(std::string_view component) {
  for (Span& span : spans_)
    if (span.component == component) span.done = true;
  send_ready();
  comm_.progress();
}

void GradientSum::finish() {
  for (Span& span : spans_) span.done = true;
  send_ready();
  comm_.finish_sums();
}

}  // namespace rnmt
