#include "convert/opennmt_py.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "convert/converted_tokenizer.hpp"
#include "convert/torch_checkpoint.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "model_file/weights.hpp"
#include "recipe/model_config.hpp"

namespace rnmt {
namespace {

// The checkpoint's training options (an argparse.Namespace), read with the file in messages.
// Options were renamed across OpenNMT-py versions: each read names the spellings it accepts,
// newest first.
class Options {
 public:
  Options(const PickleNode& opt, const std::string& path)
      : attributes_(pickle_attributes(opt, path + ": its options (opt)")), path_(path) {}

  const PickleNode* find(std::initializer_list<const char*> names) const {
    for (const char* name : names)
      if (const PickleNode* v = pickle_find(attributes_, name, path_ + ": opt")) return v;
    return nullptr;
  }
  std::string text(std::initializer_list<const char*> names, const std::string& absent) const {
    const PickleNode* v = find(names);
    if (!v || v->kind == PickleKind::none) return absent;
    if (v->kind != PickleKind::string) throw bad(*names.begin(), "is not a string");
    return v->text;
  }
  int64_t integer(std::initializer_list<const char*> names, int64_t absent) const {
    const PickleNode* v = find(names);
    if (!v || v->kind == PickleKind::none) return absent;
    if (v->kind == PickleKind::boolean) return v->boolean;
    if (v->kind != PickleKind::integer) throw bad(*names.begin(), "is not an integer");
    return v->integer;
  }
  bool flag(const char* name) const { return integer({name}, 0) != 0; }
  double real(const char* name) const {
    const PickleNode* v = find({name});
    if (!v || v->kind == PickleKind::none) return 0;
    if (v->kind == PickleKind::real) return v->real;
    if (v->kind == PickleKind::integer || v->kind == PickleKind::boolean) return integer({name}, 0);
    throw bad(name, "is not a number");
  }

  Error bad(const std::string& option, const std::string& why) const {
    return Error(path_ + ": OpenNMT-py option -" + option + " " + why);
  }
  // -option [value]: why rnmt cannot run it
  Error refused(const std::string& option, const std::string& value, const std::string& why) const {
    return Error(path_ + ": OpenNMT-py option -" + option + (value.empty() ? "" : " " + value) +
                 ": " + why);
  }

 private:
  const PickleNode& attributes_;
  std::string path_;
};

// What rnmt's network cannot compute as OpenNMT-py does: refused by option name.
void check_supported(const Options& o) {
  const auto refuse = [&](const std::string& option, const std::string& value,
                          const std::string& why) { throw o.refused(option, value, why); };
  const std::string model_type = o.text({"model_type"}, "text");
  if (model_type != "text") refuse("model_type", model_type, "rnmt translates text");
  const std::string encoder = o.text({"encoder_type"}, "rnn");
  if (encoder != "rnn" && encoder != "brnn")
    refuse("encoder_type", encoder, "rnmt converts RNN models (a bidirectional RNN encoder)");
  if (encoder == "rnn" && !o.flag("brnn"))
    refuse("encoder_type", "rnn", "a one-directional encoder; rnmt's encoder is bidirectional");
  const std::string decoder = o.text({"decoder_type"}, "rnn");
  if (decoder != "rnn") refuse("decoder_type", decoder, "rnmt converts RNN decoders");
  const std::string cell = o.text({"rnn_type"}, "LSTM");
  if (cell != "LSTM" && cell != "GRU") refuse("rnn_type", cell, "rnmt has LSTM and GRU cells");
  const std::string attention = o.text({"global_attention"}, "general");
  if (attention != "general" && attention != "dot" && attention != "mlp")
    refuse("global_attention", attention, "rnmt converts general, dot and mlp attention");
  for (const char* name : {"global_attention_function", "generator_function"}) {
    const std::string f = o.text({name}, "softmax");
    if (f != "softmax") refuse(name, f, "rnmt normalises with softmax only");
  }
  for (const char* name : {"coverage_attn", "copy_attn", "reuse_copy_attn", "position_encoding"})
    if (o.flag(name)) refuse(name, "", "rnmt's network has no such part");
  const std::string gate = o.text({"context_gate"}, "");
  if (!gate.empty()) refuse("context_gate", gate, "rnmt's network has no context gate");
  if (o.integer({"n_src_feats"}, 0) > 0)
    refuse("n_src_feats", std::to_string(o.integer({"n_src_feats"}, 0)),
           "rnmt reads no source features");
}

// The network OpenNMT-py's options describe, as rnmt's.
ModelConfig network_of(const Options& o, int64_t src_vocab, int64_t tgt_vocab) {
  const int64_t src_embedding = o.integer({"src_word_vec_size", "word_vec_size"}, 500);
  const int64_t tgt_embedding = o.integer({"tgt_word_vec_size", "word_vec_size"}, 500);
  if (src_embedding != tgt_embedding)
    throw o.bad("src_word_vec_size", std::to_string(src_embedding) + " and -tgt_word_vec_size " +
                                         std::to_string(tgt_embedding) +
                                         " differ: rnmt has one embedding size");
  const int64_t encoder_size = o.integer({"enc_hid_size", "enc_rnn_size", "rnn_size"}, 500);
  const int64_t decoder_size = o.integer({"dec_hid_size", "dec_rnn_size", "rnn_size"}, 500);
  const int64_t encoder_layers = o.integer({"enc_layers", "layers"}, 2);
  const int64_t decoder_layers = o.integer({"dec_layers", "layers"}, 2);
  if (encoder_size != decoder_size || encoder_size % 2 != 0)
    throw o.bad("enc_hid_size", std::to_string(encoder_size) + " with -dec_hid_size " +
                                    std::to_string(decoder_size) +
                                    ": the decoder starts from the encoder's states, so both must "
                                    "be equal (and even: two directions)");
  if (encoder_layers != decoder_layers)
    throw o.bad("enc_layers", std::to_string(encoder_layers) + " with -dec_layers " +
                                  std::to_string(decoder_layers) +
                                  ": each decoder layer starts from an encoder layer's states");
  ModelConfig c;
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
  c.embedding = src_embedding;
  c.encoder_layers = encoder_layers;
  c.encoder_hidden = encoder_size / 2;
  // -rnn_type is the encoder's and the decoder's
  const bool gru = o.text({"rnn_type"}, "LSTM") == "GRU";
  c.encoder_cell = gru ? Cell::gru : Cell::lstm;
  c.decoder_cell = gru ? DecoderCell::gru : DecoderCell::lstm;
  c.decoder_layers = decoder_layers;
  c.decoder_hidden = decoder_size;
  c.input_feeding = o.integer({"input_feed"}, 1) != 0;
  const std::string attention = o.text({"global_attention"}, "general");
  c.attention = attention == "dot"   ? AttentionType::dot
                : attention == "mlp" ? AttentionType::additive
                                     : AttentionType::general;
  // mlp: Bahdanau's scores, and an output with a bias and no tanh
  c.attention_output = attention == "mlp" ? AttentionOutput::linear : AttentionOutput::tanh;
  c.bridge = o.flag("bridge") ? BridgeType::copy_relu : BridgeType::copy;
  c.dropout = 0;
  return c;
}

// One side's vocabulary: rnmt's (its four specials first, then OpenNMT-py's other tokens in their
// order) and where each OpenNMT-py id goes.
struct MappedVocabulary {
  Vocabulary vocabulary;
  std::vector<int32_t> to_rnmt;  // [OpenNMT-py's size]
};

// One side's tokens, in id order, as each OpenNMT-py version saved them: 3.x a list; 1.x-2.x a
// torchtext field (a TextMultiField of Fields, a Field's `vocab`, a Vocab's `itos` list); 0.x the
// Vocab itself.
const PickleNode& tokens_of(const PickleNode& side, const std::string& what) {
  if (side.kind == PickleKind::list) return side;
  if (side.kind != PickleKind::object)
    throw Error(what + " is a " + pickle_kind_name(side.kind) + ", not a vocabulary");
  const PickleNode& attributes = pickle_attributes(side, what + " (" + side.text + ")");
  if (const PickleNode* itos = pickle_find(attributes, "itos", what)) return *itos;
  if (const PickleNode* vocab = pickle_find(attributes, "vocab", what))
    return tokens_of(*vocab, what);
  if (const PickleNode* fields = pickle_find(attributes, "fields", what);
      fields && fields->kind == PickleKind::list && !fields->items.empty() &&
      fields->items[0]->kind == PickleKind::tuple && fields->items[0]->items.size() == 2)
    return tokens_of(*fields->items[0]->items[1], what);  // the text's field (then features')
  throw Error(what + " is a " + side.text + " without tokens (itos, vocab or fields)");
}

// The checkpoint's vocabulary of `side` ("src" or "tgt"): 1.x-3.x a dict by side, 0.x a list of
// (side, vocabulary) pairs.
const PickleNode& side_of(const PickleNode& vocab, const std::string& side,
                          const std::string& what) {
  if (vocab.kind == PickleKind::list) {
    for (PickleRef pair : vocab.items)
      if (pair->kind == PickleKind::tuple && pair->items.size() == 2 &&
          pair->items[0]->kind == PickleKind::string && pair->items[0]->text == side)
        return *pair->items[1];
    throw Error(what + " has no '" + side + "' vocabulary");
  }
  return pickle_at(vocab, side, what);
}

MappedVocabulary map_vocabulary(const PickleNode& side, bool target, const std::string& what) {
  const PickleNode& tokens = tokens_of(side, what);
  if (tokens.kind != PickleKind::list)
    throw Error(what + " is a " + pickle_kind_name(tokens.kind) + ", not a list of tokens");
  // OpenNMT-py's specials -> rnmt's
  const std::unordered_map<std::string, int32_t> specials = {
      {"<blank>", kPad}, {"<unk>", kUnk}, {"<s>", kBos}, {"</s>", kEos}};
  MappedVocabulary m;
  for (const char* special : Vocabulary::kSpecials) m.vocabulary.add(special);
  std::vector<bool> seen(specials.size(), false);
  for (size_t i = 0; i < tokens.items.size(); ++i) {
    const PickleNode& t = *tokens.items[i];
    if (t.kind != PickleKind::string)
      throw Error(what + ": token " + std::to_string(i) + " is not a string");
    const auto special = specials.find(t.text);
    if (special != specials.end()) {
      if (seen[static_cast<size_t>(special->second)])
        throw Error(what + ": " + t.text + " appears twice");
      seen[static_cast<size_t>(special->second)] = true;
      m.to_rnmt.push_back(special->second);
      continue;
    }
    if (t.text.empty() || t.text.find_first_of(" \t\r\n") != std::string::npos)
      throw Error(what + ": token " + std::to_string(i) + " ('" + t.text +
                  "') is empty or holds white space, which no whitespace-split text can give");
    if (m.vocabulary.ids.count(t.text))
      throw Error(what + ": token '" + t.text + "' appears twice (or is one of rnmt's specials)");
    m.to_rnmt.push_back(static_cast<int32_t>(m.vocabulary.size()));
    m.vocabulary.add(t.text);
  }
  // Sources need only <unk> (they have no <s> and </s>, and padding is masked); OpenNMT-py before
  // 3.0 gave them no others.
  for (const auto& [name, id] : specials)
    if (!seen[static_cast<size_t>(id)] && (id == kUnk || (target && id != kPad)))
      throw Error(what + " has no " + name);
  return m;
}

// The checkpoint's weights by name, with their shapes checked.
class Weights {
 public:
  Weights(const TorchCheckpoint& c) : c_(c), root_(c.root()) {
    model_ = &pickle_at(root_, "model", c.path() + ": the checkpoint");
    generator_ = pickle_find(root_, "generator", c.path() + ": the checkpoint");
  }
  std::vector<float> get(const std::string& name, const std::vector<int64_t>& shape) const {
    const PickleNode* t = find(name);
    if (!t) throw Error(c_.path() + ": the checkpoint has no weight " + name);
    if (t->shape != shape)
      throw Error(c_.path() + ": " + name + " has shape " + text(t->shape) + ", not " +
                  text(shape));
    return c_.floats(*t, name);
  }

 private:
  // "generator.weight" is in the generator's own dict, under "weight" (v2, v3) or "0.weight" (its
  // Sequential in older versions), or in the model's.
  const PickleNode* find(const std::string& name) const {
    if (const PickleNode* t = pickle_find(*model_, name, "model")) return t;
    const std::string prefix = "generator.";
    if (generator_ && name.rfind(prefix, 0) == 0) {
      const std::string key = name.substr(prefix.size());
      if (const PickleNode* t = pickle_find(*generator_, key, "generator")) return t;
      return pickle_find(*generator_, "0." + key, "generator");
    }
    return nullptr;
  }
  static std::string text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
  }
  const TorchCheckpoint& c_;
  const PickleNode& root_;
  const PickleNode* model_;
  const PickleNode* generator_;
};

// PyTorch's RNN matrix W [gates·H, in] (gate-major rows) -> rnmt's [in, gates, H] (oneDNN's
// ldigo), rnmt's gate g taking PyTorch's gate from[g].
void put_rnn_matrix(const std::vector<float>& w, const std::vector<int64_t>& from, int64_t H,
                    int64_t in, float* out) {
  const auto gates = static_cast<int64_t>(from.size());
  for (int64_t g = 0; g < gates; ++g)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t i = 0; i < in; ++i)
        out[(i * gates + g) * H + h] = w[static_cast<size_t>((from[g] * H + h) * in + i)];
}

// One PyTorch RNN layer (its weight_ih, weight_hh, bias_ih and bias_hh, named by `names`) into
// rnmt's layer `name` (weights_layer, weights_iter, bias). LSTM: the gates i, f, g, o are oneDNN's
// too, and the bias is the sum of PyTorch's two. GRU: PyTorch's gates r, z, n are oneDNN's
// linear-before-reset u (= z), r, o (= n), whose fourth bias is PyTorch's b_hn (added to the
// recurrent part of n before the reset gate scales it).
struct RnnNames {
  std::string ih, hh, bih, bhh;
};
void put_rnn_layer(const Weights& w, const RnnNames& names, Cell cell, ParamSet& params,
                   const std::string& name) {
  Param& layer = params.find(name + ".weights_layer");
  Param& iter = params.find(name + ".weights_iter");
  float* bias = params.find(name + ".bias").w;
  const int64_t in = layer.dims[0], gates = layer.dims[1], H = layer.dims[2];
  const std::vector<int64_t> from =
      cell == Cell::lstm ? std::vector<int64_t>{0, 1, 2, 3} : std::vector<int64_t>{1, 0, 2};
  put_rnn_matrix(w.get(names.ih, {gates * H, in}), from, H, in, layer.w);
  put_rnn_matrix(w.get(names.hh, {gates * H, H}), from, H, H, iter.w);
  const std::vector<float> b_ih = w.get(names.bih, {gates * H}),
                           b_hh = w.get(names.bhh, {gates * H});
  const auto at = [&](const std::vector<float>& b, int64_t gate, int64_t h) {
    return b[static_cast<size_t>(from[static_cast<size_t>(gate)] * H + h)];
  };
  for (int64_t g = 0; g < gates; ++g) {
    const bool new_gate = cell == Cell::gru && g == 2;  // its two biases stay apart
    for (int64_t h = 0; h < H; ++h)
      bias[g * H + h] = at(b_ih, g, h) + (new_gate ? 0.0f : at(b_hh, g, h));
  }
  if (cell == Cell::gru)
    for (int64_t h = 0; h < H; ++h) bias[3 * H + h] = at(b_hh, 2, h);
}

// An OpenNMT-py tensor into rnmt's parameter `to` as it is (same layout), their sizes checked.
void put_as_is(const Weights& w, const std::string& from, const std::vector<int64_t>& shape,
               ParamSet& params, const std::string& to) {
  const std::vector<float> values = w.get(from, shape);
  Param& p = params.find(to);
  if (values.size() != p.size)
    throw Error("convert: " + from + " has " + std::to_string(values.size()) + " values, rnmt's " +
                to + " " + std::to_string(p.size));
  std::copy(values.begin(), values.end(), p.w);
}

// Rows of an OpenNMT-py matrix [V, D] (or vector, D = 1) moved to rnmt's ids.
void put_rows(const std::vector<float>& w, const std::vector<int32_t>& to_rnmt, int64_t D,
              float* out) {
  for (size_t i = 0; i < to_rnmt.size(); ++i)
    std::copy(w.begin() + static_cast<std::ptrdiff_t>(i) * D,
              w.begin() + static_cast<std::ptrdiff_t>(i + 1) * D, out + to_rnmt[i] * D);
}

// The checkpoint's data transforms (OpenNMT-py 3's -transforms, over all corpora).
std::vector<std::string> transforms_of(const Options& o) {
  std::vector<std::string> names;
  if (const PickleNode* t = o.find({"_all_transform", "transforms"});
      t && t->kind == PickleKind::list) {
    for (PickleRef name : t->items)
      if (name->kind == PickleKind::string) names.push_back(name->text);
  }
  return names;
}

// What the transforms mean for translation: SentencePiece (whose model the converted tokenizer
// then carries), a tokenizer rnmt cannot reproduce, or a change of the text at translation time,
// both refused; transforms that only select or perturb training data are ignored.
void check_transforms(const Options& o, const std::vector<std::string>& transforms,
                      const OpenNmtPyTokenizers& given) {
  static const std::set<std::string> kTrainingOnly = {"filtertoolong", "switchout", "tokendrop",
                                                      "tokenmask",     "bart",      "clean"};
  for (const std::string& t : transforms) {
    if (t == "sentencepiece" || kTrainingOnly.count(t)) continue;
    if ((t == "onmt_tokenize" || t == "bpe") && !given.source.empty() && !given.target.empty())
      continue;
    if (t == "onmt_tokenize" || t == "bpe")
      throw o.refused("transforms", t,
                      "rnmt cannot tokenize as this transform does; give --src-tokenizer and "
                      "--tgt-tokenizer (whitespace: text tokenized beforehand)");
    throw o.refused("transforms", t, "it changes the text at translation time, as rnmt does not");
  }
}

// One side's tokenizer (OpenNmtPyTokenizers says which) over its mapped vocabulary.
std::string side_tokenizer(const Options& o, const std::vector<std::string>& transforms,
                           const std::string& given, const char* side, const Vocabulary& vocabulary,
                           const std::string& checkpoint, std::ostream& log) {
  const std::string option = std::string(side) + "_subword_model";
  std::string source = given, origin = "--" + std::string(side) + "-tokenizer";
  if (source.empty()) {
    source = "whitespace";
    origin = "OpenNMT-py reads pre-tokenized text";
    if (std::count(transforms.begin(), transforms.end(), "sentencepiece")) {
      const std::filesystem::path recorded = o.text({option.c_str()}, "");
      if (recorded.empty()) throw o.bad("transforms sentencepiece", "without -" + option);
      const std::filesystem::path beside =
          std::filesystem::path(checkpoint).parent_path() / recorded.filename();
      if (!std::filesystem::exists(recorded) && !std::filesystem::exists(beside))
        throw o.bad(option + " " + recorded.string(),
                    std::string("names the SentencePiece model the checkpoint was trained with, "
                                "and it is neither there nor beside the checkpoint: give it with "
                                "--") +
                        side + "-tokenizer FILE");
      source = std::filesystem::exists(recorded) ? recorded.string() : beside.string();
      origin = "the checkpoint's -" + option;
    }
  }
  const ConvertedTokenizer t = converted_tokenizer(source, vocabulary);
  log << "convert: " << (side == std::string("src") ? "source" : "target")
      << " text: " << t.description << " (" << origin << ")" << std::endl;
  return t.text;
}

}  // namespace

ModelFileContents convert_opennmt_py(const std::string& path, std::ostream& log,
                                     const OpenNmtPyTokenizers& tokenizers) {
  const TorchCheckpoint checkpoint(path);
  const PickleNode& root = checkpoint.root();
  const Options options(pickle_at(root, "opt", path + ": the checkpoint"), path);
  check_supported(options);
  // Source features, whatever the options say (OpenNMT-py before 3.0 kept them in the fields):
  // a second source embedding
  if (pickle_find(pickle_at(root, "model", path + ": the checkpoint"),
                  "encoder.embeddings.make_embedding.emb_luts.1.weight", path + ": model"))
    throw Error(path +
                ": OpenNMT-py source features (a second source embedding, emb_luts.1): rnmt "
                "reads no source features");
  const std::vector<std::string> transforms = transforms_of(options);
  check_transforms(options, transforms, tokenizers);
  const PickleNode& vocab = pickle_at(root, "vocab", path + ": the checkpoint");
  if (vocab.kind == PickleKind::dict) {
    if (const PickleNode* start = pickle_find(vocab, "decoder_start_token", "vocab");
        start && start->kind == PickleKind::string && start->text != "<s>")
      throw Error(path + ": the decoder starts from '" + start->text + "', rnmt's from <s>");
  }
  const MappedVocabulary src = map_vocabulary(side_of(vocab, "src", path + ": vocab"), false,
                                              path + ": the source vocabulary");
  const MappedVocabulary tgt = map_vocabulary(side_of(vocab, "tgt", path + ": vocab"), true,
                                              path + ": the target vocabulary");
  // the tokenizers before the weights: a missing SentencePiece model is said at once
  const std::string src_tokenizer =
      side_tokenizer(options, transforms, tokenizers.source, "src", src.vocabulary, path, log);
  const std::string tgt_tokenizer =
      side_tokenizer(options, transforms, tokenizers.target, "tgt", tgt.vocabulary, path, log);
  const ModelConfig config = network_of(options, static_cast<int64_t>(src.vocabulary.size()),
                                        static_cast<int64_t>(tgt.vocabulary.size()));

  // The weights, into a network of that shape, in its own order.
  const Weights w(checkpoint);
  const auto network = Seq2Seq::for_inference(config);
  ParamSet& params = network->params();
  const int64_t E = config.embedding, H = config.decoder_hidden;
  // OpenNMT-py's vocabulary sizes (rnmt's may be larger: specials it lacked)
  const auto src_V = static_cast<int64_t>(src.to_rnmt.size());
  const auto V = static_cast<int64_t>(tgt.to_rnmt.size());
  put_rows(w.get("encoder.embeddings.make_embedding.emb_luts.0.weight", {src_V, E}), src.to_rnmt, E,
           params.find("src_embedding").w);
  put_rows(w.get("decoder.embeddings.make_embedding.emb_luts.0.weight", {V, E}), tgt.to_rnmt, E,
           params.find("tgt_embedding").w);
  for (int64_t l = 0; l < config.encoder_layers; ++l) {
    const std::string n = std::to_string(l), layer = "encoder.layer" + n;
    for (const std::string direction : {"", "_reverse"}) {
      const std::string s = "_l" + n + direction;
      put_rnn_layer(w,
                    {"encoder.rnn.weight_ih" + s, "encoder.rnn.weight_hh" + s,
                     "encoder.rnn.bias_ih" + s, "encoder.rnn.bias_hh" + s},
                    config.encoder_cell, params, layer + (direction.empty() ? ".l2r" : ".r2l"));
    }
  }
  for (int64_t l = 0; l < config.decoder_layers; ++l) {
    const std::string n = std::to_string(l), layer = "decoder.layer" + n;
    if (config.input_feeding) {  // a stack of LSTMCells
      const std::string p = "decoder.rnn.layers." + n + ".";
      put_rnn_layer(w, {p + "weight_ih", p + "weight_hh", p + "bias_ih", p + "bias_hh"},
                    rnn_cell(config.decoder_cell), params, layer);
    } else {  // one nn.LSTM
      put_rnn_layer(w,
                    {"decoder.rnn.weight_ih_l" + n, "decoder.rnn.weight_hh_l" + n,
                     "decoder.rnn.bias_ih_l" + n, "decoder.rnn.bias_hh_l" + n},
                    rnn_cell(config.decoder_cell), params, layer);
    }
  }
  if (config.bridge == BridgeType::copy_relu) {  // -bridge: encoder.bridge.0 (h), .1 (c)
    const int64_t half = config.encoder_layers * config.encoder_hidden;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"0", "h"}, {"1", "c"}}) {
      if (to == "c" && config.decoder_cell != DecoderCell::lstm)
        continue;  // a GRU has no cell state
      put_as_is(w, "encoder.bridge." + from + ".weight", {half, half}, params,
                "bridge.relu_" + to + ".weight");
      put_as_is(w, "encoder.bridge." + from + ".bias", {half}, params,
                "bridge.relu_" + to + ".bias");
    }
  }
  if (config.attention == AttentionType::general) {
    // OpenNMT-py scores (W q)·m, rnmt q·(W_a m): W_a = Wᵀ
    const std::vector<float> in = w.get("decoder.attn.linear_in.weight", {H, H});
    float* wa = params.find("attention.W_a.weight").w;
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < H; ++j) wa[i * H + j] = in[static_cast<size_t>(j * H + i)];
  }
  if (config.attention == AttentionType::additive) {
    // vᵀ tanh(W_q q + b_q + W_k m): OpenNMT-py's linear_query (with its bias) and linear_context
    // are rnmt's W_q and W_k, whose bias is the same sum's b
    put_as_is(w, "decoder.attn.linear_query.weight", {H, H}, params, "attention.W_q.weight");
    put_as_is(w, "decoder.attn.linear_context.weight", {H, H}, params, "attention.W_k.weight");
    put_as_is(w, "decoder.attn.linear_query.bias", {H}, params, "attention.W_k.bias");
    put_as_is(w, "decoder.attn.v.weight", {1, H}, params, "attention.v");
  }
  // [context; query] in both
  put_as_is(w, "decoder.attn.linear_out.weight", {H, 2 * H}, params, "attention.W_c.weight");
  if (config.attention_output == AttentionOutput::linear)
    put_as_is(w, "decoder.attn.linear_out.bias", {H}, params, "attention.W_c.bias");
  put_rows(w.get("generator.weight", {V, H}), tgt.to_rnmt, H, params.find("output.weight").w);
  put_rows(w.get("generator.bias", {V}), tgt.to_rnmt, 1, params.find("output.bias").w);
  // A special OpenNMT-py's target vocabulary lacked (its <blank>, in files of other programs) is
  // never output
  std::vector<bool> mapped(static_cast<size_t>(config.tgt_vocab), false);
  for (const int32_t id : tgt.to_rnmt) mapped[static_cast<size_t>(id)] = true;
  for (size_t id = 0; id < mapped.size(); ++id)
    if (!mapped[id]) params.find("output.bias").w[id] = -1e9f;
  params.touch();

  // The recipe: this network, and OpenNMT-py's translation defaults.
  Recipe recipe;
  static_cast<ModelConfig&>(recipe.model) = config;
  recipe.tokenizer.normalization = Normalization::none;
  recipe.tokenizer.merges = 0;
  recipe.data.max_length = 1024;               // OpenNMT-py cuts no source line
  recipe.translate.beam_size = 5;              // translate.py's -beam_size
  recipe.translate.beam_style = "opennmt_py";  // and its beam search (decoding/search.hpp)
  // its -length_penalty avg with -alpha 1: log p / length, the length counting <s> and </s>
  recipe.translate.length_penalty = 1.0;
  recipe.translate.length_includes_start = true;
  recipe.translate.max_decoding_length = 250;  // its -max_length
  // Its -ratio is off: no limit from the source's length, only -max_length's (a source of one
  // piece allows 250 already)
  recipe.translate.max_length_ratio = 250;
  log << "convert: " << path << ": OpenNMT-py " << (config.input_feeding ? "input-feeding " : "")
      << (config.decoder_cell == DecoderCell::gru ? "GRU" : "LSTM") << " model, "
      << config.encoder_layers << " layer(s) of " << config.decoder_hidden << " units, "
      << enum_name(kAttentionTypeNames, config.attention) << " attention, embeddings of " << E
      << ", vocabularies " << config.src_vocab << "/" << config.tgt_vocab
      << " (rnmt's specials first), " << params.total() << " weights" << std::endl;
  return {.recipe = dump_recipe(recipe),
          .src_tokenizer = src_tokenizer,
          .tgt_tokenizer = tgt_tokenizer,
          .weights = weight_bytes(params),
          .shortlist = {}};
}

}  // namespace rnmt
