#!/usr/bin/env python3
"""A local stand-in for FMCSA QCMobile, for the benchmark and the reliability suite.

Usage: fake_fmcsa.py PORT

Every docket or DOT lookup is answered according to the current mode:
  ok       the recorded MC 1515 body (tests/fixtures), HTTP 200 (the default)
  hang     accepts the request and never answers (until the mode changes)
  error    HTTP 500 with an HTML error page
  garbage  HTTP 200 with a body that is not JSON
  truncated  HTTP 200, JSON cut off half-way
  wrong-shape  HTTP 200, JSON of an unrelated shape
`GET /_mode/NAME` switches the mode; `GET /_count` answers how many lookups arrived.
"""
import http.server, pathlib, sys, threading, time

body = (pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fmcsa"
        / "carrier_by_docket_mc1515_active_multi_authority.json").read_bytes()
MODES = {"ok", "hang", "error", "garbage", "truncated", "wrong-shape"}
state = {"mode": "ok", "count": 0}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, payload, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        if self.path.startswith("/_mode/"):
            mode = self.path[len("/_mode/"):]
            if mode not in MODES:
                return self.reply(400, b'{"error": "unknown mode"}')
            state["mode"] = mode
            return self.reply(200, mode.encode(), "text/plain")
        if self.path == "/_count":
            return self.reply(200, str(state["count"]).encode(), "text/plain")
        with lock:
            state["count"] += 1
        mode = state["mode"]
        if mode == "hang":
            while state["mode"] == "hang":
                time.sleep(0.05)
            self.close_connection = True
            return
        if mode == "error":
            return self.reply(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        if mode == "garbage":
            return self.reply(200, b"\x00\xffnot json at all <<<", "application/json")
        if mode == "truncated":
            return self.reply(200, body[: len(body) // 2])
        if mode == "wrong-shape":
            return self.reply(200, b'{"totally": ["different", 1, null], "content": 42}')
        self.reply(200, body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that give up on a hanging answer reset the connection: expected


server = Server(("127.0.0.1", int(sys.argv[1])), Handler)
server.serve_forever()
