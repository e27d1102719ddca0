#!/usr/bin/env bash
# Runs a command against a real Meilisearch server started for it:
#
#   scripts/with-meilisearch.sh cargo test --test it search::
#
# The binary is $MEILISEARCH_BIN, else ~/.cache/meilisearch/meilisearch
# (build it as DEVELOPERS.md says). It is started on a free loopback port
# with a random master key and a temporary database folder; the command
# runs with MEILI_URL and MEILI_MASTER_KEY set (what tests/it/search reads);
# the server is stopped and its folder removed however the command ends.
#
# Without a binary it prints one loud SKIPPED line and exits 0 without
# running the command (CI machines may not have one). A binary that is
# there but does not come up is a failure.
set -euo pipefail

bin="${MEILISEARCH_BIN:-$HOME/.cache/meilisearch/meilisearch}"
if [ ! -x "$bin" ]; then
    echo "*** SKIPPED: Meilisearch (no binary at $bin; see DEVELOPERS.md to build one) ***"
    exit 0
fi
[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS…]" >&2; exit 2; }

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    local p
    for _ in $(seq 1 100); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo "no free port found" >&2
    return 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/legal-portal-meili.XXXXXX")"
port="$(free_port)"
key="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pid=""

stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

"$bin" --master-key "$key" --http-addr "127.0.0.1:$port" --no-analytics \
    --db-path "$work/data.ms" >"$work/meilisearch.log" 2>&1 &
pid=$!

url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
    if curl -fsS "$url/health" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "Meilisearch ($bin) exited at start; its log:" >&2
        cat "$work/meilisearch.log" >&2
        exit 1
    fi
    sleep 0.5
done
if ! curl -fsS "$url/health" >/dev/null 2>&1; then
    echo "Meilisearch ($bin) did not answer $url/health within 60 s; its log:" >&2
    tail -n 50 "$work/meilisearch.log" >&2
    exit 1
fi
echo "Meilisearch $("$bin" --version 2>/dev/null || echo '(version unknown)') on $url"

status=0
MEILI_URL="$url" MEILI_MASTER_KEY="$key" "$@" || status=$?
exit "$status"
