#pragma once
// OpenNMT-py's RNN models as rnmt model files (`rnmt convert --from opennmt-py`): its checkpoints
// (torch.save of the model's and generator's weights, the vocabularies and the training options)
// mapped onto rnmt's network. What rnmt's network cannot compute the same way is refused, naming
// the option.
#include <ostream>
#include <string>

#include "model_file/model_file.hpp"

namespace rnmt {

// The model file's contents for the checkpoint at `path`: the network's recipe (with OpenNMT-py's
// translation defaults: beam 5, length penalty "avg"), whitespace tokenizers over its
// vocabularies, and its weights. `log` hears what was read and how it maps.
ModelFileContents convert_opennmt_py(const std::string& path, std::ostream& log);

}  // namespace rnmt
