#!/usr/bin/env bash
# The project's test command: builds once, runs every Swift test (SQLite), then the browser test
# against a real server in headless Chromium, and the calendars the tests wrote through Python's
# icalendar and recurring-ical-events, the survival statistics through lifelines, and the SMTP client
# against a real SMTP server (aiosmtpd), sign-in through a real OpenID provider, and SCIM provisioning checked by scim2-tester. With DATABASE_URL set, the server tests run on it too.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
# The partnership tests write the calendars they fetched here; Python's iCalendar libraries check them.
export FLIPSIDE_ICS_OUT="$(mktemp -d)"
# The survival tests write their generated cases here; Python's lifelines recomputes them.
export FLIPSIDE_STATS_OUT="$(mktemp -d)"
if [ -n "${DATABASE_URL:-}" ]; then
  swift test --skip-build --no-parallel   # the server tests share one PostgreSQL database
else
  swift test --skip-build
fi
scripts/calendar-check.sh "$FLIPSIDE_ICS_OUT"
scripts/stats-check.sh "$FLIPSIDE_STATS_OUT"
Tests/CLI/cli_test.sh
# The SMTP client against a real SMTP server (aiosmtpd), in every shape a relay answers in.
scripts/mail-check.sh
# Sign-in with a real OpenID Connect provider (oidc-provider-mock), through its own authorization form.
scripts/oidc-check.sh
# SCIM 2.0 provisioning: the third-party checker scim2-tester, then the life cycle over real HTTP.
scripts/scim-check.sh
# Logs at debug and trace hold no one's words, no concern author and no bound value.
scripts/log-privacy-check.sh
if [ "${SKIP_BROWSER:-0}" != "1" ]; then
  scripts/browser-setup.sh
  .venv-browser/bin/python Tests/Browser/test_import_flow.py
  # Company sign-in in the browser, through the real provider that oidc-check.sh installed.
  .venv-browser/bin/python Tests/Browser/test_sso_flow.py
fi
