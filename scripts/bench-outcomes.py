#!/usr/bin/env python3
"""The outcomes pages at the size of a large organisation, in the release server.

    swift build -c release --product flipside
    python3 scripts/bench-outcomes.py                       # SQLite file in a temporary folder
    python3 scripts/bench-outcomes.py "$(scripts/postgres-up.sh flipside_outcomes)"   # PostgreSQL (emptied first)

`flipside synthesize` fills the database: 100,000 people, 5 programs (one a year, the last active),
10,000 pairs, about 370,000 meetings, 200,000 check-ins, insights and actions. Then a coordinator
signs in and each page is fetched 7 times in a row (the very first request after the server
starts also reads everyone's employment facts, which are then kept until the next HR import): the program outcomes page of the largest closed program and of the active one,
the organisation overview, and the JSON figures. Prints the first request's wall time (the figures
computed) and min / median / max of the other six (kept per data version)."""
import os
import statistics
import sys
import tempfile
import time
import urllib.request

from benchserver import synthesized

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("FLIPSIDE_BIN", os.path.join(root, ".build/release/flipside"))
tmp = tempfile.mkdtemp()
url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite://{tmp}/outcomes.sqlite"
env = dict(os.environ, DATABASE_URL=url, BCRYPT_COST="4", LOG_LEVEL="warning")
server, made, programs = synthesized(binary, env, f"{tmp}/server.log")
print(made)
base = server.base
try:
    opener = server.signed_in("bench@example.com", "bench-password")
    token = server.token("bench@example.com", "bench-password")

    def fetch(path):
        if path.startswith("/api/"):
            return urllib.request.urlopen(urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"})).read()
        return opener.open(base + path).read()
    paths = [("program outcomes page (2025, closed)", f"/programs/{programs[-2]}/outcomes"),
             ("program outcomes page (2026, active)", f"/programs/{programs[-1]}/outcomes"),
             ("organisation overview page", "/outcomes"),
             ("API retention + diversity + engagement (2025)", None),
             ("API organisation overview", "/api/v1/outcomes")]
    for name, path in paths:
        times = []
        for _ in range(7):
            t = time.perf_counter()
            if path is None:
                for part in ("retention", "diversity", "engagement"):
                    fetch(f"/api/v1/programs/{programs[-2]}/outcomes/{part}")
            else:
                fetch(path)
            times.append(time.perf_counter() - t)
        print(f"{name:48s} first {times[0]:.3f} s (computed)  then min {min(times[1:]):.3f} s  median {statistics.median(times[1:]):.3f} s  max {max(times[1:]):.3f} s (kept)")
finally:
    server.stop()
