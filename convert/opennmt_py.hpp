#pragma once
// OpenNMT-py's RNN models as rnmt model files (`rnmt convert --from opennmt-py`): its checkpoints
// (torch.save of the model's and generator's weights, the vocabularies and the training options)
// mapped onto rnmt's network. What rnmt's network cannot compute the same way is refused, naming
// the option.
#include <ostream>
#include <string>

#include "model_file/model_file.hpp"

namespace rnmt {

// How each side's raw text becomes the tokens the model was trained on: a SentencePiece .model
// file, an rnmt tokenizer file (its segmentation and merges; the vocabulary stays the
// checkpoint's) or "whitespace" (text tokenized beforehand). Empty: what the checkpoint's options
// say (its sentencepiece transform's -src_subword_model / -tgt_subword_model, looked for as
// recorded, then beside the checkpoint), else whitespace.
struct OpenNmtPyTokenizers {
  std::string source, target;
};

// The model file's contents for the checkpoint at `path`: the network's recipe (with OpenNMT-py's
// translation defaults: beam 5, length penalty "avg"), tokenizers over its vocabularies, and its
// weights. `log` hears what was read and how it maps.
ModelFileContents convert_opennmt_py(const std::string& path, std::ostream& log,
                                     const OpenNmtPyTokenizers& tokenizers = {});

}  // namespace rnmt
