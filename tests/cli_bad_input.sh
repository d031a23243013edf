#!/usr/bin/env bash
# The table of bad inputs in docs/testing.md, row by row: what a user may feed rnmt and what it gets back.
# Every row either follows a stated policy (one output line per input line, always) or is an error
# with a clear message and a non-zero exit; none may crash or lose a line.
# Usage: cli_bad_input.sh RNMT MODEL_DIR [BIG_INPUT_BYTES [PEAK_KB]]   (MODEL_DIR from cli_run.sh)
set -euo pipefail
rnmt=$1
model=$2/model.rnmt
big_bytes=${3:-1073741824}
peak_limit=${4:-72000}  # kB; AddressSanitizer's quarantine of freed memory needs more
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
rows=0
row() { rows=$((rows + 1)); echo "ok: $*"; }
translate() { "$rnmt" translate -m "$model" --threads 1 "$@"; }
lines() { wc -l <"$1" | tr -d ' '; }
# fails MESSAGE COMMAND...: the command exits non-zero (not by a signal) and says MESSAGE
fails() {
  local message=$1 status=0
  shift
  "$@" >out.txt 2>err.txt </dev/null || status=$?
  ((status != 0 && status < 128)) || { cat err.txt; echo "exit status $status for: $*"; exit 1; }
  grep -qF -- "$message" err.txt || { cat err.txt; echo "expected: $message"; exit 1; }
}

# Two held-out lines and what the model makes of them alone: a bad line must not change them.
a=$(sed -n 1p "$2/test.en")
b=$(sed -n 2p "$2/test.en")
ta=$(echo "$a" | translate 2>/dev/null)
tb=$(echo "$b" | translate 2>/dev/null)
[[ -n $ta && -n $tb ]]

# Lines: whatever they hold, one output line per input line.
printf '%s\n\xff\xfe seven \xc0\n%s\n' "$a" "$b" >invalid.txt
translate -i invalid.txt -o invalid.out 2>/dev/null
[[ $(lines invalid.out) == 3 && $(sed -n 1p invalid.out) == "$ta" && $(sed -n 3p invalid.out) == "$tb" ]]
row "invalid UTF-8: each bad sequence becomes U+FFFD (tokenizer policy 'replace'), line kept"

printf 'twenty\0one\n%s\nthree\0\0\n' "$a" >nul.txt
translate -i nul.txt -o nul.out 2>/dev/null
[[ $(lines nul.out) == 3 && $(sed -n 2p nul.out) == "$ta" ]]
row "NUL bytes: an ordinary (escaped) character inside the line"

printf '%s\r\n%s\r\nfour\rfive\n' "$a" "$b" >crlf.txt
printf '%s\n%s\nfour\rfive\n' "$a" "$b" >lf.txt
translate -i crlf.txt -o crlf.out 2>/dev/null
translate -i lf.txt -o lf.out 2>/dev/null
cmp crlf.out lf.out
[[ $(lines crlf.out) == 3 && $(sed -n 1p crlf.out) == "$ta" && $(sed -n 2p crlf.out) == "$tb" ]]
row "CR LF line ends: read as LF (output has LF); a lone CR is a character of its line"

: >empty.txt
translate -i empty.txt -o empty.out 2>empty.log
# (two commands: under set -e a false `[[ ]]` before && would not stop the script)
[[ -f empty.out && ! -s empty.out ]] || { echo "empty input: the output is missing or not empty"; exit 1; }
grep -q "^translate: 0 lines" empty.log || { cat empty.log; exit 1; }
row "empty input file: empty output, exit 0"

printf '%s\n\n\n%s' "$a" "$b" >no_newline.txt
translate -i no_newline.txt -o no_newline.out 2>/dev/null
[[ $(lines no_newline.out) == 4 && -z $(sed -n 2p no_newline.out) && $(sed -n 4p no_newline.out) == "$tb" ]]
row "empty lines stay empty; a last line without a newline is translated"

long=$(head -c 100000 /dev/zero | tr '\0' 'x')
words=$(for _ in $(seq 1500); do printf 'one two '; done)
printf '%s\n%s\n%s\n%s\n' "$a" "$long" "$words" "$b" >long.txt
translate -i long.txt -o long.out 2>long.log
[[ $(lines long.out) == 4 && $(sed -n 1p long.out) == "$ta" && $(sed -n 4p long.out) == "$tb" ]]
grep -q "warning: line 2 is longer than the model's 60 pieces" long.log
grep -q "warning: line 3 is longer than the model's 60 pieces" long.log
grep -q "(0 empty, 2 truncated)" long.log
row "a 100,000-character line and a line of 3,000 words: truncated to the model's length, warned"

# A large input streams: memory stays bounded by the chunk, not by the input. The peak is rnmt's
# own maximum resident size, from the kernel's accounting of the child that Python waits for
# (getrusage), so it is exact and cannot be some other process's, such as a shell's.
line=$(for _ in $(seq 5000); do printf 'one two three hundred '; done)
{ yes "${line:0:100000}" || true; } | head -c "$big_bytes" | python3 -c '  # (yes ends by SIGPIPE)
import resource, subprocess, sys
status = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as f:
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=f)  # kB on Linux
sys.exit(status)' peak.txt "$rnmt" translate -m "$model" --threads 1 >big.out 2>big.log
peak=$(cat peak.txt)
# the measure measures: rnmt's peak for the model alone is well above a shell's few MiB
((peak > 10000)) || { echo "implausible peak memory $peak kB"; exit 1; }
expected=$(((big_bytes + 100000) / 100001))
[[ $(lines big.out) == "$expected" ]] || { tail -2 big.log; echo "$(lines big.out) lines, not $expected"; exit 1; }
((peak < peak_limit)) || { echo "peak memory $peak kB for a $big_bytes-byte input"; exit 1; }
row "a $((big_bytes >> 20)) MiB input (lines of 100,000 characters): every line out, peak memory $((peak / 1024)) MiB"

# Model files and paths.
fails "cannot open model 'missing.rnmt'" "$rnmt" translate -m missing.rnmt
mkdir adir
fails "model 'adir/' is a directory, not a file" "$rnmt" translate -m adir/
printf 'hello\n' >text.rnmt
fails "'text.rnmt' is too short to be an rnmt file" "$rnmt" translate -m text.rnmt
head -c 3000 "$model" >truncated.rnmt
fails "'truncated.rnmt' is damaged: its checksum does not match" "$rnmt" translate -m truncated.rnmt
cp "$model" corrupt.rnmt
printf '\x55' | dd of=corrupt.rnmt bs=1 seek=20000 conv=notrunc 2>/dev/null
fails "'corrupt.rnmt' is damaged: its checksum does not match" "$rnmt" translate -m corrupt.rnmt
row "model file missing, a directory, text, truncated or corrupted: refused with the reason"

fails "cannot open 'missing.txt'" translate -i missing.txt
fails "'adir' is a directory, not a file" translate -i adir
fails "output 'adir' is a directory, not a file" translate -i lf.txt -o adir
row "input missing or a directory, output a directory: refused by name"

fails "the beam size must be at least 1" translate --beam 0
fails "thread count must not be negative" "$rnmt" translate -m "$model" --threads -1
fails "between 1 and the beam size (2)" translate --beam 2 --n-best 3
fails "batch size must be at least 1" translate --batch-size 0
fails "unknown compute type 'float16'" translate --compute-type float16
row "out-of-range options (--beam 0, --threads -1, --n-best above the beam, ...): refused"

# Recipes.
printf 'workdir: w\ntrainng:\n  lr: 1\n' >typo.yaml
fails "typo.yaml:2: trainng: unknown key (did you mean 'training'?)" "$rnmt" run typo.yaml
printf 'workdir: w\ntraining: {lr: fast}\n' >type.yaml
fails "type.yaml:2: training.lr: expects a number, found 'fast'" "$rnmt" run type.yaml
printf 'workdir: w\ndata: {train: {src: nope.en, tgt: lf.txt}, valid: {src: lf.txt, tgt: lf.txt}}\n' >missing.yaml
fails "missing.yaml:2: data.train.src: no such file 'nope.en'" "$rnmt" run missing.yaml
fails "cannot open recipe 'nope.yaml'" "$rnmt" run nope.yaml
fails "recipe 'adir/' is a directory, not a file" "$rnmt" run adir/
printf 'workdir: text.rnmt/sub\ndata: {train: {src: lf.txt, tgt: lf.txt}, valid: {src: lf.txt, tgt: lf.txt}}\n' >unwritable.yaml
fails "cannot create the workdir 'text.rnmt/sub': Not a directory" "$rnmt" run unwritable.yaml
printf 'a\nb\n' >two.txt
printf 'workdir: w\ndata: {train: {src: two.txt, tgt: lf.txt}, valid: {src: lf.txt, tgt: lf.txt}}\n' >uneven.yaml
fails "'two.txt' has 2 lines, 'lf.txt' has 3" "$rnmt" run uneven.yaml
row "recipe typos, wrong types, missing files, a directory, an unwritable workdir, uneven files"

fails "has 2 lines, hypotheses 'lf.txt' have 3" "$rnmt" bleu two.txt lf.txt
row "rnmt bleu with a reference of another length: refused with both counts"
echo "bad inputs: $rows rows, all handled"
