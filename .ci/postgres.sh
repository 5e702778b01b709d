#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1 and print its URL on the last line.
# Usage: bash .ci/postgres.sh DIR [PORT]   (stop it with: su postgres -c "pg_ctl -D DIR/data stop")
set -euo pipefail
dir=${1:?usage: postgres.sh DIR [PORT]}
port=${2:-55432}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi
mkdir -p "$dir"
chown postgres "$dir" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_postgres "$bindir/initdb -D '$dir/data' -U app --auth=trust" >/dev/null
fi
as_postgres "$bindir/pg_ctl -D '$dir/data' -l '$dir/log' -o \"-k '$dir' -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -w start" >/dev/null
as_postgres "$bindir/createdb -h 127.0.0.1 -p $port -U app partywatch_test" 2>/dev/null || true
echo "postgresql+psycopg://app@127.0.0.1:$port/partywatch_test"
