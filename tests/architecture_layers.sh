#!/usr/bin/env bash
# The folders' dependency rule (docs/architecture.md): each folder may include only from the
# folders listed for it, so the arrows of the house all point down. Fails naming every include
# that breaks the rule.  Usage: tests/architecture_layers.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
declare -A allowed=(
  [core]="rnmt"
  [tokenizer]="core"
  [evaluation]="rnmt core"
  [rnn]="core"
  [layers]="core"
  [attention]="core layers"
  [encoder]="core layers rnn"
  [decoder]="core layers rnn"
  [model]="core layers rnn encoder decoder attention"
  [decoding]="core model"
  [shortlist]="core model"
  [embeddings]="core tokenizer"
  [inspect]="rnmt core tokenizer rnn model model_file"
  [report]="core rnn attention model inspect"
  [recipe]="rnmt core tokenizer rnn attention model embeddings shortlist"
  [model_file]="core tokenizer model recipe shortlist"
  [convert]="rnmt core tokenizer model model_file recipe"
  [translation]="rnmt core tokenizer model decoding recipe model_file shortlist"
  [include]="rnmt"
  [distributed]="core"
  [training]="core model model_file recipe distributed"
  [pipeline]="rnmt core tokenizer evaluation model model_file recipe training translation embeddings inspect report distributed shortlist"
  [sweep]="core recipe training pipeline report distributed"
  [python]="rnmt"
  [server]="rnmt core"
  [cli]="rnmt core model_file pipeline training inspect report server distributed sweep recipe convert"
)
bad=0
checked=0
for folder in "${!allowed[@]}"; do
  while IFS= read -r hit; do
    file=${hit%%:*}
    [[ $hit =~ \#include\ \"([a-z_]+)/ ]] && target=${BASH_REMATCH[1]}
    ((checked += 1))
    [[ $target == "$folder" || " ${allowed[$folder]} " == *" $target "* ]] && continue
    echo "architecture: $file includes $target/ (allowed for $folder/: ${allowed[$folder]})" >&2
    bad=1
  done < <(grep -rnE '^#include "[a-z_]+/' "$folder" --include='*.cpp' --include='*.hpp' || true)
done
((checked > 100)) || { echo "architecture: only $checked includes found; wrong directory?" >&2; exit 1; }
((bad == 0)) && echo "architecture: $checked includes follow the folder rule"
exit "$bad"
