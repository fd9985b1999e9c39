#!/usr/bin/env python3
"""Requests during a large HR import, in the release server.

    python3 scripts/bench-import-latency.py                      # SQLite file
    python3 scripts/bench-import-latency.py postgres://…/db      # an empty PostgreSQL database

Starts the server (FLIPSIDE_BIN, default .build/release/flipside) on a new database, uploads
bench-data/people-100k.csv (scripts/make-people-csv.py 100000 …, made when missing) through
`POST /api/v1/people/import` (one write transaction), and meanwhile times `GET /api/v1/programs`
every 100 ms: a page must not wait for the import's transaction."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
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

    prober = threading.Thread(target=probe)
    prober.start()
    started = time.perf_counter()
    upload = urllib.request.Request(base + "/api/v1/people/import", data=open(people, "rb").read(), method="POST",
                                    headers={"content-type": "text/csv", "authorization": f"Bearer {token}"})
    answer = json.loads(urllib.request.urlopen(upload, timeout=600).read())
    took = time.perf_counter() - started
    stop.set()
    prober.join()
    latencies.sort()
    print(f"import: {answer['created']} created in {took:.1f} s")
    print(f"GET /api/v1/programs during it: {len(latencies)} requests, median {latencies[len(latencies) // 2]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms")
finally:
    server.stop()
