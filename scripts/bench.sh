#!/usr/bin/env bash
# The portal's figures, in one run: cold start, resident memory, and
# requests per second with p50/p99 latency of /healthz (the baseline) and of
# a worker profile, an office profile, search, verify and the districts page
# as ratios of it. The server runs on core 0, wrk on core 1, over loopback;
# 100 connections, as in issue 7's search target.
#
#   scripts/bench.sh [province|nation] [seconds per run, default 10]
#
# Rate limits are lifted for the run (a load generator is exactly what they
# stop). Needs wrk (apt-get install -y wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-province}"
DURATION="${2:-10}"
CONNS="${BENCH_CONNECTIONS:-100}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/legal-portal"
DATA="$(mktemp -d)"
PORT="${BENCH_PORT:-18080}"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT
export LEGAL_PORTAL_DATA="$DATA" RUST_LOG=warn
# Generous limits so that wrk measures the work, not the 429s.
export LEGAL_PORTAL_SEARCH_RATE="${LEGAL_PORTAL_SEARCH_RATE:-1000000/s}"
export LEGAL_PORTAL_VERIFY_RATE="${LEGAL_PORTAL_VERIFY_RATE:-1000000/s}"
unset DATABASE_URL MEILI_URL

load_start=$(date +%s%N)
"$BIN" demo-data --scale "$SCALE" >/dev/null
load_end=$(date +%s%N)
printf 'demo data (%s): %d ms\n' "$SCALE" $(( (load_end - load_start) / 1000000 ))
pick() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DATA/legal-portal.db" "$1"; }
WORKER=$(pick "select license_no from workers where status='practising' order by license_no limit 1 offset 100")
NAME=$(pick "select name from workers where license_no='$WORKER'")
OFFICE=$(pick "select office_license_no from workers where license_no='$WORKER'")
urlenc() { python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$1"; }

# A first start builds the search index; the cold start measured is the next
# one, as after a restart or a deployment.
taskset -c 0 "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 & PID=$!
until curl -s "http://127.0.0.1:$PORT/api/v1/search?q=$(urlenc "$NAME")" 2>/dev/null | grep -q "$WORKER"; do sleep 0.1; done
kill "$PID"; wait "$PID" 2>/dev/null || true

start=$(date +%s%N)
taskset -c 0 "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 & PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.002; done
ready=$(date +%s%N)
printf 'cold start to first 200 on /healthz (%s data, index on disk): %d ms\n' "$SCALE" $(( (ready - start) / 1000000 ))
# Wait for the indexer to have caught up, so search measures the index.
until curl -s "http://127.0.0.1:$PORT/api/v1/search?q=$(urlenc "$NAME")" | grep -q "$WORKER"; do sleep 0.1; done

rps() { taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$1" \
    | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print r, p50, p99, bad+0}'; }
read -r base b50 b99 _ < <(rps /healthz)
printf '%-44s %9.0f req/s  p50 %-8s p99 %-8s (baseline)\n' /healthz "$base" "$b50" "$b99"
for path in "/workers/$WORKER" "/offices/$OFFICE" "/search?q=$(urlenc "$NAME")" \
    "/search?q=$(urlenc "${NAME:0:1}")" "/api/v1/search?q=$(urlenc "$NAME")" \
    "/verify?license_no=$WORKER" /districts; do
    read -r r p50 p99 bad < <(rps "$path")
    label="$(python3 -c "import urllib.parse,sys; print(urllib.parse.unquote(sys.argv[1]))" "$path")"
    printf '%-44s %9.0f req/s  p50 %-8s p99 %-8s ratio %.2f%s\n' "$label" "$r" "$p50" "$p99" \
        "$(echo "$r / $base" | bc -l)" "$( [ "$bad" != 0 ] && echo "  ($bad non-2xx!)" )"
done
# 1,000 different names, one picked at random per request: the page cache
# then holds each only after its first visit.
LUA="$DATA/names.lua"
python3 - "$DATA/legal-portal.db" > "$LUA" <<'PY'
import sqlite3, sys, urllib.parse
names = [r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "select distinct name from workers order by license_no limit 1000")]
print("paths = {" + ",".join('"/search?q=%s"' % urllib.parse.quote(n) for n in names) + "}")
print("request = function() return wrk.format('GET', paths[math.random(#paths)]) end")
PY
rps_lua() { taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:$PORT" \
    | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print r, p50, p99, bad+0}'; }
row() {
    printf '%-44s %9.0f req/s  p50 %-8s p99 %-8s ratio %.2f%s\n' "$1" "$2" "$3" "$4" \
        "$(echo "$2 / $base" | bc -l)" "$( [ "$5" != 0 ] && echo "  ($5 non-2xx!)" )"
}
read -r r p50 p99 bad < <(rps_lua)
row "/search?q=<1,000 names at random>" "$r" "$p50" "$p99" "$bad"
awk '/VmRSS|VmHWM/ {printf "%s %d MB\n", $1, $2/1024}' "/proc/$PID/status"

# The same pages rendered every time (LEGAL_PORTAL_PAGE_CACHE_SECONDS=0), as
# the ratios against the same baseline: what a page costs uncached.
kill "$PID"; wait "$PID" 2>/dev/null || true
LEGAL_PORTAL_PAGE_CACHE_SECONDS=0 taskset -c 0 "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 & PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.01; done
echo "without the page cache:"
for path in "/workers/$WORKER" "/search?q=$(urlenc "$NAME")" "/api/v1/search?q=$(urlenc "$NAME")"; do
    read -r r p50 p99 bad < <(rps "$path")
    row "$(python3 -c "import urllib.parse,sys; print(urllib.parse.unquote(sys.argv[1]))" "$path")" "$r" "$p50" "$p99" "$bad"
done
read -r r p50 p99 bad < <(rps_lua)
row "/search?q=<1,000 names at random>" "$r" "$p50" "$p99" "$bad"
