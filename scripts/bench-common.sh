# Sourced by the side-by-side training benchmarks (bench-train.sh, bench-mpi.sh): the build, rounds
# and time settings, the PyTorch reference and its synthetic data in a temporary folder, a median.
# Expects to be sourced from the repository's root with `name` set to the calling script's name.
BUILD=${BUILD:-build}
ROUNDS=${1:-2}
SECONDS_RNMT=${SECONDS_RNMT:-60}
MINUTES_TORCH=${MINUTES_TORCH:-1.5}
shared=$(cd .. && pwd)/shared/bench
[[ -f $shared/torch_s2s.py ]] || { echo "$name: $shared/torch_s2s.py not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$shared/make_synthetic.py" "$work/syn" >/dev/null

# The median of the numbers on stdin, one a line.
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
