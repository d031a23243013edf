#!/usr/bin/env bash
# rnmt's front door on a Debian 12 machine; every command first installs what is missing.
#   ./dev.sh quickstart   build, then run the main job
#   ./dev.sh test         build with warnings as errors, then run every test
#   ./dev.sh bench        the training benchmark side by side with the PyTorch reference
#   ./dev.sh build        just build (BUILD=dir to choose the build directory)
#   ./dev.sh format       clang-format every C++ file
set -euo pipefail
cd "$(dirname "$0")"
BUILD=${BUILD:-build}

build() {
  scripts/install-deps.sh
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DRNMT_WERROR=ON >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
}

case "${1:-}" in
  build) build ;;
  # Sequential on purpose: every test process runs OpenMP threads, and processes spin-waiting
  # against each other on a small machine turn a 2-second suite into minutes.
  test) build && ctest --test-dir "$BUILD" --output-on-failure ;;
  # The main job: the quickstart recipe end to end (data, tokenizers, training, BLEU, model file).
  quickstart) build && "$BUILD/rnmt" run recipes/quickstart.yaml ;;
  bench) build && scripts/install-deps.sh --bench && BUILD=$BUILD scripts/bench-train.sh "${@:2}" ;;
  format) git ls-files '*.cpp' '*.hpp' | xargs clang-format -i ;;
  *) sed -n '2,8s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
