#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster when it is down and makes sure the test role exists.
# Prints the connection string. Role and password are for local tests only.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"' | grep -q .; then
  pg_createcluster "$ver" main >&2
fi
pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online || pg_ctlcluster "$ver" main start >&2
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
su postgres -c "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='mesh_portal_test'\"" | grep -q 1 ||
  su postgres -c "psql -p $port -c \"CREATE ROLE mesh_portal_test WITH LOGIN PASSWORD 'mesh_portal_test' CREATEDB\"" >&2
echo "postgresql://mesh_portal_test:mesh_portal_test@127.0.0.1:$port"
