#!/usr/bin/env bash
# Print the DSN of a PostgreSQL database for the ledger tests, starting a server when needed.
#
# Idempotent, so CI and developers can run it any number of times:
#   - CONTACTRULES_TEST_POSTGRES already set: print it unchanged (a CI service, a shared server);
#   - a server answers on localhost: use it;
#   - otherwise install PostgreSQL from the Debian packages (Debian 12: PostgreSQL 15) when it
#     is missing, and start its cluster;
# then make sure a login role and a database for the tests exist. Only the DSN goes to stdout;
# progress goes to stderr, so `DSN="$(bash .ci/postgres.sh)"` works.
set -euo pipefail

if [[ -n "${CONTACTRULES_TEST_POSTGRES:-}" ]]; then
    echo "$CONTACTRULES_TEST_POSTGRES"
    exit 0
fi

HOST=localhost
PORT="${PGPORT:-5432}"
ROLE=contactrules
PASSWORD=contactrules
DATABASE=contactrules_test
DSN="postgresql://${ROLE}:${PASSWORD}@${HOST}:${PORT}/${DATABASE}"

log() { echo "postgres.sh: $*" >&2; }

as_postgres() {
    # The server's superuser, reached through the local socket (peer authentication).
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        sudo -n -u postgres -- "$@"
    fi
}

ready() { command -v pg_isready >/dev/null && pg_isready -q -h "$HOST" -p "$PORT"; }

if ready; then
    log "a server already answers on ${HOST}:${PORT}"
else
    if ! command -v pg_ctlcluster >/dev/null || [[ -z "$(pg_lsclusters -h 2>/dev/null)" ]]; then
        if [[ "$(id -u)" != 0 ]]; then
            log "PostgreSQL is not installed and installing it needs root"
            exit 1
        fi
        log "installing PostgreSQL from the Debian packages"
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    # Start every cluster that is down (a fresh install has one: VERSION main).
    while read -r version cluster _port status _rest; do
        if [[ "$status" != online* ]]; then
            log "starting cluster ${version}/${cluster}"
            pg_ctlcluster "$version" "$cluster" start >&2
        fi
    done < <(pg_lsclusters -h)
    for _ in $(seq 60); do
        ready && break
        sleep 0.5
    done
    if ! ready; then
        log "the server did not come up on ${HOST}:${PORT}"
        exit 1
    fi
fi

# Role and database, created once; a server we cannot administer must already have them.
if id postgres >/dev/null 2>&1 && as_postgres psql -qAtc "SELECT 1" >/dev/null 2>&1; then
    if [[ -z "$(as_postgres psql -qAtc "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'")" ]]; then
        log "creating role ${ROLE}"
        as_postgres psql -qc "CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'" >&2
    fi
    if [[ -z "$(as_postgres psql -qAtc "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" ]]; then
        log "creating database ${DATABASE}"
        as_postgres psql -qc "CREATE DATABASE ${DATABASE} OWNER ${ROLE}" >&2
    fi
fi

if ! psql "$DSN" -qAtc "SELECT 1" >/dev/null; then
    log "cannot connect as ${ROLE} to ${DATABASE} on ${HOST}:${PORT}"
    exit 1
fi
echo "$DSN"
