#!/usr/bin/env bash
# The portal's figures, in one run (issue 15): cold start and the first page
# after it, resident memory,
# and requests per second with p50/p99 latency of /healthz (the baseline)
# and of addresses drawn at random over the whole dataset (a wrk Lua script
# picks one per request), each with the page cache on and off, as ratios of
# the baseline measured on the same server. The server runs on core 0 with
# one HTTP worker, wrk on core 1, over loopback, 100 connections (issue 7's
# search target).
#
#   scripts/bench.sh [province|nation] [seconds per run, default 10]
#
# Addresses: worker and office profiles at random; /api/v1/search and the
# /search page at random full names; one-character searches (the first
# character of a random name), through the API and the page; two pinyin
# initials at random through the API; /verify at random license numbers;
# /districts. Rate limits are lifted for the run (a load generator is
# exactly what they stop). Needs wrk (apt-get install -y wrk) and python3.
# BENCH_CONNECTIONS and BENCH_PORT override 100 and 18080; BENCH_BIN
# measures that binary instead of building this checkout. Every request
# carries the Accept-Encoding browsers send ("gzip, deflate, br, zstd");
# BENCH_ACCEPT_ENCODING sends another, and BENCH_ACCEPT_ENCODING=none no header
# (plain answers, as curl or a bare HTTP client asks them). Tables in
# docs/performance.md before the compression section were measured
# without one.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-province}"
DURATION="${2:-10}"
CONNS="${BENCH_CONNECTIONS:-100}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

PORT="${BENCH_PORT:-18080}"
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

load_start=$(date +%s%N)
"$BIN" demo-data --scale "$SCALE" >/dev/null
load_end=$(date +%s%N)
printf 'demo data (%s): %d ms\n' "$SCALE" $(( (load_end - load_start) / 1000000 ))
DB="$DATA/legal-portal.db"
pick() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DB" "$1"; }
WORKER=$(pick "select license_no from workers where status='practising' order by license_no limit 1 offset 100")
NAME=$(pick "select name from workers where license_no='$WORKER'")
urlenc() { python3 -c "import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))" "$1"; }

# One Lua script per kind of address, each a list of every path of that
# kind in the dataset; wrk asks for one at random per request.
ACCEPT="${BENCH_ACCEPT_ENCODING:-gzip, deflate, br, zstd}"
[ "$ACCEPT" = none ] && ACCEPT=""
python3 - "$DB" "$DATA" "$ACCEPT" <<'PY'
import sqlite3, sys, urllib.parse
db, out, accept = sqlite3.connect(sys.argv[1]), sys.argv[2], sys.argv[3]
headers = '{["Accept-Encoding"] = "%s"}' % accept if accept else "nil"
q = urllib.parse.quote
workers = [r[0] for r in db.execute("select license_no from workers")]
offices = [r[0] for r in db.execute("select license_no from offices")]
names = sorted({r[0] for r in db.execute("select name from workers")})
firsts = sorted({n[0] for n in names})
kinds = {
    "profiles": ["/workers/" + q(n) for n in workers] + ["/offices/" + q(n) for n in offices],
    "api_search": ["/api/v1/search?q=" + q(n) for n in names],
    "api_search_1char": ["/api/v1/search?q=" + q(c) for c in firsts],
    # Pinyin initials as typed: two letters of the 20 that start syllables.
    "api_initials": ["/api/v1/search?q=" + a + b for a in "bcdfghjklmnpqrstwxyz" for b in "bcdfghjklmnpqrstwxyz"],
    "search": ["/search?q=" + q(n) for n in names],
    "search_1char": ["/search?q=" + q(c) for c in firsts],
    "verify": ["/verify?license_no=" + q(n) for n in workers + offices],
    "districts": ["/districts"],
    "healthz": ["/healthz"],
}
for kind, paths in kinds.items():
    with open(f"{out}/{kind}.lua", "w") as f:
        f.write("paths = {\n" + ",\n".join('"%s"' % p for p in paths) + "\n}\n")
        f.write("init = function(args) math.randomseed(os.time()) end\n")
        f.write("request = function() return wrk.format('GET', paths[math.random(#paths)], %s) end\n" % headers)
    print(f"{kind}: {len(paths)} addresses", file=sys.stderr)
PY

start_server() { # extra serve flags...
    port_free "$PORT"
    taskset -c 0 "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 "$@" & PID=$!
}
stop_server() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# A first start builds the search index; the cold start measured is the next
# one, as after a restart or a deployment.
start_server
until curl -s "http://127.0.0.1:$PORT/api/v1/search?q=$(urlenc "$NAME")" 2>/dev/null | grep -q "$WORKER"; do sleep 0.1; done
stop_server

# req/s, p50, p99, non-2xx of one kind of address.
measure() {
    taskset -c 1 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$DATA/$1.lua" "http://127.0.0.1:$PORT" \
        | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {print r, p50, p99, bad+0}'
}
LABELS=(
    "healthz|\`/healthz\`"
    "profiles|worker and office profiles at random"
    "api_search|\`/api/v1/search\` at random names"
    "api_search_1char|\`/api/v1/search\`, one character at random"
    "api_initials|\`/api/v1/search\`, two pinyin initials at random"
    "search|\`/search\` page at random names"
    "search_1char|\`/search\` page, one character at random"
    "verify|\`/verify\` at random license numbers"
    "districts|\`/districts\`"
)
declare -A RESULT
rss() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$PID/status"; }
# Private memory: resident minus mapped files (the index, the binary).
private() { awk '/RssAnon/ {printf "%d", $2/1024}' "/proc/$PID/status"; }

for mode in on off; do
    if [ "$mode" = on ]; then
        start=$(date +%s%N)
        start_server
        until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.002; done
        ready=$(date +%s%N)
        printf 'cold start to first 200 on /healthz (%s data, index on disk): %d ms\n' "$SCALE" $(( (ready - start) / 1000000 ))
        # The first page a second later, and the next: what a visitor
        # meets after a restart or a deployment.
        sleep 1
        for which in "first page (/) 1 s after that" "the next page (/)"; do
            printf '%s: %s s\n' "$which" \
                "$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/")"
        done
    else
        start_server --page-cache-seconds 0
        until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.01; done
    fi
    # Wait for the indexer to have caught up, so search measures the index.
    until curl -s "http://127.0.0.1:$PORT/api/v1/search?q=$(urlenc "$NAME")" | grep -q "$WORKER"; do sleep 0.1; done
    printf 'resident memory after start, page cache %s: %s MB\n' "$mode" "$(rss)"
    for entry in "${LABELS[@]}"; do
        kind="${entry%%|*}"
        RESULT[$mode,$kind]="$(measure "$kind")"
        echo "  cache $mode  $kind: ${RESULT[$mode,$kind]} (resident after: $(rss) MB, private $(private) MB)" >&2
    done
    # The baseline again at the end: the ratios use the mean of both, so a
    # machine that got busier or quieter during the runs shows as a spread.
    RESULT[$mode,healthz_end]="$(measure healthz)"
    echo "  cache $mode  healthz at the end: ${RESULT[$mode,healthz_end]}" >&2
    RESULT[$mode,rss]="$(rss)"
    RESULT[$mode,private]="$(private)"
    printf 'resident memory after the runs, page cache %s: %s MB (private %s MB)\n' "$mode" "${RESULT[$mode,rss]}" "${RESULT[$mode,private]}"
    stop_server
done

# The table, in Markdown: ratio to /healthz of the same server (the mean of
# its first and last runs; req/s, p50, p99 in brackets).
baseline() { # mode: mean req/s of /healthz at the start and the end
    read -r first _ <<<"${RESULT[$1,healthz]}"
    read -r last _ <<<"${RESULT[$1,healthz_end]}"
    echo "($first + $last) / 2" | bc -l
}
cell() { # mode kind
    read -r r p50 p99 bad <<<"${RESULT[$1,$2]}"
    base=$(baseline "$1")
    printf '%.3f (%.0f req/s, p50 %s, p99 %s)%s' "$(echo "$r / $base" | bc -l)" "$r" "$p50" "$p99" \
        "$( [ "$bad" != 0 ] && echo " **$bad non-2xx**" )"
}
echo
echo "$SCALE, $DURATION s per run, $CONNS connections, Accept-Encoding: ${ACCEPT:-(none)}; ratio to \`/healthz\` (req/s, p50, p99);"
for mode in on off; do
    read -r first _ <<<"${RESULT[$mode,healthz]}"
    read -r last _ <<<"${RESULT[$mode,healthz_end]}"
    printf 'baseline with the page cache %s: mean of %.0f (first) and %.0f (last) req/s\n' "$mode" "$first" "$last"
done
echo
echo "| address | page cache on | page cache off |"
echo "| --- | --- | --- |"
for entry in "${LABELS[@]}"; do
    kind="${entry%%|*}"
    printf '| %s | %s | %s |\n' "${entry#*|}" "$(cell on "$kind")" "$(cell off "$kind")"
done
printf '| resident memory after the runs | %s MB | %s MB |\n' "${RESULT[on,rss]}" "${RESULT[off,rss]}"
printf '| of which private (not mapped files) | %s MB | %s MB |\n' "${RESULT[on,private]}" "${RESULT[off,private]}"
