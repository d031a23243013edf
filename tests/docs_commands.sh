#!/usr/bin/env bash
# Every command of the README and docs/ runs as written: each ```sh block in bash (-euo pipefail),
# each ```python block in Debian's python3 with the built module, each ```cpp block with a main()
# compiled against the installed library and run. They run in order, file by file, in one scratch
# folder that holds the quickstart model as runs/quickstart/model.rnmt (and its test set in
# runs/quickstart/data/), recipes/ and tests/ as in the source tree, with `rnmt` on PATH. A block right after the line
#   <!-- docs-test: skip, REASON -->
# is not run, and the summary lists it with its reason; ```text, ```yaml and ```cmake blocks are
# not commands. Fails naming the file and line of the first block that fails, with its output.
#   tests/docs_commands.sh BUILD_DIR SOURCE_DIR QUICKSTART_DIR
set -euo pipefail
build=$(cd "$1" && pwd) source=$(cd "$2" && pwd) quickstart=$(cd "$3" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/blocks" "$work/docs/runs/quickstart/data"
ln -s "$build/rnmt" "$work/bin/rnmt"
cp "$quickstart/model.rnmt" "$work/docs/runs/quickstart/"
cp "$quickstart/test.en" "$quickstart/test.es" "$work/docs/runs/quickstart/data/"
ln -s "$source/recipes" "$work/docs/recipes"
ln -s "$source/tests" "$work/docs/tests"  # fixtures the docs use (an OpenNMT-py checkpoint)
export PATH=$work/bin:$PATH

# The blocks, in order: blocks/N.{sh,python,cpp} and one manifest line each: N LANG FILE:LINE SKIP
/usr/bin/python3 - "$source" "$work/blocks" <<'EOF'
import pathlib, re, sys
source, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
files = [source / "README.md"] + sorted((source / "docs").glob("*.md"))
manifest, n = [], 0
for path in files:
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[i])
        if not fence:
            i += 1
            continue
        lang, start = fence.group(1), i + 1
        end = next(j for j in range(start, len(lines)) if lines[j].startswith("```"))
        if lang in ("sh", "python", "cpp"):
            before = lines[i - 1] if i > 0 else ""
            skip = re.match(r"^<!-- docs-test: skip, (.*) -->$", before)
            n += 1
            (out / f"{n}.{lang}").write_text("\n".join(lines[start:end]) + "\n", encoding="utf-8")
            where = f"{path.relative_to(source)}:{start}"
            manifest.append(f"{n}\t{lang}\t{where}\t{skip.group(1) if skip else ''}")
        i = end + 1
(out / "manifest").write_text("\n".join(manifest) + "\n", encoding="utf-8")
EOF

module=$(find "$build/python" -maxdepth 1 -name 'rnmt.cpython-*.so' 2>/dev/null | head -1)
prefix=  # the installed library, made when the first C++ block needs it
ran=0 skipped=()
while IFS=$'\t' read -r n lang where skip; do
  if [[ -n $skip ]]; then
    skipped+=("$where: $skip")
    continue
  fi
  block=$work/blocks/$n.$lang
  log=$work/blocks/$n.log
  status=0
  case $lang in
    sh) (cd "$work/docs" && timeout 600 bash -euo pipefail "$block") >"$log" 2>&1 || status=$? ;;
    python)
      if [[ -z $module ]]; then
        skipped+=("$where: the Python module is not built here")
        continue
      fi
      (cd "$work/docs" && PYTHONPATH=$build/python timeout 600 /usr/bin/python3 "$block") \
        >"$log" 2>&1 || status=$?
      ;;
    cpp)
      if ! grep -q 'int main' "$block"; then
        echo "docs: $where: a C++ block without main() cannot be run; make it a program" >&2
        exit 1
      fi
      if [[ -z $prefix ]]; then
        prefix=$work/prefix
        cmake --install "$build" --prefix "$prefix" >/dev/null
      fi
      pc_dir=$(dirname "$(find "$prefix" -name rnmt.pc | head -1)")
      # shellcheck disable=SC2046
      { g++ -std=c++17 -x c++ -o "$work/blocks/$n.bin" "$block" \
          $(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags --libs rnmt) &&
          (cd "$work/docs" && timeout 600 "$work/blocks/$n.bin"); } >"$log" 2>&1 || status=$?
      ;;
  esac
  if ((status != 0)); then
    echo "docs: the $lang block at $where failed (exit status $status):" >&2
    sed 's/^/  | /' "$block" >&2
    echo "  its output:" >&2
    sed 's/^/  > /' "$log" >&2
    exit 1
  fi
  ran=$((ran + 1))
done <"$work/blocks/manifest"
((ran > 10)) || { echo "docs: only $ran blocks ran; were the docs found?" >&2; exit 1; }
echo "docs: $ran blocks ran; ${#skipped[@]} not run:"
for s in "${skipped[@]}"; do echo "  $s"; done
