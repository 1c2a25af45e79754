#!/usr/bin/env bash
# Set everything up (including Debian's Chromium for the browser tests) and run every test.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh || exit 1

if [ ! -x /usr/bin/chromium ]; then
  echo "==> Installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; } \
    || { echo "could not install chromium" >&2; exit 1; }
fi

if .venv/bin/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres', connect_timeout=3).close()" 2>/dev/null; then
  echo "==> PostgreSQL on 127.0.0.1:5432 is reachable: the concurrency tests run on it too"
else
  echo "==> PostgreSQL on 127.0.0.1:5432 is NOT reachable: its concurrency tests will be skipped"
fi

status=0
echo "==> Lint (ruff: undefined names, unused imports, import order)"
.venv/bin/ruff check --select F,E9,I001 portal_app tests benchmarks || status=1
echo "==> Architecture (lint-imports: the kernel knows no feature, services never import Reflex, no cycles)"
.venv/bin/lint-imports --no-cache || status=1
echo "==> Unit and service tests"
.venv/bin/pytest tests --ignore=tests/e2e -q -p no:playwright -n 2 || status=1
echo "==> End-to-end tests in headless Chromium against the production build"
.venv/bin/pytest tests/e2e -q || status=1
exit $status
