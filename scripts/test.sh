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

# The scale-out browser run puts the portal behind nginx, as docs/deploy.md does.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "==> Installing Debian's nginx for the scale-out browser run"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -q nginx >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q nginx >/dev/null; } \
    || { echo "could not install nginx" >&2; exit 1; }
fi

postgres=0
if .venv/bin/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres', connect_timeout=3).close()" 2>/dev/null; then
  postgres=1
  echo "==> PostgreSQL on 127.0.0.1:5432 is reachable: the concurrency tests run on it too"
else
  echo "==> PostgreSQL on 127.0.0.1:5432 is NOT reachable: its concurrency tests will be skipped"
fi
redis=0
if .venv/bin/python -c "import redis; redis.Redis(host='127.0.0.1', port=6379, socket_connect_timeout=3).ping()" 2>/dev/null; then
  redis=1
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
if [ $postgres -eq 1 ] && [ $redis -eq 1 ]; then
  echo "==> End-to-end tests again on the scale-out topology (PostgreSQL + Redis + 3 workers behind nginx)"
  PORTAL_E2E_TOPOLOGY=scale-out .venv/bin/pytest tests/e2e -q || status=1
else
  echo "==> End-to-end tests on the scale-out topology SKIPPED: they need PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379"
fi
exit $status
