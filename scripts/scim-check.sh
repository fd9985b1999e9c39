#!/usr/bin/env bash
# SCIM 2.0 provisioning against `flipside serve`: the third-party RFC 7643/7644 checker scim2-tester
# (PyPI, in .venv-scim) runs every check it has (discovery, create, read, filters, attributes, PUT,
# PATCH add/replace/remove, delete) and must find nothing wrong; then the life cycle over real HTTP
# (Tests/SCIM/check_scim.py). Uses the build already made (FLIPSIDE_BIN, default .build/debug/flipside);
# with DATABASE_URL set (PostgreSQL in CI) it runs on that database, otherwise on a SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
if [ ! -x .venv-scim/bin/python ]; then
  python3 -m venv .venv-scim
fi
.venv-scim/bin/python -c "import scim2_tester, httpx2, requests" 2>/dev/null || .venv-scim/bin/pip install -q "scim2-tester==0.5.2" "scim2-client[httpx2]" requests
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
.venv-scim/bin/python Tests/SCIM/check_scim.py "$(realpath "$BIN")" "$WORK"
