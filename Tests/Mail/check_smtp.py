"""Flipside's SMTP client against a real SMTP server (aiosmtpd, from PyPI), through `flipside mail test`.

Each case starts a server that behaves one way (plain, STARTTLS with AUTH, implicit TLS, a 4xx or 5xx
reply, a dropped connection, silence), runs the command with SMTP_URL pointing at it, and checks the
exit status, what arrived, and the message as Python's email package parses it.

Usage: check_smtp.py FLIPSIDE_BINARY WORK_DIR
"""
import email
import email.policy
import os
import socket
import ssl
import subprocess
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

BIN, WORK = sys.argv[1], sys.argv[2]
failures = 0
checks = 0


def expect(condition, what):
    global failures, checks
    checks += 1
    if condition:
        print(f"  ok   {what}")
    else:
        failures += 1
        print(f"  FAIL {what}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Recorder:
    """Keeps what arrives; `rcpt_reply` / `drop_after_data` make it refuse or hang up."""

    def __init__(self, rcpt_reply=None, drop_after_data=False):
        self.messages = []
        self.rcpt_reply = rcpt_reply
        self.drop_after_data = drop_after_data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after_data:
            server.transport.close()
            return "250 never seen"
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.original_content,
                              "tls": session.ssl is not None})
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == b"mentoring" and auth_data.password == b"p@ss word":
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


def run(smtp_url, to="jo.junior@example.com", timeout="5", ca=None):
    env = dict(os.environ, SMTP_URL=smtp_url, MAIL_FROM="Flipside Mentoring <mentoring@example.com>", SMTP_TIMEOUT_SECONDS=timeout,
               DATABASE_URL=f"sqlite://{WORK}/mail-{time.time_ns()}.sqlite", LOG_LEVEL="error")
    if ca:
        env["SMTP_CA_FILE"] = ca
    started = time.monotonic()
    done = subprocess.run([BIN, "mail", "test", "--to", to], env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


# A certificate for "localhost", made here.
cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], check=True, capture_output=True)
tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(cert, key)

print("== plain SMTP: the message as it arrives")
plain = Recorder()
port = free_port()
c = Controller(plain, hostname="127.0.0.1", port=port)
c.start()
code, out, _ = run(f"smtp://127.0.0.1:{port}")
expect(code == 0 and "Sent to jo.junior@example.com" in out, f"sent (exit {code}: {out.strip()[:200]})")
expect(len(plain.messages) == 1, "exactly one message arrived")
if plain.messages:
    m = plain.messages[0]
    raw = m["data"]
    expect(m["from"] == "mentoring@example.com" and m["to"] == ["jo.junior@example.com"], "the envelope: MAIL FROM and RCPT TO")
    lines = raw.split(b"\r\n")
    longest = max(lines, key=len)
    expect(len(longest) <= 78, f"no line longer than 78 characters (longest {len(longest)}: {longest[:90]!r})")
    expect(all(b < 128 for b in raw), "the message is 7-bit ASCII (base64 bodies, encoded-word headers)")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    expect(msg["Subject"] == "Flipside · test message – mail reaches you ✓", f"the non-ASCII subject decodes: {msg['Subject']!r}")
    expect(msg["From"].addresses[0].display_name == "Flipside Mentoring" and msg["From"].addresses[0].addr_spec == "mentoring@example.com", "From with its name")
    expect(msg["To"].addresses[0].addr_spec == "jo.junior@example.com", "To")
    expect(msg["Message-ID"] is not None and msg["Message-ID"].endswith("@localhost>"), "a Message-ID")
    expect(email.utils.parsedate_to_datetime(msg["Date"]) is not None, "a Date")
    expect(msg.get_content_type() == "multipart/alternative", "multipart/alternative")
    parts = {p.get_content_type(): p.get_content() for p in msg.iter_parts()}
    expect(set(parts) == {"text/plain", "text/html"}, f"a plain-text and an HTML part: {sorted(parts)}")
    expect("reaches jo.junior@example.com" in parts.get("text/plain", ""), "the plain text decodes")
    expect("<strong>Flipside</strong>" in parts.get("text/html", ""), "the HTML decodes")
    expect(m["tls"] is False, "no TLS was offered, so none was used")

print("== STARTTLS required, but the server does not offer it")
code, out, _ = run(f"smtp://127.0.0.1:{port}?starttls=required")
expect(code == 1 and "does not offer STARTTLS" in out, f"refused as a settings problem (exit {code}: {out.strip()[:200]})")
expect(len(plain.messages) == 1, "and nothing more arrived")
c.stop()

print("== STARTTLS and AUTH (the password only over TLS)")
secure = Recorder()
port = free_port()
c = Controller(secure, hostname="127.0.0.1", port=port,
               server_kwargs={"tls_context": tls, "require_starttls": True, "authenticator": authenticator, "auth_require_tls": True})
c.start()
code, out, _ = run(f"smtp://mentoring:p%40ss%20word@localhost:{port}?starttls=required", ca=cert)
expect(code == 0, f"sent over STARTTLS with AUTH (exit {code}: {out.strip()[:300]})")
expect(len(secure.messages) == 1 and secure.messages[0]["tls"], "arrived over TLS")
code, out, _ = run(f"smtp://mentoring:wrong@localhost:{port}", ca=cert)
expect(code == 1 and "refused the user and password" in out and "wrong" not in out, f"a wrong password is a settings problem, never echoed (exit {code})")
code, out, _ = run(f"smtp://mentoring:p%40ss%20word@localhost:{port}")
expect(code != 0 and len(secure.messages) == 1, f"a certificate nobody vouches for is not trusted (exit {code})")
c.stop()

print("== implicit TLS (smtps://)")
implicit = Recorder()
port = free_port()
c = Controller(implicit, hostname="127.0.0.1", port=port, ssl_context=tls, server_hostname="localhost")
c.start()
code, out, _ = run(f"smtps://localhost:{port}", ca=cert)
expect(code == 0 and len(implicit.messages) == 1, f"sent to a server that speaks only TLS (exit {code}: {out.strip()[:200]})")
c.stop()

print("== replies that decide what happens next")
for reply, status, what in [("451 4.3.0 Mailbox busy, try later", 75, "a 4xx reply: try again later (75)"),
                            ("550 5.1.1 No such user", 1, "a 5xx reply: refused for good (1)")]:
    refusing = Recorder(rcpt_reply=reply)
    port = free_port()
    c = Controller(refusing, hostname="127.0.0.1", port=port)
    c.start()
    code, out, _ = run(f"smtp://127.0.0.1:{port}")
    expect(code == status and reply.split()[0] in out, f"{what} (exit {code}: {out.strip()[:200]})")
    c.stop()

dropping = Recorder(drop_after_data=True)
port = free_port()
c = Controller(dropping, hostname="127.0.0.1", port=port)
c.start()
code, out, _ = run(f"smtp://127.0.0.1:{port}")
expect(code == 75, f"a connection dropped after DATA: try again later (exit {code}: {out.strip()[:200]})")
c.stop()

print("== a server that never answers")
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(5)
held = []
threading.Thread(target=lambda: [held.append(silent.accept()) for _ in range(3)], daemon=True).start()
code, out, took = run(f"smtp://127.0.0.1:{silent.getsockname()[1]}", timeout="2")
expect(code == 75 and "no answer within 2 s" in out and took < 20, f"given up after its timeout (exit {code}, {took:.1f} s: {out.strip()[:200]})")
code, out, _ = run(f"smtp://127.0.0.1:{free_port()}", timeout="2")
expect(code == 75 and "cannot reach" in out, f"nobody listening: try again later (exit {code})")

print("== a program's invitations, delivered by the worker, with links that work")
import re
import urllib.request
inbox = Recorder()
port = free_port()
c = Controller(inbox, hostname="127.0.0.1", port=port)
c.start()
web_port = free_port()
db = f"sqlite://{WORK}/invitations.sqlite"
env = dict(os.environ, SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_FROM="Flipside Mentoring <mentoring@example.com>", DATABASE_URL=db,
           BASE_URL=f"http://127.0.0.1:{web_port}", LOG_LEVEL="info", PORT=str(web_port))
subprocess.run([BIN, "demo"], env=env, check=True, capture_output=True, timeout=300)
import shutil
import sqlite3
pristine = f"{WORK}/pristine.sqlite"
shutil.copy(f"{WORK}/invitations.sqlite", pristine)
invited = subprocess.run([BIN, "user", "invite-program", "Digital Fluency 2027"], env=env, capture_output=True, text=True, timeout=120)
queued = int(re.match(r"(\d+) invitation", invited.stdout).group(1)) if invited.returncode == 0 and re.match(r"(\d+) invitation", invited.stdout) else 0
expect(queued > 5, f"invitations queued for the demo program ({invited.stdout.strip()})")
again = subprocess.run([BIN, "user", "invite-program", "Digital Fluency 2027"], env=env, capture_output=True, text=True, timeout=120)
expect(again.stdout.startswith("0 invitations queued") and f"{queued} already invited today" in again.stdout, f"the same day again queues nothing ({again.stdout.strip()})")
worker = subprocess.run([BIN, "worker", "--once"], env=env, capture_output=True, text=True, timeout=300)
expect(worker.returncode == 0, f"the worker ran ({worker.stdout.strip()} {worker.stderr.strip()[-300:]})")
def parsed(m):
    return email.message_from_bytes(m["data"], policy=email.policy.default)
invitations = [m for m in inbox.messages if parsed(m)["Subject"] == "You are invited to Digital Fluency 2027"]
others = [m for m in inbox.messages if m not in invitations]
expect(len(invitations) == queued, f"each invitation arrived once ({len(invitations)} of {queued})")
expect(len(others) > 10, f"the demo program's own messages went too ({len(others)}: proposals, calendar invitations, reminders, notes)")
expect("You are enrolled in" not in worker.stdout + worker.stderr and "Set your password" not in worker.stdout + worker.stderr,
       "the log names messages, never their words")
links = []
for m in invitations:
    msg = parsed(m)
    text = next(p.get_content() for p in msg.iter_parts() if p.get_content_type() == "text/plain")
    found = re.findall(rf"http://127\.0\.0\.1:{web_port}/invite/[A-Za-z0-9_-]+", text)
    links += found
    if len(found) != 1 or msg["Subject"] != "You are invited to Digital Fluency 2027" or msg["To"].addresses[0].addr_spec != m["to"][0]:
        expect(False, f"an invitation as expected: {msg['Subject']!r} {found} {m['to']}")
        break
else:
    expect(bool(invitations), "every invitation has its subject, its recipient and one sign-in link")
sent_before = len(inbox.messages)
again = subprocess.run([BIN, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120)
expect(len(inbox.messages) == sent_before, "a second worker run sends nothing again")

print("== every other message: both parts, its link, one-click unsubscribe, calendar parts, no one's words")
import icalendar
database = sqlite3.connect(f"{WORK}/invitations.sqlite")
words = [r[0] for r in database.execute("SELECT body FROM pair_texts UNION SELECT body FROM concerns UNION SELECT body FROM concern_messages UNION SELECT message FROM asks") if len(r[0]) >= 12]
expect(database.execute("SELECT COUNT(*) FROM asks WHERE kind = 'request' AND length(message) >= 12").fetchone()[0] >= 1, "the demo holds a request's words to look for")
goals = [g for (raw,) in database.execute("SELECT goals FROM agreements") for goal in __import__("json").loads(raw) for g in (goal.get("title", ""), goal.get("success", "")) if len(g) >= 12]
expect(len(words) >= 5 and len(goals) >= 10, f"the demo holds words to look for ({len(words)} texts, {len(goals)} goals)")
unsubscribe_links, calendars, problems = [], [], []
for m in others:
    msg = parsed(m)
    kinds = [p.get_content_type() for p in msg.walk() if not p.is_multipart()]
    text = next((p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain"), "")
    html = next((p.get_content() for p in msg.walk() if p.get_content_type() == "text/html"), "")
    if "text/plain" not in kinds or "text/html" not in kinds:
        problems.append(f"{msg['Subject']}: parts {kinds}")
    if not re.search(rf"http://127\.0\.0\.1:{web_port}/(pairs|programs|me|asks)/", text):
        problems.append(f"{msg['Subject']}: no link to a page")
    if "Digital Fluency 2027" not in text and "Flipside" not in text:
        problems.append(f"{msg['Subject']}: no program name")
    header = msg["List-Unsubscribe"]
    if not header or msg["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        problems.append(f"{msg['Subject']}: no one-click unsubscribe headers")
    else:
        unsubscribe_links.append(re.sub(r"\s+", "", str(header)).strip("<>"))
    for w in words + goals:
        if w in text or w in html or w in m["data"].decode("utf-8", "replace"):
            problems.append(f"{msg['Subject']}: holds someone's words ({w[:30]}…)")
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            events = [c for c in cal.walk("VEVENT")]
            calendars.append((str(cal.get("METHOD")), part.get_param("method"), events))
expect(not problems, f"{len(others)} messages as they should be" + ("" if not problems else f": {problems[:5]}"))
subjects = [str(parsed(m)["Subject"]) for m in others]
expect(any(x.endswith("would like to learn from you") for x in subjects) and any(x.endswith("thinks you would make a good reverse mentor") for x in subjects)
       and sum(x == "You are invited to enrol in Digital Fluency 2027" for x in subjects) >= 5,
       "a request, a nomination and invitations to enrol arrived, none with its sender's words")
expect(bool(calendars), f"calendar invitations arrived ({len(calendars)})")
expect(all(method in ("REQUEST", "CANCEL") and param == method for method, param, _ in calendars), "each calendar part says its METHOD, in the part and in its Content-Type")
expect(all(events and all(str(e.get("UID")).startswith("pair-") and str(e.get("UID")).endswith("@flipside") and int(e.get("SEQUENCE")) >= 1
                          and str(e.get("ORGANIZER")).lower() == "mailto:mentoring@example.com" for e in events) for _, _, events in calendars),
       "icalendar reads each: the pair's UID, a SEQUENCE, Flipside as organiser")
expect(any(e.get("RRULE") for _, method, events in calendars if method == "REQUEST" for e in events), "a REQUEST carries the series' RRULE")
database.close()
server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    page = urllib.request.urlopen(links[0], timeout=10).read().decode() if links else ""
    expect("Set your password" in page or "password" in page.lower(), "the link in the mail opens the set-your-password page")
    if unsubscribe_links:
        asked = urllib.request.urlopen(unsubscribe_links[0], timeout=10).read().decode()
        expect("Stop getting" in asked, "an unsubscribe link opened (GET) only asks")
        one_click = urllib.request.Request(unsubscribe_links[0], data=b"List-Unsubscribe=One-Click", method="POST",
                                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        done = urllib.request.urlopen(one_click, timeout=10)
        expect(done.status == 200 and "You will no longer get" in done.read().decode(), "a mail program's one-click POST unsubscribes, without signing in")
        forged = re.sub(r"/unsubscribe/[^/]+/", "/unsubscribe/" + "A" * 43 + "/", unsubscribe_links[0])
        try:
            urllib.request.urlopen(urllib.request.Request(forged, data=b"List-Unsubscribe=One-Click", method="POST"), timeout=10)
            expect(False, "a made-up token is refused")
        except urllib.error.HTTPError as refused:
            expect(refused.code == 404, f"a made-up token is refused ({refused.code})")
finally:
    server.terminate()
    server.wait(timeout=30)
c.stop()

print("== the worker against a relay that refuses: retried after 1 minute, or given up at once on a 5xx")
for reply, status, what in [("451 4.3.0 Mailbox busy, try later", "queued", "a 4xx: queued again, a minute on"),
                            ("550 5.1.1 No such user", "failed", "a 5xx: failed for good"),
                            (None, "queued", "a connection dropped after DATA: queued again")]:
    copy = f"{WORK}/refused.sqlite"
    shutil.copy(pristine, copy)
    refusing = Recorder(rcpt_reply=reply, drop_after_data=reply is None)
    port = free_port()
    c = Controller(refusing, hostname="127.0.0.1", port=port)
    c.start()
    renv = dict(env, DATABASE_URL=f"sqlite://{copy}", SMTP_URL=f"smtp://127.0.0.1:{port}")
    subprocess.run([BIN, "user", "invite-program", "Digital Fluency 2027"], env=renv, capture_output=True, text=True, timeout=120)
    started = time.time()
    subprocess.run([BIN, "worker", "--once"], env=renv, capture_output=True, text=True, timeout=300)
    rows = sqlite3.connect(copy).execute("SELECT status, attempts, next_at, last_error FROM messages WHERE kind = 'invitation'").fetchall()
    c.stop()
    ok = bool(rows) and all(r[0] == status and r[1] == 1 for r in rows)
    if status == "queued":
        ok = ok and all(50 <= r[2] - started <= 60 + (time.time() - started) + 5 for r in rows)
    expect(ok and all(r[3] for r in rows), f"{what} ({len(rows)} invitations: {rows[:1]})")

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
