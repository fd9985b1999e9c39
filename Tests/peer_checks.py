"""What the scripts that drive `flipside serve` beside a real peer share: numbered checks, a free port,
waiting for a server to answer. Imported by Tests/OIDC/check_oidc.py and Tests/SCIM/check_scim.py."""
import socket
import time
import urllib.request

passed = failed = 0


def expect(condition, name, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"  ok   {name}")
    else:
        failed += 1
        print(f"  FAIL {name} {detail}".rstrip())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url, tries=300):
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception as error:
            # Any HTTP answer means the server is up.
            if hasattr(error, "code"):
                return
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")
