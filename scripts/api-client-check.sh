#!/usr/bin/env bash
# The OpenAPI document as API clients use it: validated with openapi-spec-validator, a Python client
# generated from it with openapi-python-client (PyPI, in .venv-client), and that client calling the
# real server on the demo data (sign in, programs, a program's retention, the organisation overview,
# people). Uses the build already made (FLIPSIDE_BIN, default .build/debug/flipside).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
if [ ! -x .venv-client/bin/openapi-python-client ]; then
  python3 -m venv .venv-client
  .venv-client/bin/pip install -q "openapi-python-client==0.29.1" "openapi-spec-validator==0.9.0"
fi
.venv-client/bin/python -m openapi_spec_validator Resources/openapi.json
TMP=$(mktemp -d)
(cd "$TMP" && "$OLDPWD/.venv-client/bin/openapi-python-client" generate --path "$OLDPWD/Resources/openapi.json" --meta none \
   --output-path "$TMP/flipside_client" >"$TMP/generate.log" 2>&1) || { cat "$TMP/generate.log"; exit 1; }
PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
DATABASE_URL="sqlite://$TMP/client.sqlite" BCRYPT_COST=4 "$BIN" serve --demo --port "$PORT" >"$TMP/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT
PYTHONPATH="$TMP" .venv-client/bin/python - "$PORT" <<'PY'
import sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(300):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
from flipside_client import Client, AuthenticatedClient
from flipside_client.api.auth import create_token
from flipside_client.api.programs import list_programs
from flipside_client.api.outcomes import get_outcomes_overview, get_retention
from flipside_client.api.people import list_people
from flipside_client.models import TokenRequest, Program, Overview, Retention

failed = 0
def check(name, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f"  {detail}"))
    failed += 0 if ok else 1

token = create_token.sync(client=Client(base_url=base), body=TokenRequest(email="coordinator@demo.flipside.test", password="flipside-demo"))
check("createToken signs the coordinator in", getattr(token, "token", None) is not None, repr(token))
client = AuthenticatedClient(base_url=base, token=token.token)
programs = list_programs.sync(client=client)
check("listPrograms returns Program models", isinstance(programs, list) and all(isinstance(p, Program) for p in programs) and len(programs) >= 3, repr(programs)[:300])
last_year = next((p for p in programs if p.name == "Reverse Mentoring 2025"), None)
retention = get_retention.sync(client=client, program_id=last_year.id) if last_year else None
check("getRetention parses last year's curves", isinstance(retention, Retention) and len(retention.groups) == 3, repr(retention)[:300])
overview = get_outcomes_overview.sync(client=client)
check("getOutcomesOverview parses every program", isinstance(overview, Overview) and len(overview.programs) == len(programs), repr(overview)[:300])
people = list_people.sync(client=client)
check("listPeople pages the directory", people is not None and getattr(people, "total", 0) > 100, repr(people)[:300])
anonymous = list_programs.sync_detailed(client=Client(base_url=base))
check("a client without a token gets 401", anonymous.status_code == 401, str(anonymous.status_code))
sys.exit(1 if failed else 0)
PY
