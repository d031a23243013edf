#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "decoding/ensemble.hpp"
#include "model/batch.hpp"
#include "translation/translate_text.hpp"

namespace rnmt {

// Source lines as every network of a worker reads them (an ensemble's networks may each have their
// own source tokenizer). A line that some network reads as no pieces is empty for all of them: it
// is not translated.
struct EncodedSources {
  std::vector<std::vector<Sentence>> ids;        // [members][lines] piece ids
  std::vector<std::vector<std::string>> pieces;  // [lines] the first network's pieces
  std::vector<uint8_t> truncated;                // [lines] some network cut the line
};
// Errors about a line (invalid UTF-8 under the `fail` policy) number lines from first_line.
EncodedSources encode_sources(const TranslationModel& model, const std::vector<std::string>& lines,
                              int64_t first_line);

// For each network, the batch of lines order[begin, end) as it reads them (no target side).
std::vector<Batch> source_batches(const EncodedSources& sources, const std::vector<size_t>& order,
                                  size_t begin, size_t end);
// The worker's networks over their batches (which must outlive it), with their weights.
Ensemble ensemble_of(const TranslationModel& worker, const std::vector<Batch>& batches);

}  // namespace rnmt
