#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the test suite; prints its DATABASE_URL.
# Usage: .ci/start-postgres.sh [port]   (PostgreSQL refuses to run as root, so it runs as postgres.)
set -euo pipefail
port=${1:-55432}
# Take the next free port if that one is busy (another cluster on this machine).
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=$(mktemp -d /tmp/stocktake-pg.XXXXXX)
chown postgres "$data"
su postgres -s /bin/sh -c "$bin/initdb -D $data -A trust -U postgres --no-sync" > /dev/null
su postgres -s /bin/sh -c "$bin/pg_ctl -D $data -l $data/server.log -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" > /dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres"
