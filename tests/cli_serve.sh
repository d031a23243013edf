#!/usr/bin/env bash
# rnmt serve on the quickstart model that cli_run.sh trained, on a free loopback port, through curl:
# its answers equal rnmt translate's for the same lines and options, 8 concurrent clients get their
# own results, OpenNMT-py's request form works, bad requests get their status, and SIGTERM lets
# the request in flight finish before the server exits 0.
set -euo pipefail
rnmt=$1
dir=$2  # model.rnmt, test.en
work=$(mktemp -d)
cd "$work"
model=$dir/model.rnmt
pid=
trap '[[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

"$rnmt" serve -m "$model" --port 0 --max-batch-delay-ms 20 2>server.log &
pid=$!
for _ in $(seq 300); do grep -q "^serve: ready on " server.log && break; sleep 0.1; done
port=$(sed -n 's|^serve: ready on http://127.0.0.1:\([0-9]*\) .*|\1|p' server.log)
[[ -n $port ]] || { cat server.log; exit 1; }
url=http://127.0.0.1:$port
curl -sf "$url/health" | grep -qx '{"status":"ready"}'

# {"text": [lines], "options": OPTIONS} from a file of lines (quickstart lines need no escaping
# but quotes and backslashes are escaped anyway)
body() {
  printf '{"options": %s, "text": [' "$2"
  sed 's/[\\"]/\\&/g; s/.*/"&"/' "$1" | paste -sd, | tr -d '\n'
  printf ']}'
}
# the best hypothesis' text of each line of an answer (keys come sorted: score, text, tokens)
texts() { grep -o '"hypotheses":\[{"score":[^,]*,"text":"[^"]*"' "$1" | sed 's/.*"text":"//; s/"$//'; }

head -n 80 "$dir/test.en" >lines.txt
body lines.txt '{}' >req.json
curl -sf -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary @req.json >answer.json
texts answer.json >served.txt
"$rnmt" translate -m "$model" -i lines.txt >translated.txt 2>/dev/null
diff served.txt translated.txt

# n-best under other options: every hypothesis and score as translate --n-best prints them
body lines.txt '{"beam_size": 3, "num_hypotheses": 2, "length_penalty": 1.0}' >req.json
curl -sf -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary @req.json >answer.json
grep -o '{"score":[^,]*,"text":"[^"]*"' answer.json |
  sed 's/{"score":\([^,]*\),"text":"\([^"]*\)"/\2 \1/' >served.txt
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

# OpenNMT-py's form and path
curl -sf -H 'Content-Type: application/json' -XPOST "$url/translator/translate" -d '[{"src": "seven", "id": "default"}]' |
  grep -q '^\[\[{"n_best":1,"pred_score":[-0-9.e]*,"src":"seven","tgt":"[^"]*"}\]\]$'

# bad requests: their status and a JSON error
code() { curl -s -o err.json -w '%{http_code}' -H 'Content-Type: application/json' -XPOST "$url/translate" --data-binary "$1"; }
[[ $(code '{"text": "a"') == 400 ]] && grep -q '"error":"the body is not valid JSON"' err.json
[[ $(code '{"text": "a", "model": "x"}') == 400 ]] && grep -q "unknown model 'x'" err.json
[[ $(code '{"text": "a", "options": {"beam_size": -1}}') == 400 ]]
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/nothing") == 404 ]]
curl -sf "$url/metrics" | grep -q '^rnmt_requests_total{path="/translate",code="400"} 3$'

# curl's default content type (form-urlencoded) is capped at 8 KiB by cpp-httplib: the answer says so
big=$(printf '{"text": "%9000s"}' x)
[[ $(curl -s -o err.json -w '%{http_code}' -XPOST "$url/translate" -d "$big") == 413 ]]
grep -q "send Content-Type: application/json" err.json || { cat err.json; exit 1; }

# SIGTERM while a request is in flight (a lone line waiting up to 5 s for company): it is
# answered, then the server exits 0 and listens no more
kill -TERM "$pid"
wait "$pid"
"$rnmt" serve -m "$model" --port 0 --max-batch-delay-ms 5000 2>server.log &
pid=$!
for _ in $(seq 300); do grep -q "^serve: ready on " server.log && break; sleep 0.1; done
port=$(sed -n 's|^serve: ready on http://127.0.0.1:\([0-9]*\) .*|\1|p' server.log)
url=http://127.0.0.1:$port
curl -s -o last.json -w '%{http_code}' -H 'Content-Type: application/json' -XPOST "$url/translate" \
  -d '{"text": "seven"}' >last_status.txt &
client=$!
sleep 0.5
kill -TERM "$pid"
wait "$client"
status=0
wait "$pid" || status=$?
pid=
[[ $status == 0 ]] || { cat server.log; echo "server exited $status"; exit 1; }
[[ $(cat last_status.txt) == 200 ]] || { cat last_status.txt server.log; exit 1; }
grep -q '"source_tokens":\["seven"\]' last.json
# the request was answered after SIGTERM came, and the server stopped after answering it
grep -n . server.log | grep -E "SIGTERM|POST /translate|serve: stopped" | cut -d: -f2- |
  sed 's/^[0-9TZ:-]* 127.0.0.1 //; s/ [0-9]* B / /' >order.txt
diff - order.txt <<'ORDER' || { cat server.log; exit 1; }
serve: SIGTERM: no new connections; answering the requests in flight
"POST /translate" 200 1 line
serve: stopped
ORDER
if curl -s "$url/health" >/dev/null; then echo "still listening"; exit 1; fi
echo "rnmt serve: ok"
