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
invited = subprocess.run([BIN, "user", "invite-program", "Digital Fluency 2027"], env=env, capture_output=True, text=True, timeout=120)
queued = int(re.match(r"(\d+) invitation", invited.stdout).group(1)) if invited.returncode == 0 and re.match(r"(\d+) invitation", invited.stdout) else 0
expect(queued > 5, f"invitations queued for the demo program ({invited.stdout.strip()})")
again = subprocess.run([BIN, "user", "invite-program", "Digital Fluency 2027"], env=env, capture_output=True, text=True, timeout=120)
expect(again.stdout.startswith("0 invitations queued") and f"{queued} already invited today" in again.stdout, f"the same day again queues nothing ({again.stdout.strip()})")
worker = subprocess.run([BIN, "worker", "--once"], env=env, capture_output=True, text=True, timeout=300)
expect(worker.returncode == 0, f"the worker ran ({worker.stdout.strip()} {worker.stderr.strip()[-300:]})")
expect(len(inbox.messages) == queued, f"each invitation arrived once ({len(inbox.messages)} of {queued})")
expect("You are enrolled in" not in worker.stdout + worker.stderr and "Set your password" not in worker.stdout + worker.stderr,
       "the log names messages, never their words")
links = []
for m in inbox.messages:
    msg = email.message_from_bytes(m["data"], policy=email.policy.default)
    text = next(p.get_content() for p in msg.iter_parts() if p.get_content_type() == "text/plain")
    found = re.findall(rf"http://127\.0\.0\.1:{web_port}/invite/[A-Za-z0-9_-]+", text)
    links += found
    if len(found) != 1 or msg["Subject"] != "You are invited to Digital Fluency 2027" or msg["To"].addresses[0].addr_spec != m["to"][0]:
        expect(False, f"an invitation as expected: {msg['Subject']!r} {found} {m['to']}")
        break
else:
    expect(bool(inbox.messages), "every invitation has its subject, its recipient and one sign-in link")
again = subprocess.run([BIN, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120)
expect(len(inbox.messages) == queued, "a second worker run sends nothing again")
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
finally:
    server.terminate()
    server.wait(timeout=30)
c.stop()

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
