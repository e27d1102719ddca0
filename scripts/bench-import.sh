#!/usr/bin/env bash
# Import figures: end-to-end CSV import throughput of workers (rows/s, parse
# to commit, measured by the CLI's own report and by wall clock) into
# SQLite and PostgreSQL, fresh inserts and a repeat (all unchanged); and
# the time to import a nation-scale batch (3,000 districts, 15,000 offices,
# 70,000 workers) from CSV.
#
#   scripts/bench-import.sh [worker rows, default 200000]
#   BENCH_BIN=path/to/legal-portal scripts/bench-import.sh   # measure that binary
#
# PostgreSQL runs when BENCH_PG_URL (an admin URL, e.g.
# postgres://postgres@127.0.0.1:5432/postgres) is set; a database
# bench_import_<pid> is created there and dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-200000}"
WORK="$(mktemp -d)"
if [ -n "${BENCH_BIN:-}" ]; then
    # A binary built elsewhere (e.g. of another commit, to compare).
    cp "$BENCH_BIN" "$WORK/legal-portal"
else
    cargo build --release --quiet
    # Copy at once: a shared target folder may be rebuilt from another branch.
    cp "${CARGO_TARGET_DIR:-target}/release/legal-portal" "$WORK/legal-portal"
fi
BIN="$WORK/legal-portal"
"$BIN" import --help >/dev/null 2>&1 || { echo "the built binary has no import command (target folder rebuilt by another branch?); rerun" >&2; exit 1; }
PGDB="bench_import_$$"
cleanup() {
    rm -rf "$WORK"
    if [ -n "${BENCH_PG_URL:-}" ]; then psql "$BENCH_PG_URL" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
export RUST_LOG=warn LEGAL_PORTAL_TODAY=2026-11-28
unset MEILI_URL

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
w("nation-workers.csv", "license_no,name,gender,office_license_no,status,first_licensed_on,internship_months,practice_areas",
  (f"N{i:09d},工作者{i},{'male' if i%2 else 'female'},O{i%15000:07d},practising,2012-03-01,12,民事代理\n" for i in range(70000)))
PY

now_ms() { date +%s%3N; }
imp() { # url dataset file -> prints "wall_ms report_ms counts"
    local t0 t1 out
    t0=$(now_ms)
    out=$(DATABASE_URL="$1" "$BIN" import "$2" "$3") || { echo "import of $2 into $1 failed" >&2; exit 1; }
    t1=$(now_ms)
    printf '%s' "$out" | python3 -c 'import json,sys; r=json.load(sys.stdin); c=r["counts"]; print(sys.argv[1], r["elapsed_ms"], c["inserted"], c["updated"], c["unchanged"], r["rows"])' $((t1 - t0))
}
bench() { # label url
    local label="$1" url="$2"
    imp "$url" districts "$WORK/districts.csv" >/dev/null
    imp "$url" offices "$WORK/offices.csv" >/dev/null
    for pass in fresh repeat; do
        read -r wall ms ins upd unch rows < <(imp "$url" workers "$WORK/workers.csv")
        printf '%-10s workers %-6s %8d rows  %6d ms in import (%8.0f rows/s)  %6d ms wall (%8.0f rows/s)  inserted %d unchanged %d\n' \
            "$label" "$pass" "$rows" "$ms" "$(echo "$rows * 1000 / ($ms + 1)" | bc -l)" "$wall" "$(echo "$rows * 1000 / $wall" | bc -l)" "$ins" "$unch"
    done
}
nation() { # label url
    local label="$1" url="$2" t0 t1
    t0=$(now_ms)
    imp "$url" districts "$WORK/districts.csv" >/dev/null
    imp "$url" offices "$WORK/offices.csv" >/dev/null
    imp "$url" workers "$WORK/nation-workers.csv" >/dev/null
    t1=$(now_ms)
    printf '%-10s nation scale (3,000 districts, 15,000 offices, 70,000 workers): %d ms wall, three CLI runs\n' "$label" $((t1 - t0))
}

bench sqlite "$WORK/bench.db"
nation sqlite "$WORK/nation.db"
if [ -n "${BENCH_PG_URL:-}" ]; then
    psql "$BENCH_PG_URL" -qc "CREATE DATABASE $PGDB" >/dev/null
    PG="${BENCH_PG_URL%/*}/$PGDB"
    bench postgres "$PG"
    psql "$BENCH_PG_URL" -qc "DROP DATABASE $PGDB WITH (FORCE)" >/dev/null
    psql "$BENCH_PG_URL" -qc "CREATE DATABASE $PGDB" >/dev/null
    nation postgres "$PG"
else
    echo "postgres: skipped (set BENCH_PG_URL to measure)"
fi
