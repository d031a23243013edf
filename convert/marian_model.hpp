#pragma once
// Marian's s2s models as rnmt model files (`rnmt convert --from marian`): the .npz file's weights
// (a bidirectional GRU or LSTM encoder, a cGRU or cLSTM decoder with Bahdanau attention and a deep
// output layer) mapped onto rnmt's network with a conditional decoder, and Marian's YAML
// vocabularies. What rnmt's network cannot compute the same way is refused, naming the option.
#include <ostream>
#include <string>
#include <vector>

#include "model_file/model_file.hpp"

namespace rnmt {

struct MarianFiles {
  // The source and target vocabularies (Marian's YAML files). Empty: those the model's
  // MODEL.npz.decoder.yml names (as recorded, then beside the model), as marian-decoder -c does.
  std::vector<std::string> vocabs;
  // How each side's raw text becomes the model's tokens (converted_tokenizer's FILE|whitespace).
  // Empty: whitespace (Marian's YAML vocabularies read text tokenized beforehand).
  std::string source_tokenizer, target_tokenizer;
};

// The model file's contents for the Marian model at `path`: the network's recipe (with Marian's
// translation defaults, or its decoder.yml's: beam 12, no length normalisation, <unk> never
// output), tokenizers over its vocabularies, and its weights. `log` hears what was read.
ModelFileContents convert_marian(const std::string& path, std::ostream& log,
                                 const MarianFiles& files = {});

}  // namespace rnmt
