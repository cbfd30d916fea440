#!/bin/sh
# One-shot, run by compose.yaml's `temporal-schema` service (temporalio/admin-tools image) before
# the Temporal server starts: creates/upgrades the Temporal database schema in PostgreSQL and the
# visibility index in Elasticsearch. Every step is idempotent, so it runs on every `up`, and a
# Temporal image upgrade applies its new schema versions here.
# Environment: SQL_PLUGIN SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD SQL_DATABASE (read by
# temporal-sql-tool), ES_SERVER (read by temporal-elasticsearch-tool), ES_VISIBILITY_INDEX.
set -eu

: "${SQL_HOST:?}" "${SQL_PORT:?}" "${SQL_USER:?}" "${SQL_PASSWORD:?}" "${SQL_DATABASE:?}"
: "${ES_SERVER:?}" "${ES_VISIBILITY_INDEX:?}"

attempts=0
until nc -z -w 5 "$SQL_HOST" "$SQL_PORT"; do
  attempts=$((attempts + 1))
  [ "$attempts" -lt 60 ] || { echo "PostgreSQL at $SQL_HOST:$SQL_PORT did not answer" >&2; exit 1; }
  sleep 2
done

echo "temporal-schema: PostgreSQL database $SQL_DATABASE"
temporal-sql-tool create-database
temporal-sql-tool setup-schema -v 0.0
temporal-sql-tool update-schema -d /etc/temporal/schema/postgresql/v12/temporal/versioned

echo "temporal-schema: Elasticsearch index $ES_VISIBILITY_INDEX"
attempts=0
until temporal-elasticsearch-tool ping; do
  attempts=$((attempts + 1))
  [ "$attempts" -lt 60 ] || { echo "Elasticsearch at $ES_SERVER did not answer" >&2; exit 1; }
  sleep 2
done
temporal-elasticsearch-tool setup-schema
temporal-elasticsearch-tool create-index --index "$ES_VISIBILITY_INDEX"
temporal-elasticsearch-tool update-schema --index "$ES_VISIBILITY_INDEX"

echo "temporal-schema: done"
