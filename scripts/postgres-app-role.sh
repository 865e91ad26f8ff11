#!/bin/sh
# Creates the application's database role: it owns the database (so migrations can create
# tables and the article-text trigger) and nothing more: no superuser, no CREATEDB/CREATEROLE,
# so it cannot switch off foreign-key triggers (session_replication_role) or touch other
# databases. The postgres image runs this once, on an empty data volume
# (/docker-entrypoint-initdb.d); tests/test_deploy.py runs it against a local cluster.
#   APP_DB_NAME, APP_DB_USER, APP_DB_PASSWORD; POSTGRES_USER connects (a superuser).
set -eu
: "${APP_DB_NAME:=annotator}" "${APP_DB_USER:=annotator}" "${APP_DB_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "$APP_DB_NAME" \
    -v user="$APP_DB_USER" -v password="$APP_DB_PASSWORD" -v db="$APP_DB_NAME" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
ALTER DATABASE :"db" OWNER TO :"user";
ALTER SCHEMA public OWNER TO :"user";
SQL
