#!/usr/bin/env python3
"""Reliability checks against the real server binary, as an attacker and a flaky environment would try
it (issue [3]); what held must keep holding, what broke must stay fixed.

    scripts/reliability.py POSTGRES_ADMIN_URL      # e.g. postgres://flipside:flipside@127.0.0.1:5432/postgres

- kill -9 during a 100,000-person import (command line and API, SQLite and PostgreSQL): 0 or all rows;
- two instances starting together on an empty PostgreSQL both come up; sessions and tokens made on one
  work on the other; the sign-in limit holds across both under 40 concurrent guesses;
- uploads: an anonymous upload is refused before its body is read, parallel anonymous uploads do not
  grow the server's memory, a half-sent upload is closed by the idle timeout, an aborted upload imports
  nothing and logs no error; a page number that would overflow is a 400 and the server lives on.

Uses the build already made (FLIPSIDE_BIN, default .build/debug/flipside). KILLS (default 3) kills per
storage and path; ONLY picks parts (uploads,instances,kill). Prints 'N passed, N failed' and exits non-zero on any failure."""
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from benchserver import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, os.environ.get("FLIPSIDE_BIN", ".build/debug/flipside"))
KILLS = int(os.environ.get("KILLS", "3"))
PEOPLE = int(os.environ.get("PEOPLE", "100000"))
EMAIL, PASSWORD = "reliability@example.com", "reliability-password"
TMP = tempfile.mkdtemp(prefix="flipside-reliability-")
passed = failed = 0
rng = random.Random(20261129)


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL {name} {detail}", flush=True)


def env_for(db_url, **extra):
    env = dict(os.environ, DATABASE_URL=db_url, BCRYPT_COST="4", LOGIN_ADDRESS_LIMIT="100000", LOG_LEVEL="info")
    env.update(extra)
    return env


def pg_fresh(admin_url, name):
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name


def count_people(db_url):
    if db_url.startswith("sqlite://"):
        path = db_url[len("sqlite://"):]
        con = sqlite3.connect(path)
        try:
            return con.execute("SELECT count(*) FROM people").fetchone()[0]
        finally:
            con.close()
    out = subprocess.run(["psql", db_url, "-tAc", "SELECT count(*) FROM people"], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def migrate(db_url):
    subprocess.run([BIN, "migrate"], env=env_for(db_url), check=True, capture_output=True)


def create_coordinator(db_url):
    subprocess.run([BIN, "user", "create", "--email", EMAIL, "--coordinator"], input=PASSWORD + "\n", text=True,
                   env=env_for(db_url), check=True, capture_output=True)


class Server:
    def __init__(self, db_url, name, **extra_env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(TMP, f"{name}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([BIN, "serve", "--port", str(self.port)], env=env_for(db_url, **extra_env),
                                        stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)

    def wait_ready(self, seconds=120):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return True
            except OSError:
                time.sleep(0.2)
        return False

    def rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return -1

    def log_text(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self, kill=False):
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def request(base, method, path, body=None, token=None, content_type="application/json", cookie=None, timeout=120):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, res.read().decode(), res.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


def token(base):
    status, body, _ = request(base, "POST", "/api/v1/auth/token", json.dumps({"email": EMAIL, "password": PASSWORD}))
    assert status == 201, (status, body)
    return json.loads(body)["token"]


# --- kill -9 during a large import -------------------------------------------------------------------

def kill_during_import(label, db_url_factory, csv_path):
    """Runs the import once to completion (the time it takes sets the kill window), then KILLS times
    kills the importing process with SIGKILL at a random moment: every time 0 or all rows are stored."""
    for path in ("command line", "API"):
        durations = []
        outcomes = []
        for attempt in range(KILLS + 1):
            db_url = db_url_factory(f"{label}_{path[:3].lower()}_{attempt}")
            migrate(db_url)
            kill_at = None if attempt == 0 else rng.uniform(0.05, 0.95) * durations[0]
            start = time.time()
            if path == "command line":
                process = subprocess.Popen([BIN, "import", "people", csv_path], env=env_for(db_url),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                victim = process
            else:
                create_coordinator(db_url)
                server = Server(db_url, f"kill-{label}-{attempt}")
                server.wait_ready()
                bearer = token(server.base)
                with open(csv_path, "rb") as f:
                    body = f.read()
                result = {}

                def upload():
                    try:
                        result["status"] = request(server.base, "POST", "/api/v1/people/import", body, bearer, "text/csv", timeout=600)[0]
                    except Exception as e:  # the server was killed under it
                        result["status"] = repr(e)

                uploader = threading.Thread(target=upload)
                start = time.time()
                uploader.start()
                victim = server.process
            if kill_at is None:
                if path == "command line":
                    victim.wait()
                else:
                    uploader.join()
                durations.append(time.time() - start)
            else:
                time.sleep(kill_at)
                victim.kill()
                victim.wait()
            if path == "API":
                uploader.join()
                server.stop(kill=True)
            rows = count_people(db_url)
            outcomes.append(rows)
            if attempt == 0:
                check(f"{label}, {path}: a full import stores all {PEOPLE} people ({durations[0]:.1f} s)", rows == PEOPLE, f"{rows}")
        killed = outcomes[1:]
        check(f"{label}, {path}: {KILLS} kills -9 mid-import left 0 or all rows every time {killed}",
              all(rows in (0, PEOPLE) for rows in killed), f"{killed}")


# --- two instances on one PostgreSQL ----------------------------------------------------------------

def two_instances(admin_url):
    db_url = pg_fresh(admin_url, "flipside_two_instances")
    # Both start on an empty database at the same moment: both must migrate or wait, and come up.
    a, b = Server(db_url, "instance-a"), Server(db_url, "instance-b")
    ready = [a.wait_ready(), b.wait_ready()]
    check("two instances started together on an empty PostgreSQL both come up", all(ready),
          f"{ready}: {a.log_text()[-800:]} {b.log_text()[-800:]}")
    if not all(ready):
        a.stop(); b.stop()
        return
    create_coordinator(db_url)
    # A token and a browser session made on one instance work on the other.
    bearer = token(a.base)
    check("a token issued by one instance works on the other", request(b.base, "GET", "/api/v1/people", token=bearer)[0] == 200)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), NoRedirect())
    page = opener.open(a.base + "/login").read().decode()
    csrf = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
    form = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "_csrf": csrf}).encode()
    try:
        opener.open(a.base + "/login", data=form)
    except urllib.error.HTTPError as e:
        check("web sign-in on instance A redirects", e.code == 303, f"{e.code}")
    cookie = next(c for c in opener.handlers if isinstance(c, urllib.request.HTTPCookieProcessor)).cookiejar
    session = "; ".join(f"{c.name}={c.value}" for c in cookie)
    status = request(b.base, "GET", "/programs", cookie=session)[0]
    check("a browser session started on one instance works on the other", status == 200, f"{status}")

    # 40 wrong guesses at once, half on each instance: exactly five passwords are checked.
    results = []
    lock = threading.Lock()

    def guess(i):
        server = a if i % 2 == 0 else b
        status = request(server.base, "POST", "/api/v1/auth/token", json.dumps({"email": EMAIL, "password": f"wrong {i}"}))[0]
        with lock:
            results.append(status)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("40 concurrent wrong guesses over two instances: 5 × 401, 35 × 429",
          results.count(401) == 5 and results.count(429) == 35, f"{sorted(results)}")
    status = request(b.base, "POST", "/api/v1/auth/token", json.dumps({"email": EMAIL, "password": PASSWORD}))[0]
    check("then even the right password waits out the window (429)", status == 429, f"{status}")
    a.stop(); b.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# --- uploads and request values on one server -------------------------------------------------------

def raw_request(port, head, body_part, read_seconds):
    """Sends the head and part of a body, then reads what comes back within `read_seconds`."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(read_seconds)
    s.sendall(head.encode() + body_part)
    try:
        data = s.recv(4096)
    except socket.timeout:
        data = None
    s.close()
    return data


def uploads(sqlite_url):
    migrate(sqlite_url)
    create_coordinator(sqlite_url)
    server = Server(sqlite_url, "uploads")
    server.wait_ready()
    bearer = token(server.base)
    port = server.port

    # An anonymous upload announcing 50 MB gets its 401 at once, before the body is sent.
    head = ("POST /api/v1/people/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n")
    start = time.time()
    answer = raw_request(port, head, b"employee_id,name\n", 5)
    check("an anonymous upload is refused before its body is read (401 at once)",
          answer is not None and answer.startswith(b"HTTP/1.1 401"), f"{answer!r} after {time.time() - start:.1f} s")

    # 16 parallel anonymous 60 MB uploads: all refused, the server's memory does not grow with them.
    before = server.rss_mb()
    chunk = b"x" * (1024 * 1024)
    statuses = []

    def flood():
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(10)
        try:
            s.sendall(("POST /api/v1/people/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
                       f"Content-Length: {60 * len(chunk)}\r\n\r\n").encode())
            for _ in range(60):
                s.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: the rest of the body is not wanted
        try:
            statuses.append(s.recv(64)[:12])
        except OSError as e:
            statuses.append(repr(e))
        s.close()

    threads = [threading.Thread(target=flood) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = server.rss_mb()
    check(f"16 parallel anonymous 60 MB uploads: the server grows {before:.0f} → {after:.0f} MB (< 150 MB more)",
          after - before < 150, f"{statuses}")
    check("the server still answers after the flood", request(server.base, "GET", "/healthz")[0] == 200)

    # A coordinator's upload that stops half-way imports nothing and logs no error.
    csv = ("employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id\n" +
           "\n".join(f"H{i},Half {i},half{i}@example.com,Analyst,2,2024-01-01,Ops,Rome,Europe/Rome," for i in range(2000))).encode()
    head = ("POST /api/v1/people/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
            f"Authorization: Bearer {bearer}\r\nContent-Length: {len(csv)}\r\n\r\n")
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head.encode() + csv[: len(csv) // 2])
    time.sleep(0.5)
    s.close()
    time.sleep(1.5)
    check("an upload aborted half-way imports nothing", count_people(sqlite_url) == 0, f"{count_people(sqlite_url)}")
    check("an aborted upload is no ERROR in the log", "Unhandled error" not in server.log_text() and "[ ERROR ]" not in server.log_text(),
          server.log_text()[-600:])

    # A half-sent upload that then stalls is closed by the server's idle timeout.
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head.encode() + csv[:100])
    s.settimeout(45)
    start = time.time()
    try:
        closed = s.recv(4096) == b""
    except socket.timeout:
        closed = False
    except OSError:
        closed = True
    s.close()
    check(f"a stalled half-sent upload is closed by the server ({time.time() - start:.0f} s)", closed and time.time() - start < 40)

    # Numbers from requests: a page that would overflow is a 400 and the server lives on.
    status = request(server.base, "GET", "/api/v1/people?page=9223372036854775807", token=bearer)[0]
    check("GET /api/v1/people?page=9223372036854775807 is a 400", status == 400, f"{status}")
    check("the server is still up", request(server.base, "GET", "/healthz")[0] == 200 and server.process.poll() is None)
    server.stop()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    admin_url = sys.argv[1]
    csv_path = os.path.join(TMP, "people.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make-people-csv.py"), str(PEOPLE), csv_path], check=True)
    only = os.environ.get("ONLY", "uploads,instances,kill")
    if "uploads" in only:
        uploads(f"sqlite://{TMP}/uploads.sqlite")
    if "instances" in only:
        two_instances(admin_url)
    if "kill" in only:
        kill_during_import("SQLite", lambda name: f"sqlite://{TMP}/{name}.sqlite", csv_path)
        kill_during_import("PostgreSQL", lambda name: pg_fresh(admin_url, f"flipside_kill_{name}".lower()), csv_path)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
