#!/usr/bin/env bash
# Set everything up and serve the portal at http://localhost:3000 (production build, one port).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

PORT=${PORTAL_PORT:-3000}
export PORTAL_PUBLIC_URL=${PORTAL_PUBLIC_URL:-http://localhost:$PORT}

.venv/bin/portal seed-demo --if-empty

cat <<INFO

  The portal:      $PORTAL_PUBLIC_URL
  Sign up:         $PORTAL_PUBLIC_URL/signup
INFO
if [ -z "${SENDGRID_API_KEY:-}" ]; then
  echo "  Dev mailbox:     $PORTAL_PUBLIC_URL/dev/mailbox   (emails are NOT delivered; set SENDGRID_API_KEY to send them)"
fi
echo

exec .venv/bin/reflex run --env prod --single-port --frontend-port "$PORT" --loglevel warning
