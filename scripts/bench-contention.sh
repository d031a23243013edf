#!/usr/bin/env bash
# Training and translation on a machine that is not all theirs: rnmt (its default: threads pinned,
# fewer while others want the CPUs; and with --fixed-threads, 2 pinned threads whatever the load)
# and the PyTorch reference (the PyTorch reference torch_s2s.py (RNMT_BENCH_REFERENCE), f32,
# its best setting: OMP_WAIT_POLICY=PASSIVE), each alone and beside one competitor at a time:
#   busy19  a busy loop at nice 19         busy0   a busy loop at nice 0
#   fork19  a loop starting short processes at nice 19 (while :; do /bin/true; done)
#   build19 a parallel build of rnmt (make -j2, clean first) at nice 19
#   busy19-session  a busy loop at nice 19 in a session of its own, as from another terminal
# Each competitor runs in a session of its own (setsid), so that it can be stopped whole. Where the
# kernel groups processes by session for scheduling (autogroup, on in Debian's kernels), nice then
# ranks processes within their session only: a nice-19 job in another session gets as much CPU as
# all of training. So for the nice-19 competitors the session itself is set to nice 19
# (/proc/PID/autogroup), as `nice` within one session would be; busy19-session shows what happens
# when it is not.
# Training is B1 on synthetic data at 2 threads (target tokens/s); translation is a B1 model trained
# briefly on the same data, 500 lines, beam 5, 2 threads (sentences/s). Prints a table per task with
# each figure as a share of the same program's figure alone.
#   scripts/bench-contention.sh [ROUNDS]      (default 1; about 15 minutes a round)
# Run it on a quiet machine: the competitors are the only other work allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
name=bench-contention
SECONDS_RNMT=${SECONDS_RNMT:-20}
MINUTES_TORCH=${MINUTES_TORCH:-0.5}
set -- "${1:-1}"
source scripts/bench-common.sh
trap 'stop_competitor; rm -rf "$work"' EXIT
competitors=(none busy19 busy0 fork19 build19 busy19-session)

# The build competitor's tree: configured once, cleaned before each use.
cmake -S . -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cpid=
start_competitor() {
  case $1 in
    none) return ;;
    busy19 | busy19-session) setsid nice -n 19 bash -c 'while :; do :; done' & ;;
    busy0) setsid bash -c 'while :; do :; done' & ;;
    fork19) setsid nice -n 19 bash -c 'while :; do /bin/true; done' & ;;
    build19)
      cmake --build "$work/build" --target clean >/dev/null
      setsid nice -n 19 cmake --build "$work/build" -j2 >/dev/null 2>&1 & ;;
  esac
  cpid=$!
  # nice 19 for the session too, where the kernel has autogroups (see above); only once the
  # competitor has its own session, or this would renice the session of this script and training
  if [[ $1 == *19 && $1 != *-session && -w /proc/$cpid/autogroup ]]; then
    local mine
    mine=$(cut -d' ' -f1 /proc/self/autogroup)
    for _ in $(seq 1000); do
      [[ $(cut -d' ' -f1 "/proc/$cpid/autogroup") != "$mine" ]] && break
      sleep 0.01
    done
    [[ $(cut -d' ' -f1 "/proc/$cpid/autogroup") != "$mine" ]] || { echo "no session of its own" >&2; exit 1; }
    echo 19 >"/proc/$cpid/autogroup"
  fi
  sleep 3  # let it reach its steady state (a build: compilers running)
}
stop_competitor() {
  [[ -n $cpid ]] || return 0
  kill -KILL -- "-$cpid" 2>/dev/null || true
  wait "$cpid" 2>/dev/null || true
  cpid=
}

# The translation models: rnmt's B1 through a recipe on the synthetic pairs (100 steps), PyTorch's
# for the same time; quality is beside the point, the network's size is what counts.
head -n 500 "$work/syn.src" >"$work/lines.txt"
cat >"$work/b1.yaml" <<YAML
workdir: $work/b1
data:
  train: {src: $work/syn.src, tgt: $work/syn.tgt}
  valid: {src: $work/lines.txt, tgt: $work/lines.txt}
tokenizer: {bpe: {merges: 1000}}
model: {embedding: 256, encoder: {hidden: 512}, decoder: {hidden: 512}, dropout: 0.2}
training: {max_steps: 100, threads: 2}
validation: {every: 100, metric: loss}
translate: {beam: 5}
YAML
"$BUILD/rnmt" run "$work/b1.yaml" >/dev/null 2>&1
/usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$work/syn.src" --train-tgt "$work/syn.tgt" \
  --input-feed 0 --threads 2 --max-steps 100 --save "$work/torch.pt" >/dev/null 2>&1

# One measurement of PROGRAM (rnmt, rnmt-free, torch) at TASK (train, translate): a number.
measure() {
  local program=$1 task=$2 fixed=()
  [[ $program == rnmt-fixed ]] && fixed=(--fixed-threads)
  case $program/$task in
    rnmt*/train) "$BUILD/rnmt" bench train --src "$work/syn.src" --tgt "$work/syn.tgt" \
      --threads 2 --seconds "$SECONDS_RNMT" "${fixed[@]}" 2>/dev/null | sed -n 's/^target tokens\/s: //p' ;;
    rnmt*/translate) "$BUILD/rnmt" translate -m "$work/b1/model.rnmt" -i "$work/lines.txt" \
      -o /dev/null --beam 5 --threads 2 2>&1 | sed -n 's/.* s: \([0-9.]*\) sentences\/s.*/\1/p' ;;
    torch/train) /usr/bin/python3 "$shared/torch_s2s.py" train --train-src "$work/syn.src" \
      --train-tgt "$work/syn.tgt" --input-feed 0 --threads 2 --time-limit "$MINUTES_TORCH" --warmup 5 2>/dev/null |
      sed -n 's/.*tgt_tok\/s \([0-9.]*\).*/\1/p' | tail -n 1 ;;
    torch/translate) /usr/bin/python3 "$shared/torch_s2s.py" translate --load "$work/torch.pt" \
      --input "$work/lines.txt" --output /dev/null --beam 5 --threads 2 2>&1 |
      sed -n 's/.* sent\/s \([0-9.]*\) .*/\1/p' ;;
  esac
}

for task in train translate; do
  # translation does not pin its threads (batches go side by side, one thread each): one rnmt row
  programs=(rnmt rnmt-fixed torch)
  [[ $task == translate ]] && programs=(rnmt torch)
  for c in "${competitors[@]}"; do
    for p in "${programs[@]}"; do : >"$work/$task.$c.$p"; done
  done
  for ((r = 0; r < ROUNDS; r++)); do
    for c in "${competitors[@]}"; do
      for p in "${programs[@]}"; do
        start_competitor "$c"
        measure "$p" "$task" >>"$work/$task.$c.$p"
        stop_competitor
        echo "$task, $p beside $c: $(tail -n 1 "$work/$task.$c.$p")" >&2
      done
    done
  done
  unit=$([[ $task == train ]] && echo "target tokens/s" || echo "sentences/s")
  echo
  echo "$task ($unit; share of the same program alone)"
  echo
  if [[ $task == train ]]; then
    echo "| beside | rnmt | rnmt, 2 threads fixed | PyTorch f32 |"
    echo "|---|---|---|---|"
  else
    echo "| beside | rnmt | PyTorch f32 |"
    echo "|---|---|---|"
  fi
  for c in "${competitors[@]}"; do
    row="| $c |"
    for p in "${programs[@]}"; do
      m=$(median <"$work/$task.$c.$p")
      alone=$(median <"$work/$task.none.$p")
      row+=" $m ($(awk -v a="$m" -v b="$alone" 'BEGIN { printf "%.0f%%", 100 * a / b }'); $(paste -sd/ "$work/$task.$c.$p")) |"
    done
    echo "$row"
  done
done
