#!/usr/bin/env python3
"""make reliability: tries to break the release binary and reports what held.

Usage: reliability/run.py BINARY [--only NAME,...] [--examples N] [--write-docs]

Suites (all by default; --only picks some):
  race        50 concurrent handoffs of one load through two server processes sharing
              one database (PostgreSQL, and SQLite too), several loads: exactly one booking
  kill        kill -9 during a stream of finalize requests, restart: every call that got a
              2xx is stored and the database opens cleanly (SQLite and PostgreSQL)
  fmcsa       a fake FMCSA that hangs, errors, answers garbage: every verify answers within
              FMCSA_TIMEOUT_MS, `unavailable` or the stale cached record
  schemathesis  property-based requests from /api/v1/openapi.json (PyPI schemathesis in a
              venv): no server error, no schema or status-code violation
  hostile     the hostile-input corpus and the auth matrix (cargo test --test api)
  webhooks    outbound webhooks while the receiver is down for a minute and the service is
              killed (-9) and restarted meanwhile: every event arrives, signed, none twice

Environment: RELIABILITY_PG_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres;
"" skips the PostgreSQL legs), RELIABILITY_VENV (default /var/cache/carrier-sales/venv).
Standard library only; exits non-zero when any check fails.
"""
import argparse
import concurrent.futures as cf
import datetime
import hashlib
import hmac
import http.server
import http.client
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
KEY = "reliability-key-0123456789abcdef"  # a bare key: every scope
PG_ADMIN = os.environ.get("RELIABILITY_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
VENV = pathlib.Path(os.environ.get("RELIABILITY_VENV", "/var/cache/carrier-sales/venv"))
SCHEMATHESIS = "schemathesis==4.32.5"
ELIGIBLE_MC = "700010"  # in the bundled offline snapshot, eligible

results = []  # (suite, check, outcome, detail)
failures = 0


def record(suite, check, ok, detail):
    global failures
    failures += 0 if ok else 1
    results.append((suite, check, "pass" if ok else "FAIL", detail))
    print(f"  [{'pass' if ok else 'FAIL'}] {suite}: {check}: {detail}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, timeout=15.0, key=KEY):
    """One request on a fresh connection: (status, parsed JSON or None, seconds)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"X-API-Key": key} if key else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        raw = res.read()
    finally:
        conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return res.status, parsed, time.monotonic() - started


class Server:
    """One `carrier-sales serve` process."""

    def __init__(self, binary, db_url, workdir, name, env=None):
        self.binary, self.db_url, self.name = binary, db_url, name
        self.log = open(pathlib.Path(workdir) / f"{name}.log", "ab")
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": db_url, "HOST": "127.0.0.1", "API_KEYS": KEY, "RATE_LIMIT_PER_MINUTE": "0",
            "FMCSA_OFFLINE": "1", "RUST_LOG": "warn", "CARRIER_SALES_ENV": "development",
        })
        self.env.update(env or {})
        self.proc = None
        self.port = None

    def start(self, timeout=30.0):
        self.port = free_port()
        self.env["PORT"] = str(self.port)
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if call(self.port, "GET", "/readyz", timeout=1.0, key=None)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} not ready within {timeout} s")

    def kill(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql: {out.stderr.strip()}")
    return out.stdout.strip()


def pg_available():
    if not PG_ADMIN or not shutil.which("psql"):
        return False
    try:
        psql(PG_ADMIN, "SELECT 1")
        return True
    except RuntimeError:
        return False


class PgDatabase:
    """A scratch PostgreSQL database, dropped afterwards."""

    def __init__(self, name):
        self.name = f"{name}_{os.getpid()}"
        self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def __enter__(self):
        psql(PG_ADMIN, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        psql(PG_ADMIN, f"CREATE DATABASE {self.name}")
        return self

    def __exit__(self, *exc):
        psql(PG_ADMIN, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def backends(workdir, label):
    """(name, database URL, query function) for SQLite and, when reachable, PostgreSQL."""
    path = pathlib.Path(workdir) / f"{label}.db"

    def sqlite_query(sql):
        with sqlite3.connect(path) as c:
            return [r for r in c.execute(sql)]

    yield "sqlite", f"sqlite://{path}", sqlite_query
    if pg_available():
        with PgDatabase(f"cs_rel_{label}") as db:
            def pg_query(sql):
                out = psql(db.url, sql)
                return [tuple(line.split("|")) for line in out.splitlines()] if out else []
            yield "postgres", db.url, pg_query
    else:
        print(f"  (PostgreSQL not reachable at {PG_ADMIN}: its {label} leg is skipped)")


# --- race: exactly one booking ---------------------------------------------------------

def suite_race(binary, workdir, loads_per_backend=5, callers=50):
    for backend, url, query in backends(workdir, "race"):
        a = Server(binary, url, workdir, f"race-{backend}-a").start()
        b = Server(binary, url, workdir, f"race-{backend}-b").start()
        try:
            status, page, _ = call(a.port, "GET", f"/api/v1/loads?status=available&limit={loads_per_backend}")
            assert status == 200, page
            loads = page["loads"]
            bookings_ok, statuses_all = 0, []
            for n, load in enumerate(loads):
                gate = threading.Barrier(callers)

                def handoff(i, load=load, n=n):
                    gate.wait()
                    server = a if i % 2 == 0 else b
                    body = {"call_id": f"race-{n}-{i}", "load_id": load["load_id"], "mc_number": ELIGIBLE_MC,
                            "agreed_rate": load["loadboard_rate"]}
                    return call(server.port, "POST", "/api/v1/calls/handoff", body, timeout=60)[0]

                with cf.ThreadPoolExecutor(callers) as pool:
                    statuses = list(pool.map(handoff, range(callers)))
                statuses_all += statuses
                won = statuses.count(200)
                lost = statuses.count(409)
                stored = query(f"SELECT count(*) FROM bookings WHERE load_id = '{load['load_id']}' AND status = 'active'")
                load_status = query(f"SELECT status FROM loads WHERE load_id = '{load['load_id']}'")
                ok = won == 1 and lost == callers - 1 and int(stored[0][0]) == 1 and load_status[0][0] == "booked"
                bookings_ok += ok
                if not ok:
                    record("race", f"{backend} load {load['load_id']}", False,
                           f"answers {sorted(set(statuses))} (200×{won}, 409×{lost}), active bookings {stored[0][0]}, "
                           f"load {load_status[0][0]}")
            record("race", f"{backend}: {callers} handoffs per load through 2 processes, {len(loads)} loads",
                   bookings_ok == len(loads) and len(loads) == loads_per_backend,
                   f"{bookings_ok}/{len(loads)} loads booked exactly once; {len(statuses_all)} requests, "
                   f"{statuses_all.count(200)}×200, {statuses_all.count(409)}×409, "
                   f"{sum(1 for s in statuses_all if s >= 500)}×5xx")
        finally:
            a.kill()
            b.kill()


# --- stale: a load booked on one instance is never offered by another ------------------

def suite_stale(binary, workdir, rounds=20):
    """Each round: instance B offers a load (so its index holds it as available), instance
    A books it, and B is searched again at once, well within the half second its index
    may lag. The booked load must be gone from both, and no answer may hold a pickup that
    has passed."""
    for backend, url, _query in backends(workdir, "stale"):
        a = Server(binary, url, workdir, f"stale-{backend}-a").start()
        b = Server(binary, url, workdir, f"stale-{backend}-b").start()
        try:
            status, page, _ = call(a.port, "GET", "/api/v1/loads?status=available&limit=500")
            assert status == 200, page
            soon = time.time() + 3600
            loads = [l for l in page["loads"]
                     if datetime.datetime.fromisoformat(l["pickup_datetime"]).timestamp() > soon][:rounds]
            offered_before = gone_after = searches = past = 0
            gaps = []
            for n, load in enumerate(loads):
                ask = {"origin": load["origin"], "equipment_type": load["equipment_type"], "max_results": 100}

                def search(server):
                    nonlocal searches, past
                    asked_at = time.time()
                    status, answer, _ = call(server.port, "POST", "/api/v1/loads/search", ask)
                    assert status == 200, answer
                    searches += 1
                    past += sum(1 for hit in answer["loads"]
                                if datetime.datetime.fromisoformat(hit["pickup_datetime"]).timestamp() <= asked_at)
                    return {hit["load_id"] for hit in answer["loads"]}

                offered_before += load["load_id"] in search(b)
                body = {"call_id": f"stale-{n}", "load_id": load["load_id"], "mc_number": ELIGIBLE_MC,
                        "agreed_rate": load["loadboard_rate"]}
                status, booked, _ = call(a.port, "POST", "/api/v1/calls/handoff", body)
                assert status == 200, booked
                booked_at = time.monotonic()
                on_b = search(b)
                gaps.append((time.monotonic() - booked_at) * 1000)
                on_a = search(a)
                gone_after += load["load_id"] not in on_b and load["load_id"] not in on_a
            record("stale", f"{backend}: book on one of 2 processes, search both at once, {len(loads)} loads",
                   len(loads) == rounds and offered_before == rounds and gone_after == rounds and past == 0,
                   f"offered before booking {offered_before}/{len(loads)}, gone from both right after "
                   f"{gone_after}/{len(loads)} (searched {max(gaps, default=0):.0f} ms or less after the booking's "
                   f"answer), {searches} searches, {past} hits with a past pickup")
        finally:
            a.kill()
            b.kill()


# --- kill: acknowledged writes survive kill -9 -----------------------------------------

def suite_kill(binary, workdir, cycles=3, writers=16, stream_secs=2.0):
    for backend, url, query in backends(workdir, "kill"):
        acked, lost_in_flight, server_errors = [], 0, 0
        lock = threading.Lock()
        server = Server(binary, url, workdir, f"kill-{backend}")
        reopened = 0
        for cycle in range(cycles):
            server.start()
            reopened += cycle > 0
            stop = threading.Event()

            def writer(w, cycle=cycle):
                nonlocal lost_in_flight, server_errors
                n = 0
                while not stop.is_set():
                    n += 1
                    call_id = f"kill-{cycle}-{w}-{n}"
                    body = {"call_id": call_id, "outcome": "Booked" if n % 2 else "Not interested",
                            "sentiment": "positive", "agreed_rate": "2,350",
                            "transcript": [{"role": "user", "content": f"write {n} of writer {w}"}]}
                    try:
                        status, _, _ = call(server.port, "POST", "/api/v1/calls/finalize", body, timeout=10)
                    except OSError:
                        with lock:
                            lost_in_flight += 1
                        return
                    with lock:
                        if 200 <= status < 300:
                            acked.append(call_id)
                        elif status >= 500:
                            server_errors += 1

            threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
            for t in threads:
                t.start()
            time.sleep(stream_secs)
            server.kill(signal.SIGKILL)
            stop.set()
            for t in threads:
                t.join()
        # Reopen once more: the server must start on what the last kill left.
        server.start()
        status, health, _ = call(server.port, "GET", "/readyz", key=None)
        stored = {r[0] for r in query("SELECT call_id FROM calls")}
        missing = [c for c in acked if c not in stored]
        integrity = "n/a"
        if backend == "sqlite":
            integrity = query("PRAGMA integrity_check")[0][0]
        sample = acked[-1] if acked else None
        detail_ok = True
        if sample:
            s, detail, _ = call(server.port, "GET", f"/api/v1/calls/{sample}")
            detail_ok = s == 200 and json.dumps(detail).find(sample) >= 0
        server.kill()
        record("kill", f"{backend}: kill -9 during {writers} finalize streams, {cycles} times",
               not missing and server_errors == 0 and status == 200 and integrity in ("ok", "n/a") and detail_ok
               and len(acked) > 0,
               f"{len(acked)} acknowledged, {len(missing)} missing after restart, {lost_in_flight} cut off in flight, "
               f"{server_errors}×5xx, restarted {reopened + 1}×, readyz {status}, integrity_check {integrity}")


# --- fmcsa: a misbehaving FMCSA never stalls a caller ------------------------------------

def suite_fmcsa(binary, workdir, budget_ms=1000, tries=4):
    fake_port = free_port()
    fake = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_fmcsa.py"), str(fake_port)])
    db = pathlib.Path(workdir) / "fmcsa.db"
    # A high breaker threshold so every mode reaches the fake (the breaker is checked below).
    env = {"FMCSA_OFFLINE": "", "FMCSA_WEB_KEY": "reliability", "FMCSA_BASE_URL": f"http://127.0.0.1:{fake_port}",
           "FMCSA_TIMEOUT_MS": str(budget_ms), "CARRIER_SALES__FMCSA__BREAKER_FAILURES": "1000000"}
    server = Server(binary, f"sqlite://{db}", workdir, "fmcsa", env)
    margin = 0.25  # the answer's own HTTP and database time on top of the FMCSA budget
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", fake_port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        server.start()

        def mode(m):
            conn = http.client.HTTPConnection("127.0.0.1", fake_port, timeout=5)
            conn.request("GET", f"/_mode/{m}")
            assert conn.getresponse().status == 200
            conn.close()

        mode("ok")
        status, first, _ = call(server.port, "POST", "/api/v1/fmcsa/verify", {"mc_number": "MC-1515"})
        cached_ok = status == 200 and first["source"] == "fmcsa" and first["eligible"] is True
        record("fmcsa", "healthy FMCSA answers and is cached", cached_ok,
               f"{status} status={first.get('status')} eligible={first.get('eligible')} source={first.get('source')}")
        # Expire the cached record: from now on it may only be served as stale.
        with sqlite3.connect(db) as c:
            c.execute("UPDATE carriers SET expires_at = 0")
        for m in ["hang", "error", "garbage", "truncated", "wrong-shape"]:
            mode(m)

            def verify(i, mc):
                return call(server.port, "POST", "/api/v1/fmcsa/verify", {"mc_number": mc, "call_id": f"f-{m}-{i}"})

            with cf.ThreadPoolExecutor(2 * tries) as pool:
                stale = list(pool.map(lambda i: verify(i, "1515"), range(tries)))
                unknown = list(pool.map(lambda i: verify(i, "987654"), range(tries)))
            slowest = max(t for _, _, t in stale + unknown)
            stale_ok = all(s == 200 and b["stale"] is True and b["eligible"] is True for s, b, _ in stale)
            unknown_ok = all(s == 200 and b["status"] == "unavailable" and b["eligible"] is None
                             for s, b, _ in unknown)
            record("fmcsa", f"FMCSA {m}: {tries} cached (stale) + {tries} uncached verifies at once",
                   stale_ok and unknown_ok and slowest <= budget_ms / 1000 + margin,
                   f"stale record served {sum(1 for s, b, _ in stale if s == 200 and b['stale'])}/{tries}, "
                   f"unavailable {sum(1 for s, b, _ in unknown if s == 200 and b['status'] == 'unavailable')}/{tries}, "
                   f"slowest {slowest * 1000:.0f} ms (budget {budget_ms} ms)")
        mode("ok")
    finally:
        server.kill()
        fake.kill()
        fake.wait()

    # With the default breaker: a hanging FMCSA opens it and later answers come at once.
    fake_port2 = free_port()
    fake = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_fmcsa.py"), str(fake_port2)])
    env.pop("CARRIER_SALES__FMCSA__BREAKER_FAILURES")
    env["FMCSA_BASE_URL"] = f"http://127.0.0.1:{fake_port2}"
    server = Server(binary, f"sqlite://{pathlib.Path(workdir) / 'fmcsa-breaker.db'}", workdir, "fmcsa-breaker", env)
    try:
        time.sleep(0.3)
        server.start()
        conn = http.client.HTTPConnection("127.0.0.1", fake_port2, timeout=5)
        conn.request("GET", "/_mode/hang")
        conn.getresponse().read()
        times = []
        for i in range(12):
            s, b, t = call(server.port, "POST", "/api/v1/fmcsa/verify", {"mc_number": str(300000 + i)})
            times.append((s, b.get("status") if b else None, t))
        conn.request("GET", "/_mode/ok")
        conn.getresponse().read()
        all_unavailable = all(s == 200 and st == "unavailable" for s, st, _ in times)
        fast_tail = [t for _, _, t in times[-4:]]
        record("fmcsa", "hanging FMCSA opens the circuit breaker",
               all_unavailable and max(fast_tail) < 0.1 and max(t for _, _, t in times) <= budget_ms / 1000 + margin,
               f"12 lookups all unavailable; first {times[0][2] * 1000:.0f} ms, last four at most "
               f"{max(fast_tail) * 1000:.1f} ms")
    finally:
        server.kill()
        fake.kill()
        fake.wait()


# --- schemathesis ------------------------------------------------------------------------

def suite_schemathesis(binary, workdir, examples):
    exe = VENV / "bin" / "schemathesis"
    if not exe.exists():
        print(f"  installing {SCHEMATHESIS} into {VENV}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", SCHEMATHESIS], check=True)
    server = Server(binary, f"sqlite://{pathlib.Path(workdir) / 'schemathesis.db'}", workdir, "schemathesis").start()
    report = pathlib.Path(workdir) / "schemathesis.ndjson"
    try:
        cmd = [str(exe), "run", f"http://127.0.0.1:{server.port}/api/v1/openapi.json",
               "-H", f"X-API-Key: {KEY}", "--exclude-path", "/api/v1/events",
               "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--max-examples", str(examples), "--seed", "20261122", "--workers", "2",
               "--request-timeout", "10", "--no-color", "--suppress-health-check", "all",
               "--report", "ndjson", "--report-ndjson-path", str(report)]
        print("  " + " ".join(cmd[:2] + ["URL"] + cmd[3:]), flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, cwd=workdir)
        (pathlib.Path(workdir) / "schemathesis.out").write_text(out.stdout + out.stderr)
        tail = out.stdout.strip().splitlines()[-40:]
        requests = count_requests(report)
        summary = next((l.strip() for l in reversed(tail) if re.search(r"\d+ (passed|failed)", l)), "")
        ok = out.returncode == 0
        if not ok:
            print("\n".join(out.stdout.splitlines()[-120:]))
        tested = re.search(r"Tested: (\d+)", out.stdout)
        selected = re.search(r"Selected: (\d+/\d+)", out.stdout)
        record("schemathesis", f"every operation but /api/v1/events, up to {examples} examples each, all checks "
               "but positive_data_acceptance", ok and tested is not None and int(tested.group(1)) > 0,
               f"{tested.group(1) if tested else 0} operations tested (selected {selected.group(1) if selected else '?'}); "
               f"{requests} requests sent; test cases: {summary or 'no summary line'}")
    finally:
        server.kill()


def count_requests(report):
    """Requests schemathesis sent, from its NDJSON event log."""
    if not report.exists():
        return 0
    n = 0
    for line in report.read_text().splitlines():
        n += line.count('"request":')
    return n


# --- hostile corpus and auth matrix (API tests) --------------------------------------------

def suite_hostile(_binary, _workdir):
    for name, filt in [("hostile-input corpus", "hostile::"), ("auth matrix", "auth::")]:
        out = subprocess.run(["cargo", "test", "--locked", "--test", "api", "--", filt],
                             cwd=ROOT, capture_output=True, text=True)
        m = re.search(r"test result: (\w+)\. (\d+) passed; (\d+) failed", out.stdout)
        ok = out.returncode == 0 and m and int(m.group(2)) > 0
        if not ok:
            print(out.stdout[-3000:] + out.stderr[-3000:])
        record("hostile", f"{name} (cargo test --test api -- {filt})", bool(ok),
               f"{m.group(2)} passed, {m.group(3)} failed" if m else "did not run")


# name → run(binary, workdir, options)
# --- webhooks: a receiver down for a minute and a restart lose no event ----------------

class Receiver:
    """A TMS stand-in on a fixed port that can be taken down (connections refused) and
    brought back; it records each request's event id and whether its signature holds."""

    def __init__(self):
        self.port = free_port()
        self.secret = ""
        self.got = []  # (event id, signature ok)
        self.lock = threading.Lock()
        self.httpd = None

    def up(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sig = self.headers.get("X-CarrierSales-Signature", "")
                parts = dict(p.split("=", 1) for p in sig.split(",") if "=" in p)
                mac = hmac.new(receiver.secret.encode(), f"{parts.get('t', '')}.".encode() + raw, hashlib.sha256)
                ok = hmac.compare_digest(mac.hexdigest(), parts.get("v1", ""))
                with receiver.lock:
                    receiver.got.append((self.headers.get("X-CarrierSales-Event-Id", ""), ok))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def down(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


def suite_webhooks(binary, workdir, per_phase=15, down_secs=60, settle_secs=120):
    env = {"CARRIER_SALES__WEBHOOKS__ALLOW_PRIVATE": "true", "CARRIER_SALES__WEBHOOKS__RETRY_BASE_SECS": "1",
           "CARRIER_SALES__WEBHOOKS__POLL_MS": "200"}
    for backend, url, query in backends(workdir, "hooks"):
        receiver = Receiver()
        server = Server(binary, url, workdir, f"hooks-{backend}", env=env).start()
        try:
            endpoint = {"url": f"http://127.0.0.1:{receiver.port}/hooks", "events": ["booking.created"]}
            status, created, _ = call(server.port, "POST", "/api/v1/webhooks/endpoints", endpoint)
            assert status == 201, created
            receiver.secret = created["secret"]
            status, page, _ = call(server.port, "GET", f"/api/v1/loads?status=available&limit={2 * per_phase}")
            assert status == 200 and len(page["loads"]) == 2 * per_phase, page
            loads = page["loads"]
            went_down = time.monotonic()

            def book(n):
                load = loads[n]
                body = {"call_id": f"hooks-{n}", "load_id": load["load_id"], "mc_number": ELIGIBLE_MC,
                        "agreed_rate": load["loadboard_rate"]}
                status, answer, _ = call(server.port, "POST", "/api/v1/calls/handoff", body)
                assert status == 200, answer

            # The receiver is down: bookings, then kill -9 (a delivery may be in flight),
            # a restart on the same database, more bookings.
            for n in range(per_phase):
                book(n)
            time.sleep(3)
            server.kill(signal.SIGKILL)
            server.start()
            for n in range(per_phase, 2 * per_phase):
                book(n)
            time.sleep(max(0.0, down_secs - (time.monotonic() - went_down)))
            receiver.up()
            came_back = time.monotonic()
            deadline = came_back + settle_secs
            expected = {r[0] for r in query("SELECT event_id FROM webhook_deliveries")}
            while time.monotonic() < deadline:
                with receiver.lock:
                    if {g[0] for g in receiver.got} >= expected:
                        break
                time.sleep(0.5)
            took = time.monotonic() - came_back
            time.sleep(3)  # anything sent twice would arrive now
            with receiver.lock:
                got = list(receiver.got)
            ids = [g[0] for g in got]
            twice = len(ids) - len(set(ids))
            unsigned = sum(1 for g in got if not g[1])
            states = dict((r[0], int(r[1])) for r in query(
                "SELECT status, count(*) FROM webhook_deliveries GROUP BY status"))
            attempts = int(query("SELECT count(*) FROM webhook_attempts")[0][0])
            ok = (len(expected) == 2 * per_phase and set(ids) == expected and twice == 0 and unsigned == 0
                  and states.get("succeeded") == 2 * per_phase)
            record("webhooks", f"{backend}: receiver down {down_secs} s, kill -9 and restart meanwhile",
                   ok, f"{len(expected)} events, {len(set(ids))} arrived ({twice} twice, {unsigned} badly signed) "
                       f"within {took:.1f} s of the receiver's return; {attempts} attempts logged; deliveries {states}")
        finally:
            server.kill()
            receiver.down()


SUITES = {
    "race": lambda b, w, _: suite_race(b, w),
    "stale": lambda b, w, _: suite_stale(b, w),
    "kill": lambda b, w, _: suite_kill(b, w),
    "fmcsa": lambda b, w, _: suite_fmcsa(b, w),
    "schemathesis": lambda b, w, o: suite_schemathesis(b, w, o.examples),
    "hostile": lambda b, w, _: suite_hostile(b, w),
    "webhooks": lambda b, w, _: suite_webhooks(b, w),
}


def write_docs(started, took):
    doc = ROOT / "docs" / "reliability.md"
    text = doc.read_text()
    rows = "\n".join(f"| {s} | {c} | {o} | {d} |" for s, c, o, d in results)
    table = (f"<!-- results:start -->\nLast run: {started} UTC on {os.cpu_count()} cores, {took:.0f} s, "
             f"{sum(1 for r in results if r[2] == 'pass')} passed, {failures} failed.\n\n"
             f"| suite | check | result | measured |\n|---|---|---|---|\n{rows}\n<!-- results:end -->")
    text = re.sub(r"<!-- results:start -->.*<!-- results:end -->", lambda _: table, text, flags=re.S)
    doc.write_text(text)
    print(f"wrote {doc.relative_to(ROOT)}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--only", default=",".join(SUITES))
    p.add_argument("--examples", type=int, default=int(os.environ.get("RELIABILITY_EXAMPLES", "100")))
    p.add_argument("--write-docs", action="store_true")
    args = p.parse_args()
    binary = str(pathlib.Path(args.binary).resolve())
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cs-reliability-") as workdir:
        for name in args.only.split(","):
            print(f"== {name}", flush=True)
            try:
                SUITES[name](binary, workdir, args)
            except Exception as e:  # a suite that cannot run is a failure, not a skip
                record(name, "suite ran to the end", False, f"{type(e).__name__}: {e}")
                logs = sorted(pathlib.Path(workdir).glob("*.log"))
                for log in logs[-2:]:
                    print(f"--- {log.name}\n{log.read_text()[-2000:]}")
    took = time.monotonic() - t0
    print(f"\n{len(results) - failures} passed, {failures} failed in {took:.0f} s")
    if args.write_docs:
        write_docs(started, took)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
