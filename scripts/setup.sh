#!/usr/bin/env bash
# All set-up on a fresh machine: virtualenv, pinned Python packages, bun 1.4.4, database migrations.
# Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv (.venv) with $PYTHON"
  "$PYTHON" -m venv .venv
fi

want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$want" ]; then
  echo "==> Installing the pinned Python packages"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" > .venv/.installed
fi

# Reflex's own bun download needs the internet; the npm registry has the same bun.
if [ "$(.tools/node_modules/.bin/bun --version 2>/dev/null)" != "$BUN_VERSION" ]; then
  echo "==> Installing bun $BUN_VERSION from the npm registry into .tools/"
  if ! command -v npm >/dev/null; then
    echo "npm is needed to install bun: apt-get install -y npm" >&2
    exit 1
  fi
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "bun@$BUN_VERSION"
fi

# Course certificates (PDF) are drawn in DejaVu, which covers Latin, Greek and Cyrillic names; without it
# they fall back to a built-in font that only has Latin-1.
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ]; then
  echo "==> Installing Debian's fonts-dejavu-core for certificate PDFs"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
  $SUDO apt-get install -y -q fonts-dejavu-core >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q fonts-dejavu-core >/dev/null; } \
    || echo "    could not install fonts-dejavu-core: certificate PDFs use the built-in Latin-1 font" >&2
fi

export PATH="$PWD/.tools/node_modules/.bin:$PWD/.venv/bin:$PATH"
export REFLEX_USE_SYSTEM_BUN=1

echo "==> Migrating the database"
.venv/bin/portal db migrate
