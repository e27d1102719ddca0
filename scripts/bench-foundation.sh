#!/usr/bin/env bash
# Foundation figures, in one run: cold start to the first 200 on /healthz
# with the province demo loaded, resident memory, and requests per second of
# a worker profile (page and JSON) and /districts as ratios of /healthz.
# The server runs on core 0 with one worker, wrk on core 1, over loopback.
#
#   scripts/bench-foundation.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/legal-portal"
DATA="$(mktemp -d)"
PORT=18080
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
export LEGAL_PORTAL_DATA="$DATA" RUST_LOG=warn
unset DATABASE_URL MEILI_URL

"$BIN" demo-data --scale province >/dev/null
WORKER=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select license_no from workers where status='practising' order by license_no limit 1 offset 100\").fetchone()[0])" "$DATA/legal-portal.db")

start=$(date +%s%N)
taskset -c 0 "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 & PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.002; done
ready=$(date +%s%N)
printf 'cold start to first 200 on /healthz: %d ms\n' $(( (ready - start) / 1000000 ))

rps() { taskset -c 1 wrk -t1 -c32 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$1" \
    | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print r, p50, p99}'; }
read -r base b50 b99 < <(rps /healthz)
printf '%-32s %10.0f req/s  p50 %-8s p99 %-8s (baseline)\n' /healthz "$base" "$b50" "$b99"
for path in "/workers/$WORKER" "/api/v1/workers/$WORKER" /districts; do
    read -r r p50 p99 < <(rps "$path")
    printf '%-32s %10.0f req/s  p50 %-8s p99 %-8s ratio %.2f\n' "$path" "$r" "$p50" "$p99" "$(echo "$r / $base" | bc -l)"
done
awk '/VmRSS|VmHWM/ {printf "%s %d MB\n", $1, $2/1024}' "/proc/$PID/status"
