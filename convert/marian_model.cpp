#include "convert/marian_model.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <type_traits>

#include "convert/converted_tokenizer.hpp"
#include "convert/marian.hpp"
#include "convert/npz.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "model/seq2seq.hpp"
#include "model_file/weights.hpp"
#include "recipe/recipe.hpp"

namespace rnmt {
namespace {

// One side's vocabulary: rnmt's (its four specials first, then Marian's other tokens in their
// order) and where each Marian id goes (</s> and <unk> to rnmt's).
struct MappedVocabulary {
  Vocabulary vocabulary;
  std::vector<int32_t> to_rnmt;  // [Marian's size]
};

MappedVocabulary map_vocabulary(const std::vector<std::string>& tokens, const std::string& what) {
  MappedVocabulary m;
  for (const char* special : Vocabulary::kSpecials) m.vocabulary.add(special);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (i == 0 || i == 1) {  // read_marian_vocabulary checked: </s>, <unk>
      m.to_rnmt.push_back(i == 0 ? kEos : kUnk);
      continue;
    }
    if (t.empty() || t.find_first_of(" \t\r\n") != std::string::npos)
      throw Error(what + ": token " + std::to_string(i) + " ('" + t +
                  "') is empty or holds white space, which no whitespace-split text can give");
    if (m.vocabulary.ids.count(t))
      throw Error(what + ": token '" + t + "' is one of rnmt's specials (" +
                  Vocabulary::kSpecials[0] + " " + Vocabulary::kSpecials[1] + " " +
                  Vocabulary::kSpecials[2] + " " + Vocabulary::kSpecials[3] +
                  "), which rnmt keeps apart");
    m.to_rnmt.push_back(static_cast<int32_t>(m.vocabulary.size()));
    m.vocabulary.add(t);
  }
  return m;
}

// MODEL.npz.decoder.yml, which Marian writes beside a model it trains (its vocabularies and
// translation options), as a YAML map; an empty node when there is none.
YAML::Node decoder_options(const std::string& path) {
  const std::string file = path + ".decoder.yml";
  if (!std::filesystem::exists(file)) return {};
  try {
    YAML::Node n = YAML::Load(read_whole_file(file, "Marian decoder options"));
    if (!n.IsMap()) throw Error(file + ": Marian's decoder options are not a mapping");
    return n;
  } catch (const YAML::Exception& e) {
    throw Error(file + ": not YAML: " + e.what());
  }
}

// The vocabularies: as given, or as the decoder options name them (as recorded, then beside the
// model).
std::vector<std::string> vocabulary_paths(const std::string& path, const MarianFiles& files,
                                          const YAML::Node& decoder) {
  if (!files.vocabs.empty()) {
    if (files.vocabs.size() != 2)
      throw Error("--vocabs: give the source and the target vocabulary, not " +
                  std::to_string(files.vocabs.size()) + " files");
    return files.vocabs;
  }
  const std::string file = path + ".decoder.yml";
  if (!decoder || !decoder["vocabs"])
    throw Error(path + ": give its vocabularies with --vocabs SRC TGT (there is no " + file +
                " naming them)");
  std::vector<std::string> recorded;
  try {
    recorded = decoder["vocabs"].as<std::vector<std::string>>();
  } catch (const YAML::Exception&) {
    throw Error(file + ": vocabs is not a list of files");
  }
  if (recorded.size() != 2)
    throw Error(file + ": vocabs names " + std::to_string(recorded.size()) +
                " files, not a source and a target vocabulary");
  for (std::string& v : recorded) {
    const std::filesystem::path beside =
        std::filesystem::path(path).parent_path() / std::filesystem::path(v).filename();
    if (std::filesystem::exists(v)) continue;
    if (!std::filesystem::exists(beside))
      throw Error(file + ": its vocabulary " + v +
                  " is neither there nor beside the model: give them with --vocabs SRC TGT");
    v = beside.string();
  }
  return recorded;
}

// The name an s2s array has in a model of --type amun (Amun's and Nematus' names, which Marian
// keeps for those models), or the name itself.
std::string amun_name(const std::string& name) {
  static const std::map<std::string, std::string> renamed = {
      {"encoder_Wemb", "Wemb"},
      {"decoder_Wemb", "Wemb_dec"},
      {"decoder_ff_state_W", "ff_state_W"},
      {"decoder_ff_state_b", "ff_state_b"},
      {"decoder_ff_logit_l1_W0", "ff_logit_prev_W"},
      {"decoder_ff_logit_l1_W1", "ff_logit_lstm_W"},
      {"decoder_ff_logit_l1_W2", "ff_logit_ctx_W"},
      {"decoder_ff_logit_l1_b0", "ff_logit_prev_b"},
      {"decoder_ff_logit_l1_b1", "ff_logit_lstm_b"},
      {"decoder_ff_logit_l1_b2", "ff_logit_ctx_b"},
      {"decoder_ff_logit_l2_W", "ff_logit_W"},
      {"decoder_ff_logit_l2_b", "ff_logit_b"}};
  if (const auto it = renamed.find(name); it != renamed.end()) return it->second;
  // the cells: encoder_bi_X -> encoder_X, encoder_bi_r_X -> encoder_r_X; the decoder's first cell
  // decoder_cell1_X -> decoder_X, its second decoder_cell2_{W,Wx} -> decoder_{Wc,Wcx} and
  // decoder_cell2_X -> decoder_X_nl
  const auto starts = [&](const std::string& prefix) { return name.rfind(prefix, 0) == 0; };
  if (starts("encoder_bi_")) return "encoder_" + name.substr(11);
  if (starts("decoder_cell1_")) return "decoder_" + name.substr(14);
  if (starts("decoder_cell2_")) {
    const std::string x = name.substr(14);
    if (x == "W" || x == "Wx") return "decoder_Wc" + x.substr(1);
    return "decoder_" + x + "_nl";
  }
  return name;
}

// The model's arrays by Marian's s2s names (or their Amun names), with their shapes checked (a
// vector [n] is taken for [1, n], as Marian takes Nematus' biases).
class MarianWeights {
 public:
  explicit MarianWeights(const NpzFile& npz) : npz_(npz) {}
  bool has(const std::string& name) const { return npz_.has(name) || npz_.has(amun_name(name)); }
  std::vector<float> get(const std::string& s2s_name, const std::vector<int64_t>& shape) const {
    const std::string name = npz_.has(s2s_name) ? s2s_name : amun_name(s2s_name);
    if (!npz_.has(name)) throw Error(npz_.path() + ": the model has no array " + s2s_name);
    const NpyArray a = npz_.array(name);
    const bool vector =
        shape.size() == 2 && shape[0] == 1 && a.shape.size() == 1 && a.shape[0] == shape[1];
    if (a.shape != shape && !vector)
      throw Error(npz_.path() + ": " + name + " has shape " + text(a.shape) + ", not " +
                  text(shape));
    return npy_floats(a, npz_.path() + ": " + name);
  }

 private:
  static std::string text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
      if (i) s += ", ";
      s += std::to_string(shape[i]);
    }
    return s + "]";
  }
  const NpzFile& npz_;
};

// Marian's x · W matrix [in, gates·H] (gate-major columns) -> rnmt's [in, gates, H] (oneDNN's
// ldigo), rnmt's gate g taking Marian's gate from[g] of W (from[g] < 0: of `extra`, a matrix
// [in, H] of its own, the GRU's candidate Wx).
void put_gates(const std::vector<float>& w, int64_t marian_gates, const std::vector<int>& from,
               const std::vector<float>& extra, int64_t H, int64_t in, float* out) {
  const auto gates = static_cast<int64_t>(from.size());
  for (int64_t i = 0; i < in; ++i)
    for (int64_t g = 0; g < gates; ++g)
      for (int64_t h = 0; h < H; ++h)
        out[(i * gates + g) * H + h] =
            from[static_cast<size_t>(g)] < 0
                ? extra[static_cast<size_t>(i * H + h)]
                : w[static_cast<size_t>((i * marian_gates + from[static_cast<size_t>(g)]) * H + h)];
}

// One Marian RNN (prefix_W, _U, _b; a GRU also _Wx, _Ux, _bx) into rnmt's layer `name`.
// LSTM: Marian's gates f, i, candidate, o are oneDNN's i, f, candidate, o reordered, one bias.
// GRU: Marian's r, z and candidate are oneDNN's linear-before-reset r, u (= z) and o; the
// candidate's bias is oneDNN's input-side bias, or for a `final` cell (the conditional decoder's
// second) the recurrent-side one, under the reset gate.
void put_rnn(const MarianWeights& w, const std::string& prefix, Cell cell, bool final,
             ParamSet& params, const std::string& name) {
  Param& layer = params.find(name + ".weights_layer");
  Param& iter = params.find(name + ".weights_iter");
  float* bias = params.find(name + ".bias").w;
  const int64_t in = layer.dims[0], H = layer.dims[2];
  if (cell == Cell::lstm) {
    const std::vector<int> from = {1, 0, 2, 3};
    put_gates(w.get(prefix + "_W", {in, 4 * H}), 4, from, {}, H, in, layer.w);
    put_gates(w.get(prefix + "_U", {H, 4 * H}), 4, from, {}, H, H, iter.w);
    const std::vector<float> b = w.get(prefix + "_b", {1, 4 * H});
    for (int64_t g = 0; g < 4; ++g)
      for (int64_t h = 0; h < H; ++h)
        bias[g * H + h] = b[static_cast<size_t>(from[static_cast<size_t>(g)] * H + h)];
    return;
  }
  const std::vector<int> from = {1, 0, -1};  // u = z, r, o = the candidate
  put_gates(w.get(prefix + "_W", {in, 2 * H}), 2, from, w.get(prefix + "_Wx", {in, H}), H, in,
            layer.w);
  put_gates(w.get(prefix + "_U", {H, 2 * H}), 2, from, w.get(prefix + "_Ux", {H, H}), H, H, iter.w);
  const std::vector<float> b = w.get(prefix + "_b", {1, 2 * H}), bx = w.get(prefix + "_bx", {1, H});
  for (int64_t h = 0; h < H; ++h) {
    const auto i = static_cast<size_t>(h), H_ = static_cast<size_t>(H);
    bias[h] = b[H_ + i];
    bias[H + h] = b[i];
    bias[2 * H + h] = final ? 0.0f : bx[i];
    bias[3 * H + h] = final ? bx[i] : 0.0f;
  }
}

// Marian's x · W + b, W [in, out] -> an rnmt Linear (W [out, in]) `name`.
void put_linear(const MarianWeights& w, const std::string& W, const std::string& b, int64_t in,
                int64_t out, ParamSet& params, const std::string& name) {
  const std::vector<float> m = w.get(W, {in, out});
  float* weight = params.find(name + ".weight").w;
  for (int64_t i = 0; i < in; ++i)
    for (int64_t o = 0; o < out; ++o) weight[o * in + i] = m[static_cast<size_t>(i * out + o)];
  if (!b.empty()) {
    const std::vector<float> bias = w.get(b, {1, out});
    std::copy(bias.begin(), bias.end(), params.find(name + ".bias").w);
  }
}

// Rows of a Marian matrix [V, D] moved to rnmt's ids.
void put_rows(const std::vector<float>& w, const std::vector<int32_t>& to_rnmt, int64_t D,
              float* out) {
  for (size_t i = 0; i < to_rnmt.size(); ++i)
    std::copy(w.begin() + static_cast<std::ptrdiff_t>(i) * D,
              w.begin() + static_cast<std::ptrdiff_t>(i + 1) * D, out + to_rnmt[i] * D);
}

ModelConfig network_of(const MarianOptions& o, int64_t src_vocab, int64_t tgt_vocab) {
  ModelConfig c;
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
  c.embedding = o.dim_emb;
  c.encoder_layers = 1;
  c.encoder_hidden = o.dim_rnn;
  c.encoder_cell = o.enc_cell == "lstm" ? Cell::lstm : Cell::gru;
  c.source_eos = true;
  c.decoder_cell = o.dec_cell == "lstm" ? DecoderCell::clstm : DecoderCell::cgru;
  c.decoder_layers = 1;
  c.decoder_hidden = o.dim_rnn;
  c.bridge = BridgeType::mean;
  c.attention = AttentionType::additive;
  c.tied_embeddings = o.tied_embeddings || o.tied_embeddings_all;
  c.dropout = 0;
  return c;
}

}  // namespace

ModelFileContents convert_marian(const std::string& path, std::ostream& log,
                                 const MarianFiles& files) {
  const NpzFile npz(path);
  if (!npz.has("special:model.yml"))
    throw Error(path +
                ": no special:model.yml: not a Marian model, or one older than Marian 1.3, which "
                "began keeping its options in the model");
  const MarianOptions options = parse_marian_options(npz.text("special:model.yml"), path);
  check_marian_supported(options, path);
  const YAML::Node decoder = decoder_options(path);
  const std::vector<std::string> vocabs = vocabulary_paths(path, files, decoder);
  const auto ends_with = [](const std::string& s, const std::string& end) {
    return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
  };
  for (const std::string& v : vocabs)
    if (ends_with(v, ".spm") || ends_with(v, ".model"))
      throw Error(v +
                  ": a SentencePiece vocabulary: rnmt converts Marian models with YAML "
                  "vocabularies (a SentencePiece model used beforehand is given as "
                  "--src-tokenizer/--tgt-tokenizer with the YAML vocabularies)");
  const MappedVocabulary src = map_vocabulary(read_marian_vocabulary(vocabs[0]), vocabs[0]);
  const MappedVocabulary tgt = map_vocabulary(read_marian_vocabulary(vocabs[1]), vocabs[1]);
  const auto src_V = static_cast<int64_t>(src.to_rnmt.size()),
             tgt_V = static_cast<int64_t>(tgt.to_rnmt.size());
  if (options.dim_vocabs.size() == 2 &&
      (options.dim_vocabs[0] != src_V || options.dim_vocabs[1] != tgt_V))
    throw Error(path + ": the model was trained on vocabularies of " +
                std::to_string(options.dim_vocabs[0]) + " and " +
                std::to_string(options.dim_vocabs[1]) + " tokens, and " + vocabs[0] + " and " +
                vocabs[1] + " hold " + std::to_string(src_V) + " and " + std::to_string(tgt_V));
  // the tokenizers before the weights: a file that is no tokenizer is said at once
  const auto tokenizer = [&](const std::string& given, const char* side,
                             const Vocabulary& vocabulary) {
    const ConvertedTokenizer t =
        converted_tokenizer(given.empty() ? "whitespace" : given, vocabulary);
    log << "convert: " << side << " text: " << t.description << std::endl;
    return t.text;
  };
  const std::string src_tokenizer = tokenizer(files.source_tokenizer, "source", src.vocabulary);
  const std::string tgt_tokenizer = tokenizer(files.target_tokenizer, "target", tgt.vocabulary);
  const ModelConfig config = network_of(options, static_cast<int64_t>(src.vocabulary.size()),
                                        static_cast<int64_t>(tgt.vocabulary.size()));

  // The weights, into a network of that shape (all zero until put: the rows of the specials
  // Marian lacks stay zero, and <s>'s embedding is the zero vector Marian's decoder starts from).
  const MarianWeights w(npz);
  const auto network = Seq2Seq::for_inference(config);
  ParamSet& params = network->params();
  const int64_t E = config.embedding, H = config.decoder_hidden, M = 2 * config.encoder_hidden;
  const bool tied_src = options.tied_embeddings_src || options.tied_embeddings_all;
  put_rows(w.get(tied_src ? "Wemb" : "encoder_Wemb", {src_V, E}), src.to_rnmt, E,
           params.find("src_embedding").w);
  const std::string tgt_embedding = tied_src ? "Wemb" : "decoder_Wemb";
  put_rows(w.get(tgt_embedding, {tgt_V, E}), tgt.to_rnmt, E, params.find("tgt_embedding").w);
  put_rnn(w, "encoder_bi", config.encoder_cell, false, params, "encoder.layer0.l2r");
  put_rnn(w, "encoder_bi_r", config.encoder_cell, false, params, "encoder.layer0.r2l");
  put_linear(w, "decoder_ff_state_W", "decoder_ff_state_b", M, H, params, "bridge.h0");
  const Cell cell = rnn_cell(config.decoder_cell);
  put_rnn(w, "decoder_cell1", cell, false, params, "decoder.first");
  put_rnn(w, "decoder_cell2", cell, true, params, "decoder.second");
  // Bahdanau's scores vᵀ tanh(W_comb s1 + W_c context + b): rnmt's W_q, W_k (with b), v
  put_linear(w, "decoder_W_comb_att", "", H, M, params, "attention.W_q");
  put_linear(w, "decoder_Wc_att", "decoder_b_att", M, M, params, "attention.W_k");
  const std::vector<float> v = w.get("decoder_U_att", {M, 1});
  std::copy(v.begin(), v.end(), params.find("attention.v").w);
  // The deep output tanh(W0 y + b0 + W1 s + b1 + W2 context + b2): one layer on [y; s; context]
  {
    const int64_t W = E + H + M;
    float* weight = params.find("deep_output.weight").w;
    float* bias = params.find("deep_output.bias").w;
    int64_t column = 0;
    for (const auto& [part, in] : {std::pair<std::string, int64_t>{"0", E}, {"1", H}, {"2", M}}) {
      const std::vector<float> m = w.get("decoder_ff_logit_l1_W" + part, {in, E});
      const std::vector<float> b = w.get("decoder_ff_logit_l1_b" + part, {1, E});
      for (int64_t i = 0; i < in; ++i)
        for (int64_t o = 0; o < E; ++o)
          weight[o * W + column + i] = m[static_cast<size_t>(i * E + o)];
      for (int64_t o = 0; o < E; ++o) bias[o] += b[static_cast<size_t>(o)];
      column += in;
    }
  }
  if (!config.tied_embeddings && w.has("decoder_ff_logit_l2_Wt")) {
    put_rows(w.get("decoder_ff_logit_l2_Wt", {tgt_V, E}), tgt.to_rnmt, E,
             params.find("output.weight").w);
  } else if (!config.tied_embeddings) {  // older models: W [E, V], not transposed
    const std::vector<float> m = w.get("decoder_ff_logit_l2_W", {E, tgt_V});
    float* out = params.find("output.weight").w;
    for (int64_t i = 0; i < E; ++i)
      for (int64_t j = 0; j < tgt_V; ++j)
        out[tgt.to_rnmt[static_cast<size_t>(j)] * E + i] = m[static_cast<size_t>(i * tgt_V + j)];
  }
  float* output_bias = params.find("output.bias").w;
  if (w.has("decoder_ff_logit_l2_b"))  // absent with --output-omit-bias
    put_rows(w.get("decoder_ff_logit_l2_b", {1, tgt_V}), tgt.to_rnmt, 1, output_bias);
  // rnmt's specials Marian lacks (<pad>, <s>) are never output
  output_bias[kPad] = output_bias[kBos] = -1e9f;
  params.touch();

  // The recipe: this network, and marian-decoder's defaults (or the decoder options').
  Recipe recipe;
  static_cast<ModelConfig&>(recipe.model) = config;
  recipe.tokenizer.normalization = Normalization::none;
  recipe.tokenizer.merges = 0;
  recipe.data.max_length = 1000;  // Marian's --max-length
  TranslationOptions& t = recipe.translate;
  t.beam_size = 12;      // --beam-size
  t.length_penalty = 0;  // --normalize: log p / length^normalize, the length counting </s>
  t.beam_style = "narrowing";
  t.max_length_ratio = 3;  // --max-length-factor
  const auto read = [&](const char* name, auto& value) {
    if (!decoder || !decoder[name]) return;
    try {
      value = decoder[name].as<std::remove_reference_t<decltype(value)>>();
    } catch (const YAML::Exception&) {
      throw Error(path + ".decoder.yml: " + name + " has an unexpected value");
    }
  };
  read("beam-size", t.beam_size);
  read("normalize", t.length_penalty);
  read("word-penalty", t.word_penalty);
  read("max-length-factor", t.max_length_ratio);
  bool allow_unk = false;
  read("allow-unk", allow_unk);
  t.disable_unk = !allow_unk;
  log << "convert: " << path << ": Marian " << options.type << " model (" << options.enc_cell
      << " encoder, c" << options.dec_cell << " decoder), " << H << " units, embeddings of " << E
      << ", vocabularies " << config.src_vocab << "/" << config.tgt_vocab
      << " (rnmt's specials first), " << params.total() << " weights" << std::endl;
  return {.recipe = dump_recipe(recipe),
          .src_tokenizer = src_tokenizer,
          .tgt_tokenizer = tgt_tokenizer,
          .weights = weight_bytes(params),
          .shortlist = {}};
}

}  // namespace rnmt
