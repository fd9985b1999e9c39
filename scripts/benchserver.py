"""The release server for a benchmark script: started on a free port once it answers /healthz, with a
coordinator's API token, stopped at the end (used by bench-runs.py, bench-outcomes.py, bench-pages.py,
bench-signed-in.py and bench-import-latency.py; reliability.py takes its free_port); `synthesized` fills
a database with `flipside synthesize` and starts the server over it; `wrk` loads a page."""
import json
import re
import socket
import subprocess
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class BenchServer:
    def __init__(self, binary, env, log_path, args=()):
        port = free_port()
        self.process = subprocess.Popen([binary, "serve", "--port", str(port), *args], env=env, stdout=open(log_path, "w"),
                                        stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)

    def token(self, email, password):
        req = urllib.request.Request(self.base + "/api/v1/auth/token", data=json.dumps({"email": email, "password": password}).encode(),
                                     headers={"content-type": "application/json"}, method="POST")
        return json.loads(urllib.request.urlopen(req).read())["token"]

    def signed_in(self, email, password):
        """A browser-like opener signed in through the login form (session cookie and CSRF token)."""
        import http.cookiejar
        import urllib.parse
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(self.base + "/login").read().decode()
        csrf = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
        opener.open(self.base + "/login", data=urllib.parse.urlencode({"email": email, "password": password, "_csrf": csrf}).encode())
        return opener

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def synthesized(binary, env, log_path):
    """Empties the database of `env` (PostgreSQL) or starts a new one (SQLite), fills it with `flipside
    synthesize`, makes the coordinator bench@example.com / bench-password and starts the server over it.
    Returns the server, the command's first line and the synthesized programs' ids (oldest first)."""
    url = env["DATABASE_URL"]
    if url.startswith("postgres"):
        subprocess.run(["psql", url, "-q", "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"], check=True, capture_output=True)
    run = lambda *args, **kw: subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True, **kw)
    started = time.perf_counter()
    lines = run("synthesize").stdout.strip().splitlines()
    run("user", "create", "--email", "bench@example.com", "--coordinator", input="bench-password\n")
    # Without the outbox worker: on a database just synthesized, its first rounds complete the partnerships
    # of the programs that ended (about 2,000 writes over a minute), each a new data version of the pairs.
    server = BenchServer(binary, env, log_path, args=("--no-worker",))
    return server, f"{lines[0]} (wall {time.perf_counter() - started:.1f} s)", [line.split()[0] for line in lines[1:]]


def wrk(url, header, seconds, connections=64):
    """`wrk -t2 -c{connections} -d{seconds}s --latency` on `url` with one header (installed first if
    missing): requests per second, p50, p99, and any non-2xx answers or socket errors as one text."""
    if subprocess.run(["sh", "-c", "command -v wrk"], capture_output=True).returncode != 0:
        subprocess.run(["sh", "-c", "apt-get update -qq >/dev/null; apt-get install -y -qq wrk >/dev/null"], check=True)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", header, url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    bad = " ".join(line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line)
    return rps, p50, p99, bad
