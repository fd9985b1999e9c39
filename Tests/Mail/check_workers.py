"""Two `flipside worker` processes on one PostgreSQL, sending through a real SMTP server (aiosmtpd):
each of 1,000 due messages arrives exactly once; then a worker killed with SIGKILL mid-batch loses
nothing (what it held goes again once its sending window has passed; at most the one message it was
handing over at that instant can arrive twice — the at-least-once window the README describes).

Usage: check_workers.py FLIPSIDE_BINARY POSTGRES_ADMIN_URL
"""
import collections
import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
import time

from aiosmtpd.controller import Controller

BIN, ADMIN = sys.argv[1], sys.argv[2]
COUNT = int(os.environ.get("MESSAGES", "1000"))
failures = checks = 0


def expect(condition, what):
    global failures, checks
    checks += 1
    print(("  ok   " if condition else "  FAIL ") + what, flush=True)
    failures += 0 if condition else 1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Inbox:
    def __init__(self):
        self.ids = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.ids[msg["Message-ID"]] += 1
        return "250 OK"

    def count(self, prefix=""):
        with self.lock:
            return sum(1 for k in self.ids if k.startswith(prefix)), sum(self.ids.values())


def psql(url, sql):
    return subprocess.run(["psql", url, "-qtAc", sql], check=True, capture_output=True, text=True).stdout.strip()


name = "flipside_mail_workers"
subprocess.run(["psql", ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
subprocess.run(["psql", ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
url = ADMIN.rsplit("/", 1)[0] + "/" + name
inbox = Inbox()
smtp_port = free_port()
controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
controller.start()
env = dict(os.environ, DATABASE_URL=url, SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", MAIL_FROM="Flipside <flipside@example.com>",
           BASE_URL="https://flipside.example.com", MESSAGE_SENDING_WINDOW_SECONDS="5", OUTBOX_LEASE_SECONDS="5", LOG_LEVEL="warning")
subprocess.run([BIN, "demo"], env=env, check=True, capture_output=True, timeout=600)
# Whatever the demo queued goes first, so that only the messages below are counted.
subprocess.run([BIN, "worker", "--once"], env=env, check=True, capture_output=True, timeout=600)
program = psql(url, "SELECT id FROM programs ORDER BY name LIMIT 1")


def queue(tag):
    """COUNT invitations due now (the demo's people over and over, each message its own key) and two delivery jobs."""
    psql(url, f"""
        INSERT INTO messages (id, kind, dedupe_key, employee_id, recipient, email, program_id, status, attempts, next_at, created_at)
        SELECT gen_random_uuid(), 'invitation', '{tag}|' || n, p.employee_id, p.employee_id, p.email, '{program}', 'queued', 0,
               extract(epoch from now()), extract(epoch from now())
        FROM generate_series(1, {COUNT}) AS n
        JOIN (SELECT employee_id, email, row_number() OVER (ORDER BY employee_id) - 1 AS i FROM people WHERE status <> 'exited') p
          ON p.i = n % (SELECT count(*) FROM people WHERE status <> 'exited');
        INSERT INTO outbox_jobs (id, kind, payload, dedupe_key, run_at, attempts, created_at)
        SELECT gen_random_uuid(), 'deliver_messages', '{{}}', 'deliver_messages@{tag}' || k, extract(epoch from now()), 0, extract(epoch from now())
        FROM generate_series(1, 2) AS k;""")
    return {r for r in psql(url, f"SELECT id FROM messages WHERE dedupe_key LIKE '{tag}|%'").split("\n") if r}


def message_ids(ids):
    return {f"<{i.lower()}@flipside.example.com>" for i in ids}


def wait_sent(tag, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        left = int(psql(url, f"SELECT count(*) FROM messages WHERE dedupe_key LIKE '{tag}|%' AND status <> 'sent'"))
        if left == 0:
            return True
        time.sleep(0.5)
    return False


def worker():
    return subprocess.Popen([BIN, "worker", "--every", "1"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


print(f"== two workers, {COUNT} due messages")
ids = message_ids(queue("pair"))
expect(len(ids) == COUNT, f"{len(ids)} messages queued")
started = time.time()
workers = [worker(), worker()]
done = wait_sent("pair", 600)
took = time.time() - started
time.sleep(1)
for w in workers:
    w.terminate()
    w.wait(timeout=30)
got = {k: v for k, v in inbox.ids.items() if k in ids}
expect(done, f"all sent in {took:.1f} s")
expect(len(got) == COUNT and all(v == 1 for v in got.values()),
       f"each arrived exactly once ({len(got)} distinct, {sum(got.values())} in all)")
both = int(psql(url, "SELECT count(DISTINCT claim) FROM outbox_jobs WHERE dedupe_key LIKE 'deliver_messages@pair%'"))
expect(both == 2, f"both delivery jobs ran ({both})")

print(f"== a worker killed with SIGKILL mid-batch")
ids = message_ids(queue("kill"))
first = worker()
deadline = time.time() + 300
while time.time() < deadline and sum(1 for k in list(inbox.ids) if k in ids) < COUNT // 5:
    time.sleep(0.05)
first.kill()
first.wait()
before = sum(1 for k in list(inbox.ids) if k in ids)
expect(0 < before < COUNT, f"killed after {before} of {COUNT}")
held = int(psql(url, "SELECT count(*) FROM messages WHERE dedupe_key LIKE 'kill|%' AND status = 'sending'"))
second = worker()
done = wait_sent("kill", 600)
second.terminate()
second.wait(timeout=30)
got = {k: v for k, v in inbox.ids.items() if k in ids}
twice = sum(1 for v in got.values() if v > 1)
expect(done and len(got) == COUNT, f"nothing lost: {len(got)} of {COUNT} arrived ({held} were held by the killed worker)")
expect(twice <= 1, f"at most the one in hand at the kill arrived twice ({twice})")
controller.stop()
print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
