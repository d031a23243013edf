#!/usr/bin/env bash
# rnmt serve under load, beside rnmt translate on the same lines. For N concurrent clients (1, 8,
# 32, 128), wrk keeps N keep-alive connections each sending single sentences of SOURCE (the next
# line per request, scripts/serve_lines.lua) to a server on loopback for SECONDS; reported:
# lines/s, p50/p99 latency, errors (non-2xx answers and socket errors), mean batch size (the
# server's /metrics) and the ratio to rnmt translate's lines/s on the same lines. Then 8 clients
# of scripts/serve_load.py send every line once and their translations are compared with
# rnmt translate's.
#   scripts/bench-serve.sh MODEL SOURCE [LINES] [SECONDS]
# CLIENTS="1 8 32 128" and SERVE_ARGS (extra rnmt serve options) may be set. Both sides use 2
# threads and the model's recipe settings. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
(($# >= 2)) || { sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }
model=$1 source=$2 lines=${3:-500} seconds=${4:-20}
command -v wrk >/dev/null || scripts/install-deps.sh --bench
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
head -n "$lines" "$source" >"$work/lines.txt"

start_server() {
  # shellcheck disable=SC2086
  "$BUILD/rnmt" serve -m "$model" --port 0 --threads 2 ${SERVE_ARGS:-} 2>"$work/server.log" &
  pid=$!
  for _ in $(seq 600); do grep -q "^serve: ready on " "$work/server.log" && break; sleep 0.1; done
  port=$(sed -n 's|^serve: ready on http://127.0.0.1:\([0-9]*\) .*|\1|p' "$work/server.log")
}
stop_server() { kill -TERM "$pid"; wait "$pid"; pid=; }

# The batch command's speed: the median of three runs (its runs vary by some 10%).
for _ in 1 2 3; do
  "$BUILD/rnmt" translate -m "$model" -i "$work/lines.txt" -o "$work/batch.txt" --threads 2 2>"$work/batch.log"
  sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' "$work/batch.log"
done | sort -n >"$work/batch_rates.txt"
batch=$(sed -n 2p "$work/batch_rates.txt")
echo "rnmt translate (2 threads, the recipe's settings): $batch lines/s on $lines lines (median of" \
  "$(paste -sd' ' "$work/batch_rates.txt"))"
echo
echo "| clients | lines/s | p50 latency | p99 latency | errors | mean batch | vs translate |"
echo "|---|---|---|---|---|---|---|"
for clients in ${CLIENTS:-1 8 32 128}; do
  start_server
  LINES_FILE=$work/lines.txt wrk -t "$((clients < 2 ? 1 : 2))" -c "$clients" -d "${seconds}s" \
    --timeout 60s --latency -s scripts/serve_lines.lua "http://127.0.0.1:$port" >"$work/wrk.txt"
  curl -s "http://127.0.0.1:$port/metrics" >"$work/metrics.txt"
  stop_server
  rate=$(awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" { print $2 }' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
  errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { for (i = 4; i <= NF; i += 2) n += $i }
    END { print n + 0 }' "$work/wrk.txt")
  mean=$(awk '/^rnmt_batch_lines_sum/ { s = $2 } /^rnmt_batch_lines_count/ { c = $2 }
    END { printf "%.1f", c ? s / c : 0 }' "$work/metrics.txt")
  echo "| $clients | $rate | $p50 | $p99 | $errors | $mean | $(awk -v a="$rate" -v b="$batch" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
done

# Correctness under concurrency: every line once, by 8 clients, against rnmt translate.
start_server
/usr/bin/python3 scripts/serve_load.py "$port" 8 "$work/lines.txt" 600 >"$work/load.json"
stop_server
/usr/bin/python3 - "$work/load.json" "$work/batch.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
batch = open(sys.argv[2], encoding="utf-8").read().splitlines()
same = sum(t == b for t, b in zip(r["translations"], batch))
print(f"\n8 clients, every line once: {same}/{len(batch)} translations equal rnmt translate's, "
      f"{r['errors']} errors")
sys.exit(0 if same == len(batch) and r["errors"] == 0 else 1)
PY
