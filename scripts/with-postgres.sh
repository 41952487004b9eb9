#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server: scripts/with-postgres.sh make test
#
# Installs Debian's postgresql when it is missing (as root), starts a private cluster in a
# temporary directory, listening only on a unix socket there (no port to clash with anyone),
# runs the command with DATABASE_URL pointing at it, then stops the server and deletes it all.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]   (e.g. $0 make test)" >&2
    exit 2
fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

PG_BIN=$(pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL's server is not installed: run 'sudo apt-get install -y postgresql' first." >&2
        exit 1
    fi
    echo "Installing PostgreSQL from Debian..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    PG_BIN=$(pg_bin)
fi

# PostgreSQL refuses to run as root: as root the cluster belongs to the 'postgres' user.
as_owner() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    as_owner() { runuser -u postgres -- "$@"; }
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/djt-postgres.XXXXXX")
chmod 755 "$WORK"
[ "$(id -u)" -eq 0 ] && chown postgres "$WORK"
DATA="$WORK/data"
PORT=5432 # only names the socket file ($WORK/.s.PGSQL.5432); nothing listens on TCP

stop() {
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_owner "$PG_BIN/initdb" -D "$DATA" -U djtranscribe --auth=trust --encoding=UTF8 --no-sync >"$WORK/initdb.log" 2>&1 ||
    { cat "$WORK/initdb.log" >&2; exit 1; }
# fsync off: a throwaway test server needs speed, not durability.
if ! as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$WORK/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $WORK -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    cat "$WORK/server.log" >&2
    exit 1
fi

as_owner "$PG_BIN/createdb" -h "$WORK" -p "$PORT" -U djtranscribe djtranscribe

export DATABASE_URL="postgres://djtranscribe@${WORK//\//%2F}:$PORT/djtranscribe"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $WORK (DATABASE_URL=$DATABASE_URL)" >&2
"$@"
