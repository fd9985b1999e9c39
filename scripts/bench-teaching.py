#!/usr/bin/env python3
""""Who could teach me?" across a large organisation, in the release server.

    swift build -c release --product flipside --scratch-path .build-release
    FLIPSIDE_BIN=.build-release/release/flipside python3 scripts/bench-teaching.py            # SQLite file in a temporary folder
    FLIPSIDE_BIN=... python3 scripts/bench-teaching.py "$(scripts/postgres-up.sh flipside_teaching)"   # PostgreSQL (emptied first)

`flipside synthesize --people 100000 --programs 1 --pairs 2000 --teaching-profiles 20000` fills the
database: 100,000 people, 20,000 of them with a teaching profile (three in four open to being
asked), one program with 2,000 mentees. A coordinator asks on behalf of random seniors (level 5 and
up) for one or two random topics: the first answer (which compiles the directory), then 300 answers
one after another and 400 from 8 clients at once through the API, and 100 pages. Prints the
percentiles of the wall time per answer."""
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from benchserver import BenchServer

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("FLIPSIDE_BIN", os.path.join(root, ".build/release/flipside"))
tmp = tempfile.mkdtemp()
url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite://{tmp}/teaching.sqlite"
env = dict(os.environ, DATABASE_URL=url, BCRYPT_COST="4", LOG_LEVEL="warning")
if url.startswith("postgres"):
    subprocess.run(["psql", url, "-q", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True, capture_output=True)
run = lambda *args, **kw: subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True, **kw)
started = time.perf_counter()
out = run("synthesize", "--people", "100000", "--programs", "1", "--pairs", "2000", "--check-ins", "2000", "--teaching-profiles", "20000").stdout
print(out.strip().splitlines()[0], f"(wall {time.perf_counter() - started:.1f} s)")
program = out.strip().splitlines()[1].split()[0]
query = "SELECT employee_id FROM people WHERE level >= 5 AND status = 'active' ORDER BY employee_id"
if url.startswith("postgres"):
    seniors = subprocess.run(["psql", url, "-At", "-c", query], check=True, capture_output=True, text=True).stdout.split()
else:
    seniors = [row[0] for row in sqlite3.connect(url[len("sqlite://"):]).execute(query)]
topics = ["generative ai", "figma", "data visualisation", "slack workflows", "short-form video", "python", "accessibility", "tiktok",
          "prompt engineering", "no-code automation", "sql", "canva", "power bi", "podcasting"]
run("user", "create", "--email", "bench@example.com", "--coordinator", input="bench-password\n")
server = BenchServer(binary, env, f"{tmp}/server.log", args=("--no-worker",))
rng = random.Random(2026)


def question():
    asked = rng.sample(topics, rng.choice([1, 2]))
    return "topics=" + urllib.parse.quote(";".join(asked)) + "&for=" + rng.choice(seniors)


def percentiles(name, times):
    times = sorted(times)
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
    print(f"{name:52s} n={len(times):4d}  p50 {p(0.5):6.1f} ms  p95 {p(0.95):6.1f} ms  p99 {p(0.99):6.1f} ms  max {times[-1] * 1000:6.1f} ms")


try:
    token = server.token("bench@example.com", "bench-password")
    opener = server.signed_in("bench@example.com", "bench-password")

    def api(q):
        body = urllib.request.urlopen(urllib.request.Request(server.base + "/api/v1/who-could-teach?" + q,
                                                             headers={"authorization": f"Bearer {token}"})).read()
        return json.loads(body)

    t = time.perf_counter()
    first = api(question())
    print(f"first answer (compiles the directory of 20,000 profiles): {(time.perf_counter() - t) * 1000:.0f} ms")
    named, counted, times = [], [], []
    for _ in range(300):
        q = question()
        t = time.perf_counter()
        a = api(q)
        times.append(time.perf_counter() - t)
        named.append(a["open_count"])
        counted.append(a["not_open_count"])
    percentiles("API, one client, 300 questions", times)
    print(f"{'':52s} open people who fit: median {statistics.median(named):.0f}, not open: median {statistics.median(counted):.0f}")
    times, lock = [], threading.Lock()

    def client(n):
        local = random.Random(n)
        for _ in range(50):
            q = "topics=" + urllib.parse.quote(";".join(local.sample(topics, local.choice([1, 2])))) + "&for=" + local.choice(seniors)
            t = time.perf_counter()
            api(q)
            with lock:
                times.append(time.perf_counter() - t)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    [th.start() for th in threads]
    [th.join() for th in threads]
    percentiles("API, 8 clients at once, 400 questions", times)
    times = []
    for _ in range(100):
        q = question()
        t = time.perf_counter()
        opener.open(server.base + "/who-could-teach?" + q).read()
        times.append(time.perf_counter() - t)
    percentiles("page /who-could-teach, one client, 100 questions", times)
    gaps_path = f"/api/v1/programs/{program}/gaps"
    try:
        times = []
        for _ in range(7):
            t = time.perf_counter()
            gaps = json.loads(urllib.request.urlopen(urllib.request.Request(server.base + gaps_path, headers={"authorization": f"Bearer {token}"})).read())
            times.append(time.perf_counter() - t)
        percentiles(f"API gaps of a program with {gaps.get('mentees', '?')} mentees, 7 times", times)
    except urllib.error.HTTPError as e:
        print(f"gaps: {e.code} (not built yet)")
finally:
    server.stop()
