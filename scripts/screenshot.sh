#!/usr/bin/env bash
# Takes a screenshot of the real app window under Xvfb, on a fresh demo store.
# Usage: scripts/screenshot.sh OUT.png [DEMO_PROFILES]
set -euo pipefail
out=${1:?usage: scripts/screenshot.sh OUT.png [DEMO_PROFILES]}
profiles=${2:-5000}
app=${USERDESK_APP:-target/debug/userdesk}
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
export USERDESK_DATA_DIR=$data USERDESK_DEMO_PROFILES=$profiles
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash -c '
  "$0" & pid=$!
  for _ in $(seq 1 100); do
    xwininfo -root -tree | grep -q "\"Userdesk\"" && break
    sleep 0.2
  done
  sleep "${SETTLE:-10}"
  import -window root "$1"
  kill $pid
' "$app" "$out"
echo "wrote $out"
