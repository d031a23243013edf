#include "training/trainer.hpp"

#include <cmath>
#include <cstring>
#include <iostream>

#include "core/archive.hpp"
#include "core/error.hpp"
#include "model_file/weights.hpp"
#include "training/clip.hpp"

namespace rnmt {

namespace {
constexpr const char* kCheckpointTag = "RNMTCKPT";

EpochPlanOptions plan_options(const TrainerOptions& o) {
  return {.seed = o.seed,
          .batch_sentences = o.batch_sentences,
          .batch_tokens = o.batch_tokens,
          .shuffle_window = o.shuffle_window};
}
constexpr uint32_t kCheckpointVersion = 1;
}  // namespace

Archive read_checkpoint(const std::string& path) {
  return read_archive(path, kCheckpointTag, kCheckpointVersion);
}

std::pair<size_t, size_t> rank_share(size_t n, int rank, int ranks) {
  const auto r = static_cast<size_t>(rank), k = static_cast<size_t>(ranks);
  return {n * r / k, n * (r + 1) / k};
}

Trainer::Trainer(Seq2Seq& model, const ParallelData& data, TrainerOptions options,
                 EpochData epoch_data)
    : model_(model),
      owned_pairs_(pairs_in_memory(data, std::move(epoch_data))),
      pairs_(*owned_pairs_),
      options_(options),
      comm_(options.communicator ? *options.communicator : local_communicator()),
      plan_(pairs_, plan_options(options)) {
  start();
}

Trainer::Trainer(Seq2Seq& model, TrainingPairs& pairs, TrainerOptions options)
    : model_(model),
      pairs_(pairs),
      options_(options),
      comm_(options.communicator ? *options.communicator : local_communicator()),
      plan_(pairs_, plan_options(options)) {
  start();
}

void Trainer::start() {
  if (pairs_.pairs() == 0) throw Error("no training data");
  if (comm_.size() > 1) gradient_sum_.emplace(comm_, model_.params());
  plan_.start(position_.epoch);
}

StepResult Trainer::step() {
  const std::vector<int64_t>* planned = plan_.batch(position_.batch);
  if (!planned) {
    ++position_.epoch;
    position_.batch = 0;
    plan_.start(position_.epoch);
    planned = plan_.batch(0);
  }
  const std::vector<int64_t>& global = *planned;
  const auto [first, last] = rank_share(global.size(), comm_.rank(), comm_.size());
  Batch batch;
  {
    ProfileScope scope(profiler_, part_batch_);
    if (first < last)
      batch = plan_.window().batch(
          {global.begin() + static_cast<long>(first), global.begin() + static_cast<long>(last)});
  }
  if (comm_.size() > 1) {
    // Each rank its own dropout masks, which must not depend on anything a checkpoint does not
    // hold.
    model_.dropout_rng().reseed(options_.seed * 0x9e3779b97f4a7c15ull +
                                static_cast<uint64_t>(position_.epoch) * 1000003u +
                                static_cast<uint64_t>(position_.batch) * 7919u +
                                static_cast<uint64_t>(comm_.rank()) * 104729u);
  }
  ++position_.batch;
  ParamSet& params = model_.params();
  {
    ProfileScope scope(profiler_, part_zero_);
    params.zero_grads();
  }
  StepResult r;
  r.sentences = static_cast<int64_t>(global.size());
  r.source_length = batch.S;
  r.target_length = batch.T;
  r.loss = forward_backward(batch, first == last);
  ProfileScope scope(profiler_, part_optimizer_);
  for (const std::string& name : options_.frozen) {
    const Param& p = params.find(name);
    std::fill(p.g, p.g + p.size, 0.0f);
  }
  r.grad_norm = gradient_norm(params);
  if (!std::isfinite(r.loss.loss) || !std::isfinite(r.grad_norm)) {
    ++bad_steps_;
    if (comm_.lead())
      std::cerr << "warning: step " << position_.step + 1 << ": non-finite "
                << (std::isfinite(r.loss.loss) ? "gradient" : "loss") << "; update skipped\n";
    if (bad_steps_ >= options_.max_bad_steps) {
      throw Error("training diverged: " + std::to_string(bad_steps_) +
                  " steps in a row had a non-finite loss or gradient (lower training.lr?); the "
                  "last checkpoint holds the last good state");
    }
    return r;
  }
  bad_steps_ = 0;
  adam_.step(params, static_cast<float>(options_.lr), clip_factor(r.grad_norm, options_.clip_norm));
  ++position_.step;
  r.applied = true;
  return r;
}

// Forward and backward of this rank's share. The loss's gradient is divided by the global batch's
// token count, so that the gradients summed over the ranks are those of the global batch.
LossStats Trainer::forward_backward(const Batch& batch, bool empty) {
  LossStats mine;
  if (!empty) mine = model_.forward(batch, true);
  if (comm_.size() == 1) {
    model_.backward(batch, 1.0f / static_cast<float>(mine.tokens));
    return mine;
  }
  double totals[3] = {mine.loss, mine.nll, static_cast<double>(mine.tokens)};
  comm_.sum(totals, 3);
  const LossStats global{totals[0], totals[1], static_cast<int64_t>(totals[2])};
  gradient_sum_->start();
  if (!empty) {
    model_.backward(batch, 1.0f / static_cast<float>(global.tokens),
                    [&](std::string_view component) { gradient_sum_->component_done(component); });
  }
  {
    ProfileScope scope(profiler_, part_gradient_sum_);
    gradient_sum_->finish();
  }
  return global;
}

void Trainer::set_profiler(Profiler* profiler) {
  profiler_ = profiler;
  model_.set_profiler(profiler);
  if (!profiler) return;
  part_optimizer_ = profiler->part("clip + Adam");
  part_zero_ = profiler->part("zero gradients");
  part_batch_ = profiler->part("batch assembly");
  // what the backward pass did not hide of summing the gradients over the ranks
  if (gradient_sum_) part_gradient_sum_ = profiler->part("gradient sum over ranks (waiting)");
}

void Trainer::save_checkpoint(const std::string& path,
                              const std::map<std::string, std::string>& extra) const {
  Archive a;
  a.sections = extra;
  a.tag = kCheckpointTag;
  a.version = kCheckpointVersion;
  const ParamSet& params = model_.params();
  put_weights(a, params);
  // weights and moments written from where they are, without a copy
  a.put_borrowed("adam.m", adam_.first_moment().data(),
                 adam_.first_moment().size() * sizeof(float));
  a.put_borrowed("adam.v", adam_.second_moment().data(),
                 adam_.second_moment().size() * sizeof(float));
  a.put_int("adam.steps", adam_.steps());
  a.put_int("step", position_.step);
  a.put_int("epoch", position_.epoch);
  a.put_int("batch", position_.batch);
  const auto rng = model_.dropout_rng().state();
  a.put("dropout_rng", rng.data(), sizeof rng);
  write_archive(a, path);
}

std::map<std::string, std::string> Trainer::load_checkpoint(const std::string& path,
                                                            const SectionCheck& check) {
  Archive a = read_checkpoint(path);
  if (check) check(a.sections);
  ParamSet& params = model_.params();
  get_weights(a, params, path);
  const auto n = static_cast<int64_t>(params.total());
  for (auto [name, tensor] :
       {std::pair{"adam.m", &adam_.first_moment()}, std::pair{"adam.v", &adam_.second_moment()}}) {
    const std::string& s = a.get(name);
    if (s.size() != static_cast<size_t>(n) * sizeof(float) && !s.empty()) {
      throw Error("checkpoint '" + path + "': optimizer state does not match the parameters");
    }
    tensor->resize({n});
    if (s.empty()) {
      tensor->zero();
    } else {
      std::memcpy(tensor->data(), s.data(), s.size());
    }
  }
  adam_.set_steps(a.get_int("adam.steps"));
  position_ = {a.get_int("step"), a.get_int("epoch"), a.get_int("batch")};
  std::array<uint64_t, 4> rng;
  const std::string& r = a.get("dropout_rng");
  if (r.size() != sizeof rng) throw Error("checkpoint '" + path + "': bad random state");
  std::memcpy(rng.data(), r.data(), sizeof rng);
  model_.dropout_rng().set_state(rng);
  plan_.start(position_.epoch);  // its batches up to position_.batch are planned on the next step
  return std::move(a.sections);
}

}  // namespace rnmt
