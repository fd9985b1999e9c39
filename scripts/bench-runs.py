#!/usr/bin/env python3
"""A coordinator's stored match run and its publishing, end to end in the release server (SQLite, or PostgreSQL).

    swift build -c release --product flipside
    python3 scripts/bench-runs.py 2000          # N mentees x N mentors; runs in the request (N <= 2000)
    python3 scripts/bench-runs.py 10000         # in the background: polls until done while timing
                                                # GET /healthz and a page every 100 ms
    python3 scripts/bench-runs.py 10000 140000  # the same in an organisation of 140,000 people
    BENCH_POSTGRES=1 python3 scripts/bench-runs.py 10000   # on a new PostgreSQL database instead of SQLite

Prints the run's time (request to stored result: loading enrolments and people, scoring, solving,
explaining, storing), the server's peak resident memory, the latency of /healthz and /programs
during the run, and the time to publish the run's pairs. Data from scripts/make-match-csv.py (2.2 N
people, or as many as the second argument says), made once under bench-data/."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from benchserver import BenchServer

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
organisation = int(sys.argv[2]) if len(sys.argv) > 2 else None
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("FLIPSIDE_BIN", os.path.join(root, ".build/release/flipside"))
data = os.path.join(root, "bench-data")
suffix = f"{n}" if organisation is None else f"{n}-in-{organisation}"
people, enrolments = os.path.join(data, f"run-people-{suffix}.csv"), os.path.join(data, f"run-enrolments-{suffix}.csv")
os.makedirs(data, exist_ok=True)
if not os.path.exists(enrolments):
    subprocess.run([sys.executable, os.path.join(root, "scripts/make-match-csv.py"), str(n), people, enrolments]
                   + ([] if organisation is None else [str(organisation)]), check=True)

tmp = tempfile.mkdtemp()
database = f"sqlite://{tmp}/bench.sqlite"
fresh_postgres = None
if os.environ.get("BENCH_POSTGRES"):
    # A new PostgreSQL database for this run (scripts/postgres-up.sh installs and starts the server).
    fresh_postgres = f"flipside_bench_{os.getpid()}"
    database = subprocess.run([os.path.join(root, "scripts/postgres-up.sh"), fresh_postgres], check=True,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
env = dict(os.environ, DATABASE_URL=database, BCRYPT_COST="4")
run = lambda *args, **kw: subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True, **kw)
run("import", "people", people)
run("user", "create", "--email", "bench@example.com", "--coordinator", input="bench-password\n")
server = BenchServer(binary, env, f"{tmp}/server.log")
base = server.base


def call(method, path, body=None, token=None, timeout=600):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(), headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as res:
        text = res.read().decode()
        return json.loads(text) if text and text[0] in "[{" else text


def peak_rss_mb():
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


try:
    token = server.token("bench@example.com", "bench-password")
    program = call("POST", "/api/v1/programs", {"name": f"Bench {n}", "settings": {"min_level_gap": 1}}, token)["id"]
    call("POST", f"/api/v1/programs/{program}/status", {"status": "enrolling"}, token)
    run("import", "enrolments", program, enrolments)
    call("POST", f"/api/v1/programs/{program}/status", {"status": "matching"}, token)
    print(f"{n} mentees x {n} mentors, {sum(1 for _ in open(people)) - 1} people; server RSS before the run {peak_rss_mb():.0f} MB")

    latencies = {"/healthz": [], "/api/v1/programs": []}
    stop = threading.Event()

    def probe():
        while not stop.is_set():
            for path in latencies:
                started = time.perf_counter()
                req = urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"})
                urllib.request.urlopen(req, timeout=30).read()
                took_ms = (time.perf_counter() - started) * 1000
                latencies[path].append(took_ms)
                if took_ms > 100 and os.environ.get("FLIPSIDE_TRACE"):
                    print(f"  slow {path}: {took_ms:.0f} ms at {time.perf_counter() - run_started[0]:.2f} s into the run")
            time.sleep(0.1)

    run_started = [time.perf_counter()]
    prober = threading.Thread(target=probe)
    prober.start()
    started = time.perf_counter()
    run_started[0] = started
    result = call("POST", f"/api/v1/programs/{program}/runs", {"algorithm": "optimal"}, token)
    answered = time.perf_counter() - started
    while result["status"] in ("queued", "running"):
        time.sleep(0.1)
        result = call("GET", f"/api/v1/programs/{program}/runs/{result['id']}", token=token)
    took = time.perf_counter() - started
    stop.set()
    prober.join()
    summary = result.get("summary") or {}
    print(f"run: {result['status']} in {took:.2f} s (the request answered after {answered:.2f} s); "
          f"{summary.get('pairs')} pairs, total {summary.get('total', 0):.1f}; peak RSS {peak_rss_mb():.0f} MB")
    for path, values in latencies.items():
        values.sort()
        if values:
            print(f"  during the run {path}: {len(values)} requests, median {values[len(values) // 2]:.1f} ms, "
                  f"p99 {values[min(len(values) - 1, int(len(values) * 0.99))]:.1f} ms, max {values[-1]:.1f} ms")
    started = time.perf_counter()
    published = call("POST", f"/api/v1/programs/{program}/runs/{result['id']}/publish", token=token)
    print(f"publish: {published['published']} pairs in {time.perf_counter() - started:.2f} s")
finally:
    server.stop()
    if fresh_postgres:
        subprocess.run(["su", "postgres", "-c", f"dropdb {fresh_postgres}"], check=False)
    if os.environ.get("FLIPSIDE_TRACE"):
        print("".join(line for line in open(f"{tmp}/server.log") if "[engine]" in line))
