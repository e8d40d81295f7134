#!/usr/bin/env bash
# The project's private PostgreSQL + PostGIS cluster under var/, reached only by a Unix socket.
#
#   scripts/pg.sh start    initialise (once) and start the cluster, create the database and PostGIS
#   scripts/pg.sh stop     stop the cluster
#   scripts/pg.sh status   say whether it runs
#
# With DATABASE_URL set, the project uses that PostGIS instead and this script only checks it.
# PostgreSQL refuses to run as root: as root, the cluster runs as the unprivileged system
# user "postgres" (created by Debian's postgresql package).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
PGDATA="$VAR/pgdata"
# A Unix socket path may hold about 107 bytes; a deep checkout gets a short directory of its own
# under /tmp instead (config/settings.py applies the same rule).
SOCKET_DIR="${BK_PG_SOCKET_DIR:-$VAR/run}"
if [ -z "${BK_PG_SOCKET_DIR:-}" ] && [ $(( ${#SOCKET_DIR} + 14 )) -gt 100 ]; then  # 14: "/.s.PGSQL.5432"
    SOCKET_DIR="/tmp/bk-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
fi
LOG="$VAR/log/postgresql.log"
DB="${BK_PG_DATABASE:-beteiligungskarte}"
SUPERUSER="beteiligung"
PG_VERSION="${BK_PG_VERSION:-15}"
PG_BIN="${BK_PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}"

say() { printf '[pg] %s\n' "$*"; }
die() { printf '[pg] error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
    RUN_AS="postgres"
    id "$RUN_AS" >/dev/null 2>&1 || die "running as root, but there is no user '$RUN_AS' to run PostgreSQL as (install postgresql-$PG_VERSION)."
    as_owner() { runuser -u "$RUN_AS" -- "$@"; }
else
    RUN_AS="$(id -un)"
    as_owner() { "$@"; }
fi

psql_cmd() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -U "$SUPERUSER" "$@"; }

is_running() { [ -f "$PGDATA/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

init_cluster() {
    say "initialising a private cluster in $PGDATA (owner: $RUN_AS)"
    mkdir -p "$VAR" "$VAR/log"
    if [ "$(id -u)" = 0 ]; then
        # The cluster's owner must reach var/ through every parent directory.
        as_owner test -x "$ROOT" || die "user '$RUN_AS' cannot enter $ROOT; make its parent directories traversable (chmod o+x) or set DATABASE_URL."
    fi
    install -d -m 700 -o "$RUN_AS" "$PGDATA"
    # Trust is safe here: the only way in is a socket in a directory only the owner may enter.
    as_owner "$PG_BIN/initdb" -D "$PGDATA" -U "$SUPERUSER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$PGDATA/postgresql.conf" <<EOF

# Beteiligungskarte: private cluster, Unix socket only.
listen_addresses = ''
unix_socket_directories = '$SOCKET_DIR'
unix_socket_permissions = 0700
fsync = on
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_connections = 50
EOF
}

start() {
    if [ -n "${DATABASE_URL:-}" ]; then
        say "DATABASE_URL is set; using that PostGIS, not the private cluster"
        return
    fi
    [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL $PG_VERSION is not installed at $PG_BIN (run scripts/system-deps.sh)."
    [ -f "$PGDATA/PG_VERSION" ] || init_cluster
    install -d -m 700 -o "$RUN_AS" "$SOCKET_DIR"
    touch "$LOG" && chown "$RUN_AS" "$LOG"
    if is_running; then
        say "cluster already running (socket $SOCKET_DIR)"
    else
        say "starting the cluster (socket $SOCKET_DIR, log $LOG)"
        as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 -o "-k $SOCKET_DIR" start >/dev/null \
            || { tail -n 20 "$LOG" >&2; die "PostgreSQL did not start"; }
    fi
    if [ "$(psql_cmd -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
        say "creating database $DB"
        psql_cmd -d postgres -c "CREATE DATABASE \"$DB\""
    fi
    psql_cmd -d "$DB" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    # Test databases are copies of template1: give them the extensions too.
    psql_cmd -d template1 -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
}

stop() {
    if [ -f "$PGDATA/PG_VERSION" ] && is_running; then
        say "stopping the cluster"
        as_owner "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    else
        say "cluster not running"
    fi
}

status() {
    if [ -n "${DATABASE_URL:-}" ]; then
        say "DATABASE_URL is set; the private cluster is not used"
    elif [ -f "$PGDATA/PG_VERSION" ] && is_running; then
        say "running (socket $SOCKET_DIR)"
    else
        say "not running"
        return 3
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
