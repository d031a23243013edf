#pragma once
#include <cstdint>
#include <ostream>
#include <string>

#include "core/training_precision.hpp"
#include "distributed/communicator.hpp"
#include "model/seq2seq.hpp"
#include "training/trainer.hpp"

namespace rnmt {

struct BenchTrainOptions {
  std::string src, tgt;  // pre-tokenized parallel files; empty: synthetic data
  int threads = 2;
  bool follow_load = true;  // fewer threads while other processes want the CPUs
  bool input_feeding = false;
  double seconds = 60;          // measured time after warm-up
  int64_t warmup_batches = 20;  // excluded from the figure (primitive creation, first reorders)
  int64_t batch_size = 64;
  int64_t synthetic_pairs = 20000, synthetic_length = 30, synthetic_vocab = 8000;
  int64_t max_length = 100;
  bool profile = false;  // print a per-part time breakdown of a step
  TrainingPrecision precision = TrainingPrecision::float32;
  ModelConfig model;  // sizes; vocabularies are filled from the data
  // Under mpirun: the ranks share each batch of batch_size (data-parallel training); rank 0 says
  // when the time is up. Null: this process alone.
  Communicator* communicator = nullptr;
};

struct BenchTrainResult {
  double target_tokens_per_second = 0;
  double gflops_per_second = 0;
  int64_t steps = 0;
  double first_loss = 0, last_loss = 0;  // per target token, over the first / last 10 steps
};

// The benchmark model B1 (by default: embeddings 256, biLSTM 512 per direction, LSTM decoder 512,
// general attention, batches of 64, Adam lr 1e-3, clip 5), trained for a fixed time.
BenchTrainResult bench_train(BenchTrainOptions options, std::ostream& log);

// The parameter count of the benchmark model `options` trains on synthetic data (B1 by default).
size_t bench_model_parameters(BenchTrainOptions options);

// Multiply-adds of one training step (forward + backward) on a batch of the step's shape, counted
// as 2 FLOPs each.
double training_flops(const ModelConfig& config, const StepResult& step);

}  // namespace rnmt
