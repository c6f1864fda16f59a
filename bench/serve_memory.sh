#!/usr/bin/env bash
# Memory of `razz serve` with 5 cameras (768x576 H.264 over RTSP at 10 FPS, the PETS09
# footage looped, detector 5/s each) for DURATION_S seconds (default 600). Prints the RSS
# curve every 30 s, the peak, and the growth between minute 2 and the end. The razz process
# is reported alone (the target's figure) and the ffmpeg decoder children beside it.
# The original Python system used 3.2 GB. RAZZ_BENCH_CONFIG=configs/no-embeddings.toml gives
# the same service without appearance embeddings, for comparison.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration=${DURATION_S:-600}
cameras=${CAMERAS:-5}
[ "${SKIP_BUILD:-0}" = 1 ] || (cd "$root" && cargo build --release -q -p razz)
start_rtsp "$cameras"
start_razz
api -X POST "$BASE/api/rooms" -d '{"id":"bench","name":"Bench"}' >/dev/null
add_cameras bench "$cameras"
echo "razz serve, $cameras cameras for ${duration}s (razz pid $RAZZ_PID)"
printf '%6s %10s %14s %8s\n' "t (s)" "razz MiB" "ffmpeg MiB" "count"
peak=0; at120=""; last=0; t0=$(date +%s)
while :; do
  t=$(( $(date +%s) - t0 ))
  r=$(rss_kib "$RAZZ_PID"); c=$(children_rss_kib "$RAZZ_PID")
  [ "$r" -gt "$peak" ] && peak=$r
  if [ -z "$at120" ] && [ "$t" -ge 120 ]; then at120=$r; fi
  last=$r
  if (( t % 30 == 0 )) || [ "$t" -ge "$duration" ]; then
    count=$(api "$BASE/vault-rooms/bench/people-count" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
    awk -v t="$t" -v r="$r" -v c="$c" -v n="$count" 'BEGIN { printf "%6d %10.1f %14.1f %8s\n", t, r/1024, c/1024, n }'
  fi
  [ "$t" -ge "$duration" ] && break
  sleep 1
done
api "$BASE/api/cameras/c1/status"; echo
# Inference time: detector vs appearance embedder (cross-camera fusion), seconds in total.
metrics=$(api "$BASE/metrics")
grep -E '^razz_(detector|embedder)_latency_seconds_(sum|count)|^razz_camera_embeddings_total' <<<"$metrics" || true
# Both models run on the one inference thread and its ONNX Runtime pool, one after the other,
# so the embedder's share of that time is its share of inference CPU; razz's whole CPU time
# (all threads, from /proc) is printed beside it.
cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$RAZZ_PID/stat")
awk -v cpu="$cpu_s" -v d="$duration" '
  /^razz_detector_latency_seconds_sum/ { det += $2 }
  /^razz_embedder_latency_seconds_sum/ { emb += $2 }
  END {
    printf "razz CPU: %.1f s in %d s (%.2f cores); inference: detector %.1f s, embedder %.1f s\n", cpu, d, cpu / d, det, emb
    if (det + emb > 0) printf "embedder share of inference time: %.1f%%\n", 100 * emb / (det + emb)
  }' <<<"$metrics"
awk -v p="$peak" 'BEGIN { printf "peak razz RSS: %.1f MiB (target <= 300 MB)\n", p/1024 }'
if [ -n "$at120" ]; then
  awk -v a="$at120" -v b="$last" 'BEGIN { printf "growth minute 2 -> end: %+.2f%% (target <= 2%%)\n", (b-a)*100/a }'
fi
