#!/usr/bin/env bash
# Load on `razz serve` with a real load generator (oha, from crates.io) on loopback:
#   1. GET /vault-rooms/{id}/people-count at a fixed 2,000 req/s for DURATION_S (default 20 s)
#      with no camera running, then again with two RTSP cameras running (detector 5/s each);
#      prints achieved rate, success ratio and latency percentiles (target p99 < 2 ms);
#   2. 200 WebSocket clients on one room at once for 15 s, each counting its updates.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=${DURATION_S:-20}
if ! command -v oha >/dev/null; then
  cargo install oha --version 1.14.0 --locked
fi
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q -p razz --example ws_clients)

load() {
  oha --no-tui --output-format json -q 2000 -z "${duration}s" -H "Authorization: Bearer $TOKEN" \
    "$BASE/vault-rooms/bench/people-count" | python3 -c "$report"
}
report='
import json, sys
d = json.load(sys.stdin)
s = d["summary"]
p = d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
rps, ok = s["requestsPerSec"], s["successRate"] * 100
print(f"  {rps:.0f} req/s, success {ok:.2f}%, status {codes}")
ms = {k: p[k] * 1e3 for k in ("p50", "p90", "p99", "p99.9")}
ms["max"] = s["slowest"] * 1e3
print("  latency ms: " + "  ".join(f"{k} {v:.3f}" for k, v in ms.items()))
'

start_razz
api -X POST "$BASE/api/rooms" -d '{"id":"bench","name":"Bench"}' >/dev/null
echo "1a. people-count at 2000 req/s, no camera:"
load
start_rtsp 2
add_cameras bench 2
for _ in $(seq 1 60); do
  n=$(api "$BASE/vault-rooms/bench/people-count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  [ "$n" -gt 0 ] && break; sleep 0.5
done
echo "1b. people-count at 2000 req/s, two cameras running (room count $n):"
load
echo "2. 200 WebSocket clients on /ws/rooms/bench for 15 s (5 updates/s at most):"
"$root/target/release/examples/ws_clients" "${BASE/http:/ws:}/ws/rooms/bench" "$TOKEN" 200 15
