#!/usr/bin/env python3
"""Signed-in requests under load, several release binaries side by side (alternating, on copies of one
synthesized SQLite file), to compare a change with the build before it on this noisy machine.

    python3 scripts/bench-signed-in.py BIN[,BIN...] [SECONDS] [PATH,PATH...]

`flipside synthesize` (run once, by the first binary, into bench-data/signed-in.sqlite) and a
coordinator; then, ROUNDS times (default 2), each binary serves a fresh copy in production mode without
its worker, waits WARM seconds (default 10: the first background computations after a start), and
`wrk -t2 -c64 -d{SECONDS}s --latency` fetches each path (default /people, /api/v1/people, /healthz) with
the coordinator's session cookie, or bearer token under /api/. Prints requests per second, p50 and p99."""
import os
import shutil
import subprocess
import sys
import time
import urllib.request

from benchserver import BenchServer, wrk

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binaries = sys.argv[1].split(",")
seconds = sys.argv[2] if len(sys.argv) > 2 else "8"
paths = sys.argv[3].split(",") if len(sys.argv) > 3 else ["/people", "/api/v1/people", "/healthz"]
rounds = int(os.environ.get("ROUNDS", "2"))
data = os.path.join(root, "bench-data")
os.makedirs(data, exist_ok=True)
db = os.path.join(data, "signed-in.sqlite")
copy = os.path.join(data, "signed-in-run.sqlite")
env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", BCRYPT_COST="4", LOG_LEVEL="warning", APP_ENV="production", BASE_URL="http://127.0.0.1")
if not os.path.exists(db):
    subprocess.run([binaries[0], "synthesize"], env=env, check=True, capture_output=True)
    subprocess.run([binaries[0], "user", "create", "--email", "bench@example.com", "--coordinator"], env=env,
                   input="bench-password\n", text=True, check=True, capture_output=True)
print(f"{'binary':24s} {'path':20s} {'req/s':>8s} {'p50':>9s} {'p99':>9s}")
for _ in range(rounds):
    for binary in binaries:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(copy + suffix):
                os.remove(copy + suffix)
        shutil.copy(db, copy)
        server = BenchServer(binary, dict(env, DATABASE_URL=f"sqlite://{copy}"), os.path.join(data, "signed-in-server.log"), args=("--no-worker",))
        try:
            opener = server.signed_in("bench@example.com", "bench-password")
            token = server.token("bench@example.com", "bench-password")
            jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
            cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
            time.sleep(int(os.environ.get("WARM", "10")))
            for path in paths:
                header = f"Authorization: Bearer {token}" if path.startswith("/api/") else f"Cookie: {cookie}"
                request = urllib.request.Request(server.base + path, headers=dict([header.split(": ", 1)]))
                for _ in range(3):
                    urllib.request.urlopen(request).read()
                rps, p50, p99, bad = wrk(server.base + path, header, seconds)
                print(f"{os.path.basename(binary):24s} {path:20s} {rps:8.0f} {p50:>9s} {p99:>9s} {bad}", flush=True)
        finally:
            server.stop()
