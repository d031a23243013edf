#include "training/bench_train.hpp"

#include <chrono>
#include <cstdio>
#include <deque>

#include "training/load_following_threads.hpp"
#include "training/synthetic.hpp"
#include "training/trainer.hpp"

namespace rnmt {

double training_flops(const ModelConfig& c, const StepResult& b) {
  const double S = static_cast<double>(b.source_length), T = static_cast<double>(b.target_length),
               N = static_cast<double>(b.sentences);
  const double E = static_cast<double>(c.embedding), He = static_cast<double>(c.encoder_hidden),
               H = static_cast<double>(c.decoder_hidden), V = static_cast<double>(c.tgt_vocab);
  const bool lstm = rnn_cell(c.decoder_cell) == Cell::lstm,
             conditional = is_conditional(c.decoder_cell);
  const double gates = lstm ? 4 : 3, M = 2 * He;
  double forward = 0;
  for (int64_t l = 0; l < c.encoder_layers; ++l) {
    forward += 2 * S * N * 2 * 4 * He * ((l == 0 ? E : 2 * He) + He);
  }
  if (conditional) {  // the first cell reads the embedding, the second the context
    forward += T * N * 2 * gates * H * (E + H) + T * N * 2 * gates * H * (M + H);
  } else {
    for (int64_t l = 0; l < c.decoder_layers; ++l) {
      const double in = l == 0 ? E + (c.input_feeding ? H : 0) : H;
      forward += T * N * 2 * gates * H * (in + H);
    }
  }
  forward += c.decoder_layers * (lstm && c.bridge == BridgeType::tanh ? 2 : 1) * N * 2 * M * H;
  if (c.attention != AttentionType::none) {
    if (c.attention != AttentionType::dot) forward += S * N * 2 * M * H;
    forward += N * T * S * 2 * (H + M);
    // Luong's output projection, or the conditional decoders' deep output layer
    forward += conditional ? T * N * 2 * (E + H + M) * E : T * N * 2 * (M + H) * H;
  }
  forward += T * N * 2 * static_cast<double>(output_input_size(c)) * V;
  return 3 * forward;  // backward costs about twice the forward
}

size_t bench_model_parameters(BenchTrainOptions o) {
  o.model.src_vocab = o.model.tgt_vocab = o.synthetic_vocab + 4;  // the specials first
  o.model.input_feeding = o.input_feeding;
  const Seq2Seq model(o.model, 1);
  size_t total = 0;  // the parameters' own floats, not the arena's alignment padding
  for (const Param& p : model.params().params()) total += p.size;
  return total;
}

BenchTrainResult bench_train(BenchTrainOptions o, std::ostream& log) {
  using clock = std::chrono::steady_clock;
  LoadFollowingThreads threads(o.threads, o.follow_load);
  log << "bench: " << threads.description() << std::endl;
  const auto t_data = clock::now();
  ParallelData data =
      o.src.empty() ? synthetic_data(o.synthetic_pairs, o.synthetic_length, o.synthetic_vocab, 1)
                    : read_parallel_files(o.src, o.tgt, o.max_length);
  o.model.src_vocab = data.src_vocab;
  o.model.tgt_vocab = data.tgt_vocab;
  o.model.input_feeding = o.input_feeding;
  Seq2Seq model(o.model, 1);
  model.set_training_compute(training_compute(o.precision));
  log << "bench: " << training_precision_description(o.precision) << std::endl;
  // The real training step (lr 1e-3, clip 5 are TrainerOptions' defaults, as in the reference).
  Communicator& comm = o.communicator ? *o.communicator : local_communicator();
  Trainer trainer(model, data,
                  {.batch_sentences = o.batch_size, .seed = 1, .communicator = o.communicator});
  Profiler profiler;
  trainer.set_profiler(&profiler);
  char line[256];
  std::snprintf(line, sizeof line,
                "bench train: %zu pairs, vocab %lld/%lld, %zu parameters, %d rank(s) x %d threads, "
                "input feeding %s (data %.1fs)\n",
                data.src.size(), static_cast<long long>(data.src_vocab),
                static_cast<long long>(data.tgt_vocab), model.params().total(), comm.size(),
                o.threads, o.input_feeding ? "on" : "off",
                std::chrono::duration<double>(clock::now() - t_data).count());
  log << line << std::flush;

  BenchTrainResult result;
  int64_t step = 0, tokens = 0;
  double flops = 0;
  std::deque<double> recent;
  clock::time_point start;
  const auto begin = clock::now();
  double last_report = 0;
  for (;;) {
    if (step == o.warmup_batches) {
      start = clock::now();
      profiler.enabled = o.profile;
    }
    const StepResult s = trainer.step();
    if (const std::string change = threads.step_finished(); !change.empty())
      log << change << std::endl;
    const double loss = s.loss.nll / static_cast<double>(s.loss.tokens);
    if (step < 10) result.first_loss += loss / 10;
    recent.push_back(loss);
    if (recent.size() > 10) recent.pop_front();
    ++step;
    if (step > o.warmup_batches) {
      tokens += s.loss.tokens;
      flops += training_flops(o.model, s);
    }
    const double elapsed = std::chrono::duration<double>(clock::now() - begin).count();
    if (elapsed - last_report >= 10) {
      last_report = elapsed;
      std::snprintf(line, sizeof line, "  step %lld  loss %.3f  %.0fs\n",
                    static_cast<long long>(step), loss, elapsed);
      log << line << std::flush;
    }
    // every rank must stop after the same step: rank 0's clock decides
    if (lead_decides(
            comm, step > o.warmup_batches &&
                      std::chrono::duration<double>(clock::now() - start).count() >= o.seconds)) {
      break;
    }
  }
  const double measured = std::chrono::duration<double>(clock::now() - start).count();
  result.steps = step;
  for (double l : recent) result.last_loss += l / static_cast<double>(recent.size());
  result.target_tokens_per_second = static_cast<double>(tokens) / measured;
  result.gflops_per_second = flops / measured / 1e9;
  std::snprintf(line, sizeof line,
                "%lld steps (%lld measured over %.1fs), loss per token %.3f -> %.3f\n",
                static_cast<long long>(step), static_cast<long long>(step - o.warmup_batches),
                measured, result.first_loss, result.last_loss);
  log << line;
  if (o.profile) log << "time per part over the measured steps:\n" << profiler.report(measured);
  return result;
}

}  // namespace rnmt
