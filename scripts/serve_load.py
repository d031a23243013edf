#!/usr/bin/env python3
"""Load client for scripts/bench-serve.sh: N concurrent clients, each on its own keep-alive
connection, send the lines of a file one per request (single sentences) to an rnmt server on
loopback until every line is sent or the time limit passes. Prints one JSON object: lines/s, p50
and p99 latency in ms, errors, and the translations in input order (for comparison)."""
import http.client
import json
import sys
import threading
import time


def main():
    port, clients, path, limit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    translations = [None] * len(lines)
    latencies, errors = [], []
    next_line = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + limit

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                i = next_line[0]
                if i >= len(lines) or time.monotonic() > deadline:
                    return
                next_line[0] += 1
            body = json.dumps({"text": lines[i]})
            start = time.monotonic()
            try:
                conn.request("POST", "/translate", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                elapsed = time.monotonic() - start
                if response.status != 200:
                    with lock:
                        errors.append(f"{response.status} {data[:200]!r}")
                    continue
                text = json.loads(data)["translations"][0]["hypotheses"][0]["text"]
                with lock:
                    latencies.append(elapsed)
                    translations[i] = text
            except Exception as e:  # a failed connection counts as an error and is replaced
                with lock:
                    errors.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    latencies.sort()

    def percentile(p):
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else None

    print(json.dumps({"clients": clients, "lines": len(latencies), "seconds": wall,
                      "lines_per_s": len(latencies) / wall, "p50_ms": percentile(0.50),
                      "p99_ms": percentile(0.99), "errors": len(errors), "first_errors": errors[:3],
                      "translations": translations}))


if __name__ == "__main__":
    main()
