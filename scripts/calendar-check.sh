#!/usr/bin/env bash
# Expands the .ics files the Swift tests wrote (FLIPSIDE_ICS_OUT) with Python's icalendar and
# recurring-ical-events (PyPI, in .venv-calendar). Usage: scripts/calendar-check.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-calendar/bin/python ]; then
  python3 -m venv .venv-calendar
fi
.venv-calendar/bin/python -c "import icalendar, recurring_ical_events" 2>/dev/null || .venv-calendar/bin/pip install -q icalendar recurring-ical-events
.venv-calendar/bin/python Tests/Calendar/check_ics.py "$1"
