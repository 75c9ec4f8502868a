#!/usr/bin/env python3
"""A local webhook receiver for the alert-delivery tests.

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE once it listens, and
answers every POST according to the mode read from MODEFILE at each request (so a test
can switch it while the server runs):
  ok    answer 200 and append the request body as one line to BODIES
  500   answer 500 and record nothing
  slow  sleep SLOW seconds (default 5) before answering 200; the body is NOT recorded
        (the client gave up before the answer, so it counts the delivery as failed)
Headers of each recorded request go to BODIES.headers (one JSON object per line).

usage: webhook-server.py PORTFILE MODEFILE BODIES [SLOW] [PORT]
PORT (default 0: a free one) lets a test restart the receiver where a route points.
"""
import http.server
import json
import os
import sys
import time

portfile, modefile, bodies = sys.argv[1], sys.argv[2], sys.argv[3]
slow = float(sys.argv[4]) if len(sys.argv) > 4 else 5.0
port = int(sys.argv[5]) if len(sys.argv) > 5 else 0


def mode():
    try:
        with open(modefile) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        m = mode()
        if m == "500":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"server error\n")
            return
        if m == "slow":
            time.sleep(slow)
            try:
                self.send_response(200)
                self.end_headers()
            except OSError:
                pass
            return
        with open(bodies, "ab") as f:
            f.write(body + b"\n")
        with open(bodies + ".headers", "a") as f:
            f.write(json.dumps({k: v for k, v in self.headers.items()}) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}\n')

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer.allow_reuse_address = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(portfile + ".tmp", portfile)
server.serve_forever()
