#!/usr/bin/env bash
# Live room counts over RTSP against the ground truth, beside `razz analyze` on the same files.
# For each fusion case of crates/razz/tests/fusion_cases.rs (the views cut from PETS09-S2L1,
# written as H.264 by its ignored `write_cases` test), GStreamer's RTSP server plays the views
# once in real time, `razz serve` runs the case's config (calibration, floor area, the default
# detector rate of 5 runs a second, or DETECT_FPS) on the RTSP URLs, and bench/live_fusion.py
# polls the room's people, puts them on the recording's frames (one fitted clock offset) and
# writes room lines. `razz eval` scores those, and `razz analyze --detect-fps 5 --stagger` (or
# DETECT_FPS) on the same files is scored beside them: what the live service would count if its
# timing were exact.
#   bench/live_fusion.sh                  # cases overlap and handover (about 4 minutes)
#   CASES="single overlap" RUNS=3 bench/live_fusion.sh   # each case played live 3 times
#   DETECT_FPS=2 bench/live_fusion.sh     # a starved detector: 2 runs a second, live and analyze
# SKIP_BUILD=1 skips building razz and the test; CASES_DIR keeps the written cases between runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cases=${CASES:-overlap handover}
runs=${RUNS:-1}
detect_fps=${DETECT_FPS:-5}
gt=$RAZZ_SHARED_DATA/mot15/PETS09-S2L1/gt/gt.txt
frames=795
fps=10
work=$(mktemp -d)
cases_dir=${CASES_DIR:-$work/cases}
build_and_write_cases "$cases_dir"
razz=$root/target/release/razz
printf '%-10s %-38s %8s %7s %10s\n' case method exact MAE "floor IDF1"
# score LINES CASE METHOD: one row of the table.
score() {
  "$razz" eval --gt "$gt" --room-lines "$1" --json "$work/score.json" >/dev/null
  python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["room_lines"]
idf1 = s["floor"]["identity"]["idf1"] if s.get("floor") else float("nan")
exact, mae = 100 * s["exact"], s["mae"]
print("%-10s %-38s %7.1f%% %7.3f %10.1f" % (sys.argv[2], sys.argv[3], exact, mae, 100 * idf1))
' "$work/score.json" "$2" "$3"
}
for c in $cases; do
  dir=$cases_dir/$c-h264
  [ -f "$dir/room.toml" ] || { echo "bench: no case $c in $cases_dir" >&2; exit 1; }
  mapfile -t cams < <(sed -n 's/^id = "\(.*\)"$/\1/p' "$dir/room.toml" | tail -n +2)
  for run in $(seq 1 "$runs"); do
    # The RTSP server, once through each view (no loop): a mount starts with its first client.
    args=()
    for cam in "${cams[@]}"; do args+=(--mount "/$cam=$dir/$cam.mp4"); done
    start_rtsp_server "${args[@]}"
    live_cfg=$work/$c-live.toml
    sed "s|^url = \"$dir/\(.*\)\.mp4\"|url = \"rtsp://127.0.0.1:$RTSP_PORT/\1\"\ndetect_fps = $detect_fps|" \
      "$dir/room.toml" >"$live_cfg"
    RAZZ_BENCH_CONFIG=$live_cfg start_razz
    # Poll until the views have played (79.5 s), plus start-up and the last frames.
    lines=$work/$c-$run-live.jsonl
    python3 "$root/bench/live_fusion.py" --base "$BASE" --token "$TOKEN" --room hall \
      --seconds $((frames / fps + 15)) --gt "$gt" --fps $fps --frames $frames \
      --out "$lines" | sed "s/^/  $c, run $run: /"
    kill "$RAZZ_PID" "$RTSP_PID" 2>/dev/null || true
    wait "$RAZZ_PID" "$RTSP_PID" 2>/dev/null || true
    score "$lines" "$c" "live (razz serve over RTSP), run $run"
  done
  stagger=() label="analyze, same files, $detect_fps/s"
  if [ ${#cams[@]} -gt 1 ]; then stagger=(--stagger) label="$label staggered"; fi
  "$razz" analyze --config "$dir/room.toml" --out "$work/$c-analyze" --detect-fps "$detect_fps" \
    "${stagger[@]}" >/dev/null
  score "$work/$c-analyze/hall.jsonl" "$c" "$label"
done
echo "(room lines and logs in $work)"
