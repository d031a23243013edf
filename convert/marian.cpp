#include "convert/marian.hpp"

#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "core/files.hpp"

namespace rnmt {
namespace {

YAML::Node load(const std::string& text, const std::string& what) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(what + ": not YAML: " + e.what());
  }
}

// The option's value as T when present (else `value` stays), an Error naming it when malformed.
template <typename T>
void read(const YAML::Node& config, const char* name, T& value, const std::string& what) {
  const YAML::Node n = config[name];
  if (!n) return;
  try {
    value = n.as<T>();
  } catch (const YAML::Exception&) {
    throw Error(what + ": Marian option --" + name + " has an unexpected value");
  }
}

}  // namespace

MarianOptions parse_marian_options(const std::string& yaml, const std::string& what) {
  const YAML::Node config = load(yaml, what);
  if (!config.IsMap()) throw Error(what + ": Marian's configuration is not a mapping");
  MarianOptions o;
  read(config, "type", o.type, what);
  read(config, "dim-emb", o.dim_emb, what);
  read(config, "dim-rnn", o.dim_rnn, what);
  read(config, "enc-type", o.enc_type, what);
  read(config, "enc-cell", o.enc_cell, what);
  read(config, "dec-cell", o.dec_cell, what);
  read(config, "enc-depth", o.enc_depth, what);
  read(config, "enc-cell-depth", o.enc_cell_depth, what);
  read(config, "dec-depth", o.dec_depth, what);
  read(config, "dec-cell-base-depth", o.dec_cell_base_depth, what);
  read(config, "layer-normalization", o.layer_normalization, what);
  read(config, "skip", o.skip, what);
  read(config, "right-left", o.right_left, what);
  read(config, "tied-embeddings", o.tied_embeddings, what);
  read(config, "tied-embeddings-src", o.tied_embeddings_src, what);
  read(config, "tied-embeddings-all", o.tied_embeddings_all, what);
  read(config, "dim-vocabs", o.dim_vocabs, what);
  return o;
}

void check_marian_supported(const MarianOptions& o, const std::string& what) {
  const auto refuse = [&](const std::string& option, const std::string& why) {
    throw Error(what + ": Marian option --" + option + ": " + why);
  };
  if (o.type != "s2s" && o.type != "amun")
    refuse("type " + o.type, "rnmt converts Marian's s2s models (and amun's, the same network)");
  if (o.enc_type != "bidirectional")
    refuse("enc-type " + o.enc_type, "rnmt's encoder is bidirectional");
  if (o.enc_depth != 1)
    refuse("enc-depth " + std::to_string(o.enc_depth),
           "Marian stacks each direction apart, rnmt both together: one layer maps");
  if (o.enc_cell_depth != 1 || o.dec_cell_base_depth != 2)
    refuse(o.enc_cell_depth != 1 ? "enc-cell-depth" : "dec-cell-base-depth",
           "deep transition cells beyond the conditional decoder's two");
  if (o.dec_depth != 1) refuse("dec-depth " + std::to_string(o.dec_depth), "one decoder layer");
  for (const std::string* cell : {&o.enc_cell, &o.dec_cell})
    if (*cell != "gru" && *cell != "lstm")
      refuse((cell == &o.enc_cell ? "enc-cell " : "dec-cell ") + *cell,
             "rnmt has GRU and LSTM cells");
  if (o.enc_cell != o.dec_cell)
    refuse("enc-cell " + o.enc_cell + " with --dec-cell " + o.dec_cell,
           "rnmt's encoder and decoder cells are of one kind");
  if (o.layer_normalization) refuse("layer-normalization", "rnmt's network has none");
  if (o.skip) refuse("skip", "rnmt's network has no skip connections");
  if (o.right_left) refuse("right-left", "rnmt translates left to right");
}

std::vector<std::string> read_marian_vocabulary(const std::string& path) {
  const YAML::Node map = load(read_whole_file(path, "Marian vocabulary"), path);
  if (!map.IsMap() || map.size() == 0)
    throw Error(path + ": a Marian vocabulary maps tokens to ids");
  std::vector<std::string> tokens(map.size());
  std::vector<bool> seen(map.size(), false);
  for (const auto& entry : map) {
    const std::string token = entry.first.as<std::string>();
    int64_t id = -1;
    try {
      id = entry.second.as<int64_t>();
    } catch (const YAML::Exception&) {
    }
    if (id < 0 || id >= static_cast<int64_t>(tokens.size()) || seen[static_cast<size_t>(id)])
      throw Error(path + ": token '" + token + "' has id " + entry.second.as<std::string>() +
                  ": ids must be 0 to " + std::to_string(tokens.size() - 1) + ", each once");
    seen[static_cast<size_t>(id)] = true;
    tokens[static_cast<size_t>(id)] = token;
  }
  if (tokens[0] != "</s>" || tokens.size() < 2 || tokens[1] != "<unk>")
    throw Error(path + ": Marian vocabularies begin with </s> (0) and <unk> (1)");
  return tokens;
}

}  // namespace rnmt
