#pragma once
// The training corpus as token-id shards in WORKDIR/prepare/shards (training/token_shard.hpp),
// made by streaming the text once. Line i of both files goes to shard i mod S, where S is the line
// count divided by data.shard_pairs (rounded up), so that each shard samples the whole corpus;
// the pairs encode_corpus leaves out are left out. A manifest, written last, lists the shards with
// a key of what they were made from (the tokenizers' bytes, the text files' sizes and times,
// data.max_length, data.shard_pairs): a kill at any moment leaves no manifest (and no file named
// like a shard that is not whole), and shards made from anything else are made again.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/run_context.hpp"
#include "pipeline/corpus.hpp"
#include "recipe/recipe.hpp"

namespace rnmt {

struct TrainingShards {
  std::vector<std::string> paths;
  int64_t pairs = 0;  // kept, in all shards
  DroppedPairs dropped;
  int64_t src_vocab = 0, tgt_vocab = 0;
};

// The workdir's shards when they are up to date for the recipe, else made afresh; the log says
// which, with progress while they are made.
TrainingShards make_training_shards(const Recipe& recipe, std::ostream& log,
                                    const RunContext& context);

// The shards make_training_shards made for this recipe (another MPI rank's); an Error when they
// are missing or were made from something else.
TrainingShards read_training_shards(const Recipe& recipe);

// Lines in a text file as read_text_line counts them (a last line without a newline counts).
int64_t count_lines(const std::string& path);

}  // namespace rnmt
