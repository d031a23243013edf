// rnmt::Translator: the public face of translation. A loaded model plus a pool of workers, so that
// several threads can translate with one Translator at once.
#include "rnmt/translator.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

#include "model_file/model_file.hpp"
#include "recipe/model_config.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {

struct Translator::Impl {
  // One model file: an ensemble has several, which share the target tokenizer.
  struct Member {
    Recipe recipe;
    TokenizerModel source_model;
    // The first worker's network, whose weights new workers share: translating only reads them.
    const Seq2Seq* weights = nullptr;
    double weight = 1.0;
    std::optional<Shortlist> shortlist;  // the model file's, if it has one
    std::string path;                    // (in messages)
  };
  // What one translating thread uses: a network per member (its own buffers and primitive
  // caches, over the weights every worker shares) and tokenizers (their own BPE caches).
  struct Worker {
    std::vector<std::unique_ptr<Seq2Seq>> networks;  // [members]
    std::vector<PieceTokenizer> sources;             // [members]
    PieceTokenizer target;
  };

  std::vector<Member> members;
  TokenizerModel target_model;
  std::mutex mutex;
  std::vector<std::unique_ptr<Worker>> idle;

  std::unique_ptr<Worker> take() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        auto worker = std::move(idle.back());
        idle.pop_back();
        return worker;
      }
    }
    std::vector<std::unique_ptr<Seq2Seq>> networks;
    for (const Member& m : members) networks.push_back(Seq2Seq::sharing_weights_of(*m.weights));
    return worker_over(std::move(networks));
  }

  // A worker over these networks (one per member) with tokenizers of its own.
  std::unique_ptr<Worker> worker_over(std::vector<std::unique_ptr<Seq2Seq>> networks) const {
    auto worker =
        std::make_unique<Worker>(Worker{std::move(networks), {}, PieceTokenizer(target_model)});
    worker->sources.reserve(members.size());
    for (const Member& m : members) worker->sources.emplace_back(m.source_model);
    return worker;
  }

  void give_back(std::unique_ptr<Worker> worker) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(worker));
  }

  // The workers of one call: one per thread while there are batches for them (each with its own
  // buffers, all over one copy of the weights), given back to the pool however the call ends.
  struct Lease {
    Impl& impl;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<TranslationModel> models;
    Lease(Impl& pool, int64_t lines, const TranslationOptions& options) : impl(pool) {
      const int64_t wanted = std::max<int64_t>(
          1, std::min<int64_t>(translation_threads(options), batch_count_bound(lines, options)));
      for (int64_t i = 0; i < wanted; ++i) {
        workers.push_back(impl.take());
        Worker& w = *workers.back();
        TranslationModel& model = models.emplace_back(TranslationModel{{}, w.target});
        for (size_t k = 0; k < impl.members.size(); ++k) {
          const Member& m = impl.members[k];
          model.members.push_back({*w.networks[k], w.sources[k], m.recipe.data.max_length, m.weight,
                                   m.shortlist ? &*m.shortlist : nullptr});
        }
      }
    }
    ~Lease() {
      for (auto& w : workers) impl.give_back(std::move(w));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  };
};

Translator::Translator(const std::string& model_path) : Translator({model_path}, {}) {}

Translator::Translator(const std::vector<std::string>& model_paths,
                       const std::vector<double>& weights)
    : impl_(std::make_unique<Impl>()) {
  if (model_paths.empty()) throw Error("a Translator needs at least one model file");
  if (!weights.empty() && weights.size() != model_paths.size()) {
    throw Error("ensemble weights: one per model (" + std::to_string(model_paths.size()) +
                " models, " + std::to_string(weights.size()) + " weights)");
  }
  for (double w : weights) {
    if (!(std::isfinite(w) && w >= 0))
      throw Error("ensemble weights must be non-negative numbers, not " + std::to_string(w));
  }
  std::vector<std::unique_ptr<Seq2Seq>> loaded;  // the first worker's networks
  std::string target_tokenizer;  // the first model's, as stored: every other must match it
  for (size_t k = 0; k < model_paths.size(); ++k) {
    const std::string& path = model_paths[k];
    const Archive archive = read_archive(path, kModelFileTag, kModelFileVersion);
    LoadedModel m = load_model(archive, path);
    const std::string& stored_target = archive.get(kTargetTokenizerSection);
    if (k == 0) {
      target_tokenizer = stored_target;
      impl_->target_model = m.tgt->model();
    } else if (stored_target != target_tokenizer) {
      throw Error("'" + model_paths[0] + "' and '" + path +
                  "' have different target tokenizers: the models of an ensemble must share the "
                  "target vocabulary and tokenizer");
    }
    // Equal weights by default (OpenNMT-py's mean), so that scores stay log-probabilities.
    const double weight =
        weights.empty() ? 1.0 / static_cast<double>(model_paths.size()) : weights[k];
    impl_->members.push_back({std::move(m.recipe), m.src->model(), m.network.get(), weight,
                              std::move(m.shortlist), path});
    // The loaded networks make the first worker; further ones share their weights.
    loaded.push_back(std::move(m.network));
  }
  impl_->idle.push_back(impl_->worker_over(std::move(loaded)));
}

Translator::~Translator() = default;
Translator::Translator(Translator&&) noexcept = default;
Translator& Translator::operator=(Translator&&) noexcept = default;

TranslationOptions Translator::default_options() const {
  return translation_options(impl_->members.front().recipe);
}

int64_t Translator::max_source_length() const {
  return impl_->members.front().recipe.data.max_length;
}

void Translator::validate(const TranslationOptions& options) const {
  const ComputeType compute = checked_compute_type(options);
  if (compute == ComputeType::bf16 && !bf16_supported()) throw Error(kBf16Unsupported);
  if (compute == ComputeType::int8 && !int8_supported()) throw Error(kInt8Unsupported);
  if ((options.return_alignments || options.return_attention) &&
      impl_->members.front().recipe.model.attention == AttentionType::none)
    throw Error(kAlignmentsNeedAttention);
  if (options.use_shortlist) {
    for (const Impl::Member& m : impl_->members)
      if (!m.shortlist) throw Error(kNoShortlist);
  }
}

std::vector<std::string> Translator::notes(const TranslationOptions& options) const {
  std::vector<std::string> out;
  if (options.compute_type != enum_name(kComputeTypeNames, ComputeType::int8)) return out;
  for (const Impl::Member& m : impl_->members) {
    const bool encoder = m.recipe.model.encoder_cell == Cell::gru,
               decoder = rnn_cell(m.recipe.model.decoder_cell) == Cell::gru;
    if (encoder || decoder) {
      const std::string gru = encoder && decoder ? "encoder and decoder"
                              : encoder          ? "encoder"
                                                 : "decoder";
      const std::string rest = encoder && decoder ? "attention and output layer"
                               : encoder          ? "decoder, attention and output layer"
                                                  : "encoder, attention and output layer";
      out.push_back("int8: the GRU " + gru + " layers of '" + m.path +
                    "' run in float32 (oneDNN 2.6 has no int8 linear-before-reset GRU); its " +
                    rest + " run in int8");
    }
  }
  return out;
}

std::vector<std::string> Translator::translate(const std::vector<std::string>& lines) const {
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto& result : translate(lines, default_options()))
    out.push_back(std::move(result.hypotheses.front().text));
  return out;
}

std::vector<TranslationResult> Translator::translate(const std::vector<std::string>& lines,
                                                     const TranslationOptions& options,
                                                     const TranslationProgress& progress,
                                                     int64_t first_line) const {
  const Impl::Lease lease(*impl_, static_cast<int64_t>(lines.size()), options);
  return translate_text(lease.models, lines, options, progress, first_line);
}

std::vector<ScoringResult> Translator::score(const std::vector<std::string>& sources,
                                             const std::vector<std::string>& targets,
                                             const TranslationOptions& options,
                                             int64_t first_line) const {
  const Impl::Lease lease(*impl_, static_cast<int64_t>(sources.size()), options);
  return score_text(lease.models, sources, targets, options, first_line);
}

}  // namespace rnmt
