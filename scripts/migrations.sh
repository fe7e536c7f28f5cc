#!/usr/bin/env bash
# A migration, once committed, never changes: stores and servers in the field have applied it,
# and sqlx refuses to open a database whose applied migration differs from the file. This checks
# every migration file against its SHA-256 in migrations.sha256 (`check`, run by `make lint`),
# and lists a new migration's there (`add`, run once when a migration is written).
#
#   scripts/migrations.sh check
#   scripts/migrations.sh add
set -euo pipefail
cd "$(dirname "$0")/.."

LIST=migrations.sha256
files() { find crates -path '*/migrations/*' -name '*.sql' | LC_ALL=C sort; }

case "${1:-check}" in
check)
	status=0
	# Every listed file is there, unchanged.
	if ! sha256sum --check --quiet --strict "$LIST"; then
		echo "a committed migration changed or went: add a new migration instead" >&2
		status=1
	fi
	# Every file is listed.
	while read -r file; do
		if ! grep -q "  $file\$" "$LIST"; then
			echo "$file is not in $LIST: scripts/migrations.sh add" >&2
			status=1
		fi
	done < <(files)
	exit $status
	;;
add)
	while read -r file; do
		grep -q "  $file\$" "$LIST" 2>/dev/null || sha256sum "$file" >>"$LIST"
	done < <(files)
	;;
*)
	echo "usage: $0 check|add" >&2
	exit 2
	;;
esac
