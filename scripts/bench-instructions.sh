#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind (issue 15): the
# same binary, data and addresses give the same count within 0.1 %, whatever
# else the machine does, where req/s and CPU time on a shared 2-core VM move
# by 15–30 % between runs. Compare two builds by running this once for each
# (BENCH_BIN=…); the count is user-space work only (the kernel's TCP is not
# in it) and counts memset's bytes one by one, so it overstates clearing
# large buffers (gzip's 128 KB hash table): read it beside `perf record`.
#
#   scripts/bench-instructions.sh [province|nation] [KIND] [N]
#
# KIND: workers (worker profiles, the default), offices, search (the /search
# page at random names), search-1char (the page, one character), api-search (the search API at random names),
# api-1char (one character), api-initials (two pinyin initials). N requests
# (default 300) drawn with a fixed seed over every address of that kind,
# after 100 to warm up; the page cache is off and requests carry a
# browser's Accept-Encoding. Needs valgrind (Debian package valgrind) and
# python3. BENCH_BIN measures that binary instead of building this
# checkout; BENCH_PORT overrides 18096; CALLGRIND_OUT=FILE keeps the
# profile as FILE.1 (callgrind_annotate --inclusive=yes FILE.1 shows where
# it went).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE="${1:-province}"
KIND="${2:-workers}"
N="${3:-300}"
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install -y valgrind" >&2; exit 1; }
PORT="${BENCH_PORT:-18096}"
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
port_free "$PORT"
OUT="${CALLGRIND_OUT:-$DATA/callgrind.out}"
DUMP="$OUT.1" # callgrind's first dump, taken after the N requests
rm -f "$OUT" "$DUMP"
"$BIN" demo-data --scale "$SCALE" >/dev/null

# The addresses: every one of the kind, 100 + N drawn with a fixed seed.
python3 - "$DATA/legal-portal.db" "$KIND" "$N" >"$DATA/paths" <<'PY'
import random, sqlite3, sys, urllib.parse
db, kind, n = sqlite3.connect(sys.argv[1]), sys.argv[2], int(sys.argv[3])
q = urllib.parse.quote
names = lambda: sorted({r[0] for r in db.execute("select name from workers")})
kinds = {
    "workers": lambda: ["/workers/" + q(r[0]) for r in db.execute("select license_no from workers")],
    "offices": lambda: ["/offices/" + q(r[0]) for r in db.execute("select license_no from offices")],
    "search": lambda: ["/search?q=" + q(x) for x in names()],
    "search-1char": lambda: ["/search?q=" + q(c) for c in sorted({x[0] for x in names()})],
    "api-search": lambda: ["/api/v1/search?q=" + q(x) for x in names()],
    "api-1char": lambda: ["/api/v1/search?q=" + q(c) for c in sorted({x[0] for x in names()})],
    # Two pinyin initials as typed, as scripts/bench.sh draws them.
    "api-initials": lambda: ["/api/v1/search?q=" + a + b for a in "bcdfghjklmnpqrstwxyz" for b in "bcdfghjklmnpqrstwxyz"],
}
if kind not in kinds:
    sys.exit(f"unknown kind {kind}: one of {', '.join(kinds)}")
paths, rng = kinds[kind](), random.Random(15)
print("\n".join(rng.choice(paths) for _ in range(100 + n)))
PY

# Waits (at most 5 minutes) for the server just started to answer.
wait_ready() {
    for _ in $(seq 1 600); do
        kill -0 "$PID" 2>/dev/null || { echo "the portal stopped; see $1" >&2; exit 1; }
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0
        sleep 0.5
    done
    echo "the portal did not answer within 5 minutes" >&2
    exit 1
}

# A first start builds the search index, outside the count.
"$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 >"$DATA/first.log" 2>&1 & PID=$!
wait_ready "$DATA/first.log"
sleep 10
kill "$PID"; wait "$PID" 2>/dev/null || true

valgrind --tool=callgrind --callgrind-out-file="$OUT" \
    "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 --page-cache-seconds 0 \
    >/dev/null 2>"$DATA/valgrind.log" & PID=$!
wait_ready "$DATA/valgrind.log"
sleep 20 # the background warm-up (search columns) ends
requests() { # skip count
    python3 - "$PORT" "$DATA/paths" "$1" "$2" <<'PY'
import http.client, sys
port, path_file, skip, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for path in open(path_file).read().split()[skip:skip + n]:
    conn.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    answer = conn.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"{path}: {answer.status}")
PY
}
requests 0 100
callgrind_control --zero "$PID" >/dev/null 2>&1 || { echo "callgrind_control --zero failed" >&2; exit 1; }
requests 100 "$N"
callgrind_control --dump "$PID" >/dev/null 2>&1 || { echo "callgrind_control --dump failed" >&2; exit 1; }
kill "$PID"; wait "$PID" 2>/dev/null || true
PID=""
[ -s "$DUMP" ] || { echo "no callgrind dump at $DUMP" >&2; exit 1; }
TOTAL="$(awk '/^summary:/ {print $2}' "$DUMP")"
printf '%s, %s: %d requests, %d instructions a request (%s)\n' \
    "$SCALE" "$KIND" "$N" "$((TOTAL / N))" "$("$BIN" --version 2>/dev/null || echo "$BIN")"
[ -n "${CALLGRIND_OUT:-}" ] && echo "profile: $DUMP"
exit 0
