#!/usr/bin/env python3
"""Requests during a large HR import, in the release server.

    python3 scripts/bench-import-latency.py                      # SQLite file
    python3 scripts/bench-import-latency.py postgres://…/db      # an empty PostgreSQL database

Starts the server (FLIPSIDE_BIN, default .build/release/flipside) on a new database, uploads
bench-data/people-100k.csv (scripts/make-people-csv.py 100000 …, made when missing) through
`POST /api/v1/people/import` (one write transaction), and meanwhile times `GET /api/v1/programs`
every 100 ms: a page must not wait for the import's transaction; and signs in
(`POST /api/v1/auth/token`, a write) every 100 ms: a sign-in may wait only for the import's own
write, not for its reading and planning, and never gets a 500 (a bounded wait ends in 503)."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from benchserver import BenchServer

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("FLIPSIDE_BIN", os.path.join(root, ".build/release/flipside"))
people = os.path.join(root, "bench-data/people-100k.csv")
if not os.path.exists(people):
    os.makedirs(os.path.dirname(people), exist_ok=True)
    subprocess.run([sys.executable, os.path.join(root, "scripts/make-people-csv.py"), "100000", people], check=True)
tmp = tempfile.mkdtemp()
env = dict(os.environ, DATABASE_URL=sys.argv[1] if len(sys.argv) > 1 else f"sqlite://{tmp}/import.sqlite", BCRYPT_COST="4")
subprocess.run([binary, "user", "create", "--email", "bench@example.com", "--coordinator"], env=env, input="bench-password\n",
               text=True, check=True, capture_output=True)
server = BenchServer(binary, env, f"{tmp}/server.log")
base = server.base
try:
    token = server.token("bench@example.com", "bench-password")
    latencies, stop = [], threading.Event()

    def probe():
        while not stop.is_set():
            started = time.perf_counter()
            urllib.request.urlopen(urllib.request.Request(base + "/api/v1/programs", headers={"authorization": f"Bearer {token}"}),
                                   timeout=60).read()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.1)

    signins, statuses = [], {}

    def sign_in():
        body = json.dumps({"email": "bench@example.com", "password": "bench-password"}).encode()
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = urllib.request.urlopen(urllib.request.Request(base + "/api/v1/auth/token", data=body,
                                                                       headers={"content-type": "application/json"}), timeout=60).status
            except urllib.error.HTTPError as error:
                status = error.code
            signins.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    signer = threading.Thread(target=sign_in)
    signer.start()
    started = time.perf_counter()
    upload = urllib.request.Request(base + "/api/v1/people/import", data=open(people, "rb").read(), method="POST",
                                    headers={"content-type": "text/csv", "authorization": f"Bearer {token}"})
    answer = json.loads(urllib.request.urlopen(upload, timeout=600).read())
    took = time.perf_counter() - started
    stop.set()
    prober.join()
    signer.join()
    latencies.sort()
    signins.sort()
    print(f"import: {answer['created']} created in {took:.1f} s")
    print(f"GET /api/v1/programs during it: {len(latencies)} requests, median {latencies[len(latencies) // 2]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms")
    print(f"POST /api/v1/auth/token during it: {len(signins)} sign-ins, median {signins[len(signins) // 2]:.1f} ms, "
          f"max {signins[-1]:.1f} ms, statuses {statuses}")
finally:
    server.stop()
