#!/usr/bin/env bash
# Makes the H.264 test media that scripts/rtsp/rtsp_server.py serves, from the PETS09-S2L1
# footage (vtest.avi: 768x576, 10 fps, 795 frames = 79.5 s):
#   OUT_DIR/pets.mp4       libx264 main profile, yuv420p, no B-frames, keyframe every 10 frames
#   OUT_DIR/pets-loop.mp4  pets.mp4 repeated 10 times (-stream_loop 9 -c copy): 795 s >= 12 min
# Usage: scripts/rtsp/make_media.sh OUT_DIR
# The source is $RAZZ_SHARED_DATA/mot15/PETS09-S2L1/vtest.avi (RAZZ_SHARED_DATA defaults to
# <repo>/../shared/data). Outputs that exist and are newer than their input are kept.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
out_dir=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
shared=${RAZZ_SHARED_DATA:-$repo/../shared/data}
src=$shared/mot15/PETS09-S2L1/vtest.avi
if [ ! -f "$src" ]; then
  echo "make_media: source footage not found: $src (set RAZZ_SHARED_DATA)" >&2
  exit 1
fi
command -v ffmpeg >/dev/null 2>&1 || { echo "make_media: ffmpeg not on PATH" >&2; exit 1; }
mkdir -p "$out_dir"
# Outputs are written under a per-process name and renamed into place, so concurrent runs and
# servers still reading an older file are safe.
tmp=
trap '[ -n "$tmp" ] && rm -f "$tmp"' EXIT

pets=$out_dir/pets.mp4
loop=$out_dir/pets-loop.mp4
# 10 copies of the 79.5 s clip = 795 s (13 min 15 s).
loop_extra=9

if [ -s "$pets" ] && [ "$pets" -nt "$src" ]; then
  echo "make_media: up to date: $pets"
else
  tmp=$pets.tmp$$.mp4
  ffmpeg -hide_banner -loglevel error -y -i "$src" -an \
    -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p -r 10 \
    -g 10 -keyint_min 10 -sc_threshold 0 -bf 0 -s 768x576 \
    -movflags +faststart "$tmp"
  mv -f "$tmp" "$pets"
  tmp=
  echo "make_media: made $pets"
fi

if [ -s "$loop" ] && [ "$loop" -nt "$pets" ]; then
  echo "make_media: up to date: $loop"
else
  tmp=$loop.tmp$$.mp4
  ffmpeg -hide_banner -loglevel error -y -stream_loop "$loop_extra" -i "$pets" -c copy \
    -movflags +faststart "$tmp"
  mv -f "$tmp" "$loop"
  tmp=
  echo "make_media: made $loop"
fi
