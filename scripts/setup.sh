#!/usr/bin/env bash
# Installs what swift-zeromq needs to build, test and run its examples:
# libzmq (with its headers and pkg-config file), for the interop tests a
# Python virtual environment with pyzmq in .venv/, and for the delivery
# example's PostgreSQL tests a throwaway PostgreSQL server (scripts/postgres.sh;
# without one installed, those tests say they are skipped).
#
#   Debian/Ubuntu as root:  ./scripts/setup.sh
#   Debian/Ubuntu, no root: sudo apt-get install -y libzmq3-dev libsqlite3-dev pkg-config python3-venv postgresql; ./scripts/setup.sh
#   macOS:                  brew install zeromq pkg-config; ./scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pkg-config --exists libzmq sqlite3 2>/dev/null || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev libsqlite3-dev pkg-config python3-venv \
            postgresql >/dev/null
    elif command -v brew >/dev/null; then
        brew install zeromq pkg-config
    else
        echo "setup: libzmq not found; install it first (Debian: sudo apt-get install libzmq3-dev pkg-config; macOS: brew install zeromq)" >&2
        exit 1
    fi
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import zmq' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check pyzmq
fi
./scripts/postgres.sh start
echo "setup: libzmq $(pkg-config --modversion libzmq), pyzmq $(.venv/bin/python -c 'import zmq; print(zmq.__version__)')" >&2
