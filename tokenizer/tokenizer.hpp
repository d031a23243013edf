#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/rng.hpp"
#include "tokenizer/bpe.hpp"
#include "tokenizer/normalizer.hpp"
#include "tokenizer/segmenter.hpp"
#include "tokenizer/sentencepiece.hpp"

namespace rnmt {

// How a line becomes tokens: rnmt's reversible segmentation (segmenter.hpp, spaces kept as "▁"
// on the tokens); the line split at white space, as models trained on pre-tokenized text
// (OpenNMT-py's, converted by rnmt convert) read it: no BPE, and outputs joined by spaces; or a
// SentencePiece model (sentencepiece.hpp) that the converted model was trained with, which
// gives the pieces and joins them again.
enum class Segmentation { rnmt, whitespace, sentencepiece };
inline constexpr EnumName<Segmentation> kSegmentationNames[] = {
    {Segmentation::rnmt, "rnmt"},
    {Segmentation::whitespace, "whitespace"},
    {Segmentation::sentencepiece, "sentencepiece"}};

struct TokenizerOptions {
  Segmentation segmentation = Segmentation::rnmt;
  Normalization normalization = Normalization::nfc;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::replace;
  bool split_digits = false;
  bool lowercase = false;  // makes the round trip exact only up to case
};

// Pieces and their ids; ids 0-3 are the special tokens, in the order the model uses.
struct Vocabulary {
  static constexpr const char* kSpecials[] = {"<pad>", "<unk>", "<s>", "</s>"};
  std::vector<std::string> pieces;
  std::unordered_map<std::string, int32_t> ids;

  // Specials first, then pieces with count >= min_count by descending count (ties by string).
  static Vocabulary build(const std::unordered_map<std::string, int64_t>& counts,
                          int64_t min_count);
  void add(const std::string& piece);
  int32_t id(const std::string& piece) const;  // <unk> (1) when absent
  size_t size() const { return pieces.size(); }
};

// The tokenizer's whole state: options, BPE merges (possibly none) and the vocabulary (possibly
// empty). Saved as one readable text file.
struct TokenizerModel {
  TokenizerOptions options;
  bool bpe = false;  // false: tokens stay whole (no model); true: BPE pieces, even with no merges
  std::vector<Merge> merges;
  std::string sentencepiece_model;  // segmentation sentencepiece: the .model file's bytes
  Vocabulary vocabulary;
};

struct BpeTraining {
  int64_t merges = 8000;
  int64_t min_frequency = 2;        // stop when no pair occurs this often
  int64_t vocab_threshold = 1;      // keep pieces seen at least this often in the encoded words
  bool dropout_vocabulary = false;  // also give ids to every intermediate merge and character
};

// Learns BPE merges from word (segmenter token) counts and the vocabulary of the pieces those words
// encode to; sets model.bpe. `progress` is passed on to learn_bpe.
void train_bpe(TokenizerModel& model, const std::unordered_map<std::string, int64_t>& words,
               const BpeTraining& training, const std::function<void(int64_t)>& progress = nullptr);

void save_tokenizer(const TokenizerModel& model, const std::string& path);
std::string tokenizer_text(const TokenizerModel& model);  // the file's text
TokenizerModel load_tokenizer(const std::string& path);   // Error names the file, line and problem
// The same from the file's text (e.g. embedded in a model file); `path` names it in errors.
TokenizerModel parse_tokenizer(const std::string& text, const std::string& path);

// Raw text -> pieces (normalize, segment, BPE) and pieces -> raw text.
class PieceTokenizer {
 public:
  explicit PieceTokenizer(TokenizerModel model);
  const TokenizerModel& model() const { return model_; }
  // line_number is for error messages; replaced (may be null) counts U+FFFD substitutions.
  std::vector<std::string> tokenize(std::string_view line, int64_t line_number = 0,
                                    int64_t* replaced = nullptr, float dropout = 0.0f,
                                    Rng* rng = nullptr);
  // The first max_pieces pieces of what tokenize() gives (max_pieces > 0), reading no further into
  // the line than they need; *truncated says whether pieces were left out.
  std::vector<std::string> tokenize_prefix(std::string_view line, int64_t line_number,
                                           size_t max_pieces, bool* truncated);
  // Pieces -> raw text: rnmt's segmentation undone (segmenter.hpp's detokenize), for whitespace
  // tokens the pieces joined by spaces, for SentencePiece its decoding.
  std::string detokenize(const std::vector<std::string>& pieces) const;

 private:
  TokenizerModel model_;
  BpeEncoder bpe_;
  SentencePiece sentencepiece_;  // segmentation sentencepiece only
};

}  // namespace rnmt
