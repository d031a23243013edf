#pragma once
// The files of one `rnmt run` workdir, named in one place:
//   recipe.yaml          the resolved recipe of the last run
//   STAGE.done           a finished stage's fingerprint (prepare, train, evaluate, export)
//   prepare/             the tokenizers (src.tokenizer, tgt.tokenizer) and the training pairs as
//                        token-id shards (shards/NNNNN.shard, listed by shards/manifest)
//   train/               checkpoints (training/checkpoint_directory.hpp), metrics.jsonl,
//                        inspect.jsonl
//   evaluate/            test.hyp, scores.txt
//   model.rnmt           the exported model
//   run.log              a sweep trial's log
#include <string>

#include "training/checkpoint_directory.hpp"

namespace rnmt {

struct Workdir {
  std::string root;

  std::string recipe() const { return root + "/recipe.yaml"; }
  std::string stage_stamp(const std::string& stage) const { return root + "/" + stage + ".done"; }
  std::string prepare() const { return root + "/prepare"; }
  // A joint tokenizer is the source one.
  std::string source_tokenizer() const { return prepare() + "/src.tokenizer"; }
  std::string target_tokenizer(bool joint) const {
    return joint ? source_tokenizer() : prepare() + "/tgt.tokenizer";
  }
  std::string shards() const { return prepare() + "/shards"; }
  std::string shard_manifest() const { return shards() + "/manifest"; }
  std::string shard(int64_t i) const {
    std::string number = std::to_string(i);
    return shards() + "/" + std::string(number.size() < 5 ? 5 - number.size() : 0, '0') + number +
           ".shard";
  }
  CheckpointDirectory train() const { return {root + "/train"}; }
  std::string metrics() const { return root + "/train/metrics.jsonl"; }
  std::string inspections() const { return root + "/train/inspect.jsonl"; }
  std::string evaluate() const { return root + "/evaluate"; }
  std::string test_hypotheses() const { return evaluate() + "/test.hyp"; }
  std::string test_scores() const { return evaluate() + "/scores.txt"; }
  std::string model() const { return root + "/model.rnmt"; }
  std::string run_log() const { return root + "/run.log"; }
};

}  // namespace rnmt
