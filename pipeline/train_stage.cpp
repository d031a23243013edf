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
#include "pipeline/training_shards.hpp"
#include "recipe/model_config.hpp"
#include "report/training_report.hpp"
#include "training/checkpoint_directory.hpp"
#include "training/load_following_threads.hpp"
#include "training/schedule.hpp"
#include "training/trainer.hpp"
#include "training/training_log.hpp"
#include "training/training_loop.hpp"
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

// training.inspect_every: the fixed batch is the first validation pairs (the same at every record
// and across resumes); each record is one line of inspect.jsonl and a line on the log.
constexpr int64_t kInspectionSentences = 16;

Batch inspection_batch(const ParallelData& valid, TrainingPairs& train) {
  std::unique_ptr<PairWindow> window = valid.src.empty() ? train.window(0, {0}) : nullptr;
  const auto available = static_cast<int64_t>(window ? window->lengths().size() : valid.src.size());
  std::vector<int64_t> indices(
      static_cast<size_t>(std::min<int64_t>(kInspectionSentences, available)));
  std::iota(indices.begin(), indices.end(), 0);
  return window ? window->batch(indices) : batch_of(valid, indices);
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
  Corpus train_raw;          // with BPE-dropout: the text, segmented afresh every epoch
  ParallelData first_epoch;  // with BPE-dropout: the first segmentation
  std::unique_ptr<TrainingPairs> pairs;
  int64_t src_vocab = 0, tgt_vocab = 0;
  if (r.tokenizer.dropout > 0) {
    train_raw = read_corpus(r.data.train);
    first_epoch =
        encode_corpus(train_raw, t.src, t.tgt, r.data.max_length, r.model.source_eos, dropped);
    src_vocab = first_epoch.src_vocab;
    tgt_vocab = first_epoch.tgt_vocab;
    pairs = pairs_in_memory(first_epoch, [&, seed = r.training.seed](int64_t epoch) {
      Rng rng(static_cast<uint64_t>(seed) * 7919u + static_cast<uint64_t>(epoch));
      DroppedPairs ignored;
      return encode_corpus(train_raw, t.src, t.tgt, r.data.max_length, r.model.source_eos, ignored,
                           static_cast<float>(r.tokenizer.dropout), &rng);
    });
  } else {
    // Rank 0 makes the shards unless prepare made them for these settings; the others read them.
    std::optional<TrainingShards> shards;
    if (lead) shards = make_training_shards(r, log, context);
    comm.barrier();
    if (!lead) shards = read_training_shards(r);
    dropped = shards->dropped;
    src_vocab = shards->src_vocab;
    tgt_vocab = shards->tgt_vocab;
    pairs = pairs_in_shards(shards->paths, r.model.source_eos);
  }
  const Corpus valid_raw = read_corpus(r.data.valid);
  const ParallelData valid =
      encode_corpus(valid_raw, t.src, t.tgt, r.data.max_length, r.model.source_eos, valid_dropped);
  log << "train: " << pairs->pairs() << " pairs kept; dropped " << dropped.empty_side
      << " with an empty side, " << dropped.too_long << " over " << r.data.max_length << " pieces, "
      << dropped.length_ratio << " with a length ratio over 3" << std::endl;
  if (pairs->pairs() == 0) throw Error("no training pairs left after filtering");
  Seq2Seq model(model_config(r, src_vocab, tgt_vocab), static_cast<uint64_t>(r.training.seed));
  model.set_training_compute(training_compute(r.training.precision));
  if (lead) log << "train: " << training_precision_description(r.training.precision) << std::endl;
  const TrainerOptions options{.lr = r.training.lr,
                               .clip_norm = r.training.clip_norm,
                               .batch_sentences = r.training.batch_sentences,
                               .batch_tokens = r.training.batch_tokens,
                               .seed = static_cast<uint64_t>(r.training.seed),
                               .shuffle_window = r.training.shuffle_window,
                               .frozen = frozen_parameters(r),
                               .communicator = &comm};
  Trainer trainer(model, *pairs, options);
  const CheckpointDirectory checkpoints = Workdir{r.workdir}.train();
  if (lead) std::filesystem::create_directories(checkpoints.dir);
  ValidationRecord record;
  if (std::filesystem::exists(checkpoints.last())) {
    record = checkpoints
                 .load_last(trainer,
                            [&](const RunCheckpointSections& stored) {
                              if (stored.model_shape && !same_model_shape(*stored.model_shape, r))
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
  const Batch inspected = r.training.inspect_every > 0 ? inspection_batch(valid, *pairs) : Batch{};
  TrainingLoop loop{
      .recipe = r,
      .model = model,
      .trainer = trainer,
      .comm = comm,
      .context = context,
      .threads = threads,
      .log = log,
      .record = record,
      .sections = checkpoint_sections(record, r),
      .validate = [&] { return validate(model, valid, valid_raw, t, r); },
      .inspect =
          [&](int64_t step) {
            record_inspection(model, inspected, r, step, Workdir{r.workdir}.inspections(), log);
          },
  };
  return run_training_loop(loop);
}

}  // namespace rnmt
