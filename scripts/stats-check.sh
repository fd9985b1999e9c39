#!/usr/bin/env bash
# Recomputes the survival statistics the Swift tests wrote (FLIPSIDE_STATS_OUT) with Python's lifelines
# (PyPI, in .venv-stats). Usage: scripts/stats-check.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-stats/bin/python ]; then
  python3 -m venv .venv-stats
fi
.venv-stats/bin/python -c "import lifelines" 2>/dev/null || .venv-stats/bin/pip install -q lifelines
.venv-stats/bin/python Tests/Stats/check_survival.py "$1"
