# Sourced by the side-by-side training benchmarks (bench-train.sh, bench-mpi.sh): the build, rounds
# and time settings, the PyTorch reference and its synthetic data in a temporary folder, a median.
# Expects to be sourced from the repository's root with `name` set to the calling script's name.
BUILD=${BUILD:-build}
ROUNDS=${1:-2}
SECONDS_RNMT=${SECONDS_RNMT:-60}
MINUTES_TORCH=${MINUTES_TORCH:-1.5}
# The PyTorch reference (torch_s2s.py) and its data generator (make_synthetic.py) are not part of
# rnmt: RNMT_BENCH_REFERENCE names their folder (default: shared/bench beside the clone).
shared=${RNMT_BENCH_REFERENCE:-$(cd .. && pwd)/shared/bench}
[[ -f $shared/torch_s2s.py ]] || { echo "$name: no PyTorch reference at $shared/torch_s2s.py (set RNMT_BENCH_REFERENCE to its folder)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$shared/make_synthetic.py" "$work/syn" >/dev/null

# The median of the numbers on stdin, one a line.
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
