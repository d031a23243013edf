#!/usr/bin/env bash
# Installs the Debian 12 packages rnmt needs, only those missing. Idempotent; root or sudo.
# Usage: scripts/install-deps.sh [--fuzz | --bench | --tokenizer-bench | --bible | --browser]
#   (clang with libFuzzer; benchmark references: PyTorch with OpenBLAS; SentencePiece; the Bible
#   recipe's SWORD modules and fastText; Chromium, for the test that opens the reports in a browser)
set -euo pipefail
# pkgconf: the test that builds an application against the installed tree uses pkg-config too.
# ocl-icd-opencl-dev: Debian's oneDNN is built with its OpenCL GPU runtime, and its CMake package
# looks for OpenCL at configure time; libdnnl-dev only recommends it, and we install no recommends.
# curl: the server tests' HTTP client (the README's examples use it too).
# libopenmpi-dev, openmpi-bin: data-parallel training under mpirun (Open MPI's library and launcher).
# pybind11-dev, python3-dev: the Python module (import rnmt); python3-pytest and python3-numpy: its
# tests (attention comes back as a NumPy array).
packages=(cmake g++ make libdnnl-dev ocl-icd-opencl-dev libboost-program-options-dev libicu-dev
  libyaml-cpp-dev libzip-dev libsentencepiece-dev nlohmann-json3-dev libcpp-httplib-dev catch2 pkgconf curl libopenmpi-dev
  openmpi-bin pybind11-dev python3-dev python3-pytest python3-numpy)
# The PyTorch reference needs OpenBLAS: without it Debian's torch falls back to the netlib reference
# BLAS and runs some 25x slower, which would make any comparison meaningless.
# libFuzzer comes with clang's runtime libraries; clang's OpenMP is LLVM's libomp.
[[ ${1:-} == --fuzz ]] && packages=(clang-14 libclang-rt-14-dev libomp-14-dev)
[[ ${1:-} == --bench ]] && packages=(python3 python3-torch libopenblas0-pthread wrk time)
[[ ${1:-} == --tokenizer-bench ]] && packages=(sentencepiece time)
[[ ${1:-} == --bible ]] && packages=(python3 sword-text-web sword-text-sparv libsword-utils fasttext)
[[ ${1:-} == --browser ]] && packages=(chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
