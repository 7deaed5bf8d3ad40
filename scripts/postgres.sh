#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and the delivery example:
# a new cluster in a temporary directory, on 127.0.0.1:55432, trusting local
# connections, with fsync off (nothing in it is meant to survive a crash of
# the machine). The tests find it there (or at $DELIVERY_POSTGRES_URL).
#
#   ./scripts/postgres.sh start   # prints the URL: postgresql://delivery@127.0.0.1:55432/delivery
#   ./scripts/postgres.sh stop    # stops it and removes its files
#
# Debian: apt-get install postgresql (setup.sh does); macOS: brew install postgresql@15.
set -euo pipefail
port=${DELIVERY_POSTGRES_PORT:-55432}
dir=${DELIVERY_POSTGRES_DIR:-/tmp/swift-zeromq-postgres}
url="postgresql://delivery@127.0.0.1:$port/delivery"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] && command -v pg_ctl >/dev/null; then bin=$(dirname "$(command -v pg_ctl)"); fi
# The server refuses to run as root: as root, it runs as the postgres user the package made.
owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
start)
    if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
        echo "postgres: no PostgreSQL server installed (pg_ctl not found): the PostgreSQL tests will be skipped" >&2
        exit 0
    fi
    if [ -f "$dir/PG_VERSION" ] && owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        echo "postgres: already running: $url" >&2
        exit 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    owner "$bin/initdb" -D "$dir" -U delivery --auth=trust -E UTF8 >/dev/null
    owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off" start >/dev/null
    owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U delivery delivery
    echo "postgres: $url" >&2
    ;;
stop)
    if [ -n "$bin" ] && [ -f "$dir/PG_VERSION" ]; then owner "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
