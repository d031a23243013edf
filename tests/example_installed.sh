#!/usr/bin/env bash
# An application built against the *installed* rnmt (cmake --install into a temporary prefix):
# with find_package(rnmt) and with pkg-config, and the Python module. All must translate as
# `rnmt translate` does.
set -euo pipefail
build=$1   # rnmt's build tree
source=$2  # rnmt's source tree
dir=$3     # model.rnmt and test.en from cli_run.sh
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix/usr" >/dev/null
[[ -f $prefix/usr/include/rnmt/translator.hpp && ! -e $prefix/usr/include/core ]]

cmake -S "$source/examples/translate_lines" -B "$prefix/cmake-build" \
  -DCMAKE_PREFIX_PATH="$prefix/usr" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/cmake-build" >/dev/null
pc_dir=$(dirname "$(find "$prefix/usr" -name rnmt.pc)")
# shellcheck disable=SC2046
g++ -std=c++17 -o "$prefix/pc-example" "$source/examples/translate_lines/main.cpp" \
  $(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs rnmt)

head -100 "$dir/test.en" >"$prefix/in.txt"
"$build/rnmt" translate -m "$dir/model.rnmt" -i "$prefix/in.txt" >"$prefix/cli.txt" 2>/dev/null
"$prefix/cmake-build/translate_lines" "$dir/model.rnmt" <"$prefix/in.txt" >"$prefix/cmake.txt"
"$prefix/pc-example" "$dir/model.rnmt" <"$prefix/in.txt" >"$prefix/pc.txt"
cmp "$prefix/cli.txt" "$prefix/cmake.txt"
cmp "$prefix/cli.txt" "$prefix/pc.txt"
"$prefix/cmake-build/translate_lines" "$dir/model.rnmt" 2 <"$prefix/in.txt" >"$prefix/nbest.txt"
[[ $(wc -l <"$prefix/nbest.txt") == 200 ]]
if "$prefix/cmake-build/translate_lines" "$prefix/in.txt" 2>"$prefix/err.txt"; then exit 1; fi
grep -q "translate_lines: .*in.txt" "$prefix/err.txt"
# the Python module, when this build has it: installed where Debian's python3 looks under the
# prefix, with its type stubs beside it, and translating as the command does
module=$(find "$prefix/usr" -name 'rnmt.cpython-*.so')
if [[ -n $module ]]; then
  site=$(dirname "$module")
  [[ $site == "$prefix/usr/lib/python3."*/dist-packages && -f $site/rnmt.pyi ]]
  PYTHONPATH=$site /usr/bin/python3 -c '
import sys, rnmt
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
for r in rnmt.Translator(sys.argv[1]).translate(lines):
    print(r.text)' "$dir/model.rnmt" "$prefix/in.txt" >"$prefix/python.txt"
  cmp "$prefix/cli.txt" "$prefix/python.txt"
fi
echo "installed example: ok"
