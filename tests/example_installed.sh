#!/usr/bin/env bash
# An application built against the *installed* rnmt (cmake --install into a temporary prefix):
# with find_package(rnmt) and with pkg-config. Both must translate as `rnmt translate` does.
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
echo "installed example: ok"
