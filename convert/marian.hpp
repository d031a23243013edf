#pragma once
// Marian's s2s models (`rnmt convert --from marian`, in progress): the configuration Marian keeps
// in its .npz file ("special:model.yml"), what of it rnmt can run, and its YAML vocabularies.
// The network's own mapping waits for rnmt's conditional (cGRU/cLSTM) decoder; what Marian
// computes is pinned by tests/test_marian_reference.cpp.
#include <cstdint>
#include <string>
#include <vector>

namespace rnmt {

// The options of special:model.yml that decide the network (Marian's names and defaults).
struct MarianOptions {
  std::string type = "amun";
  int64_t dim_emb = 512, dim_rnn = 1024;
  std::string enc_type = "bidirectional", enc_cell = "gru", dec_cell = "gru";
  int64_t enc_depth = 1, enc_cell_depth = 1, dec_depth = 1, dec_cell_base_depth = 2;
  bool layer_normalization = false, skip = false, right_left = false;
  bool tied_embeddings = false, tied_embeddings_src = false, tied_embeddings_all = false;
  std::vector<int64_t> dim_vocabs;
};

// special:model.yml's text -> options; an Error naming `what` and the option for a malformed one.
MarianOptions parse_marian_options(const std::string& yaml, const std::string& what);

// What rnmt cannot run as Marian does: an Error naming the option (--type transformer, ...).
void check_marian_supported(const MarianOptions& options, const std::string& what);

// A Marian YAML vocabulary ("token: id", ids 0..n-1 each once; </s> 0 and <unk> 1 as Marian makes
// them): the tokens by id. An Error naming the file and what is wrong.
std::vector<std::string> read_marian_vocabulary(const std::string& path);

}  // namespace rnmt
