#!/usr/bin/env bash
# Restores a folder written by scripts/backup.sh into an EMPTY database and
# data folder, then rebuilds the search index from the restored database:
#
#   DATABASE_URL=postgres://…/portal_restored LEGAL_PORTAL_DATA=/var/lib/legal-portal \
#       scripts/restore.sh /backups/2026-12-03
#
# The database must be empty (a new PostgreSQL database, or no SQLite file
# yet): the script never writes over records. Keys are copied into the data
# folder unless a different key is already there (then it stops: contacts
# sealed with one key cannot be read with another). The index is rebuilt by
# `legal-portal reindex` ($LEGAL_PORTAL_BIN, else legal-portal on PATH), on
# Meilisearch when MEILI_URL is set, else the embedded engine in the data
# folder. SKIP_REINDEX=1 leaves it to the portal, which builds an empty index
# at start by itself.
set -euo pipefail
umask 077

from="${1:-}"
[ -n "$from" ] && [ -f "$from/MANIFEST" ] || { echo "usage: $0 BACKUP_FOLDER (written by scripts/backup.sh)" >&2; exit 2; }
: "${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}"
data="${LEGAL_PORTAL_DATA:-data}"
bin="${LEGAL_PORTAL_BIN:-legal-portal}"

case "$DATABASE_URL" in
postgres://* | postgresql://*)
    [ -f "$from/database.pgdump" ] || { echo "$from holds no PostgreSQL dump" >&2; exit 1; }
    tables=$(psql -X -At -d "$DATABASE_URL" -c \
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
    if [ "$tables" != 0 ]; then
        echo "the target database is not empty ($tables tables); restore into a new one" >&2
        exit 1
    fi
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
        -d "$DATABASE_URL" "$from/database.pgdump"
    ;;
*)
    [ -f "$from/database.sqlite" ] || { echo "$from holds no SQLite copy" >&2; exit 1; }
    db="${DATABASE_URL#sqlite://}"
    if [ -e "$db" ]; then
        echo "$db exists; restore into a new file" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$db")"
    cp "$from/database.sqlite" "$db"
    ;;
esac

mkdir -p "$data"
chmod 700 "$data"
for k in signing.key complaint.key; do
    [ -f "$from/keys/$k" ] || continue
    if [ -f "$data/$k" ] && ! cmp -s "$from/keys/$k" "$data/$k"; then
        echo "$data/$k differs from the backup's; move it away first" >&2
        exit 1
    fi
    cp -p "$from/keys/$k" "$data/$k"
    chmod 600 "$data/$k"
done

if [ "${SKIP_REINDEX:-0}" != 1 ]; then
    DATABASE_URL="$DATABASE_URL" LEGAL_PORTAL_DATA="$data" "$bin" reindex
fi
echo "restored from $from"
