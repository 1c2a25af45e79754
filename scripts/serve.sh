#!/usr/bin/env bash
# Set everything up and serve the portal at http://localhost:3000 (production build, one port).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The server's process settings (argon2's memory on huge pages): see the file.
source scripts/server_env.sh

PORT=${PORTAL_PORT:-3000}
export PORTAL_PUBLIC_URL=${PORTAL_PUBLIC_URL:-http://localhost:$PORT}

# Demo data on an empty database, so a newcomer can try every page at once (PORTAL_DEMO_DATA=off skips it).
if [ "${PORTAL_DEMO_DATA:-on}" != "off" ]; then
  .venv/bin/portal seed-demo --if-empty
fi
# Without demo data, a new database still gets its business row with default settings.
.venv/bin/portal init-business

cat <<INFO

  The portal:      $PORTAL_PUBLIC_URL
  Sign up:         $PORTAL_PUBLIC_URL/signup
INFO
if [ -z "${SENDGRID_API_KEY:-}" ]; then
  echo "  Dev mailbox:     $PORTAL_PUBLIC_URL/dev/mailbox   (emails are NOT delivered; set SENDGRID_API_KEY to send them)"
fi
echo

exec .venv/bin/reflex run --env prod --single-port --frontend-port "$PORT" --loglevel warning
