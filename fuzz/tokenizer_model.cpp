// Arbitrary bytes as a tokenizer model file (the text `rnmt tokenizer learn` writes and model files
// embed). Properties: the parser returns a model or throws rnmt::Error naming the file, nothing
// else; a model it accepts tokenizes text into non-empty pieces without an error, and saving it
// gives a file that parses back to the same save.
#include <unistd.h>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "core/files.hpp"
#include "fuzz/check.hpp"
#include "tokenizer/segmenter.hpp"
#include "tokenizer/tokenizer.hpp"

using namespace rnmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  TokenizerModel model;
  try {
    model = parse_tokenizer(text, "fuzz.tokenizer");
  } catch (const Error& e) {
    FUZZ_CHECK(std::string(e.what()).find("fuzz.tokenizer") != std::string::npos);
    return 0;
  }
  PieceTokenizer tokenizer(model);
  for (const char* line : {"the quick brown fox", "  \xC3\xA9t\xC3\xA9 12,5 ", ""}) {
    try {
      const auto pieces = tokenizer.tokenize(line, 1);
      for (const auto& p : pieces) FUZZ_CHECK(!p.empty());
    } catch (const Error&) {  // e.g. a model whose policy is `fail` on this line: never here
      FUZZ_CHECK(false);
    }
  }
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("rnmt_fuzz_" + std::to_string(getpid()))).string();
  save_tokenizer(model, path);
  const std::string saved = read_whole_file(path, "tokenizer model");
  save_tokenizer(parse_tokenizer(saved, path), path);
  FUZZ_CHECK(read_whole_file(path, "tokenizer model") == saved);
  return 0;
}
