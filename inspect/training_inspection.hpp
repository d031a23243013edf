#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "inspect/network_trace.hpp"

namespace rnmt {

// What `training.inspect_every` records at a step, on one fixed batch: how the gradient of the
// loss reaches back through time in every recurrent layer, how saturated the gates are, and the
// parameters' weight and gradient norms.
struct TrainingInspection {
  int64_t step = 0;
  double loss_per_token = 0;  // the fixed batch's, without dropout
  struct Layer {
    LayerRole role;
    int64_t depth;
    Cell cell;
    // [positions] the mean over the batch's sentences that reach position p (source positions
    // for the encoder, target positions for the decoder) of ||dL/dh_p||, L the batch's mean token
    // loss; and how many sentences reach it.
    std::vector<double> gradient_norm;
    std::vector<int64_t> sentences;
    std::vector<double> saturation;  // [gates] over every position of every sentence
  };
  std::vector<Layer> layers;
  std::vector<NetworkTrace::ParameterNorms> parameters;
  double gradient_norm = 0;          // the fixed batch's, before clipping
  double clipped_gradient_norm = 0;  // after clipping to clip_norm
};

// Traces the network on the batch with gradients (nothing of training is changed: no dropout drawn,
// gradients zeroed after) and summarises it.
TrainingInspection inspect_training(Seq2Seq& network, const Batch& batch, double clip_norm,
                                    int64_t step);

}  // namespace rnmt
