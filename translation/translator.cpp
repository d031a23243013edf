// rnmt::Translator: the public face of translation. A loaded model plus a pool of workers, so that
// several threads can translate with one Translator at once.
#include "rnmt/translator.hpp"

#include <algorithm>
#include <mutex>

#include "model_file/model_file.hpp"
#include "recipe/model_config.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {

struct Translator::Impl {
  // What one translating thread uses: a network (its own buffers and primitive caches, over the
  // weights every worker shares) and a source tokenizer (its own BPE cache).
  struct Worker {
    std::unique_ptr<Seq2Seq> network;
    Tokenizer source, target;
  };

  Recipe recipe;
  TokenizerModel source_model, target_model;
  // The first worker's network, whose weights new workers share: translating only reads them.
  const Seq2Seq* weights = nullptr;
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
    return std::make_unique<Worker>(Worker{Seq2Seq::sharing_weights_of(*weights),
                                           Tokenizer(source_model), Tokenizer(target_model)});
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
        models.push_back({*w.network, w.source, w.target, impl.recipe.data.max_length});
      }
    }
    ~Lease() {
      for (auto& w : workers) impl.give_back(std::move(w));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
  };
};

Translator::Translator(const std::string& model_path) : impl_(std::make_unique<Impl>()) {
  LoadedModel m = load_model(model_path);
  impl_->recipe = std::move(m.recipe);
  impl_->source_model = m.src->model();
  impl_->target_model = m.tgt->model();
  // The loaded network becomes the first worker; further ones share its weights.
  auto first = std::make_unique<Impl::Worker>(Impl::Worker{
      std::move(m.network), Tokenizer(impl_->source_model), Tokenizer(impl_->target_model)});
  impl_->weights = first->network.get();
  impl_->idle.push_back(std::move(first));
}

Translator::~Translator() = default;
Translator::Translator(Translator&&) noexcept = default;
Translator& Translator::operator=(Translator&&) noexcept = default;

TranslationOptions Translator::default_options() const {
  return translation_options(impl_->recipe);
}

int64_t Translator::max_source_length() const {
  return impl_->recipe.data.max_length;
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
