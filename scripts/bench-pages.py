#!/usr/bin/env python3
"""Pages under load at the size of a large employer, in the release server (production mode).

    swift build -c release --product flipside
    python3 scripts/bench-pages.py [SECONDS] [DATABASE_URL]   # SQLite file in a temporary folder by default

`flipside synthesize` fills the database (100,000 people, five programs of 2,000 pairs, 200,000
check-ins), a coordinator signs in, each page is fetched alone (its size, and the best of three times, once the server is idle), then `wrk -t2
-c64 -d{SECONDS}s --latency` runs against it on the same machine (wrk takes part of the CPU). Prints
requests per second, p50 and p99 per page, and any non-2xx answer or socket error."""
import os
import re
import sys
import tempfile
import time
import urllib.request

from benchserver import synthesized, wrk

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("FLIPSIDE_BIN", os.path.join(root, ".build/release/flipside"))
seconds = sys.argv[1] if len(sys.argv) > 1 else "15"
tmp = tempfile.mkdtemp()
url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite://{tmp}/pages.sqlite"
env = dict(os.environ, DATABASE_URL=url, BCRYPT_COST="4", LOG_LEVEL="warning", APP_ENV="production", BASE_URL="http://127.0.0.1")
server, made, programs = synthesized(binary, env, f"{tmp}/server.log")
print(made)
base = server.base
try:
    opener = server.signed_in("bench@example.com", "bench-password")
    token = server.token("bench@example.com", "bench-password")
    jar = next(h.cookiejar for h in opener.handlers if hasattr(h, "cookiejar"))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    matching = opener.open(base + f"/programs/{programs[-1]}/matching").read().decode()
    pair = re.search(r'href="(/pairs/[0-9a-f-]+)"', matching).group(1)
    pages = [("directory page", "/people"),
             ("directory page, search", "/people?q=a"),
             ("program page (2026, 2,000 pairs)", f"/programs/{programs[-1]}"),
             ("matching page (2026, 2,000 pairs)", f"/programs/{programs[-1]}/matching"),
             ("pair page", pair),
             ("program outcomes page (2025)", f"/programs/{programs[-2]}/outcomes"),
             ("program outcomes page (2026, active)", f"/programs/{programs[-1]}/outcomes"),
             ("organisation overview page", "/outcomes"),
             ("API: outcomes overview", "/api/v1/outcomes"),
             ("API: engagement (2026)", f"/api/v1/programs/{programs[-1]}/outcomes/engagement")]
    print(f"{'page':40s} {'alone':>8s} {'size':>9s} {'req/s':>8s} {'p50':>9s} {'p99':>9s}")
    for name, path in pages:
        header = f"Authorization: Bearer {token}" if path.startswith("/api/") else f"Cookie: {cookie}"
        # Requests of the run before may still be queued on the server (a client that gave up does not
        # stop them): wait until the server answers at once, then time the page alone (the best of 3).
        for _ in range(600):
            t = time.perf_counter()
            urllib.request.urlopen(base + "/healthz").read()
            if time.perf_counter() - t < 0.02:
                break
            time.sleep(0.5)
        req = urllib.request.Request(base + path, headers=dict([header.split(": ", 1)]))
        alone = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            size = len(urllib.request.urlopen(req).read())
            alone = min(alone, time.perf_counter() - t)
        rps, p50, p99, bad = wrk(base + path, header, seconds)
        print(f"{name:40s} {alone * 1000:6.0f} ms {size / 1024:7.0f} KB {rps:8.1f} {p50:>9s} {p99:>9s} {bad}", flush=True)
finally:
    server.stop()
