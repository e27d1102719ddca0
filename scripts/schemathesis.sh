#!/usr/bin/env bash
# Runs schemathesis (from PyPI) against the OpenAPI document of a running
# portal: the province demo on a fresh SQLite folder, an admin token, rate
# limits raised so the fuzzer is not answered 429 throughout. Fails on any
# 5xx and on any answer that breaks the document (status, content type,
# headers, body schema). Bounded by SCHEMATHESIS_SECONDS (default 120).
#
#   scripts/schemathesis.sh            # builds the debug binary if needed
#   LEGAL_PORTAL_BIN=target/release/legal-portal scripts/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_BUDGET="${SCHEMATHESIS_SECONDS:-120}"
VERSION="4.32.5"
VENV="${SCHEMATHESIS_VENV:-$HOME/.cache/legal-portal/venv}"
TARGET="${CARGO_TARGET_DIR:-target}"
BIN="${LEGAL_PORTAL_BIN:-$TARGET/debug/legal-portal}"

if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "$VERSION"; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi
if [ -z "${LEGAL_PORTAL_BIN:-}" ]; then
    cargo build --quiet --locked --bin legal-portal
fi

DATA="$(mktemp -d)"
# A copy, so another build into the same target folder cannot swap it.
cp "$BIN" "$DATA/legal-portal"
BIN="$DATA/legal-portal"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
export LEGAL_PORTAL_DATA="$DATA" LEGAL_PORTAL_TODAY=2026-11-28
export LEGAL_PORTAL_SEARCH_RATE=100000/min LEGAL_PORTAL_VERIFY_RATE=100000/min
export LEGAL_PORTAL_COMPLAINT_RATE=100000/min LEGAL_PORTAL_COMPLAINT_LOOKUP_RATE=100000/min
"$BIN" serve --demo --bind "127.0.0.1:$PORT" --workers 2 >"$DATA/portal.log" 2>&1 &
PID=$!
cleanup() {
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    rm -rf "$DATA"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
    curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { cat "$DATA/portal.log"; exit 1; }
    sleep 0.2
done
curl -fs "$BASE/readyz" >/dev/null || { echo "portal not ready"; cat "$DATA/portal.log"; exit 1; }
TOKEN="$("$BIN" token create --name schemathesis --scope admin 2>"$DATA/token.err")"

# Checks: no 5xx, and every answer as documented. `negative_data_rejection`
# and `positive_data_acceptance` are left out: the API deliberately folds
# full-width digits and spaces in license numbers (so some "invalid" strings
# are accepted) and answers 404 to well-formed numbers nobody holds.
set +e
"$VENV/bin/schemathesis" --no-color run "$BASE/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --header "Authorization: Bearer $TOKEN" \
    --max-time "$SECONDS_BUDGET" \
    --seed 20261128 \
    --request-timeout 20 \
    --suppress-health-check all
status=$?
set -e
if grep -q "panicked" "$DATA/portal.log"; then
    echo "the portal panicked:"; grep -A5 "panicked" "$DATA/portal.log"; exit 1
fi
exit "$status"
