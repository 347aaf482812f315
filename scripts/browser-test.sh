#!/usr/bin/env bash
# Runs the dashboard's browser tests (web/tests/) in Debian's headless Chromium against a
# real server started here on a fresh SQLite file. Usage: scripts/browser-test.sh BINARY
set -euo pipefail
bin=${1:?usage: scripts/browser-test.sh path/to/carrier-sales}
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
agent="agent-browser-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
admin="admin-browser-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
viewer="dashboard-browser-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
DATABASE_URL="sqlite://$work/browser.db" HOST=127.0.0.1 PORT=$port API_KEYS="agent:$agent,admin:$admin,dashboard:$viewer" \
  RATE_LIMIT_PER_MINUTE=0 CARRIER_SALES__WEBHOOKS__ALLOW_PRIVATE=true CARRIER_SALES__WEBHOOKS__RETRY_BASE_SECS=1 \
  LOADS_FEED_URL="http://127.0.0.1:$closed/loads.json" RUST_LOG=warn "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log"; exit 1; }

BASE_URL="http://127.0.0.1:$port" DASHBOARD_KEY="$admin" VIEWER_KEY="$viewer" AGENT_KEY="$agent" \
  CHROMIUM_PATH="$(command -v chromium)" \
  node --test web/tests/ || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
