#!/usr/bin/env bash
# Logs that hold no one's words: `flipside serve --demo` at LOG_LEVEL=debug and trace, a participant
# writes a private note and feedback and raises an anonymous concern, the coordinator reads the
# concerns; the log must hold none of the words, not the author's id or email, and no bound value
# (Tests/Privacy/check_logs.py, Python's standard library only). Uses the build already made
# (FLIPSIDE_BIN); with DATABASE_URL set (PostgreSQL in CI) it runs there, otherwise on SQLite files.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${FLIPSIDE_BIN:-.build/debug/flipside}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 Tests/Privacy/check_logs.py "$(realpath "$BIN")" "$WORK"
