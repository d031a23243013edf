#!/usr/bin/env bash
# The PyTorch reference on the Bible recipe's split, for the one-hour BLEU comparison of docs/performance.md.
#   scripts/bench-bible.sh [MINUTES]        (default 60)
# Needs the recipe's prepare stage done (`rnmt run recipes/bible-en-es.yaml` makes it): it feeds
# the PyTorch reference torch_s2s.py (RNMT_BENCH_REFERENCE) rnmt's own tokenized files (same split, same BPE pieces), trains the
# same model size (B1: embeddings 256, hidden 512, no input feeding, dropout 0.2, Adam 1e-3, clip 5,
# 64 sentences per batch) for MINUTES on 2 threads, translates the test set with beam 5 and length
# penalty 0.6 (the recipe's), detokenizes, and prints sacreBLEU-style BLEU against the raw
# references. Run it on a quiet machine: nothing else may run beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
minutes=${1:-60}
run=runs/bible-en-es
out=$run/torch
# The PyTorch reference (torch_s2s.py) and its data generator (make_synthetic.py) are not part of
# rnmt: RNMT_BENCH_REFERENCE names their folder (default: shared/bench beside the clone).
shared=${RNMT_BENCH_REFERENCE:-$(cd .. && pwd)/shared/bench}
[[ -f $run/prepare/src.tokenizer ]] || { echo "bench-bible: run 'rnmt run recipes/bible-en-es.yaml' first" >&2; exit 1; }
scripts/install-deps.sh --bench
mkdir -p "$out"
for split in train dev test; do
  "$BUILD/rnmt" tokenize --bpe "$run/prepare/src.tokenizer" <"$run/data/$split.en" >"$out/$split.en"
  "$BUILD/rnmt" tokenize --bpe "$run/prepare/tgt.tokenizer" <"$run/data/$split.es" >"$out/$split.es"
done
/usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$out/train.en" --train-tgt "$out/train.es" \
  --dev-src "$out/dev.en" --dev-tgt "$out/dev.es" --emb 256 --hidden 512 --input-feed 0 \
  --dropout 0.2 --lr 0.001 --clip 5 --batch-size 64 --max-len 100 --threads 2 \
  --time-limit "$minutes" --log-every 200 --save "$out/model.pt" 2>"$out/train.log" | tee "$out/train.out"
/usr/bin/python3 "$shared/torch_s2s.py" translate --load "$out/model.pt" --input "$out/test.en" \
  --beam 5 --alpha 0.6 --threads 2 --output "$out/test.hyp.pieces" 2>"$out/translate.log"
"$BUILD/rnmt" detokenize <"$out/test.hyp.pieces" >"$out/test.hyp.es"
tail -1 "$out/translate.log"
"$BUILD/rnmt" bleu "$run/data/test.es" "$out/test.hyp.es"
