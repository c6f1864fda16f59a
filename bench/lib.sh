# Shared helpers for the service benchmarks (sourced). Real parts only: GStreamer's RTSP
# server playing the PETS footage as H.264, and the real razz binary, all on 127.0.0.1.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
media_dir=$root/target/tmp/rtsp-media
export RAZZ_SHARED_DATA=${RAZZ_SHARED_DATA:-$root/../shared/data}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start_rtsp_server ARGS... -> sets RTSP_PORT, RTSP_PID; rtsp_server.py on a free port with
# ARGS (its --mount, --loop, ... options).
start_rtsp_server() {
  local out; out=$(mktemp)
  /usr/bin/python3 "$root/scripts/rtsp/rtsp_server.py" --port 0 "$@" >"$out" 2>/dev/null &
  RTSP_PID=$!
  pids+=($RTSP_PID)
  for _ in $(seq 1 100); do grep -q READY "$out" && break; sleep 0.1; done
  RTSP_PORT=$(sed -n 's/^READY rtsp:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$out")
  [ -n "$RTSP_PORT" ] || { echo "bench: RTSP server did not start" >&2; exit 1; }
}

# start_rtsp MOUNT_COUNT -> sets RTSP_PORT; mounts /cam1../camN of the looped PETS file.
start_rtsp() {
  bash "$root/scripts/rtsp/make_media.sh" "$media_dir" >/dev/null
  local args=() i
  for i in $(seq 1 "$1"); do args+=(--mount "/cam$i=$media_dir/pets-loop.mp4"); done
  start_rtsp_server --loop "${args[@]}"
}

# start_razz -> sets RAZZ_PID, BASE, TOKEN. Fresh data dir each run.
start_razz() {
  local data; data=$(mktemp -d)
  local out=$data/stdout
  local cfg=()
  [ -n "${RAZZ_BENCH_CONFIG:-}" ] && cfg=(--config "$RAZZ_BENCH_CONFIG")
  RAZZ_ADMIN_PASSWORD=bench-admin-pw RAZZ_LOG=${RAZZ_LOG:-warn} "$root/target/release/razz" serve "${cfg[@]}" --listen 127.0.0.1:0 --data-dir "$data" >"$out" 2>"$data/log" &
  RAZZ_PID=$!
  pids+=($RAZZ_PID)
  for _ in $(seq 1 300); do grep -q "serving on" "$out" && break; sleep 0.1; done
  BASE=$(sed -n 's/^razz: serving on \(http:\/\/[^ ]*\).*/\1/p' "$out")
  [ -n "$BASE" ] || { echo "bench: razz did not start: $(cat "$data/log")" >&2; exit 1; }
  # A login can fail while the server is busy starting its cameras: a few tries, then a clear
  # error with the status (once the live fusion bench went on with an empty token).
  local reply status
  for _ in 1 2 3 4 5; do
    reply=$(curl -s -w '\n%{http_code}' -X POST "$BASE/api/login" -H 'content-type: application/json' \
      -d '{"username":"admin","password":"bench-admin-pw"}') || true
    status=${reply##*$'\n'}
    if [ "$status" = 200 ]; then
      TOKEN=$(printf '%s' "${reply%$'\n'*}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
      return 0
    fi
    sleep 1
  done
  echo "bench: login to razz failed (HTTP ${status:-none}): ${reply%$'\n'*}; log: $(tail -n 3 "$data/log")" >&2
  exit 1
}

api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }

# add_cameras ROOM N: cameras c1..cN on the RTSP server's /cam1../camN.
add_cameras() {
  local i
  for i in $(seq 1 "$2"); do
    api -X POST "$BASE/api/cameras" -d "{\"id\":\"c$i\",\"room_id\":\"$1\",\"name\":\"Cam $i\",\"url\":\"rtsp://127.0.0.1:$RTSP_PORT/cam$i\"}" >/dev/null
  done
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
children_rss_kib() { local t=0 c; for c in $(pgrep -P "$1"); do t=$((t + $(rss_kib "$c"))); done; echo $t; }

# build_and_write_cases DIR: builds razz (unless SKIP_BUILD=1) and writes the fusion test's
# cases into DIR (its ignored `write_cases` test: views cut from PETS09-S2L1 as MJPEG and
# H.264, with their room configs) unless they are there already.
build_and_write_cases() {
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$root" && cargo build --release -q -p razz)
  fi
  if [ ! -f "$1/overlap-h264/room.toml" ]; then
    echo "bench: writing the fusion cases into $1"
    (cd "$root" && RAZZ_CASES_DIR=$1 cargo test --release -q -p razz --test fusion_cases \
      -- --ignored write_cases >/dev/null 2>&1) || { echo "bench: write_cases failed" >&2; exit 1; }
  fi
}
