#!/usr/bin/env python3
"""10,000 due reminders rendered and handed to a local SMTP server by one worker, while pages are asked for.

    swift build -c release --product flipside --scratch-path .build-release
    FLIPSIDE_BIN=.build-release/release/flipside .venv-mail/bin/python scripts/bench-reminders.py [PAIRS]

`flipside synthesize` makes one active program of PAIRS pairs (default 5,000: 10,000 people to remind),
each with an agreement in force. The agreements are then set to meet weekly from tomorrow 15:00 in a
zone where it is 9:xx now, and everyone's HR zone to the same, so every "meeting tomorrow" reminder
(9:00 the day before, their time) is due in the current hour. One `flipside worker --once` plans
the hour (queues the reminders) and delivers them to aiosmtpd (a real SMTP server, in this process).
Meanwhile a coordinator's page and an API answer are fetched over and over from `flipside serve` on
the same database: their latencies are the p50/p99 printed. Prints the worker's wall time, messages
per second, and what arrived."""
import datetime
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from aiosmtpd.controller import Controller

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchserver import BenchServer, free_port

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("FLIPSIDE_BIN", os.path.join(root, ".build/release/flipside"))
pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
tmp = tempfile.mkdtemp()
db = f"{tmp}/reminders.sqlite"


class Inbox:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


inbox = Inbox()
smtp_port = free_port()
controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
controller.start()
env = dict(os.environ, DATABASE_URL=f"sqlite://{db}", BCRYPT_COST="4", LOG_LEVEL="warning", SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
           MAIL_FROM="Flipside <flipside@example.com>", BASE_URL="https://flipside.example.com")
run = lambda *args, **kw: subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True, **kw)
out = run("synthesize", "--people", str(max(4 * pairs + 1000, 5000)), "--programs", "1", "--pairs", str(pairs), "--check-ins", "0").stdout
print(out.strip().splitlines()[0])
# Everyone meets weekly from tomorrow 15:00 in a zone where it is 9:xx now.
now = datetime.datetime.now(datetime.timezone.utc)
offset = 9 - now.hour                      # local = UTC + offset
zone = "Etc/GMT" + ("+" if offset <= 0 else "-") + str(abs(offset)) if offset != 0 else "Etc/UTC"
tomorrow = (now + datetime.timedelta(hours=offset) + datetime.timedelta(days=1)).date().isoformat()
con = sqlite3.connect(db)
con.execute("UPDATE people SET time_zone = ?", (zone,))
con.execute("""UPDATE agreements SET rhythm = json_set(rhythm, '$.cadence', 'weekly', '$.first_meeting', ? || 'T15:00', '$.time_zone', ?, '$.end_date', NULL),
               end_date = NULL WHERE mentee_accepted_at IS NOT NULL AND mentor_accepted_at IS NOT NULL""", (tomorrow, zone))
con.execute("UPDATE pairs SET status = 'active' WHERE status IN ('accepted', 'active')")
con.execute("DELETE FROM messages")
con.commit()
active = con.execute("SELECT count(*) FROM pairs WHERE status = 'active'").fetchone()[0]
con.close()
run("user", "create", "--email", "bench@example.com", "--coordinator", input="bench-password\n")
server = BenchServer(binary, env, f"{tmp}/server.log", args=["--no-worker"])   # the one worker is the one timed
base = server.base
opener = server.signed_in("bench@example.com", "bench-password")
token = server.token("bench@example.com", "bench-password")
latencies = {"programs page": [], "API program list": []}
stop = threading.Event()


def ask():
    while not stop.is_set():
        t = time.perf_counter()
        opener.open(base + "/programs").read()
        latencies["programs page"].append(time.perf_counter() - t)
        t = time.perf_counter()
        urllib.request.urlopen(urllib.request.Request(base + "/api/v1/programs", headers={"authorization": f"Bearer {token}"})).read()
        latencies["API program list"].append(time.perf_counter() - t)
        time.sleep(0.05)


asker = threading.Thread(target=ask)
try:
    print(f"{active} active pairs, zone {zone}, first meetings {tomorrow} 15:00")
    asker.start()
    started = time.perf_counter()
    worker = subprocess.run([binary, "worker", "--once"], env=dict(env, LOG_LEVEL="notice"), capture_output=True, text=True, timeout=3600)
    took = time.perf_counter() - started
    open(f"{tmp}/worker.log", "w").write(worker.stdout + worker.stderr)
    if worker.returncode != 0:
        print(f"the worker failed ({worker.returncode}): {worker.stderr[-2000:]}")
    stop.set()
    asker.join()
    con = sqlite3.connect(db)
    by = dict(con.execute("SELECT kind || ' ' || status, count(*) FROM messages GROUP BY 1").fetchall())
    con.close()
    reminders = by.get("meeting_reminder sent", 0)
    print(f"worker --once: {took:.1f} s, {inbox.count} messages arrived ({inbox.count / took:.0f}/s); {reminders} meeting reminders sent; all: {by}")
    for name, times in latencies.items():
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{name:20s} while sending: {len(times)} requests, p50 {statistics.median(times) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms")
finally:
    stop.set()
    server.stop()
    controller.stop()
