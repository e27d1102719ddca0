# Sourced by scripts/bench.sh and scripts/bench-instructions.sh (from the
# checkout's root): the binary to measure, a data folder removed at exit
# with the server left running, the server's environment, and a check that
# the port is free.

# BENCH_BIN measures a binary built elsewhere (say, the commit before).
if [ -n "${BENCH_BIN:-}" ]; then
    BIN="$BENCH_BIN"
else
    cargo build --release --quiet
    BIN="${CARGO_TARGET_DIR:-target}/release/legal-portal"
fi
DATA="$(mktemp -d)"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT
export LEGAL_PORTAL_DATA="$DATA" RUST_LOG=warn
# Generous limits so that the load measures the work, not the 429s.
export LEGAL_PORTAL_SEARCH_RATE="${LEGAL_PORTAL_SEARCH_RATE:-1000000/s}"
export LEGAL_PORTAL_VERIFY_RATE="${LEGAL_PORTAL_VERIFY_RATE:-1000000/s}"
unset DATABASE_URL MEILI_URL LEGAL_PORTAL_PAGE_CACHE_SECONDS

# Stops when something already answers on port $1.
port_free() {
    if curl -s -o /dev/null "http://127.0.0.1:$1/healthz"; then
        echo "something already listens on port $1: set BENCH_PORT" >&2
        exit 1
    fi
}
