#!/usr/bin/env bash
# Room counts of the fusion cases over several encodings of the same views, for measuring a
# change to the tracking or fusion rules. On these views a handful of events decide 10-20 points
# of exact count, and which of them happen depends on pixels that a re-encoding changes
# (docs/decisions.md, "Re-encoded, the same footage flips whole events"), so one encoding can
# rank two rule sets the wrong way. Each case of crates/razz/tests/fusion_cases.rs (single view,
# overlap, hand-over; room area) is analysed as MJPEG, as the test's H.264 (CRF 23), and as H.264
# at CRF 18 and 28 made from the MJPEG views, with `razz analyze --detect-fps $DETECT_FPS` (5, the
# live default; `--stagger` for two cameras; DETECT_FPS=0: every frame) and scored by `razz eval`.
# DETECT_PHASE_S (with DETECT_FPS) moves every camera's detector runs that far into the period:
# at 5 runs a second on these 10 fps views, 0 and 0.1 are the two phases, and live the phase is
# chance (docs/decisions.md, "One detector phase is one sample").
#   bench/fusion_encodings.sh                       # target/release/razz (about 6 minutes)
#   REF=/path/to/other/razz bench/fusion_encodings.sh   # and a reference binary beside it
# SKIP_BUILD=1 skips building razz; CASES_DIR keeps the written cases between runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
detect_fps=${DETECT_FPS:-5}
gt=$RAZZ_SHARED_DATA/mot15/PETS09-S2L1/gt/gt.txt
work=$(mktemp -d)
cases_dir=${CASES_DIR:-$work/cases}
build_and_write_cases "$cases_dir"
# CRF 18 and 28 views from the MJPEG ones, with the test's H.264 flags otherwise.
for crf in 18 28; do
  for c in single overlap handover; do
    src=$cases_dir/$c-mjpeg dst=$cases_dir/$c-crf$crf
    [ -f "$dst/room.toml" ] && continue
    mkdir -p "$dst"
    cp "$src/room.toml" "$dst/room.toml"
    while read -r url; do
      out=$dst/$(basename "${url%.*}").mp4
      ffmpeg -nostdin -hide_banner -loglevel error -y -i "$url" -c:v libx264 -preset veryfast -crf "$crf" \
        -pix_fmt yuv420p -g 10 -bf 0 -fps_mode passthrough "$out"
      sed -i "s|^url = \"$url\"|url = \"$out\"|" "$dst/room.toml"
    done < <(sed -n 's/^url = "\(.*\)"$/\1/p' "$src/room.toml")
  done
done
bins=("$root/target/release/razz")
[ -n "${REF:-}" ] && bins+=("$REF")
rate="$detect_fps runs a second"
[ "$detect_fps" = 0 ] && rate="every frame"
[ "$detect_fps" != 0 ] && [ -n "${DETECT_PHASE_S:-}" ] && rate="$rate, phase $DETECT_PHASE_S s"
echo "room area, detector $rate; exact / MAE / floor IDF1 at 1 m, then frames wrong"
printf '%-10s %-6s' case coding
printf ' | %-32s' "this build"
[ -n "${REF:-}" ] && printf ' | %-32s' "REF"
echo
declare -A wrong
for enc in mjpeg h264 crf18 crf28; do
  for c in single overlap handover; do
    dir=$cases_dir/$c-$enc
    args=()
    [ "$detect_fps" != 0 ] && args+=(--detect-fps "$detect_fps")
    [ "$detect_fps" != 0 ] && [ "$c" != single ] && args+=(--stagger)
    [ "$detect_fps" != 0 ] && [ -n "${DETECT_PHASE_S:-}" ] && args+=(--detect-phase-s "$DETECT_PHASE_S")
    printf '%-10s %-6s' "$c" "$enc"
    for k in "${!bins[@]}"; do
      out=$work/out-$k-$c-$enc
      "${bins[$k]}" analyze --config "$dir/room.toml" --out "$out" "${args[@]}" >/dev/null
      "${bins[$k]}" eval --gt "$gt" --room-lines "$out/hall.jsonl" --json "$out/score.json" >/dev/null
      row=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["room_lines"]
f = s.get("floor") or {}
idf1 = f.get("identity", {}).get("idf1", float("nan"))
print("%5.1f%% %.3f %5.1f %4d" % (100 * s["exact"], s["mae"], 100 * idf1, len(s["wrong_frames"])))
' "$out/score.json")
      printf ' | %-32s' "$row"
      wrong[$k]=$(( ${wrong[$k]:-0} + ${row##* } ))
    done
    echo
  done
done
printf '%-17s' "frames wrong, all"
for k in "${!bins[@]}"; do printf ' | %-32s' "${wrong[$k]}"; done
echo
echo "(room lines in $work)"
