#!/usr/bin/env bash
# rnmt's front door on a Debian 12 machine; every command first installs what is missing.
#   ./dev.sh quickstart   build, then run the main job
#   ./dev.sh test         build with warnings as errors, then run every test
#   ./dev.sh sanitize     the whole test suite built with AddressSanitizer and UBSan (build-asan/)
#   ./dev.sh fuzz [S]     build the libFuzzer targets with clang and run each for S seconds (30)
#   ./dev.sh bench        the training benchmark side by side with the PyTorch reference
#   ./dev.sh bench translate MODEL RAW_SOURCE [RAW_REFERENCE]: translation, the same way
#   ./dev.sh build        just build (BUILD=dir to choose the build directory)
#   ./dev.sh format       clang-format every C++ file
set -euo pipefail
cd "$(dirname "$0")"
BUILD=${BUILD:-build}

build() {  # build [CMAKE OPTION...]; TARGET=name builds just that target
  scripts/install-deps.sh
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DRNMT_WERROR=ON "$@" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" ${TARGET:+--target "$TARGET"}
}

# Any sanitizer report fails the run (leaks included); reports carry symbolised stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

case "${1:-}" in
  build) build ;;
  # Sequential on purpose: every test process runs OpenMP threads, and processes spin-waiting
  # against each other on a small machine turn a 2-second suite into minutes.
  # ctest-results.xml: the run's record, which CI's scripts/check-test-groups.sh reads.
  test) build && ctest --test-dir "$BUILD" --output-on-failure --output-junit ctest-results.xml ;;
  # The main job: the quickstart recipe end to end (data, tokenizers, training, BLEU, model file).
  quickstart) build && "$BUILD/rnmt" run recipes/quickstart.yaml ;;
  # -O1 -g1: readable stacks (functions and lines; fuller debug information only slows the build);
  # the soak test (many kills of a long run), the browser test (Chromium drawing pages that
  # cli_reports already makes under the sanitizers), cli_mpi (mpirun's handling of a dying rank,
  # three trainings; the MPI code itself runs here in mpi_training) and the docs' commands (their
  # C++ would need the sanitizer runtime to link) are left to the plain build.
  sanitize) BUILD=${BUILD_ASAN:-build-asan}
    build -DRNMT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" &&
      ctest --test-dir "$BUILD" --output-on-failure -LE 'soak|browser|docs' -E '^cli_mpi$' ;;
  fuzz) scripts/install-deps.sh --fuzz && BUILD=${BUILD_FUZZ:-build-fuzz} &&
    CXX=clang++-14 TARGET=fuzzers build -DRNMT_FUZZ=ON -DRNMT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" && scripts/run-fuzzers.sh "$BUILD" "${2:-30}" ;;
  # ./dev.sh bench translate MODEL RAW_SOURCE [RAW_REFERENCE] [ROUNDS]: the translation table
  bench) build && scripts/install-deps.sh --bench &&
    if [[ ${2:-} == translate ]]; then BUILD=$BUILD scripts/bench-translate.sh "${@:3}"
    else BUILD=$BUILD scripts/bench-train.sh "${@:2}"; fi ;;
  format) git ls-files '*.cpp' '*.hpp' | xargs clang-format -i ;;
  *) sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
