#include "pipeline/run.hpp"

#include <pthread.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <thread>

#include "core/archive.hpp"
#include "core/dnnl_context.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "evaluation/bleu.hpp"
#include "pipeline/model_config.hpp"
#include "tokenizer/tokenizer.hpp"
#include "training/trainer.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

Stage parse_stage(const std::string& name) {
  if (name == "prepare") return Stage::prepare;
  if (name == "train") return Stage::train;
  if (name == "evaluate") return Stage::evaluate;
  if (name == "export") return Stage::export_model;
  throw Error("unknown stage '" + name + "' (expected prepare, train, evaluate or export)");
}

namespace {

std::atomic<bool> g_stop{false};      // a stop request for the training loop
std::atomic<bool> g_training{false};  // whether a stop request can be honoured gracefully

// SIGINT and SIGTERM are blocked before any worker thread exists (threads inherit the mask), and
// one watcher thread receives them with sigwait. A handler would instead run on whichever thread
// the kernel picks, OpenMP workers inside oneDNN kernels included. While training, a signal asks
// the loop to write a checkpoint and stop; in the other stages, whose files are all written
// atomically, it ends the process at once.
class InterruptWatcher {
 public:
  InterruptWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this] {
      for (;;) {
        int signal = 0;
        if (sigwait(&set_, &signal) != 0) continue;
        if (done_) return;
        if (g_training) {
          g_stop = true;
        } else {
          std::fprintf(stderr, "\ninterrupted\n");
          std::_Exit(128 + signal);
        }
      }
    });
  }
  ~InterruptWatcher() {
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGTERM);  // wakes the watcher, which sees done_
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t set_{}, previous_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// ----------------------------------------------------------------------------------- files
std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in = open_input_file(path);
  std::vector<std::string> lines;
  for (std::string l; read_text_line(in, l);) lines.push_back(std::move(l));
  return lines;
}

struct Corpus {
  std::vector<std::string> src, tgt;
};

Corpus read_corpus(const Recipe::Pair& p) {
  Corpus c{read_lines(p.src), read_lines(p.tgt)};
  if (c.src.size() != c.tgt.size()) {
    throw Error("parallel files differ in length: '" + p.src + "' has " +
                std::to_string(c.src.size()) + " lines, '" + p.tgt + "' has " +
                std::to_string(c.tgt.size()));
  }
  return c;
}

// --------------------------------------------------------------------- stage fingerprints
std::string hex(uint64_t h) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

uint64_t fnv(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string file_identity(const std::string& path) {
  if (path.empty() || !fs::exists(path)) return path + ":missing";
  return path + ":" + std::to_string(fs::file_size(path)) + ":" +
         std::to_string(fs::last_write_time(path).time_since_epoch().count());
}

// What each stage depends on; a stage is up to date when its stamp holds this fingerprint.
std::string fingerprint(const Recipe& r, Stage stage) {
  std::string s = "prepare:" + file_identity(r.data.train.src) + file_identity(r.data.train.tgt) +
                  file_identity(r.data.valid.src) + file_identity(r.data.valid.tgt) +
                  file_identity(r.data.test.src) + file_identity(r.data.test.tgt) +
                  r.tokenizer.normalization + std::to_string(r.tokenizer.joint) +
                  std::to_string(r.tokenizer.merges);
  if (stage >= Stage::train) {
    // everything of the model, training and validation sections, through the dumped recipe
    const std::string dumped = dump_recipe(r);
    s += dumped.substr(dumped.find("model:"), dumped.find("translate:") - dumped.find("model:"));
    s += std::to_string(r.tokenizer.dropout) + std::to_string(r.data.max_length);
  }
  if (stage >= Stage::evaluate) {
    s += "translate:" + std::to_string(r.translate.beam) +
         std::to_string(r.translate.max_length_ratio);
  }
  return hex(fnv(s));
}

std::string stamp_path(const Recipe& r, Stage stage) {
  const char* names[] = {"prepare", "train", "evaluate", "export"};
  return r.workdir + "/" + names[static_cast<int>(stage)] + ".done";
}

bool up_to_date(const Recipe& r, Stage stage) {
  const std::string p = stamp_path(r, stage);
  return fs::exists(p) && read_whole_file(p, "stage stamp") == fingerprint(r, stage);
}

void mark_done(const Recipe& r, Stage stage) {
  write_file_atomically(stamp_path(r, stage), fingerprint(r, stage));
}

// -------------------------------------------------------------------------- tokenizers
std::string src_tokenizer_path(const Recipe& r) {
  return r.workdir + "/prepare/src.tokenizer";
}
std::string tgt_tokenizer_path(const Recipe& r) {
  return r.workdir + (r.tokenizer.joint ? "/prepare/src.tokenizer" : "/prepare/tgt.tokenizer");
}

TokenizerModel learn_tokenizer(const Recipe& r,
                               const std::vector<const std::vector<std::string>*>& sides) {
  TokenizerModel m;
  m.options.normalization = parse_normalization(r.tokenizer.normalization);
  TokenizerModel whole = m;
  Tokenizer plain(whole);
  std::unordered_map<std::string, int64_t> words;
  int64_t line_number = 0, replaced = 0;
  for (const auto* side : sides) {
    for (const auto& line : *side) {
      for (auto& t : plain.tokenize(line, ++line_number, &replaced)) ++words[t];
    }
  }
  train_bpe(m, words,
            {.merges = r.tokenizer.merges, .dropout_vocabulary = r.tokenizer.dropout > 0});
  return m;
}

Sentence encode_line(Tokenizer& t, const std::string& line, float dropout = 0, Rng* rng = nullptr) {
  Sentence ids;
  for (const auto& p : t.tokenize(line, 0, nullptr, dropout, rng))
    ids.push_back(t.model().vocabulary.id(p));
  return ids;
}

// Encodes pairs, dropping empty, over-long and badly length-ratioed ones (counts in `dropped`).
ParallelData encode_corpus(const Corpus& c, Tokenizer& src, Tokenizer& tgt, int64_t max_length,
                           int64_t dropped[3], float dropout = 0, Rng* rng = nullptr) {
  ParallelData d;
  d.src_vocab = static_cast<int64_t>(src.model().vocabulary.size());
  d.tgt_vocab = static_cast<int64_t>(tgt.model().vocabulary.size());
  for (size_t i = 0; i < c.src.size(); ++i) {
    Sentence s = encode_line(src, c.src[i], dropout, rng);
    Sentence t = encode_line(tgt, c.tgt[i], dropout, rng);
    const auto ls = static_cast<int64_t>(s.size()), lt = static_cast<int64_t>(t.size());
    if (ls == 0 || lt == 0) {
      ++dropped[0];
    } else if (ls > max_length || lt > max_length) {
      ++dropped[1];
    } else if (std::max(ls, lt) > 9 && std::max(ls, lt) > 3 * std::min(ls, lt)) {
      ++dropped[2];
    } else {
      d.src.push_back(std::move(s));
      d.tgt.push_back(std::move(t));
    }
  }
  return d;
}

// Translation of raw lines (beam 1: greedy) as `rnmt translate` does it; one output per line.
std::vector<std::string> translate_lines(Seq2Seq& model, Tokenizer& src, const Tokenizer& tgt,
                                         const std::vector<std::string>& lines, const Recipe& r,
                                         int64_t beam) {
  TranslationOptions o;
  o.beam_size = beam;
  o.length_penalty = r.translate.length_penalty;
  o.max_length_ratio = r.translate.max_length_ratio;
  o.max_batch_size = 64;
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto& result :
       translate_text({TranslationModel{model, src, tgt, r.data.max_length}}, lines, o))
    out.push_back(std::move(result.hypotheses.front().text));
  return out;
}

// ------------------------------------------------------------------------------ stages
struct Prepared {
  Tokenizer src, tgt;
};

Prepared load_tokenizers(const Recipe& r) {
  return {Tokenizer(load_tokenizer(src_tokenizer_path(r))),
          Tokenizer(load_tokenizer(tgt_tokenizer_path(r)))};
}

void prepare(const Recipe& r, std::ostream& log) {
  const std::vector<std::string> files = {r.data.train.src, r.data.train.tgt, r.data.valid.src,
                                          r.data.valid.tgt};
  const bool missing =
      std::any_of(files.begin(), files.end(), [](const auto& f) { return !fs::exists(f); });
  if (missing && !r.data.prepare.empty()) {
    log << "prepare: running data.prepare: " << r.data.prepare << std::endl;
    const int status = std::system(r.data.prepare.c_str());
    if (status != 0)
      throw Error("data.prepare command failed (status " + std::to_string(status) +
                  "): " + r.data.prepare);
  }
  for (const auto& f : files) {
    if (!fs::exists(f))
      throw Error("data file '" + f + "' is missing (and data.prepare did not make it)");
  }
  const Corpus train = read_corpus(r.data.train);
  read_corpus(r.data.valid);  // checks line counts
  if (!r.data.test.src.empty()) read_corpus(r.data.test);
  fs::create_directories(r.workdir + "/prepare");
  const auto start = Clock::now();
  if (r.tokenizer.joint) {
    save_tokenizer(learn_tokenizer(r, {&train.src, &train.tgt}), src_tokenizer_path(r));
  } else {
    save_tokenizer(learn_tokenizer(r, {&train.src}), src_tokenizer_path(r));
    save_tokenizer(learn_tokenizer(r, {&train.tgt}), tgt_tokenizer_path(r));
  }
  auto p = load_tokenizers(r);
  log << "prepare: " << train.src.size() << " training pairs; tokenizer"
      << (r.tokenizer.joint ? " (joint)" : "s") << ": " << p.src.model().merges.size()
      << " merges, vocabulary " << p.src.model().vocabulary.size() << " / "
      << p.tgt.model().vocabulary.size() << " ("
      << std::chrono::duration<double>(Clock::now() - start).count() << " s)" << std::endl;
}

// Validation bookkeeping that must survive a restart. It travels inside the trainer's checkpoint
// (section "validation"), so that it and the weights it describes are replaced together: a run
// killed between writing one and the other would otherwise resume with a stale best score.
struct ValidationState {
  double best = NAN;
  int64_t best_step = 0, bad = 0;
  double lr_scale = 1.0;
};

ValidationState parse_validation_state(const std::string& text) {
  ValidationState v;
  std::istringstream in(text);
  in >> v.best >> v.best_step >> v.bad >> v.lr_scale;
  return v;
}

// The recipe's model section as dump_recipe writes it, less dropout (which may change between
// runs): what a checkpoint's weights mean.
std::string model_section(const Recipe& r) {
  const std::string dumped = dump_recipe(r);
  const size_t begin = dumped.find("\nmodel:"), end = dumped.find("\ntraining:");
  std::istringstream lines(dumped.substr(begin, end - begin));
  std::string shape;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("dropout:") == std::string::npos) shape += line + "\n";
  }
  return shape;
}

std::map<std::string, std::string> checkpoint_sections(const ValidationState& v, const Recipe& r) {
  char b[128];
  std::snprintf(b, sizeof b, "%.17g %lld %lld %.17g\n", v.best, static_cast<long long>(v.best_step),
                static_cast<long long>(v.bad), v.lr_scale);
  return {{"validation", b}, {"model", model_section(r)}};
}

void save_params(const Seq2Seq& model, const std::string& path) {
  Archive a;
  a.tag = "RNMTPARM";
  a.put("params", model.params().values(), model.params().total() * sizeof(float));
  write_archive(a, path);
}

void load_params(Seq2Seq& model, const std::string& path) {
  const Archive a = read_archive(path, "RNMTPARM", 1);
  const std::string& w = a.get("params");
  if (w.size() != model.params().total() * sizeof(float))
    throw Error("'" + path + "' does not fit this model");
  std::memcpy(model.params().values(), w.data(), w.size());
  model.params().touch();
}

// Writes step-N.ckpt, makes last.ckpt the same file (a hard link renamed into place, so it is never
// half-written), and deletes the oldest step checkpoints beyond `keep`.
void keep_checkpoint(const Trainer& trainer, const std::map<std::string, std::string>& sections,
                     const std::string& dir, const std::string& last, int64_t keep) {
  const std::string numbered = dir + "/step-" + std::to_string(trainer.position().step) + ".ckpt";
  trainer.save_checkpoint(numbered, sections);
  fs::remove(last + ".link");
  fs::create_hard_link(numbered, last + ".link");
  fs::rename(last + ".link", last);
  std::vector<std::pair<int64_t, fs::path>> steps;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("step-", 0) == 0 && name.size() > 10 &&
        name.substr(name.size() - 5) == ".ckpt") {
      steps.emplace_back(std::atoll(name.c_str() + 5), entry.path());
    }
  }
  std::sort(steps.begin(), steps.end());
  for (size_t i = 0; i + static_cast<size_t>(keep) < steps.size(); ++i) fs::remove(steps[i].second);
}

std::string clock_text(double seconds) {
  char b[32];
  const auto s = static_cast<long long>(seconds);
  std::snprintf(b, sizeof b, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return b;
}

struct Validation {
  double loss = 0, bleu = 0;
};

Validation validate(Seq2Seq& model, const ParallelData& valid, const Corpus& raw, Prepared& p,
                    const Recipe& r) {
  Validation v;
  double loss = 0;
  int64_t tokens = 0;
  for (size_t b = 0; b < valid.src.size(); b += 64) {
    std::vector<int64_t> ids(std::min<size_t>(64, valid.src.size() - b));
    std::iota(ids.begin(), ids.end(), static_cast<int64_t>(b));
    const LossStats s = model.forward(batch_of(valid, ids), false);
    loss += s.nll;
    tokens += s.tokens;
  }
  v.loss = tokens ? loss / static_cast<double>(tokens) : 0;
  if (r.validation.metric == "bleu") {
    v.bleu = corpus_bleu(translate_lines(model, p.src, p.tgt, raw.src, r, 1), {raw.tgt}).score;
  }
  return v;
}

int train(const Recipe& r, std::ostream& log) {
  set_threads(static_cast<int>(r.training.threads));
  Prepared p = load_tokenizers(r);
  int64_t dropped[3] = {0, 0, 0}, valid_dropped[3] = {0, 0, 0};
  const Corpus train_raw = read_corpus(r.data.train);
  const ParallelData data = encode_corpus(train_raw, p.src, p.tgt, r.data.max_length, dropped);
  const Corpus valid_raw = read_corpus(r.data.valid);
  const ParallelData valid =
      encode_corpus(valid_raw, p.src, p.tgt, r.data.max_length, valid_dropped);
  log << "train: " << data.src.size() << " pairs kept; dropped " << dropped[0]
      << " with an empty side, " << dropped[1] << " over " << r.data.max_length << " pieces, "
      << dropped[2] << " with a length ratio over 3" << std::endl;
  if (data.src.empty()) throw Error("no training pairs left after filtering");
  Seq2Seq model(model_config(r, data.src_vocab, data.tgt_vocab),
                static_cast<uint64_t>(r.training.seed));
  TrainerOptions o;
  o.lr = r.training.lr;
  o.clip_norm = r.training.clip_norm;
  o.batch_sentences = r.training.batch_sentences;
  o.batch_tokens = r.training.batch_tokens;
  o.seed = static_cast<uint64_t>(r.training.seed);
  Trainer::EpochData epoch_data;
  if (r.tokenizer.dropout >
      0) {  // BPE-dropout: a fresh segmentation of the training data each epoch
    epoch_data = [&, seed = o.seed](int64_t epoch) {
      Rng rng(seed * 7919u + static_cast<uint64_t>(epoch));
      int64_t ignored[3] = {0, 0, 0};
      return encode_corpus(train_raw, p.src, p.tgt, r.data.max_length, ignored,
                           static_cast<float>(r.tokenizer.dropout), &rng);
    };
  }
  Trainer trainer(model, data, o, epoch_data);
  const std::string dir = r.workdir + "/train", last = dir + "/last.ckpt",
                    best = dir + "/best.params";
  fs::create_directories(dir);
  ValidationState vs;
  if (fs::exists(last)) {
    const auto sections = trainer.load_checkpoint(last, [&](const auto& stored) {
      if (const auto it = stored.find("model");
          it != stored.end() && it->second != model_section(r))
        throw Error("'" + last + "' was trained with another model section than this recipe's; " +
                    "use another workdir, or --from train to start training afresh");
    });
    if (const auto it = sections.find("validation"); it != sections.end())
      vs = parse_validation_state(it->second);
    log << "train: resuming from " << last << " at step " << trainer.position().step << std::endl;
  }
  std::ofstream metrics(dir + "/metrics.jsonl", std::ios::app);
  g_stop = false;
  g_training = true;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  double last_report = 0, loss_sum = 0, gnorm_sum = 0;
  int64_t loss_tokens = 0, report_tokens = 0, report_steps = 0;
  bool interrupted = false;
  std::string reason = "";
  for (;;) {
    const auto& pos = trainer.position();
    if (r.training.max_steps > 0 && pos.step >= r.training.max_steps) reason = "max_steps reached";
    if (r.training.max_epochs > 0 && pos.epoch >= r.training.max_epochs)
      reason = "max_epochs reached";
    if (r.training.max_time_seconds > 0 && elapsed() >= r.training.max_time_seconds)
      reason = "max_time reached";
    if (g_stop) {
      interrupted = true;
      reason = "interrupted";
    }
    if (!reason.empty()) break;
    // learning-rate schedule (linear warm-up, then constant, 1/sqrt(step), or halved on plateaus)
    const double step = static_cast<double>(pos.step + 1),
                 warm = static_cast<double>(std::max<int64_t>(1, r.training.warmup_steps));
    double lr = r.training.lr * vs.lr_scale;
    if (r.training.schedule == "inverse_sqrt") {
      lr = r.training.lr * std::min(step / warm, std::sqrt(warm / step));
    } else if (r.training.warmup_steps > 0) {
      lr *= std::min(1.0, step / warm);
    }
    trainer.set_lr(lr);
    const StepResult s = trainer.step();
    if (s.applied) {
      loss_sum += s.loss.nll;
      loss_tokens += s.loss.tokens;
      report_tokens += s.loss.tokens;
      gnorm_sum += s.grad_norm;
      ++report_steps;
    }
    if (elapsed() - last_report >= 10 ||
        (report_steps > 0 && trainer.position().step % r.validation.every == 0)) {
      const double loss = loss_tokens ? loss_sum / static_cast<double>(loss_tokens) : 0;
      const double speed =
          static_cast<double>(report_tokens) / std::max(1e-9, elapsed() - last_report);
      std::string eta;
      if (r.training.max_time_seconds > 0)
        eta = ", ETA " + clock_text(r.training.max_time_seconds - elapsed());
      else if (r.training.max_steps > 0 && report_steps > 0) {
        eta = ", ETA " +
              clock_text((elapsed() - last_report) / static_cast<double>(report_steps) *
                         static_cast<double>(r.training.max_steps - trainer.position().step));
      }
      char line[320];
      std::snprintf(line, sizeof line,
                    "step %lld | epoch %lld | loss %.3f | ppl %.2f | %.0f tgt tok/s | lr %.2e | "
                    "grad norm %.2f | %s elapsed%s",
                    static_cast<long long>(trainer.position().step),
                    static_cast<long long>(trainer.position().epoch + 1), loss,
                    std::exp(std::min(loss, 50.0)), speed, trainer.lr(),
                    report_steps ? gnorm_sum / static_cast<double>(report_steps) : 0.0,
                    clock_text(elapsed()).c_str(), eta.c_str());
      log << line << std::endl;
      metrics << "{\"step\": " << trainer.position().step
              << ", \"epoch\": " << trainer.position().epoch + 1 << ", \"loss\": " << loss
              << ", \"tgt_tokens_per_s\": " << speed << ", \"lr\": " << trainer.lr()
              << ", \"elapsed_s\": " << elapsed() << "}\n";
      metrics.flush();
      last_report = elapsed();
      loss_sum = 0;
      gnorm_sum = 0;
      loss_tokens = report_tokens = report_steps = 0;
    }
    if (s.applied && trainer.position().step % r.validation.every == 0) {
      const Validation v = validate(model, valid, valid_raw, p, r);
      const double score = r.validation.metric == "bleu" ? v.bleu : -v.loss;
      const bool better = std::isnan(vs.best) || score > vs.best;
      if (better) {
        vs.best = score;
        vs.best_step = trainer.position().step;
        vs.bad = 0;
        save_params(model, best);
      } else {
        ++vs.bad;
        if (r.training.schedule == "plateau") vs.lr_scale *= 0.5;
      }
      keep_checkpoint(trainer, checkpoint_sections(vs, r), dir, last, r.validation.keep);
      char line[256];
      std::snprintf(
          line, sizeof line, "validation at step %lld: loss %.4f | ppl %.2f%s%s",
          static_cast<long long>(trainer.position().step), v.loss, std::exp(std::min(v.loss, 50.0)),
          r.validation.metric == "bleu" ? (" | BLEU " + std::to_string(v.bleu).substr(0, 5)).c_str()
                                        : "",
          better ? " | new best"
                 : (" | no improvement (" + std::to_string(vs.bad) + "/" +
                    std::to_string(r.validation.patience) + ")")
                       .c_str());
      log << line << std::endl;
      metrics << "{\"step\": " << trainer.position().step << ", \"valid_loss\": " << v.loss
              << ", \"valid_bleu\": " << v.bleu << "}\n";
      metrics.flush();
      if (r.validation.patience > 0 && vs.bad >= r.validation.patience)
        reason = "no improvement for " + std::to_string(vs.bad) + " validations";
      if (!reason.empty()) break;
    }
  }
  g_training = false;
  trainer.save_checkpoint(last, checkpoint_sections(vs, r));
  if (!fs::exists(best)) save_params(model, best);
  log << "train: stopped at step " << trainer.position().step << " (" << reason << ") after "
      << clock_text(elapsed()) << "; checkpoint " << last
      << (std::isnan(vs.best) ? "" : "; best validation at step " + std::to_string(vs.best_step))
      << std::endl;
  if (interrupted) {
    log << "train: interrupted; run the same command again to resume" << std::endl;
    return 130;
  }
  return 0;
}

void evaluate(const Recipe& r, std::ostream& log) {
  if (r.data.test.src.empty()) {
    log << "evaluate: no data.test in the recipe; skipped" << std::endl;
    return;
  }
  set_threads(static_cast<int>(r.training.threads));
  Prepared p = load_tokenizers(r);
  const auto model =
      Seq2Seq::for_inference(model_config(r, static_cast<int64_t>(p.src.model().vocabulary.size()),
                                          static_cast<int64_t>(p.tgt.model().vocabulary.size())));
  load_params(*model, r.workdir + "/train/best.params");
  const Corpus test = read_corpus(r.data.test);
  const auto start = Clock::now();
  const auto hyps = translate_lines(*model, p.src, p.tgt, test.src, r, r.translate.beam);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  fs::create_directories(r.workdir + "/evaluate");
  std::string text;
  int64_t exact = 0;
  for (size_t i = 0; i < hyps.size(); ++i) {
    text += hyps[i] + "\n";
    exact += hyps[i] == test.tgt[i];
  }
  write_file_atomically(r.workdir + "/evaluate/test.hyp", text);
  const BleuScore bleu = corpus_bleu(hyps, {test.tgt});
  const std::string report = bleu.format() + "\n" + bleu.signature() + "\n" + "exact match: " +
                             std::to_string(100.0 * static_cast<double>(exact) /
                                            static_cast<double>(std::max<size_t>(1, hyps.size())))
                                 .substr(0, 5) +
                             "% (" + std::to_string(exact) + " of " + std::to_string(hyps.size()) +
                             ")\n";
  write_file_atomically(r.workdir + "/evaluate/scores.txt", report);
  const std::string decoding =
      r.translate.beam > 1 ? "beam " + std::to_string(r.translate.beam) : std::string("greedy");
  log << "evaluate: " << hyps.size() << " test sentences translated (" << decoding << ") in "
      << seconds << " s\n"
      << report;
  for (size_t i = 0; i < std::min<size_t>(5, hyps.size()); ++i) {
    log << "  " << test.src[i] << "\n    -> " << hyps[i]
        << (hyps[i] == test.tgt[i] ? "" : "   (reference: " + test.tgt[i] + ")") << "\n";
  }
  log.flush();
}

void export_model(const Recipe& r, std::ostream& log) {
  Archive a;
  a.tag = "RNMTMODL";
  a.version = 1;
  const std::string recipe = dump_recipe(r);
  a.put("recipe", recipe.data(), recipe.size());
  const std::string src = read_whole_file(src_tokenizer_path(r), "tokenizer model"),
                    tgt = read_whole_file(tgt_tokenizer_path(r), "tokenizer model");
  a.put("src_tokenizer", src.data(), src.size());
  a.put("tgt_tokenizer", tgt.data(), tgt.size());
  a.sections["params"] =
      read_archive(r.workdir + "/train/best.params", "RNMTPARM", 1).get("params");
  write_archive(a, r.workdir + "/model.rnmt");
  log << "export: wrote " << r.workdir << "/model.rnmt ("
      << fs::file_size(r.workdir + "/model.rnmt") / 1000 << " kB)" << std::endl;
}

}  // namespace

int run_recipe(const Recipe& r, std::optional<Stage> from, std::ostream& log) {
  InterruptWatcher watcher;
  std::error_code ec;
  fs::create_directories(r.workdir, ec);
  if (ec) throw Error("cannot create the workdir '" + r.workdir + "': " + ec.message());
  write_file_atomically(r.workdir + "/recipe.yaml", dump_recipe(r));
  const char* names[] = {"prepare", "train", "evaluate", "export"};
  bool rerun = false;  // once a stage runs, every later one runs too: its input changed
  for (Stage stage : {Stage::prepare, Stage::train, Stage::evaluate, Stage::export_model}) {
    if (from && stage == *from) {
      rerun = true;
      if (stage == Stage::train) {  // --from train starts training afresh
        // Every checkpoint of the old training goes: a step-N.ckpt left from it would outrank
        // the new run's checkpoints when they are rotated.
        const std::string dir = r.workdir + "/train";
        if (fs::exists(dir)) {
          for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.path().extension() == ".ckpt") fs::remove(entry.path());
          }
        }
        fs::remove(r.workdir + "/train/best.params");
      }
    }
    if (!rerun && up_to_date(r, stage)) {
      log << names[static_cast<int>(stage)] << ": up to date, skipped" << std::endl;
      continue;
    }
    fs::remove(stamp_path(r, stage));  // an interrupted stage is not done
    switch (stage) {
      case Stage::prepare:
        prepare(r, log);
        break;
      case Stage::train:
        if (const int status = train(r, log); status != 0) return status;
        break;
      case Stage::evaluate:
        evaluate(r, log);
        break;
      case Stage::export_model:
        export_model(r, log);
        break;
    }
    mark_done(r, stage);
    rerun = true;
  }
  return 0;
}

}  // namespace rnmt
