#!/usr/bin/env bash
# Both reports opened in headless Chromium: each page must draw (its SVG charts and canvas heatmaps
# exist with non-zero size, as the page measures them) with no script error, and a screenshot is
# taken. Without Chromium: exit 77, which CTest reports as skipped.
set -euo pipefail
rnmt=$1
dir=$2  # the quickstart model and run that cli_run.sh kept
shots=${3:-}  # where to keep the screenshots (optional)
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "SKIPPED: Chromium is not installed (scripts/install-deps.sh --browser installs it)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
head -n 3 "$dir/test.en" >lines.txt
"$rnmt" inspect -m "$dir/model.rnmt" -i lines.txt -o inspect.html 2>/dev/null
"$rnmt" report "$dir/run" -o training.html 2>/dev/null
# a sweep's page: four random trials of a tiny network over two numeric keys and one of names
"$rnmt" quickstart-data data --train 1000 --valid 40 --test 40 2>/dev/null
cat >recipe.yaml <<'YAML'
data:
  train: {src: data/train.en, tgt: data/train.es}
  valid: {src: data/valid.en, tgt: data/valid.es}
model: {embedding: 16, encoder: {hidden: 32}, decoder: {hidden: 32}}
tokenizer: {bpe: {merges: 100}}
training: {max_steps: 20}
validation: {every: 20, metric: loss}
YAML
printf 'training.lr: {log_uniform: [1e-4, 3e-2]}\nmodel.dropout: {uniform: [0, 0.4]}\nmodel.decoder.cell: [lstm, gru]\n' >space.yaml
"$rnmt" sweep recipe.yaml --space space.yaml --trials 4 --workdir sweep 2>/dev/null
cp sweep/results.html sweep.html

chrome() {  # chrome ARGS... PAGE: headless, no sandbox (CI runs as root), a profile of its own
  timeout 120 "$browser" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
    --user-data-dir="$work/profile" "$@" 2>>chromium.log
}
# check PAGE MIN_SVG MIN_CANVAS: the page's own measurement, read back from the rendered DOM
check() {
  local page=$1 min_svg=$2 min_canvas=$3
  chrome --virtual-time-budget=10000 --dump-dom "file://$work/$page" >"$page.dom"
  local result
  result=$(sed -n 's/.*<pre id="render-check"[^>]*>\([^<]*\)<\/pre>.*/\1/p' "$page.dom")
  [[ -n $result ]] || { echo "$page: did not finish drawing"; tail -n 20 chromium.log; exit 1; }
  local svg canvas
  svg=$(sed 's/.*"svg":\([0-9]*\).*/\1/' <<<"$result")
  canvas=$(sed 's/.*"canvas":\([0-9]*\).*/\1/' <<<"$result")
  [[ $result == *'"errors":[]'* ]] || { echo "$page: script errors: $result"; exit 1; }
  ((svg >= min_svg && canvas >= min_canvas)) ||
    { echo "$page: $svg SVG and $canvas canvas drawn, wanted $min_svg and $min_canvas"; exit 1; }
  chrome --window-size=1400,2200 --screenshot="$work/$page.png" "file://$work/$page" >/dev/null
  [[ $(stat -c %s "$page.png") -gt 20000 ]] || { echo "$page: blank screenshot?"; exit 1; }
  [[ -z $shots ]] || cp "$page.png" "$shots/"
  echo "$page: $svg SVG, $canvas canvas drawn, no script error"
}
# inspect: attention + 2 norm charts + unit charts and 3 layers x 5 heatmaps + weight heatmaps
check inspect.html 10 30
# report: 6 training charts, gradients through time for 3 layers, saturation and clipping charts
check training.html 12 0
# sweep: the metric against each of the three keys
check sweep.html 3 0
