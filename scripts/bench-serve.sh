#!/usr/bin/env bash
# rnmt serve under load, beside rnmt translate on the same lines: N concurrent clients (1, 8, 32,
# 128) each sending single sentences of SOURCE to a server on loopback (scripts/serve_load.py),
# bounded by the lines of SOURCE and SECONDS per run. Reports lines/s, p50/p99 latency, errors,
# whether every translation equals rnmt translate's, and the ratio to the batch command.
#   scripts/bench-serve.sh MODEL SOURCE [LINES] [SECONDS]
# Both use 2 threads and the model's recipe settings. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 2)) || { sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2; }
model=$1 source=$2 lines=${3:-500} seconds=${4:-120}
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
head -n "$lines" "$source" >"$work/lines.txt"

"$BUILD/rnmt" translate -m "$model" -i "$work/lines.txt" -o "$work/batch.txt" --threads 2 2>"$work/batch.log"
batch=$(sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/batch.log")
echo "rnmt translate (batch command, 2 threads): $batch lines/s on $lines lines"
echo
echo "| clients | lines/s | p50 latency | p99 latency | errors | same as translate | vs translate |"
echo "|---|---|---|---|---|---|---|"
for clients in 1 8 32 128; do
  "$BUILD/rnmt" serve -m "$model" --port 0 --threads 2 2>"$work/server.log" &
  pid=$!
  for _ in $(seq 600); do grep -q "^serve: ready on " "$work/server.log" && break; sleep 0.1; done
  port=$(sed -n 's|^serve: ready on http://127.0.0.1:\([0-9]*\) .*|\1|p' "$work/server.log")
  /usr/bin/python3 scripts/serve_load.py "$port" "$clients" "$work/lines.txt" "$seconds" >"$work/load.json"
  kill -TERM "$pid"
  wait "$pid"
  pid=
  /usr/bin/python3 - "$work/load.json" "$work/batch.txt" "$batch" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
batch = open(sys.argv[2], encoding="utf-8").read().splitlines()
done = [(t, b) for t, b in zip(r["translations"], batch) if t is not None]
same = sum(t == b for t, b in done)
print(f"| {r['clients']} | {r['lines_per_s']:.1f} | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | "
      f"{r['errors']} | {same}/{len(done)} | {100 * r['lines_per_s'] / float(sys.argv[3]):.0f}% |")
for e in r["first_errors"]:
    print("error:", e, file=sys.stderr)
PY
done
