#!/usr/bin/env bash
# Word vectors for the Bible recipe's embeddings, trained on its own training side with Debian's
# fastText (skipgram, words only): DIR/vectors.en.vec and DIR/vectors.es.vec in word2vec text
# format, 256 values per word like the recipe's model.embedding.
#   recipes/bible/vectors.sh DIR
set -euo pipefail
dir=$1
for side in en es; do
  fasttext skipgram -input "$dir/train.$side" -output "$dir/vectors.$side" -dim 256 -epoch 10 \
    -minCount 1 -minn 0 -maxn 0 -bucket 0 -thread 2 -verbose 1
  rm -f "$dir/vectors.$side.bin"  # only the .vec file is read
done
