#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/launched_world.hpp"
#include "cli/options.hpp"
#include "core/error.hpp"
#include "distributed/allreduce_bench.hpp"
#include "distributed/gradient_sum.hpp"
#include "training/bench_train.hpp"

namespace po = boost::program_options;

namespace rnmt::cli {

int bench_train_command(const std::vector<std::string>& args) {
  BenchTrainOptions o;
  std::string cell = "lstm", attention = "general", precision = "float32";
  po::options_description desc(
      "rnmt bench train: train the benchmark model for a fixed time and report target tokens/s\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "src", po::value(&o.src), "pre-tokenized source file (default: synthetic data)")(
      "tgt", po::value(&o.tgt), "pre-tokenized target file, line-aligned with --src")(
      "threads", po::value(&o.threads)->default_value(2), "threads for oneDNN and rnmt's loops")(
      "fixed-threads", po::bool_switch(),
      "keep --threads while other processes want the CPUs (training.follow_load: false)")(
      "input-feeding", po::bool_switch(&o.input_feeding),
      "Luong input feeding (step-by-step decoder)")(
      "seconds", po::value(&o.seconds)->default_value(60), "measured seconds after warm-up")(
      "warmup", po::value(&o.warmup_batches)->default_value(20),
      "batches excluded from the figure")("batch", po::value(&o.batch_size)->default_value(64),
                                          "sentence pairs per batch")(
      "embedding", po::value(&o.model.embedding)->default_value(256), "embedding size")(
      "hidden", po::value(&o.model.decoder_hidden)->default_value(512),
      "decoder hidden size; the encoder uses it per direction")(
      "cell", po::value(&cell)->default_value("lstm"), "decoder cell: lstm | gru | clstm | cgru")(
      "attention", po::value(&attention)->default_value("general"),
      "none | dot | general | additive")("precision",
                                         po::value(&precision)->default_value("float32"),
                                         "float32 | bfloat16 | auto (training.precision)")(
      "profile", po::bool_switch(&o.profile), "print the time of each part of a step");
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "bench train"); status >= 0) return status;
  if (o.src.empty() != o.tgt.empty()) throw Error("--src and --tgt go together");
  o.follow_load = !vm["fixed-threads"].as<bool>();
  try {
    o.model.decoder_cell = parse_enum(kDecoderCellNames, cell, "cell");
  } catch (const Error&) {
    throw Error("--cell must be " + enum_name_list(kDecoderCellNames) + ", not '" + cell + "'");
  }
  o.model.attention = parse_enum(kAttentionTypeNames, attention, "attention type");
  o.precision = parse_enum(kTrainingPrecisionNames, precision, "--precision");
  o.model.encoder_hidden = o.model.decoder_hidden;
  // under mpirun: data-parallel, the ranks sharing each batch of --batch
  return run_on_launched_world([&](Communicator& world, std::ostream& log) {
    o.communicator = &world;
    const BenchTrainResult r = bench_train(o, log);
    if (world.lead()) {
      std::cout << "GFLOP/s: " << static_cast<long long>(r.gflops_per_second + 0.5) << "\n"
                << "target tokens/s: " << static_cast<long long>(r.target_tokens_per_second + 0.5)
                << std::endl;
    }
    return 0;
  });
}

int bench_allreduce_command(const std::vector<std::string>& args) {
  size_t floats = 0, bucket = GradientSum::kDefaultBucketFloats;
  int repeats = 20;
  po::options_description desc(
      "mpirun -np N rnmt bench allreduce: time summing a training step's gradients over the ranks\n"
      "options");
  desc.add_options()("help,h", "show this help")(
      "floats", po::value(&floats),
      "floats to sum (default: the gradients of B1, rnmt bench train's model)")(
      "bucket", po::value(&bucket)->default_value(bucket), "floats per all-reduce bucket")(
      "repeats", po::value(&repeats)->default_value(repeats), "timed sums (after one warm-up)");
  po::variables_map vm;
  if (int status = parse_command(args, desc, vm, "bench allreduce"); status >= 0) return status;
  if (repeats < 1 || bucket < 1) throw Error("--repeats and --bucket must be at least 1");
  if (floats == 0) floats = bench_model_parameters(BenchTrainOptions{});
  return run_on_launched_world([&](Communicator& world, std::ostream& log) {
    const AllreduceBenchResult r = bench_allreduce(world, floats, bucket, repeats);
    if (world.lead()) {
      std::ostringstream line;  // one write: mpirun interleaves the ranks' streams by writes
      line << "bench allreduce: " << world.size() << " ranks, " << floats << " floats ("
           << static_cast<double>(floats) * 4 / 1e6 << " MB) in buckets of " << bucket << "\n";
      log << line.str() << std::flush;
      std::cout << "median ms: " << r.median_seconds * 1e3 << "\n"
                << "fastest ms: " << r.fastest_seconds * 1e3 << "\n"
                << "bus GB/s: " << r.bus_gigabytes_per_second << std::endl;
    }
    return 0;
  });
}

}  // namespace rnmt::cli
