"""The listen backlog of rnmt serve, as clients meet it when the server is too busy to accept for a
moment: with the server stopped (SIGSTOP), CLIENTS connections are opened at once; each must be
established within 2 s, which the kernel does only for as many as the backlog holds (beyond it,
the handshake is dropped and retried a second or more later, or reset). Then the server goes on
(SIGCONT) and every connection sends one request and must get its answer.

usage: serve_backlog.py PORT PID CLIENTS
"""
import json
import os
import selectors
import signal
import socket
import sys
import time

port, pid, clients = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
os.kill(pid, signal.SIGSTOP)
try:
    pending = selectors.DefaultSelector()
    sockets = []
    for _ in range(clients):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        pending.register(s, selectors.EVENT_WRITE)
        sockets.append(s)
    connected = 0
    deadline = time.monotonic() + 2
    while connected < clients and time.monotonic() < deadline:
        for key, _ in pending.select(timeout=max(0, deadline - time.monotonic())):
            pending.unregister(key.fileobj)
            if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected += 1
finally:
    os.kill(pid, signal.SIGCONT)
print(f"serve_backlog: {connected} of {clients} connections established while the server was "
      f"stopped", file=sys.stderr)
if connected < clients:
    sys.exit(1)

body = json.dumps({"text": "seven"}).encode()
request = (f"POST /translate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
           f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
answered = 0
for s in sockets:
    s.setblocking(True)
    s.settimeout(60)
    s.sendall(request)
    answer = b""
    while chunk := s.recv(65536):
        answer += chunk
    s.close()
    if answer.startswith(b"HTTP/1.1 200") and b'"source_tokens":["seven"]' in answer:
        answered += 1
print(f"serve_backlog: {answered} of {clients} answered", file=sys.stderr)
sys.exit(0 if answered == clients else 1)
