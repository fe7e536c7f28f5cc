#!/usr/bin/env bash
# Times a newcomer's path on this machine: a fresh clone of this repository (no target/), then
# `make app` and `make test`, each timed; the clone and its build are removed at the end.
# Usage: scripts/build-times.sh        (run it on an otherwise quiet machine)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/userdesk"
cd "$work/userdesk"
for target in app test; do
	start=$(date +%s)
	if ! make "$target" > "$work/$target.log" 2>&1; then
		tail -n 40 "$work/$target.log"
		echo "make $target failed" >&2
		exit 1
	fi
	seconds=$(( $(date +%s) - start ))
	printf 'make %-4s %3d min %02d s\n' "$target" $(( seconds / 60 )) $(( seconds % 60 ))
done
