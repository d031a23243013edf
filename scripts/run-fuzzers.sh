#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD/fuzz: first over its committed regression inputs
# (fuzz/regressions/TARGET: inputs that once crashed), then for SECONDS of fuzzing from its seed
# corpus (fuzz/corpus/TARGET; new inputs go to a scratch copy, not into the repository). Ends with a
# table of executions and coverage per target. A crash stops with the input's path and its bytes
# in base64, to be committed under fuzz/regressions/TARGET. Targets run side by side, one per core.
# Usage: scripts/run-fuzzers.sh BUILD [SECONDS]
set -euo pipefail
build=$1
seconds=${2:-30}
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
targets=(tokenizer tokenizer_model recipe model_file bleu translator server_request pickle npy
  token_shard)
# fuzz_target T: regressions, then SECONDS of fuzzing; its summary line in $scratch/T.summary, or a
# report of what failed (on stdout) and status 1.
fuzz_target() {
  local t=$1 bin=$build/fuzz/fuzz_$1
  [[ -x $bin ]] || { echo "run-fuzzers: $bin is not built"; return 1; }
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    "$bin" fuzz/regressions/$t/* >"$scratch/$t.regressions.log" 2>&1 ||
      { cat "$scratch/$t.regressions.log"; echo "run-fuzzers: $t fails a regression input"; return 1; }
  fi
  mkdir -p "$scratch/$t.corpus" "$scratch/$t.crash"
  # 2 GiB of RSS and no single allocation above 512 MiB: a forged size must not ask for more.
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    -print_final_stats=1 -artifact_prefix="$scratch/$t.crash/" "$scratch/$t.corpus" "fuzz/corpus/$t" \
    >"$scratch/$t.log" 2>&1; then
    tail -40 "$scratch/$t.log"
    for f in "$scratch/$t.crash"/*; do
      [[ -f $f ]] || continue
      echo "run-fuzzers: $t crashed on $(basename "$f"); its bytes (base64), for fuzz/regressions/$t/:"
      base64 -w0 "$f"; echo
    done
    return 1
  fi
  local runs cov corpus
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log")
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$scratch/$t.log" | tail -1)
  corpus=$(find "$scratch/$t.corpus" -type f | wc -l)
  printf '%-16s %12s executions  %-22s %6s new inputs\n' "$t" "$runs" "$cov" "$corpus" >"$scratch/$t.summary"
}

# As many targets at a time as there are cores (each fuzzer is one process on one core).
parallel=$(nproc)
failed=0
for ((i = 0; i < ${#targets[@]}; i += parallel)); do
  pids=()
  for t in "${targets[@]:i:parallel}"; do
    echo "run-fuzzers: $t for ${seconds}s" >&2
    fuzz_target "$t" >"$scratch/$t.report" 2>&1 &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    t=${targets[i + k]}
    if ! wait "${pids[k]}"; then cat "$scratch/$t.report"; failed=1; fi
  done
  ((failed == 0)) || exit 1
done
summary=()
for t in "${targets[@]}"; do summary+=("$(cat "$scratch/$t.summary")"); done
echo "fuzzing: ${#targets[@]} targets, ${seconds}s each, no crash"
printf '  %s\n' "${summary[@]}"
