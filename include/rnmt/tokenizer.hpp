#pragma once
// rnmt's reversible tokenizer: raw text to pieces (Unicode normalisation, segmentation, BPE) and
// back, as a model file or `rnmt learn-bpe` holds it.
//
//   #include <rnmt/tokenizer.hpp>
//   auto tokenizer = rnmt::Tokenizer::from_model("model.rnmt", rnmt::ModelSide::source);
//   std::vector<std::string> pieces = tokenizer.tokenize("Hello, world!");
//   std::string text = rnmt::Tokenizer::detokenize(pieces);  // "Hello, world!"
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnmt/error.hpp"

namespace rnmt {

// How raw text becomes tokens before BPE (the command line's names).
struct TextOptions {
  std::string normalization = "nfc";     // Unicode normalization: nfc | nfkc
  std::string invalid_utf8 = "replace";  // replace (with U+FFFD, counted) | fail (an Error)
  bool split_digits = false;             // every digit its own token
  bool lowercase = false;                // the round trip is then exact only up to case
};

// What BPE learning keeps.
struct BpeLearning {
  int64_t merges = 8000;        // merges to learn
  int64_t min_frequency = 2;    // stop when no pair occurs this often
  int64_t vocab_threshold = 1;  // keep pieces seen at least this often in the encoded text
};

// What learn_bpe read.
struct BpeLearningStats {
  int64_t lines = 0, tokens = 0, distinct_tokens = 0, replaced = 0;  // replaced: invalid UTF-8
};

// Called while learning: the lines read so far (phase "read"), then the merges learned ("merge").
using BpeLearningProgress = std::function<void(const char* phase, int64_t count)>;

enum class ModelSide { source, target };

class Tokenizer {
 public:
  // A tokenizer file (rnmt learn-bpe's output, WORKDIR/prepare/src.tokenizer); a bad file throws
  // rnmt::Error naming the file and line.
  explicit Tokenizer(const std::string& path);
  // No BPE: whole tokens under these options (an unknown name is an Error).
  explicit Tokenizer(const TextOptions& options);
  // A model file's source or target tokenizer (its network is not built).
  static Tokenizer from_model(const std::string& model_path, ModelSide side);
  // Learns BPE merges and a vocabulary from raw-text files (one joint model over all of them).
  static Tokenizer learn_bpe(const std::vector<std::string>& text_files, const TextOptions& text,
                             const BpeLearning& learning, BpeLearningStats* stats = nullptr,
                             const BpeLearningProgress& progress = nullptr);
  ~Tokenizer();
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  void save(const std::string& path) const;

  // BPE-dropout (for training data): each merge is skipped with this probability, drawn from a
  // generator seeded by `seed` (the same seed and lines: the same pieces). 0: off.
  void set_dropout(float probability, uint64_t seed);

  // Raw text -> pieces. line_number names the line in errors (invalid UTF-8 under "fail");
  // *replaced (when given) counts the invalid sequences replaced by U+FFFD.
  std::vector<std::string> tokenize(std::string_view line, int64_t line_number = 0,
                                    int64_t* replaced = nullptr);
  // Pieces -> raw text for rnmt's own segmentation (needs no model: the pieces carry their
  // spacing).
  static std::string detokenize(const std::vector<std::string>& pieces);
  // Pieces -> raw text as this tokenizer undoes its own pieces, whatever they are: rnmt's
  // segmentation as detokenize() does, a converted model's whitespace tokens joined by spaces,
  // or its SentencePiece model's decoding.
  std::string decode(const std::vector<std::string>& pieces) const;
  // The same for a line of space-separated pieces (rnmt tokenize's output).
  static std::string detokenize_line(std::string_view pieces);

  const std::vector<std::string>& vocabulary() const;  // by id; 0-3: <pad>, <unk>, <s>, </s>
  int64_t merges() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnmt
