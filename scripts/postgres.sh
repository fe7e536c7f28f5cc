#!/usr/bin/env bash
# A PostgreSQL database for the server's PostgreSQL tests and benchmark, from Debian's packages:
# installs `postgresql` if missing, starts the cluster, creates the role and the database, and
# prints the database's URL (the only thing written to stdout).
#
#   export USERDESK_TEST_POSTGRES_URL=$(scripts/postgres.sh)          # keep the database
#   export USERDESK_TEST_POSTGRES_URL=$(scripts/postgres.sh --fresh)  # drop and recreate it first
#   scripts/postgres.sh --stop   # drop the database; stop the cluster if this script started it
set -euo pipefail

FRESH=false
STOP=false
[ "${1:-}" = --fresh ] && FRESH=true
[ "${1:-}" = --stop ] && STOP=true
# Present while the cluster runs because this script started it (and not someone else).
STARTED="$(cd "$(dirname "$0")/.." && pwd)/target/postgres-started"

DB=${USERDESK_PG_DATABASE:-userdesk_test}
ROLE=${USERDESK_PG_ROLE:-userdesk}
PASSWORD=${USERDESK_PG_PASSWORD:-userdesk}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
	log "installing Debian's postgresql package"
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi

if $STOP && ! command -v pg_lsclusters >/dev/null; then
	exit 0
fi

VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$VERSION main"; then
	log "creating cluster $VERSION/main"
	$SUDO pg_createcluster "$VERSION" main >&2
fi
# pg_ctlcluster runs the server as the postgres user, so this works as root too.
ONLINE=$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}')
if $STOP; then
	if echo "$ONLINE" | grep -q online; then
		PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')
		log "dropping database $DB"
		$SUDO runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA \
			-c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >&2
		if [ -e "$STARTED" ]; then
			log "stopping cluster $VERSION/main, which this script started"
			$SUDO pg_ctlcluster "$VERSION" main stop >&2
		fi
	fi
	rm -f "$STARTED"
	exit 0
fi
if ! echo "$ONLINE" | grep -q online; then
	log "starting cluster $VERSION/main"
	$SUDO pg_ctlcluster "$VERSION" main start >&2
	mkdir -p "$(dirname "$STARTED")"
	touch "$STARTED"
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')

as_postgres() { $SUDO runuser -u postgres -- "$@"; }
psql_admin() { as_postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
	log "creating role $ROLE"
	psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" >&2
fi
if $FRESH; then
	log "dropping database $DB"
	psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
	log "creating database $DB"
	psql_admin -c "CREATE DATABASE $DB OWNER $ROLE" >&2
fi

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
