#!/usr/bin/env bash
# Peak memory (maximum resident set size, from /usr/bin/time -v) of a
# workers CSV dry run of about 49 MB through the command line, the shape of
# scripts/bench-import.sh's rows, on SQLite after the districts and offices
# it refers to are in. Issue 16 asked for under 256 MB.
#
#   scripts/import-memory.sh [path to a legal-portal binary]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/release/legal-portal}"
ROWS="${ROWS:-580000}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export RUST_LOG=warn LEGAL_PORTAL_TODAY=2026-11-28
unset MEILI_URL DATABASE_URL
python3 - "$WORK" "$ROWS" <<'PY'
import sys
work, rows = sys.argv[1], int(sys.argv[2])
def w(name, header, lines):
    with open(f"{work}/{name}", "w", encoding="utf-8") as f:
        f.write(header + "\n")
        f.writelines(lines)
w("districts.csv", "code,name,kind,population,lawyers",
  (f"{900000+i},县{i},county,500000,{50+i%80}\n" for i in range(3000)))
w("offices.csv", "license_no,name,district_code,township,area_kind,status,established_on",
  (f"O{i:07d},法律服务所{i},{900000+i%3000},镇{i%7},{'rural' if i%3 else 'urban'},practising,2003-01-01\n" for i in range(15000)))
w("workers.csv", "license_no,name,gender,office_license_no,status,first_licensed_on,internship_months,practice_areas",
  (f"W{i:09d},工作者{i},{'male' if i%2 else 'female'},O{i%15000:07d},practising,2012-03-01,12,民事代理;法律咨询\n" for i in range(rows)))
PY
DB="$WORK/m.db"
"$BIN" --data-dir "$WORK" --database-url "$DB" import districts "$WORK/districts.csv" >/dev/null
"$BIN" --data-dir "$WORK" --database-url "$DB" import offices "$WORK/offices.csv" >/dev/null
printf 'workers.csv: %s bytes, %s rows\n' "$(stat -c %s "$WORK/workers.csv")" "$ROWS"
/usr/bin/time -v "$BIN" --data-dir "$WORK" --database-url "$DB" import workers "$WORK/workers.csv" --dry-run \
    2>"$WORK/time.txt" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("status", r["status"], "rows", r["rows"], "elapsed_ms", r["elapsed_ms"])'
grep -E "Maximum resident set size|Elapsed \(wall" "$WORK/time.txt"
