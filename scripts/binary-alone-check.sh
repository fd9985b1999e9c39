#!/usr/bin/env bash
# The binary alone: copied into an empty folder (nothing of the source tree beside it, run from
# there), it serves its pages, styles and OpenAPI document from the copies built into it, on a new
# SQLite file in that folder. Uses the build already made (FLIPSIDE_BIN, default .build/debug/flipside).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
DIR=$(mktemp -d)
cp "$BIN" "$DIR/flipside"
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
cd "$DIR"
env -u FLIPSIDE_RESOURCES DATABASE_URL="sqlite://$DIR/alone.sqlite" ./flipside serve --demo --port "$PORT" >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
python3 - "$PORT" "$DIR" <<'PY'
import os, sys, time, urllib.request
base, folder = f"http://127.0.0.1:{sys.argv[1]}", sys.argv[2]
for _ in range(600):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1); break
    except OSError:
        time.sleep(0.2)
failed = 0
def check(name, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else "  " + detail[:300]))
    failed += 0 if ok else 1
login = urllib.request.urlopen(base + "/login").read().decode()
check("the login page renders from the built-in templates", "<form" in login and 'name="_csrf"' in login, login)
css = urllib.request.urlopen(base + "/css/flipside.css")
check("the stylesheet is served with its type", css.headers.get("content-type", "").startswith("text/css") and len(css.read()) > 1000)
spec = urllib.request.urlopen(base + "/openapi.json").read()
check("the OpenAPI document is served", b'"openapi"' in spec and b"getOutcomesOverview" in spec)
try:
    urllib.request.urlopen(base + "/nowhere")
    check("an unknown page is a 404 page", False)
except urllib.error.HTTPError as e:
    check("an unknown page is a 404 page from the built-in error template", e.code == 404 and "request-id" in e.read().decode())
check("nothing but the binary and its database is in the folder", sorted(n for n in os.listdir(folder) if not n.startswith("alone.sqlite") and n != "server.log") == ["flipside"],
      str(os.listdir(folder)))
sys.exit(1 if failed else 0)
PY
