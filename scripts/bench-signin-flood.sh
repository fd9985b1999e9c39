#!/usr/bin/env bash
# A flood of anonymous sign-ins with ever new emails (wrk, 16 connections, from 127.0.0.1) against the
# release build, while /healthz is measured (wrk, 4 connections) and a real user signs in from another
# address (curl from 127.0.0.2). Run once with the per-address limit (default 50) and once without it
# (LOGIN_ADDRESS_LIMIT=100000), at the default bcrypt cost 12.
#   swift build -c release && scripts/bench-signin-flood.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"
BIN="${FLIPSIDE_BIN:-.build/release/flipside}"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq wrk >/dev/null; }
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT
cat > "$TMP/flood.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"email":"flood-%d-%d@example.com","password":"not the password"}', math.random(1, 1000000000), counter)
  return wrk.format("POST", "/api/v1/auth/token", {["Content-Type"] = "application/json"}, body)
end
LUA
for limit in 50 100000; do
  export DATABASE_URL="sqlite://$TMP/flood-$limit.sqlite" LOGIN_ADDRESS_LIMIT=$limit
  printf 'a real password 1\n' | "$BIN" user create --email real@example.com --coordinator >/dev/null
  PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  "$BIN" serve --port "$PORT" >"$TMP/server-$limit.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  echo "== LOGIN_ADDRESS_LIMIT=$limit: sign-in flood on 16 connections for ${SECS}s"
  wrk -t1 -c16 -d"${SECS}s" -s "$TMP/flood.lua" "http://127.0.0.1:$PORT" > "$TMP/flood.txt" &
  FLOOD=$!
  sleep 2
  wrk -t1 -c4 -d"$((SECS - 6))s" --latency "http://127.0.0.1:$PORT/healthz" | grep -E "50%|99%|Requests/sec" | sed 's/^/  healthz /'
  for i in 1 2 3; do
    curl -s --interface 127.0.0.2 -o /dev/null -w "  real sign-in from 127.0.0.2: %{http_code} in %{time_total}s\n" \
         -H 'content-type: application/json' -d '{"email":"real@example.com","password":"a real password 1"}' "http://127.0.0.1:$PORT/api/v1/auth/token"
  done
  wait $FLOOD
  grep -E "Requests/sec|Non-2xx" "$TMP/flood.txt" | sed 's/^/  flood /'
  kill $SERVER; wait $SERVER 2>/dev/null || true
done
