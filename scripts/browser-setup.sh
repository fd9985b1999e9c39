#!/usr/bin/env bash
# Installs headless Chromium and its driver (Debian's packages), Selenium and axe-core (PyPI, in .venv-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -x .venv-browser/bin/python ]; then
  python3 -m venv .venv-browser
fi
.venv-browser/bin/python -c "import selenium" 2>/dev/null || .venv-browser/bin/pip install -q selenium
# axe-core for the accessibility checks: only the axe.min.js this wheel bundles is used, so its own
# dependencies (Playwright) are not installed.
.venv-browser/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('axe_playwright_python') is None)" 2>/dev/null \
  || .venv-browser/bin/pip install -q --no-deps axe-playwright-python==0.1.8
