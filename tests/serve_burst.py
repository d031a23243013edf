"""Clients as scripts write them, against rnmt serve: Python's urllib, a new connection per request,
CLIENTS threads released together by a barrier, BURSTS times. Client k sends line k (mod the file's
lines) of LINES alone. Writes the best translation of each line (in the file's order, from the
first burst) to OUT, and fails on any error, reset or answer that differs between bursts.

usage: serve_burst.py URL LINES CLIENTS BURSTS OUT
"""
import json
import sys
import threading
import urllib.request

url, lines_path, clients, bursts, out_path = sys.argv[1:]
clients, bursts = int(clients), int(bursts)
with open(lines_path, encoding="utf-8") as f:
    lines = f.read().splitlines()

answers = {}  # (burst, client) -> text
failures = []  # (burst, client, what)
lock = threading.Lock()


def client(burst, k, barrier):
    body = json.dumps({"text": lines[k % len(lines)]}).encode()
    request = urllib.request.Request(url + "/translate", data=body,
                                     headers={"Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            text = json.load(response)["translations"][0]["hypotheses"][0]["text"]
        with lock:
            answers[(burst, k)] = text
    except Exception as e:  # a reset, a refused connection, an HTTP error: all are failures
        with lock:
            failures.append((burst, k, repr(e)))


for burst in range(bursts):
    barrier = threading.Barrier(clients)
    threads = [threading.Thread(target=client, args=(burst, k, barrier)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

for burst, k, what in failures[:10]:
    print(f"burst {burst}, client {k}: {what}", file=sys.stderr)
differ = [(b, k) for (b, k), text in answers.items() if text != answers.get((0, k % len(lines)))]
for b, k in differ[:10]:
    print(f"burst {b}, client {k}: {answers[(b, k)]!r} differs from line {k % len(lines)}'s",
          file=sys.stderr)
print(f"serve_burst: {clients} clients x {bursts} bursts, one connection per request: "
      f"{len(answers)} answered, {len(failures)} failed, {len(differ)} different", file=sys.stderr)
with open(out_path, "w", encoding="utf-8") as out:
    for k in range(min(clients, len(lines))):
        out.write(answers.get((0, k), "<no answer>") + "\n")
sys.exit(1 if failures or differ or len(answers) != clients * bursts else 0)
