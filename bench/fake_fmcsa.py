#!/usr/bin/env python3
"""A local stand-in for FMCSA QCMobile answering every docket lookup with the recorded
MC 1515 body (tests/fixtures), so the benchmark measures cache hits. Usage: fake_fmcsa.py PORT"""
import http.server, pathlib, sys

body = (pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fmcsa"
        / "carrier_by_docket_mc1515_active_multi_authority.json").read_bytes()

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
