#!/usr/bin/env bash
# Backs up what a portal cannot rebuild: the database and the keys.
#
#   DATABASE_URL=postgres://… LEGAL_PORTAL_DATA=/var/lib/legal-portal \
#       scripts/backup.sh /backups/2026-12-03
#
# Writes into the (new or empty) folder given:
#   database.pgdump   pg_dump --format=custom of a PostgreSQL database, or
#   database.sqlite   an online copy of a SQLite database (sqlite3 .backup)
#   keys/             signing.key and complaint.key from the data folder,
#                     when the portal keeps them there (without complaint.key
#                     the sealed contacts of complainants cannot be read)
#   MANIFEST          what was taken, when, and from which backend
#
# The search index is not backed up by default: it is built from the
# database (`legal-portal reindex`, or by itself at start when empty). With
# MEILI_URL (and MEILI_MASTER_KEY) set, the script also asks Meilisearch for
# a dump and waits for it; the dump file stays in the server's --dump-dir.
#
# Nothing secret is printed. The folder is made readable by its owner only.
set -euo pipefail
umask 077

out="${1:-}"
[ -n "$out" ] || { echo "usage: $0 BACKUP_FOLDER" >&2; exit 2; }
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
data="${LEGAL_PORTAL_DATA:-data}"

mkdir -p "$out"
if [ -n "$(ls -A "$out")" ]; then
    echo "$out is not empty; give a new folder" >&2
    exit 1
fi

redacted() { printf '%s' "$1" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#'; }

case "$DATABASE_URL" in
postgres://* | postgresql://*)
    backend=postgres
    pg_dump --format=custom --no-owner --no-privileges --file "$out/database.pgdump" "$DATABASE_URL"
    ;;
*)
    backend=sqlite
    db="${DATABASE_URL#sqlite://}"
    [ -f "$db" ] || { echo "no SQLite database at $db" >&2; exit 1; }
    if command -v sqlite3 >/dev/null; then
        sqlite3 "$db" ".backup '$out/database.sqlite'"
    else
        python3 - "$db" "$out/database.sqlite" <<'PY'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close()
PY
    fi
    ;;
esac

mkdir -p "$out/keys"
keys=""
for k in signing.key complaint.key; do
    if [ -f "$data/$k" ]; then
        cp -p "$data/$k" "$out/keys/$k"
        keys="$keys $k"
    fi
done

meili_dump=""
if [ -n "${MEILI_URL:-}" ]; then
    auth=()
    [ -n "${MEILI_MASTER_KEY:-}" ] && auth=(-H "Authorization: Bearer $MEILI_MASTER_KEY")
    task=$(curl -fsS -X POST "${auth[@]}" "$MEILI_URL/dumps" | sed -E 's/.*"taskUid":([0-9]+).*/\1/')
    for _ in $(seq 1 600); do
        status=$(curl -fsS "${auth[@]}" "$MEILI_URL/tasks/$task" | sed -E 's/.*"status":"([a-z]+)".*/\1/')
        case "$status" in
        succeeded) break ;;
        failed | canceled) echo "Meilisearch dump task $task $status" >&2; exit 1 ;;
        esac
        sleep 1
    done
    [ "$status" = succeeded ] || { echo "Meilisearch dump task $task did not finish" >&2; exit 1; }
    meili_dump="task $task (the .dump file is in the Meilisearch server's --dump-dir)"
fi

{
    echo "taken: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "backend: $backend"
    echo "database: $(redacted "$DATABASE_URL")"
    echo "keys:${keys:- none in $data (set by the environment? back them up from where they are kept)}"
    echo "meilisearch dump: ${meili_dump:-none (the index is rebuilt from the database)}"
} >"$out/MANIFEST"
cat "$out/MANIFEST"
