#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/params.hpp"
#include "distributed/communicator.hpp"

namespace rnmt {

// Sums a network's gradients over the ranks, in buckets, each component's (encoder, decoder,
// output, ...; a parameter's name up to its first '.') as soon as the backward pass is done with
// it: the output layer's buckets are on their way while the decoder's backward still runs.
// MPI matches collectives by the order in which ranks start them, so the buckets always go in
// one fixed order, the reverse of the parameters' (the output layer first, as backward finishes
// them); a component that is done early waits for the ones before it. A rank with no share of
// the batch (no backward at all) calls finish() alone and sends the same buckets in the same order.
class GradientSum {
 public:
  // 4 Mi floats (16 MiB) per bucket by default, as PyTorch's DDP uses 25 MB: large enough that the
  // per-message latency is small, small enough that the first bucket goes early.
  static constexpr size_t kDefaultBucketFloats = size_t{1} << 22;
  GradientSum(Communicator& comm, ParamSet& params, size_t bucket_floats = kDefaultBucketFloats);

  void start();                                     // a new step: nothing is on its way yet
  void component_done(std::string_view component);  // its gradients are final: send them
  void finish();  // sends what is left and waits until every gradient is the sum over the ranks

 private:
  struct Span {  // a run of consecutive parameters of one component in the gradient arena
    std::string component;
    size_t begin = 0, end = 0;  // floats
    bool done = false;          // its gradients are final
    bool sent = false;
  };
  void send_ready();  // the spans in order up to the first not done

  Communicator& comm_;
  float* grads_;  // [params.total()]
  size_t bucket_floats_;
  std::vector<Span> spans_;  // in the order they are sent
};

}  // namespace rnmt
