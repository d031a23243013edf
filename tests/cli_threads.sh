#!/usr/bin/env bash
# Training's threads on a machine that is not all theirs: two threads on two CPUs are pinned one
# per CPU (unless OMP_PROC_BIND says otherwise); beside a busy process in another session, training
# drops to one thread, and takes the second back once the process is gone; with --fixed-threads
# (training.follow_load: false) it keeps both. Events are read from the log as they come, each
# with a deadline; nothing here is timed.
set -euo pipefail
rnmt=$1
cpus=$(nproc)
if ((cpus != 2)); then
  echo "skipped: this test needs exactly 2 CPUs for this process (it has $cpus)"
  exit 77
fi
work=$(mktemp -d)
busy=
bench=
cleanup() {
  [[ -n $busy ]] && kill -KILL -- "-$busy" 2>/dev/null
  [[ -n $bench ]] && kill -KILL "$bench" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
small=(--embedding 16 --hidden 32 --batch 16 --warmup 1)

# Waits until FILE has a line matching PATTERN, for up to SECONDS; fails showing the file.
wait_for_line() {
  local file=$1 pattern=$2 seconds=$3
  local deadline=$((SECONDS + seconds))
  until grep -q -- "$pattern" "$file"; do
    if ((SECONDS >= deadline)); then
      echo "no line matching '$pattern' within ${seconds}s:"
      cat "$file"
      exit 1
    fi
    sleep 0.2
  done
}
start_busy() {
  setsid bash -c 'while :; do :; done' &
  busy=$!
}
stop_busy() {
  kill -KILL -- "-$busy"
  wait "$busy" 2>/dev/null || true
  busy=
}
# The CPU lists of the process's threads that may use a single CPU, one per line, sorted.
pinned_cpus() {
  for status in /proc/"$1"/task/*/status; do
    sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$status"
  done | grep -E '^[0-9]+$' | sort || true
}

# 1. Two threads on two CPUs: each pinned to a CPU of its own while training runs.
"$rnmt" bench train "${small[@]}" --seconds 600 >pin.log 2>&1 &
bench=$!
wait_for_line pin.log "^bench train:" 60
wait_for_line pin.log "^bench: 2 threads, pinned one per CPU" 5
pinned=$(pinned_cpus "$bench")
[[ $(wc -l <<<"$pinned") == 2 && $(sort -u <<<"$pinned" | wc -l) == 2 ]] ||
  { echo "expected two threads pinned to two CPUs, got: $pinned"; exit 1; }

# 2. A busy process in a session of its own: training drops to one thread, unpinned ...
start_busy
wait_for_line pin.log "other processes kept training's threads waiting for .* CPUs; 1 of 2 threads" 60
# ... and once it is gone, takes the second thread back, pinned again: because a CPU stood idle,
# or because its next trial of two threads found them no longer kept waiting (whichever comes
# first; both are the load-following's ways back)
stop_busy
wait_for_line pin.log "\(CPUs stood idle;\|waited for 0\.[0-9]* CPUs; keeping them\.\) 2 threads, pinned one per CPU" 60
kill -TERM "$bench"
wait "$bench" 2>/dev/null || true
bench=

# 3. --fixed-threads (training.follow_load: false): both threads stay beside the busy process for
# a whole run of 8 seconds (the load-following check would have dropped one within about 2).
start_busy
"$rnmt" bench train "${small[@]}" --seconds 8 --fixed-threads >fixed.log 2>&1
stop_busy
grep -q "^bench: 2 threads, pinned one per CPU.*not following the load: training.follow_load is off" \
  fixed.log || { cat fixed.log; exit 1; }
if grep -q "kept training's threads waiting" fixed.log; then
  cat fixed.log
  echo "--fixed-threads changed the thread count"
  exit 1
fi

# 4. OMP_PROC_BIND set: placement is the user's, nothing pinned.
OMP_PROC_BIND=false "$rnmt" bench train "${small[@]}" --seconds 600 >free.log 2>&1 &
bench=$!
wait_for_line free.log "^bench train:" 60
grep -q "^bench: 2 threads, not pinned (OMP_PROC_BIND is set)" free.log || { cat free.log; exit 1; }
[[ -z $(pinned_cpus "$bench") ]] || { echo "threads pinned under OMP_PROC_BIND=false"; exit 1; }
kill -TERM "$bench"
wait "$bench" 2>/dev/null || true
bench=
echo "pinning, following the load and --fixed-threads: as expected"
