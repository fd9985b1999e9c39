#!/usr/bin/env bash
# Installs (from Debian's packages) and starts a local PostgreSQL, and creates the role and the
# database the tests use. Idempotent: safe to run when the cluster, role or database already exist.
# Prints the DATABASE_URL to use.
set -euo pipefail
DB_NAME="${1:-flipside_test}"
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$VERSION main$"; then
  pg_createcluster "$VERSION" main >/dev/null
fi
pg_ctlcluster "$VERSION" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='flipside'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE flipside LOGIN SUPERUSER PASSWORD 'flipside'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$DB_NAME'\"" | grep -q 1 \
  || su postgres -c "createdb -O flipside $DB_NAME"
echo "postgres://flipside:flipside@127.0.0.1:5432/$DB_NAME"
