#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>

#include "core/crash_point.hpp"
#include "core/error.hpp"
#include "embeddings/pretrained_embeddings.hpp"
#include "evaluation/bleu.hpp"
#include "inspect/training_inspection.hpp"
#include "model_file/weights.hpp"
#include "pipeline/corpus.hpp"
#include "pipeline/stages.hpp"
#include "recipe/model_config.hpp"
#include "report/training_report.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/load_following_threads.hpp"
#include "training/schedule.hpp"
#include "training/trainer.hpp"
#include "training/training_log.hpp"
#include "training/validation_record.hpp"
#include "training/workdir.hpp"

namespace rnmt {
namespace {

// Where a run's initial embeddings came from ("" for none): a checkpoint started from other
// vectors is not resumed under this recipe.
std::string pretrained_source(const Recipe& r) {
  const auto& p = r.model.pretrained;
  if (p.src.empty() && p.tgt.empty()) return "";
  return "src: " + p.src + "\ntgt: " + p.tgt +
         "\nformat: " + enum_name(kWordVectorFormatNames, p.format) + "\n";
}

RunCheckpointSections checkpoint_sections(const ValidationRecord& v, const Recipe& r) {
  return {.validation = v,
          .model_shape = model_shape(r),
          .pretrained_embeddings = pretrained_source(r)};
}

ValidationScores validate(Seq2Seq& model, const ParallelData& valid, const Corpus& raw,
                          Tokenizers& t, const Recipe& r) {
  ValidationScores v;
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
  if (r.validation.metric == ValidationMetric::bleu) {
    TranslationOptions greedy = translation_options(r);
    greedy.beam_size = 1;
    greedy.sampling_topk = 1;  // validation is deterministic: greedy search
    v.bleu = corpus_bleu(translate_lines(model, t.src, t.tgt, raw.src, r, greedy), {raw.tgt}).score;
  }
  return v;
}

// The tables recipe keeps as loaded.
std::vector<std::string> frozen_parameters(const Recipe& r) {
  std::vector<std::string> frozen;
  if (!r.model.pretrained.freeze) return frozen;
  if (!r.model.pretrained.src.empty()) frozen.push_back("src_embedding");
  if (!r.model.pretrained.tgt.empty()) frozen.push_back("tgt_embedding");
  return frozen;
}

// Pretrained word vectors into a fresh network's embedding tables (a resumed run finds its
// embeddings in its checkpoint), with the coverage on the log.
void place_pretrained_embeddings(const Recipe& r, Seq2Seq& model, Tokenizers& t,
                                 std::ostream& log) {
  const auto& pretrained = r.model.pretrained;
  const struct {
    const std::string& path;
    const char* table;
    PieceTokenizer& tokenizer;
    const char* side;
  } sides[] = {{pretrained.src, "src_embedding", t.src, "source"},
               {pretrained.tgt, "tgt_embedding", t.tgt, "target"}};
  for (const auto& side : sides) {
    if (side.path.empty()) continue;
    const WordVectors vectors = read_word_vectors(side.path, pretrained.format);
    const EmbeddingCoverage c = place_word_vectors(
        vectors, side.path, side.tokenizer, model.params().find(side.table).w, r.model.embedding);
    model.params().touch();
    log << "train: " << side.side << " embeddings from " << side.path << " ("
        << vectors.words.size() << " vectors): " << std::lround(100 * c.fraction()) << "% of the "
        << side.side << " vocabulary's " << c.pieces << " pieces placed (" << c.words
        << " by their word, " << c.composed << " by the words containing them)"
        << (pretrained.freeze ? "; frozen" : "") << std::endl;
  }
}

// Whether training goes on, ends (a limit, or patience), or is interrupted (a signal, or the
// sweep's time budget: a checkpoint, exit status 130, and the same command resumes). Rank 0 decides
// and broadcasts it every step.
enum class StopKind { go_on = 0, finish = 1, interrupt = 2 };

struct StopDecision {
  StopKind kind = StopKind::go_on;
  std::string reason;  // for the log: "max_steps reached", "interrupted", ...
};

constexpr const char* kMaxTimeReached = "max_time reached";

// Whether training stops now, and why.
StopDecision stop_decision(const Recipe& r, const TrainPosition& pos, double elapsed,
                           const RunContext& context) {
  if (context.deadline_passed()) return {StopKind::interrupt, "the sweep's time budget is spent"};
  if (context.stop_requested()) return {StopKind::interrupt, "interrupted"};
  if (r.training.max_time_seconds > 0 && elapsed >= r.training.max_time_seconds)
    return {StopKind::finish, kMaxTimeReached};
  if (r.training.max_epochs > 0 && pos.epoch >= r.training.max_epochs)
    return {StopKind::finish, "max_epochs reached"};
  if (r.training.max_steps > 0 && pos.step >= r.training.max_steps)
    return {StopKind::finish, "max_steps reached"};
  return {};
}

// training.inspect_every: the fixed batch is the first validation pairs (the same at every record
// and across resumes); each record is one line of inspect.jsonl and a line on the log.
constexpr int64_t kInspectionSentences = 16;

Batch inspection_batch(const ParallelData& valid, const ParallelData& train) {
  const ParallelData& from = valid.src.empty() ? train : valid;
  std::vector<int64_t> indices(static_cast<size_t>(
      std::min<int64_t>(kInspectionSentences, static_cast<int64_t>(from.src.size()))));
  std::iota(indices.begin(), indices.end(), 0);
  return batch_of(from, indices);
}

void record_inspection(Seq2Seq& model, const Batch& batch, const Recipe& r, int64_t step,
                       const std::string& path, std::ostream& log) {
  const TrainingInspection inspection = inspect_training(model, batch, r.training.clip_norm, step);
  std::ofstream out(path, std::ios::app);
  out << training_inspection_json(inspection).dump() << "\n" << std::flush;
  if (!out) throw Error("cannot append to '" + path + "'");
  const TrainingInspection::Layer& first = inspection.layers.front();  // encoder, left to right
  log << "inspect at step " << step << ": |dL/dh| of encoder 1 left-to-right at the first / last "
      << "source position " << first.gradient_norm.front() << " / " << first.gradient_norm.back()
      << "; fixed-batch gradient norm " << inspection.gradient_norm << " (" << path << ")"
      << std::endl;
}

}  // namespace

int train_stage(const Recipe& r, std::ostream& log, Communicator& comm, const RunContext& context) {
  const bool lead = comm.lead();
  LoadFollowingThreads threads(static_cast<int>(r.training.threads), r.training.follow_load);
  if (lead) log << "train: " << threads.description() << std::endl;
  Tokenizers t = load_tokenizers(r);
  DroppedPairs dropped, valid_dropped;
  const Corpus train_raw = read_corpus(r.data.train);
  const ParallelData data = encode_corpus(train_raw, t.src, t.tgt, r.data.max_length, dropped);
  const Corpus valid_raw = read_corpus(r.data.valid);
  const ParallelData valid =
      encode_corpus(valid_raw, t.src, t.tgt, r.data.max_length, valid_dropped);
  log << "train: " << data.src.size() << " pairs kept; dropped " << dropped.empty_side
      << " with an empty side, " << dropped.too_long << " over " << r.data.max_length << " pieces, "
      << dropped.length_ratio << " with a length ratio over 3" << std::endl;
  if (data.src.empty()) throw Error("no training pairs left after filtering");
  Seq2Seq model(model_config(r, data.src_vocab, data.tgt_vocab),
                static_cast<uint64_t>(r.training.seed));
  const TrainerOptions options{.lr = r.training.lr,
                               .clip_norm = r.training.clip_norm,
                               .batch_sentences = r.training.batch_sentences,
                               .batch_tokens = r.training.batch_tokens,
                               .seed = static_cast<uint64_t>(r.training.seed),
                               .frozen = frozen_parameters(r),
                               .communicator = &comm};
  Trainer::EpochData epoch_data;
  if (r.tokenizer.dropout >
      0) {  // BPE-dropout: a fresh segmentation of the training data each epoch
    epoch_data = [&, seed = options.seed](int64_t epoch) {
      Rng rng(seed * 7919u + static_cast<uint64_t>(epoch));
      DroppedPairs ignored;
      return encode_corpus(train_raw, t.src, t.tgt, r.data.max_length, ignored,
                           static_cast<float>(r.tokenizer.dropout), &rng);
    };
  }
  Trainer trainer(model, data, options, epoch_data);
  const CheckpointDirectory checkpoints = Workdir{r.workdir}.train();
  if (lead) std::filesystem::create_directories(checkpoints.dir);
  ValidationRecord record;
  if (std::filesystem::exists(checkpoints.last())) {
    record = checkpoints
                 .load_last(trainer,
                            [&](const RunCheckpointSections& stored) {
                              if (stored.model_shape && *stored.model_shape != model_shape(r))
                                throw Error("'" + checkpoints.last() +
                                            "' was trained with another model section than " +
                                            "this recipe's; use another workdir, or --from train "
                                            "to start training afresh");
                              if (stored.pretrained_embeddings != pretrained_source(r))
                                throw Error("'" + checkpoints.last() +
                                            "' started from other pretrained embeddings than " +
                                            "this recipe's; use another workdir, or --from train "
                                            "to start training afresh");
                            })
                 .validation;
    log << "train: resuming from " << checkpoints.last() << " at step " << trainer.position().step
        << std::endl;
  } else {
    place_pretrained_embeddings(r, model, t, log);
  }
  const LearningRateSchedule schedule{r.training.lr, r.training.schedule, r.training.warmup_steps};
  std::optional<TrainingLog> report;  // rank 0's
  if (lead) {
    report.emplace(log, Workdir{r.workdir}.metrics(),
                   TrainingLog::Limits{r.training.max_time_seconds, r.training.max_steps});
  }
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const int64_t inspect_every = lead ? r.training.inspect_every : 0;
  const std::string inspect_path = Workdir{r.workdir}.inspections();
  const Batch inspected = inspect_every > 0 ? inspection_batch(valid, data) : Batch{};
  if (inspect_every > 0 && trainer.position().step == 0)
    record_inspection(model, inspected, r, 0, inspect_path, log);
  StopDecision decision;  // rank 0's, once it stops
  while (true) {
    // Rank 0 decides whether to go on and at which learning rate (its validation record holds the
    // plateau scale); every rank follows. One process: the broadcast leaves the values as they are.
    double control[2] = {0, 0};  // [StopKind; learning rate]
    if (lead) {
      if (decision.kind == StopKind::go_on)
        decision = stop_decision(r, trainer.position(), elapsed(), context);
      control[0] = static_cast<double>(decision.kind);
      control[1] = learning_rate(schedule, trainer.position().step + 1, record.lr_scale);
    }
    comm.broadcast(control, 2);
    if (const auto kind = static_cast<StopKind>(control[0]); kind != StopKind::go_on) {
      if (!lead) decision = {kind, "rank 0 stopped training"};
      break;
    }
    trainer.set_lr(control[1]);
    crash_point("train.step");
    const StepResult s = trainer.step();
    if (const std::string change = threads.step_finished(); !change.empty() && lead)
      log << change << std::endl;
    const bool validation_next = trainer.position().step % r.validation.every == 0;
    if (s.applied && validation_next) {
      require_same_weights(comm, model.params().values(), model.params().total(),
                           trainer.position().step);
    }
    if (!lead) continue;
    report->add_step(s);
    if (inspect_every > 0 && s.applied && trainer.position().step % inspect_every == 0)
      record_inspection(model, inspected, r, trainer.position().step, inspect_path, log);
    if (report->report_due(elapsed(), validation_next))
      report->report(trainer.position(), trainer.lr(), elapsed());
    if (!s.applied || !validation_next) continue;
    const ValidationScores v = validate(model, valid, valid_raw, t, r);
    const double score = r.validation.metric == ValidationMetric::bleu ? v.bleu : -v.loss;
    const bool better = record_validation(record, score, trainer.position().step,
                                          r.training.schedule == LrSchedule::plateau);
    if (better) save_weights(model.params(), checkpoints.best());
    checkpoints.save_step(trainer, checkpoint_sections(record, r), r.validation.keep);
    report->validation(trainer.position().step, v, r.validation.metric, better, record,
                       r.validation.patience);
    if (patience_exhausted(record, r.validation.patience))
      decision = {StopKind::finish,
                  "no improvement for " + std::to_string(record.bad) + " validations"};
  }
  const bool interrupted = decision.kind == StopKind::interrupt;
  if (!lead) return interrupted ? 130 : 0;
  checkpoints.save_last(trainer, checkpoint_sections(record, r));
  if (!std::filesystem::exists(checkpoints.best()))
    save_weights(model.params(), checkpoints.best());
  log << "train: stopped at step " << trainer.position().step << " (" << decision.reason
      << ") after " << clock_text(elapsed()) << "; checkpoint " << checkpoints.last()
      << (std::isnan(record.best) ? ""
                                  : "; best validation at step " + std::to_string(record.best_step))
      << std::endl;
  if (decision.reason == kMaxTimeReached)
    log << "train: the time cap fired (training.max_time), not max_steps, max_epochs or patience: "
           "a slower or busier machine stops at another step, with another model; bound the run "
           "by steps for a result that does not depend on the machine"
        << std::endl;
  if (interrupted) {
    log << "train: interrupted; run the same command again to resume" << std::endl;
    return 130;
  }
  return 0;
}

}  // namespace rnmt
