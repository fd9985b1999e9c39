#!/usr/bin/env python3
"""Reliability checks against the real server binary, as an attacker and a flaky environment would try
it (issue [3]); what held must keep holding, what broke must stay fixed.

    scripts/reliability.py POSTGRES_ADMIN_URL      # e.g. postgres://flipside:flipside@127.0.0.1:5432/postgres

- kill -9 during a 100,000-person import (command line and API, SQLite and PostgreSQL): 0 or all rows;
- two instances starting together on an empty PostgreSQL both come up; sessions and tokens made on one
  work on the other; the sign-in limit holds across both under 40 concurrent guesses;
- hostile uploads (SQLite and PostgreSQL): .xlsx rows and columns beyond Excel's limits, a stray XFD1 cell
  with 20,000 rows, an entity bomb (three at once while /healthz must answer), damaged sheets, a mapping of
  20,000 grades: each a 422 at once, memory flat, nothing imported;
- backups (SQLite and PostgreSQL): a backup killed -9 part-way leaves no backup file; one cut at 60 %,
  without its footer or with a row altered is refused and restores nothing; a whole one restores;
- leases (SQLite and PostgreSQL): a worker stopped (SIGSTOP) mid-run past its lease loses the job and stores
  nothing when it wakes; a live worker renews its lease for the whole run;
- uploads: an anonymous upload is refused before its body is read, parallel anonymous uploads do not
  grow the server's memory, a half-sent upload is closed by the idle timeout, an aborted upload imports
  nothing and logs no error; a page number that would overflow is a 400 and the server lives on.

Uses the build already made (FLIPSIDE_BIN, default .build/debug/flipside). KILLS (default 3) kills per
storage and path; ONLY picks parts (uploads,hostile,backups,leases,instances,kill). Prints 'N passed, N failed' and exits non-zero on any failure."""
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
    return condition


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
    def __init__(self, db_url, name, args=(), **extra_env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(TMP, f"{name}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([BIN, "serve", *args, "--port", str(self.port)], env=env_for(db_url, **extra_env),
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

    # A half-sent upload that then stalls is ended by the server: answered 503 at the request's deadline
    # (55 s), or closed by the idle timeout (60 s).
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head.encode() + csv[:100])
    s.settimeout(75)
    start = time.time()
    try:
        first = s.recv(4096)
        closed = first == b"" or first.startswith(b"HTTP/1.1 503")
    except socket.timeout:
        closed = False
    except OSError:
        closed = True
    s.close()
    check(f"a stalled half-sent upload is ended by the server ({time.time() - start:.0f} s)", closed and time.time() - start < 70)

    # Numbers from requests: a page that would overflow is a 400 and the server lives on.
    status = request(server.base, "GET", "/api/v1/people?page=9223372036854775807", token=bearer)[0]
    check("GET /api/v1/people?page=9223372036854775807 is a 400", status == 400, f"{status}")
    check("the server is still up", request(server.base, "GET", "/healthz")[0] == 200 and server.process.poll() is None)
    server.stop()


# --- hostile uploads: .xlsx limits, entity expansion, damaged sheets, huge mappings -------------------

def xlsx(sheet_rows, sheet_prefix=""):
    """A workbook whose first sheet holds the given <row> XML (and an optional prologue, e.g. a DTD)."""
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", f"{sheet_prefix}<worksheet><sheetData>{sheet_rows}</sheetData></worksheet>")
    return out.getvalue()


def xlsx_row(r, values):
    cells = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["employee_id", "name", "email", "title", "level", "hire_date", "department", "location", "time_zone", "manager_id"]


def person_row(r, i):
    return xlsx_row(r, [f"U{i}", f"Person {i}", f"u{i}@example.com", "T", "3", "2020-01-01", "D", "L", "Europe/London", ""])


def hostile_uploads(label, db_url):
    """Small uploads that crashed, froze or half-imported the server before: each is a 422 at once,
    the server's memory stays flat and it keeps answering; nothing is imported."""
    migrate(db_url)
    create_coordinator(db_url)
    server = Server(db_url, f"hostile-{label}")
    if not check(f"{label}: the server starts", server.wait_ready()):
        server.stop()
        return
    bearer = token(server.base)
    header = xlsx_row(1, HEADER)
    before = server.rss_mb()

    def upload(body, content_type=XLSX):
        started = time.time()
        status, text, _ = request(server.base, "POST", "/api/v1/people/import", body, token=bearer, content_type=content_type, timeout=120)
        return status, text, time.time() - started

    cases = [
        ("a row numbered 9223372036854775807", xlsx(header + '<row r="9223372036854775807"><c r="A9223372036854775807"><v>1</v></c></row>'), "beyond a spreadsheet"),
        ("a cell in column ZZZ", xlsx(header + '<row r="2"><c r="ZZZ2"><v>1</v></c></row>'), "last column XFD"),
        ("a stray cell in XFD1 and 20,000 rows", xlsx('<row r="1">' + xlsx_row(1, HEADER)[9:-6] + '<c r="XFD1"><v>1</v></c></row>'
                                                     + "".join(person_row(r, r) for r in range(2, 20002))), "columns"),
        ("an entity declared and referenced 400,000 times", xlsx(header + '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "&a;" * 400_000 + "</t></is></c></row>",
                                                                '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "' + "x" * 200_000 + '">]>'), "DTD"),
    ]
    whole = header + "".join(person_row(r, r) for r in range(2, 51))
    cut = whole[: whole.index("Person 40") + 9]
    cases.append(("a sheet cut inside row 40 of 50", xlsx(cut), "damaged"))
    cases.append(("a sheet broken after row 11", xlsx(whole.replace('<row r="12">', '<row r="12"><oops>')), "damaged"))
    for name, body, reason in cases:
        status, text, took = upload(body)
        check(f"{label}: {name} is a 422 naming the limit in {took:.1f} s", status == 422 and reason in text and took < 10, f"{status} {text[:200]}")
    # Three entity bombs at once do not freeze the server: /healthz answers meanwhile.
    bomb = cases[3][1]
    threads = [threading.Thread(target=upload, args=(bomb,)) for _ in range(3)]
    for t in threads:
        t.start()
    started = time.time()
    alive = request(server.base, "GET", "/healthz", timeout=10)[0] == 200
    check(f"{label}: /healthz answers while three entity bombs are uploaded ({time.time() - started:.2f} s)", alive and time.time() - started < 2)
    for t in threads:
        t.join()
    # A mapping of 20,000 grades is refused before any row is read.
    mapping = json.dumps({"levels": {f"Grade {i}": i % 100 for i in range(20_000)}})
    boundary = "relboundary"
    csv = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id\n" + \
          "".join(f"M{i},P {i},m{i}@example.com,T,Unknown {i},2020-01-01,D,L,Europe/London,\n" for i in range(2000))
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n{mapping}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n")
    status, text, took = upload(body.encode(), content_type=f"multipart/form-data; boundary={boundary}")
    check(f"{label}: a mapping of 20,000 grades is a 422 in {took:.1f} s", status == 422 and "at most 10000" in text and took < 10, f"{status} {text[:200]}")
    after = server.rss_mb()
    check(f"{label}: the server's memory stays flat ({before:.0f} → {after:.0f} MB) and it is still up",
          after - before < 300 and request(server.base, "GET", "/healthz")[0] == 200 and server.process.poll() is None)
    check(f"{label}: nothing was imported", count_people(db_url) == 0, f"{count_people(db_url)}")
    server.stop()


# --- backups that cannot restore half ----------------------------------------------------------------

def run_cli(db_url, *args, timeout=600):
    return subprocess.run([BIN, *args], env=env_for(db_url), capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def backups(label, db_url, fresh_target):
    """A backup killed part-way leaves no backup file; a backup cut short or altered is refused before
    anything is restored; a whole one restores every row."""
    migrate(db_url)
    made = run_cli(db_url, "synthesize", "--people", "20000", "--programs", "3", "--pairs", "600", "--check-ins", "6000")
    if not check(f"{label}: a synthesized organisation to back up", made.returncode == 0, made.stderr[-300:]):
        return
    server = Server(db_url, f"backup-{label}")
    server.wait_ready()
    suffix = ".sqlite" if db_url.startswith("sqlite") else ".jsonl"
    whole = os.path.join(TMP, f"whole-{label}{suffix}")
    started = time.time()
    done = run_cli(db_url, "backup", "--out", whole)
    took = time.time() - started
    check(f"{label}: a backup while the server runs ({took:.1f} s)", done.returncode == 0 and os.path.exists(whole), done.stderr[-300:])
    killed = []
    for k in range(KILLS):
        target = os.path.join(TMP, f"killed-{label}-{k}{suffix}")
        process = subprocess.Popen([BIN, "backup", "--out", target], env=env_for(db_url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(rng.uniform(0.05, max(0.1, took * 0.9)))
        process.kill()
        process.wait()
        if not os.path.exists(target):
            killed.append("none")
        else:
            # Finished before the kill: then it must be whole.
            db = fresh_target(f"restore_killed_{k}")
            migrate(db)
            killed.append("whole" if run_cli(db, "restore", target).returncode == 0 else "partial")
    check(f"{label}: {KILLS} backups killed -9 part-way left no backup file (or a whole one) {killed}", "partial" not in killed)
    server.stop()
    data = open(whole, "rb").read()
    damaged = {"cut at 60 %": data[: len(data) * 6 // 10]}
    if suffix == ".jsonl":
        lines = data.split(b"\n")
        damaged["without its footer"] = b"\n".join(lines[:-2]) + b"\n"
        damaged["one row altered"] = data.replace(b'"level":3', b'"level":4', 1)
    for name, bytes_ in damaged.items():
        path = os.path.join(TMP, f"damaged-{label}-{name.replace(' ', '-')}{suffix}")
        open(path, "wb").write(bytes_)
        db = fresh_target("restore_" + name.replace(" ", "_").replace("%", "pc"))
        migrate(db)
        result = run_cli(db, "restore", path)
        check(f"{label}: a backup {name} is refused and nothing is restored", result.returncode != 0 and count_people(db) == 0,
              f"rc {result.returncode}, {count_people(db)} people: {result.stdout[-200:]} {result.stderr[-200:]}")
    db = fresh_target("restore_whole")
    migrate(db)
    started = time.time()
    result = run_cli(db, "restore", whole)
    check(f"{label}: the whole backup restores ({time.time() - started:.1f} s): {result.stdout.strip()[-120:]}",
          result.returncode == 0 and count_people(db) == 20000, f"{result.stderr[-300:]}")


# --- background jobs run once --------------------------------------------------------------------------

def leases(label, db_url):
    """A worker stopped (SIGSTOP) while it computes a background match run loses the job when its lease
    runs out; the next worker takes the job over; when the first wakes up it stores nothing: the run
    does not flip from failed to done and the job is finished once. A worker that is alive renews its
    lease for as long as the run takes."""
    people, enrolments = os.path.join(TMP, "lease-people.csv"), os.path.join(TMP, "lease-enrolments.csv")
    if not os.path.exists(enrolments):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make-match-csv.py"), "1500", people, enrolments], check=True)
    migrate(db_url)
    create_coordinator(db_url)
    lease = "6"
    assert run_cli(db_url, "import", "people", people).returncode == 0
    # The server runs no background work itself (--no-worker): the workers below do.
    server = Server(db_url, f"lease-{label}", args=("--no-worker",), OUTBOX_LEASE_SECONDS=lease)
    server.wait_ready()
    bearer = token(server.base)

    def call(method, path, body=None):
        status, text, _ = request(server.base, method, path, None if body is None else json.dumps(body), token=bearer)
        return status, (json.loads(text) if text[:1] in "[{" else text)

    def queued_run(name):
        _, program = call("POST", "/api/v1/programs", {"name": name, "settings": {"min_level_gap": 1}})
        pid = program["id"]
        call("POST", f"/api/v1/programs/{pid}/status", {"status": "enrolling"})
        assert run_cli(db_url, "import", "enrolments", pid, enrolments).returncode == 0
        call("POST", f"/api/v1/programs/{pid}/status", {"status": "matching"})
        status, run = call("POST", f"/api/v1/programs/{pid}/runs", {"background": True})
        assert status == 201, (status, run)
        return pid, run["id"]

    def run_status(pid, rid):
        return call("GET", f"/api/v1/programs/{pid}/runs/{rid}")[1]["status"]

    def worker(name, *args):
        log = open(os.path.join(TMP, f"lease-{label}-{name}.log"), "w")
        return subprocess.Popen([BIN, "worker", *args], env=env_for(db_url, OUTBOX_LEASE_SECONDS=lease), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT), log.name

    def wait_for(condition, seconds):
        end = time.time() + seconds
        while time.time() < end:
            if condition():
                return True
            time.sleep(0.2)
        return False

    # A worker paused past its lease.
    pid, rid = queued_run("Paused worker")
    first, first_log = worker("paused", "--every", "1")
    running = wait_for(lambda: run_status(pid, rid) == "running", 60)
    os.kill(first.pid, 19)   # SIGSTOP, in the middle of the run
    time.sleep(float(lease) + 3)
    second = subprocess.run([BIN, "worker", "--once"], env=env_for(db_url, OUTBOX_LEASE_SECONDS=lease), capture_output=True, text=True, cwd=ROOT)
    taken = run_status(pid, rid)
    os.kill(first.pid, 18)   # SIGCONT
    woke = wait_for(lambda: "was lost to another worker" in open(first_log).read(), 180)
    after = run_status(pid, rid)
    first.kill()
    first.wait()
    check(f"{label}: a worker stopped mid-run past its {lease} s lease loses the job; the next takes it over; on waking it stores nothing "
          f"(run {taken} → {after})", running and second.returncode == 0 and taken == "failed" and woke and after == "failed",
          f"running={running} second={second.returncode} {second.stdout[-200:]} woke={woke}")

    # A live worker renews its lease for as long as the run takes; another worker polling meanwhile never takes it.
    pid, rid = queued_run("Live worker")
    started = time.time()
    live, live_log = worker("live", "--every", "1")
    other, other_log = worker("other", "--every", "1")
    finished = wait_for(lambda: run_status(pid, rid) in ("done", "failed"), 600)
    took = time.time() - started
    status = run_status(pid, rid)
    for p in (live, other):
        p.kill()
        p.wait()
    lost = "was lost to another worker" in open(live_log).read() + open(other_log).read()
    check(f"{label}: a live worker keeps its job for the whole run ({took:.0f} s, lease {lease} s): done once, never taken over",
          finished and status == "done" and not lost, f"{status} lost={lost}")
    server.stop()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    admin_url = sys.argv[1]
    csv_path = os.path.join(TMP, "people.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make-people-csv.py"), str(PEOPLE), csv_path], check=True)
    only = os.environ.get("ONLY", "uploads,hostile,backups,leases,instances,kill")
    if "uploads" in only:
        uploads(f"sqlite://{TMP}/uploads.sqlite")
    if "hostile" in only:
        hostile_uploads("SQLite", f"sqlite://{TMP}/hostile.sqlite")
        hostile_uploads("PostgreSQL", pg_fresh(admin_url, "flipside_hostile"))
    if "backups" in only:
        backups("SQLite", f"sqlite://{TMP}/backup-source.sqlite", lambda name: f"sqlite://{TMP}/{name}.sqlite")
        backups("PostgreSQL", pg_fresh(admin_url, "flipside_backup_source"), lambda name: pg_fresh(admin_url, f"flipside_{name}".lower()))
    if "leases" in only:
        leases("SQLite", f"sqlite://{TMP}/leases.sqlite")
        leases("PostgreSQL", pg_fresh(admin_url, "flipside_leases"))
    if "instances" in only:
        two_instances(admin_url)
    if "kill" in only:
        kill_during_import("SQLite", lambda name: f"sqlite://{TMP}/{name}.sqlite", csv_path)
        kill_during_import("PostgreSQL", lambda name: pg_fresh(admin_url, f"flipside_kill_{name}".lower()), csv_path)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
