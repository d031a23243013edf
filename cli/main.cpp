// rnmt: the command-line front door. Each command lives in its own file; this one dispatches.
#include <malloc.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace {

const char* kUsage =
    "usage: rnmt COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run            the whole pipeline from a YAML recipe (rnmt run RECIPE.yaml)\n"
    "  sweep          hyper-parameter search over a recipe (rnmt sweep RECIPE --space SPACE)\n"
    "  translate      raw text -> raw text with a model file (rnmt translate -m MODEL)\n"
    "  score          log-probabilities of given translations (rnmt score -m MODEL --src --tgt)\n"
    "  average        the mean of model files' weights (rnmt average -o OUT A B ...)\n"
    "  quantize       a model file with int8 weights (rnmt quantize IN OUT): a quarter the size\n"
    "  convert        an OpenNMT-py model as an rnmt model file (rnmt convert --from opennmt-py)\n"
    "  serve          an HTTP/JSON translation server (rnmt serve -m MODEL --port 8080)\n"
    "  inspect        gates, attention and weights of a model on some lines, as an HTML page\n"
    "  report         a training run (rnmt report WORKDIR -o training.html)\n"
    "  learn-bpe      learn BPE merges and a vocabulary from raw text\n"
    "  tokenize       raw text -> pieces (stdin to stdout)\n"
    "  detokenize     pieces -> raw text (stdin to stdout)\n"
    "  bleu           corpus BLEU as sacreBLEU computes it (rnmt bleu REF [HYP])\n"
    "  bench train    time training of the benchmark model (under mpirun: data-parallel)\n"
    "  bench allreduce  time summing its gradients over the ranks (under mpirun)\n"
    "  quickstart-data DIR  the quickstart recipe's data (numbers in English and Spanish)\n"
    "\n"
    "\n"
    "rnmt COMMAND --help explains a command's options; rnmt --version says which rnmt, oneDNN\n"
    "and CPU instructions this is.\n";

// glibc serves a freed large block's size from the heap from then on (its mmap threshold rises
// to it, up to 32 MiB), and rnmt's buffers grow as longer batches come: the heap then keeps freed
// buffers it cannot give back. A fixed threshold of 1 MiB keeps every large buffer in a mapping of
// its own, returned whole when freed, while oneDNN's smaller per-call buffers (256 KiB) stay in
// the heap and cost no system call: B1 on the Bible recipe peaked at 1.63 GB in 150 steps instead
// of 1.87 GB (docs/performance.md). MALLOC_MMAP_THRESHOLD_ in the environment still decides.
void keep_large_buffers_in_their_own_mappings() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_large_buffers_in_their_own_mappings();
  // Over a file-size limit (ulimit -f) a write then fails with EFBIG, which rnmt reports and
  // recovers from (the previous checkpoint stays), instead of the process dying on SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 2 && args[0] == "bench" && args[1] == "train") {
      return rnmt::cli::bench_train_command({args.begin() + 2, args.end()});
    }
    if (args.size() >= 2 && args[0] == "bench" && args[1] == "allreduce")
      return rnmt::cli::bench_allreduce_command({args.begin() + 2, args.end()});
    const std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
    if (!args.empty() && args[0] == "learn-bpe") return rnmt::cli::learn_bpe_command(rest);
    if (!args.empty() && args[0] == "tokenize") return rnmt::cli::tokenize_command(rest);
    if (!args.empty() && args[0] == "detokenize") return rnmt::cli::detokenize_command(rest);
    if (!args.empty() && args[0] == "bleu") return rnmt::cli::bleu_command(rest);
    if (!args.empty() && args[0] == "run") return rnmt::cli::run_command(rest);
    if (!args.empty() && args[0] == "sweep") return rnmt::cli::sweep_command(rest);
    if (!args.empty() && args[0] == "translate") return rnmt::cli::translate_command(rest);
    if (!args.empty() && args[0] == "average") return rnmt::cli::average_command(rest);
    if (!args.empty() && args[0] == "quantize") return rnmt::cli::quantize_command(rest);
    if (!args.empty() && args[0] == "convert") return rnmt::cli::convert_command(rest);
    if (!args.empty() && args[0] == "score") return rnmt::cli::score_command(rest);
    if (!args.empty() && args[0] == "serve") return rnmt::cli::serve_command(rest);
    if (!args.empty() && args[0] == "inspect") return rnmt::cli::inspect_command(rest);
    if (!args.empty() && args[0] == "report") return rnmt::cli::report_command(rest);
    if (!args.empty() && args[0] == "quickstart-data")
      return rnmt::cli::quickstart_data_command(rest);
    if (!args.empty() && (args[0] == "--version" || args[0] == "version"))
      return rnmt::cli::version_command();
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << (args.empty() ? "" : "rnmt: unknown command '" + args[0] + "'\n\n") << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "rnmt: error: " << e.what() << "\n";
    return 1;
  }
}
