#!/usr/bin/env bash
# Checks the RTSP test server end to end with ffmpeg (about 40 s, needs no GPU and no cargo):
# real-time pacing, two mounts, digest auth (good and wrong password), closed port, restart on
# the same port after SIGTERM, joining a running shared stream, and --loop past the file's end.
# Usage: scripts/rtsp/selftest.sh [MEDIA_DIR]   (MEDIA_DIR defaults to a temp dir; made by
# make_media.sh when needed). Prints one PASS/FAIL line per check; exits 1 if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
media=${1:-}
tmp=$(mktemp -d)
[ -n "$media" ] || media=$tmp/media
"$here/make_media.sh" "$media" >/dev/null || { echo "FAIL make_media.sh"; exit 1; }
pets=$media/pets.mp4
frame=$((768 * 576 * 3))
fails=0
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

check() { # NAME CONDITION-RESULT(0/1) DETAIL
  if [ "$2" -eq 0 ]; then echo "PASS $1: $3"; else echo "FAIL $1: $3"; fails=$((fails + 1)); fi
}

start_server() { # ARGS... ; sets server_pid and port
  : >"$tmp/server.out" # truncate here: the child's own redirection may come after our grep
  "$here/rtsp_server.py" "$@" >"$tmp/server.out" 2>"$tmp/server.err" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q '^READY ' "$tmp/server.out" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  port=$(sed -n 's|^READY rtsp://127.0.0.1:\([0-9]*\)$|\1|p' "$tmp/server.out")
  if [ -z "$port" ]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid"
    echo "FAIL server did not start (exit status $?): $(cat "$tmp/server.out" "$tmp/server.err")"
    server_pid=
    exit 1
  fi
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid"
  local rc=$?
  server_pid=
  return $rc
}

read_frames() { # URL N -> prints "BYTES SECONDS"; ffmpeg's stderr in $tmp/ff.err
  local t0 t1 bytes
  t0=$(date +%s.%N)
  bytes=$(timeout 30 ffmpeg -nostdin -hide_banner -loglevel error -rtsp_transport tcp -i "$1" \
    -frames:v "$2" -f rawvideo -pix_fmt bgr24 - 2>"$tmp/ff.err" | wc -c)
  t1=$(date +%s.%N)
  echo "$bytes $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
}

start_server --port 0 --mount "/cam1=$pets" --mount "/cam2=$pets" --user admin --password s3cret
url=rtsp://admin:s3cret@127.0.0.1:$port

read -r bytes secs < <(read_frames "$url/cam1" 50)
ok=1; [ "$bytes" -eq $((50 * frame)) ] && awk -v s="$secs" 'BEGIN { exit !(s >= 4 && s <= 8) }' && ok=0
check "pacing /cam1" $ok "50 frames = $bytes bytes in ${secs}s (want $((50 * frame)) in ~5 s)"

read -r bytes secs < <(read_frames "$url/cam2" 20)
ok=1; [ "$bytes" -eq $((20 * frame)) ] && ok=0
check "second mount /cam2" $ok "20 frames = $bytes bytes in ${secs}s"

read_frames "rtsp://admin:wrong@127.0.0.1:$port/cam1" 5 >/dev/null
ok=1; grep -q '401 Unauthorized' "$tmp/ff.err" && ok=0
check "wrong password" $ok "$(tail -n 1 "$tmp/ff.err")"

read_frames "rtsp://127.0.0.1:$port/cam1" 5 >/dev/null
ok=1; grep -q '401 Unauthorized' "$tmp/ff.err" && ok=0
check "no credentials" $ok "$(tail -n 1 "$tmp/ff.err")"

# A client joining a running shared stream must not rewind it for the first one.
# (A rewind would stall the first client's frames for as long as it had watched.)
read_frames "$url/cam1" 100 >"$tmp/first.txt" &
first=$!
sleep 6
read_frames "$url/cam1" 10 >/dev/null
wait $first
read -r bytes secs <"$tmp/first.txt"
ok=1; [ "$bytes" -eq $((100 * frame)) ] && awk -v s="$secs" 'BEGIN { exit !(s <= 14) }' && ok=0
check "join running stream" $ok "first client: 100 frames in ${secs}s while a second one joined"

stop_server; rc=$?
check "SIGTERM" $rc "server exit status $rc"

read_frames "$url/cam1" 5 >/dev/null
ok=1; grep -q 'Connection refused' "$tmp/ff.err" && ok=0
check "closed port" $ok "$(tail -n 1 "$tmp/ff.err")"

old_port=$port
start_server --port "$old_port" --mount "/cam1=$pets" --user admin --password s3cret
read -r bytes secs < <(read_frames "$url/cam1" 20)
ok=1; [ "$port" = "$old_port" ] && [ "$bytes" -eq $((20 * frame)) ] && ok=0
check "restart on same port" $ok "port $port, 20 frames = $bytes bytes in ${secs}s"
stop_server

# --loop: a 3 s clip must keep streaming past its end.
ffmpeg -nostdin -hide_banner -loglevel error -y -i "$pets" -frames:v 30 -c copy "$tmp/short.mp4"
start_server --port 0 --file "$tmp/short.mp4"
read -r bytes secs < <(read_frames "rtsp://127.0.0.1:$port/cam" 100)
ok=1; [ "$bytes" -eq $((30 * frame)) ] && ok=0
check "no --loop ends at EOF" $ok "$((bytes / frame)) of 30 frames, then EOF, in ${secs}s"
stop_server
start_server --port 0 --file "$tmp/short.mp4" --loop
read -r bytes secs < <(read_frames "rtsp://127.0.0.1:$port/cam" 100)
ok=1; [ "$bytes" -eq $((100 * frame)) ] && ok=0
check "--loop" $ok "$((bytes / frame)) frames from a 30-frame file in ${secs}s"
stop_server

[ $fails -eq 0 ] && echo "selftest: all passed" || echo "selftest: $fails failed"
[ $fails -eq 0 ]
