#!/usr/bin/env bash
# Flipside's SMTP client against a real SMTP server: Python's aiosmtpd (PyPI, in .venv-mail) started by
# Tests/Mail/check_smtp.py in each shape (plain, STARTTLS + AUTH, implicit TLS, 4xx, 5xx, a dropped
# connection, silence), driving `flipside mail test`. Uses the build already made (FLIPSIDE_BIN,
# default .build/debug/flipside).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
if [ ! -x .venv-mail/bin/python ]; then
  python3 -m venv .venv-mail
fi
.venv-mail/bin/python -c "import aiosmtpd, icalendar" 2>/dev/null || .venv-mail/bin/pip install -q aiosmtpd icalendar
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
.venv-mail/bin/python Tests/Mail/check_smtp.py "$(realpath "$BIN")" "$WORK"
