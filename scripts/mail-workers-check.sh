#!/usr/bin/env bash
# Two `flipside worker` processes on one PostgreSQL send each of 1,000 due messages exactly once through a
# real SMTP server (aiosmtpd), and a worker killed with SIGKILL mid-batch loses nothing
# (Tests/Mail/check_workers.py). Usage: scripts/mail-workers-check.sh POSTGRES_ADMIN_URL
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
[ -x .venv-mail/bin/python ] || python3 -m venv .venv-mail
.venv-mail/bin/python -c "import aiosmtpd" 2>/dev/null || .venv-mail/bin/pip install -q aiosmtpd icalendar
.venv-mail/bin/python Tests/Mail/check_workers.py "$(realpath "$BIN")" "$1"
