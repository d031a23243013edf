#pragma once
// The files of one `rnmt run` workdir, named in one place:
//   recipe.yaml          the resolved recipe of the last run
//   STAGE.done           a finished stage's fingerprint (prepare, train, evaluate, export)
//   prepare/             the encoded data and the tokenizers (src.tokenizer, tgt.tokenizer)
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
