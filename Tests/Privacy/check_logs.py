"""Logs that hold no one's words: `flipside serve --demo` at LOG_LEVEL=debug and then trace; a
participant writes a private note and a piece of feedback in their partnership, raises an anonymous
concern, the coordinator reads the concerns; then the whole log is searched for the words, for the
concern author's employee id and email, and for any bound value at all. Usage: check_logs.py
FLIPSIDE_BINARY WORKDIR. DATABASE_URL, when set (PostgreSQL), is used instead of a SQLite file;
each level gets its own database (PostgreSQL: WORKDIR names a database per level)."""
import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from peer_checks import expect, free_port, wait  # noqa: E402
import peer_checks  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
PASSWORD = "flipside-demo"


def call(base, method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def participant_logins(database_url):
    """The demo's participant logins, read from the database itself."""
    query = "SELECT email, employee_id FROM users WHERE role = 'participant' ORDER BY email"
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url[len("sqlite://"):]) as db:
            return db.execute(query).fetchall()
    out = subprocess.run(["psql", database_url, "-At", "-F", "\t", "-c", query], check=True, capture_output=True, text=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def run(level, database_url):
    print(f"== LOG_LEVEL={level}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = f"{WORK}/server-{level}.log"
    env = dict(os.environ, DATABASE_URL=database_url, BCRYPT_COST="4", LOG_LEVEL=level, BASE_URL=base)
    server = subprocess.Popen([BIN, "serve", "--demo", "--port", str(port), "--no-worker"], env=env,
                              stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    secrets = [f"Marigold-{level}-my manager shouts in reviews", f"Quokka-{level}-I felt unheard", f"Zeppelin-{level}-someone makes jokes about my age"]
    try:
        # Seeding the demo into an empty PostgreSQL while logging every protocol message at trace takes
        # about 33 s here (14 s at debug): wait up to ten times the usual.
        wait(base + "/healthz", tries=3000)
        _, coordinator = call(base, "POST", "/api/v1/auth/token", body={"email": "coordinator@demo.flipside.test", "password": PASSWORD})
        coordinator = coordinator["token"]
        people = participant_logins(database_url)
        _, programs = call(base, "GET", "/api/v1/programs", coordinator)
        written = raised = False
        author = None
        for email, employee_id in people:
            _, answer = call(base, "POST", "/api/v1/auth/token", body={"email": email, "password": PASSWORD})
            token = answer["token"]
            for program in programs["items"] if isinstance(programs, dict) else programs:
                _, pairs = call(base, "GET", f"/api/v1/programs/{program['id']}/pairs", token)
                for pair in pairs if isinstance(pairs, list) else []:
                    if written:
                        break
                    if pair["status"] == "proposed":
                        # Both say yes (the other side gets a login from the command line first).
                        other = pair["mentee"]["employee_id"] if pair["mentor"]["employee_id"] == employee_id else pair["mentor"]["employee_id"]
                        _, person = call(base, "GET", f"/api/v1/people/{other}", coordinator)
                        subprocess.run([BIN, "user", "create", "--email", person["email"]], env=env, input=PASSWORD + "\n", text=True,
                                       check=True, capture_output=True)
                        _, answer = call(base, "POST", "/api/v1/auth/token", body={"email": person["email"], "password": PASSWORD})
                        call(base, "POST", f"/api/v1/pairs/{pair['id']}/response", token, {"accept": True})
                        call(base, "POST", f"/api/v1/pairs/{pair['id']}/response", answer["token"], {"accept": True})
                    first, _ = call(base, "POST", f"/api/v1/pairs/{pair['id']}/texts", token, {"kind": "note", "body": secrets[0], "visibility": "only_me"})
                    second, _ = call(base, "POST", f"/api/v1/pairs/{pair['id']}/texts", token, {"kind": "feedback", "body": secrets[1], "visibility": "our_pair"})
                    written = first == 201 and second == 201
                    if os.environ.get("CHECK_LOGS_VERBOSE"):
                        print("   ", email, pair["status"], first, second)
                if not raised:
                    status, _ = call(base, "POST", f"/api/v1/programs/{program['id']}/concerns", token, {"body": secrets[2]})
                    if status == 201:
                        raised, author = True, (email, employee_id)
                        # The coordinator reads the concerns (the read that, with bound values logged, sat under
                        # the same request id as the author's enrolment lookup).
                        call(base, "GET", f"/api/v1/programs/{program['id']}/concerns", coordinator)
        expect(written, f"{level}: a participant wrote a private note and feedback in their partnership")
        expect(raised, f"{level}: a participant raised an anonymous concern")
    finally:
        server.terminate()
        server.wait(timeout=20)
    # The demo's own banner (its sign-in addresses, printed once at start) is not a log line about anyone's doing.
    log = "".join(line for line in open(log_path, encoding="utf-8", errors="replace") if "/ flipside-demo" not in line)
    expect(len(log.splitlines()) > 50 and ("Executing query" in log or "Running query" in log) if level in ("debug", "trace") else True,
           f"{level}: the log is at {level} (its SQL statements are there)")
    for secret in secrets:
        expect(secret.split("-", 2)[0] not in log and secret not in log, f"{level}: “{secret[:30]}…” is nowhere in the log")
    if author:
        expect(author[1] not in log and author[0].lower() not in log.lower(),
               f"{level}: the concern's author ({author[1]}) appears in no log line")
    expect("binds" not in log and "psql_binds" not in log and "input:" not in log, f"{level}: no bound values are logged")


levels = ["debug", "trace"]
base_url = os.environ.get("DATABASE_URL", "")
for level in levels:
    if base_url.startswith("postgres"):
        name = f"flipside_logs_{level}"
        admin = base_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        url = base_url.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite://{WORK}/logs-{level}.sqlite"
    run(level, url)
print(f"{peer_checks.passed} passed, {peer_checks.failed} failed")
sys.exit(1 if peer_checks.failed else 0)
