#!/usr/bin/env bash
# Corpora beyond memory (docs/performance.md, "Large corpora"): the Bible recipe's training side
# repeated to SIZES pairs (each copy in an order of its own, every other copy with the first
# letter of each line in the other case), then for each size `rnmt run recipes/bible-en-es.yaml`
# on it: prepare (tokenizers from streamed word counts, token-id shards) and 100 steps of B1.
# Prints, per size: prepare's wall time, the wall time from training's start to its first
# validation (100 steps), the whole run's peak resident memory (GNU time), and the shards' size
# in bytes per token.
#   scripts/bench-corpus.sh [SIZES...]      (default: 1000000 3000000 10000000)
# Needs the Bible data (`rnmt run recipes/bible-en-es.yaml` makes it) and GNU time
# (scripts/install-deps.sh --bench). No shortlist is learned: export's IBM Model 1 reads the
# training text into memory. Run it alone on the machine: it takes about 15 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# > 0)) || set -- 1000000 3000000 10000000
bible=runs/bible-en-es/data
[[ -f $bible/train.en ]] || { echo "bench-corpus: run 'rnmt run recipes/bible-en-es.yaml' first" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench-corpus: needs GNU time (scripts/install-deps.sh --bench)" >&2; exit 1; }
work=${BENCH_CORPUS_DIR:-$(mktemp -d)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) CPUs; work in $work"
echo "| pairs | text | prepare | first 100 steps | peak RSS | shards | bytes per token |"
echo "|---|---|---|---|---|---|---|"
for pairs in "$@"; do
  /usr/bin/python3 - "$bible/train.en" "$bible/train.es" "$pairs" "$work/corpus" <<'PY'
import random, sys
src, tgt, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
a, b = open(src).read().splitlines(), open(tgt).read().splitlines()
flip = lambda s: s[:1].swapcase() + s[1:]
with open(out + '.en', 'w') as fa, open(out + '.es', 'w') as fb:
    written, copy = 0, 0
    while written < n:
        order = list(range(len(a)))
        random.Random(copy).shuffle(order)
        for i in order[:n - written]:
            x, y = (flip(a[i]), flip(b[i])) if copy % 2 else (a[i], b[i])
            fa.write(x + '\n')
            fb.write(y + '\n')
        written += min(len(order), n - written)
        copy += 1
PY
  rm -rf "$work/run"
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$work/time.txt" "$BUILD/rnmt" run recipes/bible-en-es.yaml \
    --set workdir="$work/run" --set data.train.src="$work/corpus.en" \
    --set data.train.tgt="$work/corpus.es" --set data.test.src= --set data.test.tgt= \
    --set training.max_steps=100 --set training.max_time=0 --set validation.every=100 \
    --set validation.metric=loss --set export.shortlist.translations=0 2>&1 |
    while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done >"$work/log.txt"
  # prepare ends when training starts (its first line); the 100 steps end at the validation
  trained=$(awk '$2 == "train:" { print $1; exit }' "$work/log.txt")
  validated=$(awk '$2 == "validation" { print $1; exit }' "$work/log.txt")
  [[ -n $trained && -n $validated ]] || { cat "$work/log.txt"; exit 1; }
  peak_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  shard_bytes=$(cat "$work/run/prepare/shards/"*.shard | wc -c)
  token_count=$(/usr/bin/python3 - "$work/run/prepare/shards" <<'PY'
import glob, struct, sys
print(sum(struct.unpack_from('<Q', open(p, 'rb').read(32), 24)[0]
          for p in glob.glob(sys.argv[1] + '/*.shard')))
PY
)
  text_mb=$((($(stat -c %s "$work/corpus.en") + $(stat -c %s "$work/corpus.es")) / 1000000))
  awk -v p="$pairs" -v t="$text_mb" -v s="$start" -v a="$trained" -v b="$validated" \
    -v k="$peak_kb" -v bytes="$shard_bytes" -v n="$token_count" 'BEGIN {
      printf "| %d | %d MB | %.0f s | %.0f s | %.0f MB | %.0f MB | %.3f |\n",
        p, t, a - s, b - a, k / 1024, bytes / 1e6, bytes / n }'
  grep -E 'prepare: [0-9]+ of|tokenizers:' "$work/log.txt" | cut -d' ' -f2- | sed 's/^/    /'
done
