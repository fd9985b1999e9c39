#!/usr/bin/env bash
# HTTP load benchmark (wrk, from Debian's packages) against the release build on SQLite: people search and
# the directory page at 100,000 people, and the match preview of the demo program, with 64 connections.
#   swift build -c release && scripts/bench-http.sh [PEOPLE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE="${1:-100000}"
SECONDS_EACH="${2:-15}"
BIN="${FLIPSIDE_BIN:-.build/release/flipside}"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq wrk >/dev/null; }
TMP=$(mktemp -d)
export DATABASE_URL="sqlite://$TMP/bench.sqlite" BCRYPT_COST=4 APP_ENV=production BASE_URL=http://127.0.0.1
mkdir -p bench-data
[ -f "bench-data/people-$PEOPLE.csv" ] || python3 scripts/make-people-csv.py "$PEOPLE" "bench-data/people-$PEOPLE.csv"
"$BIN" demo >/dev/null
"$BIN" import people "bench-data/people-$PEOPLE.csv"
printf 'bench-password\n' | "$BIN" user create --email bench@example.com --coordinator >/dev/null
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$BIN" serve --port "$PORT" >"$TMP/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
read -r TOKEN COOKIE PROGRAM < <(python3 - "$PORT" <<'PY'
import json, sys, time, urllib.request, urllib.parse, http.cookiejar
base = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1); break
    except OSError:
        time.sleep(0.2)
req = urllib.request.Request(base + "/api/v1/auth/token", data=json.dumps({"email": "bench@example.com", "password": "bench-password"}).encode(),
                             headers={"content-type": "application/json"})
token = json.load(urllib.request.urlopen(req))["token"]
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
page = opener.open(base + "/login").read().decode()
csrf = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
try:
    opener.open(base + "/login", data=urllib.parse.urlencode({"email": "bench@example.com", "password": "bench-password", "_csrf": csrf}).encode())
except urllib.error.HTTPError:
    pass
cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
programs = json.load(urllib.request.urlopen(urllib.request.Request(base + "/api/v1/programs", headers={"authorization": f"Bearer {token}"})))
print(token, cookie, programs[0]["id"])
PY
)
run() {
  echo "== $1"
  shift
  wrk -t2 -c64 -d"${SECONDS_EACH}s" --latency "$@" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
}
run "GET /api/v1/people?q=a (API search)" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/people?q=a"
run "GET /api/v1/people (API, no query)" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/people"
run "GET /people?q=a (directory page, search)" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/people?q=a"
run "GET /people (directory page)" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/people"
run "GET /people?department=Sales&page=40 (directory page, filtered, deep page)" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/people?department=Sales&page=40"
run "GET /api/v1/programs/{demo}/matches (match preview)" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/programs/$PROGRAM/matches"
run "GET /healthz" "http://127.0.0.1:$PORT/healthz"
