#!/usr/bin/env bash
# Complaint figures, in one run: filings per second through the API (each
# one seals the contact with AES-256-GCM and writes two rows), status
# look-ups per second (hash check and timeline), and the form page, against
# /healthz as a baseline. The server runs on core 0 with one worker, wrk on
# core 1, over loopback, with the rate limits lifted.
#
#   scripts/bench-complaints.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/legal-portal"
DATA="$(mktemp -d)"
PORT=18081
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT
export LEGAL_PORTAL_DATA="$DATA" RUST_LOG=warn
export LEGAL_PORTAL_COMPLAINT_RATE=1000000/s LEGAL_PORTAL_COMPLAINT_LOOKUP_RATE=1000000/s
unset DATABASE_URL MEILI_URL LEGAL_PORTAL_COMPLAINT_KEY

"$BIN" demo-data --scale province >/dev/null
WORKER=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"select license_no from workers where status='practising' order by license_no limit 1 offset 100\").fetchone()[0])" "$DATA/legal-portal.db")

taskset -c 0 "$BIN" serve --bind "127.0.0.1:$PORT" --workers 1 & PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.02; done

BODY="{\"subject_license_no\":\"$WORKER\",\"category\":\"fees\",\"description\":\"代理费超出约定标准三倍，且未开具发票。\",\"occurred_on\":\"2026-11-01\",\"desired_outcome\":\"退费\",\"complainant_name\":\"测试\",\"complainant_phone\":\"13800000000\",\"withhold_identity\":false}"
FILED=$(curl -sf -H 'content-type: application/json' -d "$BODY" "http://127.0.0.1:$PORT/api/v1/complaints")
TRACKING=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['tracking_no'])" "$FILED")
CODE=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['access_code'])" "$FILED")

LUA="$DATA/post.lua"
python3 - "$BODY" "$LUA" <<'PY'
import sys
body, path = sys.argv[1], sys.argv[2]
open(path, "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[' + body + "]==]\n")
PY

rps() { taskset -c 1 wrk -t1 -c16 -d"${DURATION}s" --latency "$@" \
    | awk '/Requests\/sec/ {r=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print r, p50, p99}'; }
row() { printf '%-34s %10.0f req/s  p50 %-8s p99 %-8s\n' "$1" "$2" "$3" "$4"; }
read -r r p50 p99 < <(rps "http://127.0.0.1:$PORT/healthz"); row /healthz "$r" "$p50" "$p99"
read -r r p50 p99 < <(rps "http://127.0.0.1:$PORT/complaints/new"); row "GET /complaints/new" "$r" "$p50" "$p99"
read -r r p50 p99 < <(rps -H "X-Access-Code: $CODE" "http://127.0.0.1:$PORT/api/v1/complaints/$TRACKING"); row "GET /api/v1/complaints/{no}" "$r" "$p50" "$p99"
read -r r p50 p99 < <(rps -s "$LUA" "http://127.0.0.1:$PORT/api/v1/complaints"); row "POST /api/v1/complaints" "$r" "$p50" "$p99"
python3 -c "import sqlite3,sys; print('complaints stored:', sqlite3.connect(sys.argv[1]).execute('select count(*) from complaints').fetchone()[0])" "$DATA/legal-portal.db"
