#!/usr/bin/env bash
# Sign-in with a real OpenID Connect provider: Python's oidc-provider-mock (PyPI, in .venv-oidc) started
# by Tests/OIDC/check_oidc.py beside `flipside serve`, each sign-in walked through the provider's own
# authorization form: a participant, a coordinator from the group claim, an unknown person, an unverified
# email, someone who left, a replayed answer, sign-out at the provider. Uses the build already made
# (FLIPSIDE_BIN, default .build/debug/flipside).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
if [ ! -x .venv-oidc/bin/python ]; then
  python3 -m venv .venv-oidc
fi
.venv-oidc/bin/python -c "import oidc_provider_mock, requests" 2>/dev/null || .venv-oidc/bin/pip install -q oidc-provider-mock requests
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
.venv-oidc/bin/python Tests/OIDC/check_oidc.py "$(realpath "$BIN")" "$WORK"
