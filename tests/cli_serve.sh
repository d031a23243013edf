#!/usr/bin/env bash
# rnmt serve on the quickstart model that cli_run.sh trained, on a free loopback port, through curl
# and Python's urllib: its answers equal rnmt translate's for the same lines and options, concurrent
# clients get their own results (8 with curl; bursts of 200 with a new connection each, without a
# reset), OpenNMT-py's request form works, bad requests get their status, a second server on the
# same port is refused, and SIGTERM answers the requests in flight (new ones get 503) before the
# server exits 0, while a second signal stops it at once.
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cd "$work"
model=$dir/model.rnmt
pid=
trap '[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT

fail() { cat server.log; echo "cli_serve: $*"; exit 1; }
# start_server ARGS...: rnmt serve on a free port, its pid in $pid and its address in $url once
# its log says it is ready
start_server() {
  "$rnmt" serve -m "$model" --port 0 "$@" 2>server.log &
  pid=$!
  for _ in $(seq 600); do grep -q "^serve: ready on " server.log && break; sleep 0.1; done
  port=$(sed -n 's|^serve: ready on http://127.0.0.1:\([0-9]*\) .*|\1|p' server.log)
  [[ -n $port ]] || fail "the server did not become ready"
  url=http://127.0.0.1:$port
}
# until_metric LINE: wait (at most a minute) until /metrics has LINE
until_metric() {
  for _ in $(seq 600); do curl -s "$url/metrics" | grep -qx "$1" && return; sleep 0.1; done
  fail "/metrics never showed '$1'"
}

start_server --max-batch-delay-ms 20
curl -sf "$url/health" | grep -qx '{"status":"ready"}'

# {"text": [lines], "options": OPTIONS} from a file of lines (quickstart lines need no escaping
# but quotes and backslashes are escaped anyway)
body() {
  printf '{"options": %s, "text": [' "$2"
  sed 's/[\\"]/\\&/g; s/.*/"&"/' "$1" | paste -sd, | tr -d '\n'
  printf ']}'
}
# the best hypothesis' text of each line of an answer (in each line's object: text, score, tokens)
texts() { grep -o '"hypotheses":\[{"text":"[^"]*"' "$1" | sed 's/.*"text":"//; s/"$//'; }

head -n 80 "$dir/test.en" >lines.txt
body lines.txt '{}' >req.json
curl -sf -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary @req.json >answer.json
texts answer.json >served.txt
"$rnmt" translate -m "$model" -i lines.txt >translated.txt 2>/dev/null
diff served.txt translated.txt

# n-best under other options: every hypothesis and score as translate --n-best prints them
body lines.txt '{"beam_size": 3, "num_hypotheses": 2, "length_penalty": 1.0}' >req.json
curl -sf -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary @req.json >answer.json
grep -o '{"text":"[^"]*","score":[^,]*' answer.json |
  sed 's/{"text":"\([^"]*\)","score":\([^,]*\)/\1 \2/' >served.txt
"$rnmt" translate -m "$model" -i lines.txt --beam 3 --n-best 2 --length-penalty 1.0 2>/dev/null |
  awk -F ' [|][|][|] ' '{ print $2, $3 }' >translated.txt
[[ $(wc -l <served.txt) == 160 ]]
paste -d ' ' served.txt translated.txt | awk '{ n = NF / 2; same = 1
  for (i = 1; i < n; i++) if ($i != $(n + i)) same = 0
  d = $n - $(2 * n); if (d < 0) d = -d
  if (!same || d > 1e-3) bad++ } END { exit bad > 0 }'

# 8 concurrent clients, each its own 10 lines
for k in $(seq 0 7); do
  sed -n "$((k * 10 + 1)),$((k * 10 + 10))p" lines.txt >"c$k.txt"
  body "c$k.txt" '{}' >"c$k.json"
done
for k in $(seq 0 7); do
  curl -sf -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary @"c$k.json" >"a$k.json" &
done
wait $(jobs -p | grep -v "^$pid$")
for k in $(seq 0 7); do
  texts "a$k.json" >"s$k.txt"
  sed -n "$((k * 10 + 1)),$((k * 10 + 10))p" <(head -n 80 "$dir/test.en" |
    "$rnmt" translate -m "$model" 2>/dev/null) | diff - "s$k.txt"
done

# Clients as scripts write them: a new connection per request (Python's urllib), 200 of them
# released at once by a barrier, 3 bursts; then 100 at once from curl --parallel, each closing its
# connection. Not one reset or error, and every answer is rnmt translate's.
head -n 200 "$dir/test.en" >burst.txt
"$rnmt" translate -m "$model" -i burst.txt >burst_translated.txt 2>/dev/null
python3 "$here/serve_burst.py" "$url" burst.txt 200 3 burst_served.txt
diff burst_served.txt burst_translated.txt
: >parallel.cfg
for k in $(seq 0 99); do
  sed -n "$((k + 1))p" burst.txt >"q$k.txt"
  body "q$k.txt" '{}' >"q$k.json"
  ((k == 0)) || echo next >>parallel.cfg  # each request its own options: --next between them
  printf 'url = "%s/translate"\nheader = "Content-Type: application/json"\nheader = "Connection: close"
data-binary = "@q%d.json"\noutput = "r%d.json"\nfail\nsilent\nshow-error\n' "$url" "$k" "$k" >>parallel.cfg
done
curl --parallel --parallel-max 100 -K parallel.cfg 2>curl.log || fail "curl --parallel: $(cat curl.log)"
for k in $(seq 0 99); do texts "r$k.json"; done | diff - <(head -n 100 burst_translated.txt)

# The listen backlog holds 200 clients connecting while the server cannot accept for a moment
# (stopped by SIGSTOP); each is then answered. Debian's cpp-httplib alone listens with a backlog
# of 5, and the 195 others would wait a second or more for a retry, or be reset.
python3 "$here/serve_backlog.py" "$port" "$pid" 200 || fail "the backlog does not hold 200 clients"

# A second server on the same port is refused (no silent sharing of the port)
if "$rnmt" serve -m "$model" --port "$port" 2>second.log; then fail "a second server took port $port"; fi
grep -q "cannot listen on 127.0.0.1:$port" second.log || { cat second.log; fail "no clear error"; }

# OpenNMT-py's form and path
curl -sf -H 'Content-Type: application/json' -XPOST "$url/translator/translate" -d '[{"src": "seven", "id": "default"}]' |
  grep -q '^\[\[{"n_best":1,"pred_score":[-0-9.e]*,"src":"seven","tgt":"[^"]*"}\]\]$'

# bad requests: their status and a JSON error (each check a command of its own: under set -e a
# failing `[[ ]] && ...` does not stop the script)
code() { curl -s -o err.json -w '%{http_code}' -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary "$1"; }
# expect STATUS BODY [TEXT]: the answer to BODY has STATUS, and its error has TEXT
expect() {
  local got
  got=$(code "$2")
  [[ $got == "$1" ]] || fail "'$2' got $got, not $1: $(cat err.json)"
  [[ -z ${3:-} ]] || grep -qF -- "$3" err.json || fail "'$2': no '$3' in $(cat err.json)"
}
expect 400 '{"text": "a"' '"error":"the body is not valid JSON"'
expect 400 '{"text": "a", "model": "x"}' "unknown model 'x'"
expect 400 '{"text": "a", "options": {"beam_size": -1}}' 'the beam size must be at least 1'
got=$(curl -s -o /dev/null -w '%{http_code}' "$url/nothing")
[[ $got == 404 ]] || fail "GET /nothing got $got"
curl -sf "$url/metrics" | grep -q '^rnmt_requests_total{path="/translate",code="400"} 3$'

# curl's default content type (form-urlencoded) is capped at 8 KiB by cpp-httplib: the answer says so
big=$(printf '{"text": "%9000s"}' x)
[[ $(curl -s -o err.json -w '%{http_code}' -XPOST "$url/translate" -d "$big") == 413 ]]
grep -q "send Content-Type: application/json" err.json || { cat err.json; exit 1; }

# SIGTERM with three requests in flight (each line waiting up to a minute for company, as /metrics
# shows): all three are answered, then the server exits 0 and listens no more
kill -TERM "$pid"
wait "$pid"
start_server --max-batch-delay-ms 60000
clients=()
for word in seven twelve forty; do
  curl -s -o "last_$word.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -XPOST "$url/translate" -d "{\"text\": \"$word\"}" >"status_$word.txt" &
  clients+=($!)
done
until_metric 'rnmt_queue_lines 3'
kill -TERM "$pid"
wait "${clients[@]}"
status=0
wait "$pid" || status=$?
pid=
[[ $status == 0 ]] || fail "server exited $status"
for word in seven twelve forty; do
  [[ $(cat "status_$word.txt") == 200 ]] || fail "$word: $(cat "status_$word.txt" "last_$word.json")"
  grep -q "\"source_tokens\":\[\"$word\"\]" "last_$word.json" || fail "$word: $(cat "last_$word.json")"
done
# the requests were answered after SIGTERM came, and the server stopped after answering them
grep -n . server.log | grep -E "SIGTERM|POST /translate|serve: stopped" | cut -d: -f2- |
  sed 's/^[0-9TZ:-]* 127.0.0.1 //; s/ [0-9]* B / /' >order.txt
diff - order.txt <<'ORDER' || fail "wrong order"
serve: SIGTERM: answering the requests in flight (new ones get 503); a second signal stops at once
"POST /translate" 200 1 line
"POST /translate" 200 1 line
"POST /translate" 200 1 line
serve: stopped
ORDER
if curl -s "$url/health" >/dev/null; then echo "still listening"; exit 1; fi

# The drain: a request that takes minutes (every line must reach 2,000 tokens) is in flight when
# SIGTERM comes. While it is answered, /health says "stopping" (503) and a new request gets 503;
# a second SIGTERM then stops the server at once (exit 143), saying what it leaves unanswered.
start_server
head -n 50 "$dir/test.en" >slow.txt
body slow.txt '{"min_decoding_length": 2000, "max_decoding_length": 2000, "max_length_ratio": 10000}' >slow.json
curl -s -o /dev/null -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary @slow.json &
slow=$!
until_metric 'rnmt_requests_in_flight 1'
kill -TERM "$pid"
for _ in $(seq 600); do
  [[ $(curl -s -o health.json -w '%{http_code}' "$url/health") == 503 ]] && break
  sleep 0.1
done
grep -qx '{"status":"stopping"}' health.json || fail "/health while stopping: $(cat health.json)"
expect 503 '{"text": "seven"}' 'the server is stopping'
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[[ $status == 143 ]] || fail "after a second SIGTERM the server exited $status, not 143"
grep -qx 'serve: second SIGTERM: stopping now, 1 request(s) unanswered' server.log || fail "no word of the second signal"
wait "$slow" || true  # its connection was closed unanswered
echo "rnmt serve: ok"
