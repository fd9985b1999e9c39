#!/usr/bin/env bash
# The project's test command: builds once, runs every Swift test (SQLite), then the browser test
# against a real server in headless Chromium. With DATABASE_URL set, the server tests run on it too.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
if [ -n "${DATABASE_URL:-}" ]; then
  swift test --skip-build --no-parallel   # the server tests share one PostgreSQL database
else
  swift test --skip-build
fi
Tests/CLI/cli_test.sh
if [ "${SKIP_BROWSER:-0}" != "1" ]; then
  scripts/browser-setup.sh
  .venv-browser/bin/python Tests/Browser/test_import_flow.py
fi
