#!/usr/bin/env bash
# razz analyze throughput on real footage (PETS09-S2L1 vtest.avi, 795 frames, 768x576) with
# each inference backend, beside the model's own latency measured in the same run:
#   - analyze frames/s: the whole pipeline (ffmpeg decode, preprocess, inference, tracking,
#     writing), every frame detected, default settings, 2 inference threads;
#   - model ms: median raw inference per frame (examples/latency, 30 frames after warm-up);
#   - share: analyze frames/s divided by the model-only ceiling (1000 / model ms).
# Also prints peak RSS of each analyze run. Needs the ONNX Runtime library for the ort row
# (scripts/install.sh puts it in /usr/local/lib). Timings are noisy on shared machines:
# compare rows of one run, not runs of different days.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${RAZZ_SHARED_DATA:-$root/../shared/data}
video=$data/mot15/PETS09-S2L1/vtest.avi
[ -f "$video" ] || { echo "analyze_throughput: $video not found (set RAZZ_SHARED_DATA)" >&2; exit 1; }
cd "$root"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -q -p razz -p razz-detect --example latency
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-7s %9s %10s %10s %11s %8s %9s\n' backend "frames/s" "model ms" "detect ms" "model fps" share "peak RSS"
for backend in ort tract; do
  ./target/release/razz analyze "$video" --backend "$backend" --out "$out/$backend" --no-progress >/dev/null
  lat=$(./target/release/examples/latency "$video" "$backend" 30 2)
  python3 - "$out/$backend/summary.json" "$lat" "$backend" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); l = json.loads(sys.argv[2])
ceiling = 1000.0 / l["model_ms"]
print(f'{sys.argv[3]:<7} {s["frames_per_s"]:9.1f} {l["model_ms"]:10.1f} {l["detect_ms"]:10.1f} {ceiling:11.1f} {s["frames_per_s"]/ceiling:7.0%} {s["peak_rss_bytes"]/2**20:6.0f} MiB')
PY
done
