"""The release server for a benchmark script: started on a free port once it answers /healthz, with a
coordinator's API token, stopped at the end (used by bench-runs.py, bench-outcomes.py and
bench-import-latency.py; reliability.py takes its free_port)."""
import json
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
