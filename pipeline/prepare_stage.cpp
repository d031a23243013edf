#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <omp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/files.hpp"
#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"
#include "pipeline/training_shards.hpp"
#include "training/workdir.hpp"

namespace rnmt {
namespace fs = std::filesystem;
namespace {

// BPE learned from the word counts of these text files, read as a stream: memory holds the counts
// (one entry per distinct word), not the corpus. Lines are read in chunks and split into words by
// every thread, each counting into a table of its own; the tables are summed at the end. Counts do
// not depend on the order they are made in (and learn_bpe sorts the words), so the merges are
// exactly those of the whole text counted in one pass, on any thread count.
TokenizerModel learn_tokenizer(const Recipe& r, const std::vector<std::string>& files,
                               std::ostream& log, const RunContext& context) {
  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  TokenizerModel m;
  m.options.normalization = r.tokenizer.normalization;
  const int threads = std::max(1, omp_get_max_threads());
  std::vector<PieceTokenizer> plain;  // whole words: a model without merges
  plain.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) plain.emplace_back(m);
  std::vector<std::unordered_map<std::string, int64_t>> counts(static_cast<size_t>(threads));
  constexpr size_t kChunk = 8192;
  std::vector<std::string> lines(kChunk);
  int64_t line_number = 0;
  for (const auto& file : files) {
    std::ifstream in = open_input_file(file);
    for (bool more = true; more;) {
      size_t n = 0;
      while (n < kChunk && read_text_line(in, lines[n])) ++n;
      more = n == kChunk;
      std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
      for (size_t i = 0; i < n; ++i) {
        const auto thread = static_cast<size_t>(omp_get_thread_num());
        try {
          int64_t replaced = 0;
          for (auto& word : plain[thread].tokenize(
                   lines[i], line_number + static_cast<int64_t>(i) + 1, &replaced))
            ++counts[thread][word];
        } catch (...) {
#pragma omp critical
          if (!failure) failure = std::current_exception();
        }
      }
      if (failure) std::rethrow_exception(failure);
      line_number += static_cast<int64_t>(n);
      stop_point(context);
      if (std::chrono::steady_clock::now() - last_report > std::chrono::seconds(30)) {
        last_report = std::chrono::steady_clock::now();
        log << "prepare: counting words: " << line_number << " lines (" << file << ", "
            << static_cast<int>(std::chrono::duration<double>(last_report - start).count()) << " s)"
            << std::endl;
      }
    }
  }
  std::unordered_map<std::string, int64_t>& words = counts.front();
  for (size_t t = 1; t < counts.size(); ++t) {
    for (const auto& [word, count] : counts[t]) words[word] += count;
    counts[t] = {};
  }
  stop_point(context);
  train_bpe(m, words, {.merges = r.tokenizer.merges, .dropout_vocabulary = r.tokenizer.dropout > 0},
            [&](int64_t) { stop_point(context); });
  return m;
}

// This process's environment, with RNMT=rnmt_command when that is given (recipes call rnmt as
// $RNMT in data.prepare); the strings live in `storage`.
std::vector<char*> child_environment(const std::string& rnmt_command,
                                     std::vector<std::string>& storage) {
  for (char** e = environ; *e; ++e) {
    if (rnmt_command.empty() || std::strncmp(*e, "RNMT=", 5) != 0) storage.emplace_back(*e);
  }
  if (!rnmt_command.empty()) storage.push_back("RNMT=" + rnmt_command);
  std::vector<char*> pointers;
  for (auto& s : storage) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Runs data.prepare with /bin/sh in a process group of its own and waits for it, checking for a
// stop request every 50 ms: a stop ends the whole group (SIGTERM) and throws Interrupted.
// Returns the command's wait status.
int run_prepare_command(const std::string& command, const RunContext& context) {
  std::vector<std::string> storage;
  std::vector<char*> environment = child_environment(context.rnmt_command, storage);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setpgroup(&attributes, 0);
  // The caller may block SIGINT and SIGTERM (rnmt run's signal watcher): the command starts with
  // them open, as from a shell.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
  std::string shell = "/bin/sh", dash_c = "-c", text = command;
  char* argv[] = {shell.data(), dash_c.data(), text.data(), nullptr};
  pid_t pid = 0;
  const int error = posix_spawn(&pid, "/bin/sh", nullptr, &attributes, argv, environment.data());
  posix_spawnattr_destroy(&attributes);
  if (error != 0)
    throw Error("cannot start data.prepare (" + std::string(std::strerror(error)) + ")");
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) throw Error("cannot wait for data.prepare");
    if (context.stop_requested()) {
      kill(-pid, SIGTERM);
      waitpid(pid, &status, 0);
      throw Interrupted();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

void prepare_stage(const Recipe& r, std::ostream& log, const RunContext& context) {
  const std::vector<std::string> files = {r.data.train.src, r.data.train.tgt, r.data.valid.src,
                                          r.data.valid.tgt};
  const bool missing =
      std::any_of(files.begin(), files.end(), [](const auto& f) { return !fs::exists(f); });
  if (missing && !r.data.prepare.empty()) {
    log << "prepare: running data.prepare: " << r.data.prepare << std::endl;
    const int status = run_prepare_command(r.data.prepare, context);
    if (status != 0) {
      throw Error("data.prepare command failed (" +
                  (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                     : "signal " + std::to_string(WTERMSIG(status))) +
                  "): " + r.data.prepare);
    }
  }
  for (const auto& f : files) {
    if (!fs::exists(f))
      throw Error("data file '" + f + "' is missing (and data.prepare did not make it)");
  }
  stop_point(context);
  const int64_t train_lines = count_lines(r.data.train.src);
  if (const int64_t tgt_lines = count_lines(r.data.train.tgt); tgt_lines != train_lines) {
    throw Error("parallel files differ in length: '" + r.data.train.src + "' has " +
                std::to_string(train_lines) + " lines, '" + r.data.train.tgt + "' has " +
                std::to_string(tgt_lines));
  }
  read_corpus(r.data.valid);  // checks line counts
  if (!r.data.test.src.empty()) read_corpus(r.data.test);
  fs::create_directories(Workdir{r.workdir}.prepare());
  const auto start = std::chrono::steady_clock::now();
  if (r.tokenizer.joint) {
    save_tokenizer(learn_tokenizer(r, {r.data.train.src, r.data.train.tgt}, log, context),
                   src_tokenizer_path(r));
  } else {
    save_tokenizer(learn_tokenizer(r, {r.data.train.src}, log, context), src_tokenizer_path(r));
    save_tokenizer(learn_tokenizer(r, {r.data.train.tgt}, log, context), tgt_tokenizer_path(r));
  }
  const Tokenizers t = load_tokenizers(r);
  log << "prepare: " << train_lines << " training pairs; tokenizer"
      << (r.tokenizer.joint ? " (joint)" : "s") << ": " << t.src.model().merges.size()
      << " merges, vocabulary " << t.src.model().vocabulary.size() << " / "
      << t.tgt.model().vocabulary.size() << " ("
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s)"
      << std::endl;
  // BPE-dropout segments the text afresh every epoch, from the text itself (train_stage).
  if (r.tokenizer.dropout == 0) make_training_shards(r, log, context);
}

}  // namespace rnmt
