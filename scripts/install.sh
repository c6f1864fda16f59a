#!/usr/bin/env bash
# Installs everything razz needs on a Debian machine (run as root) and builds it:
#   - ffmpeg (video decoding), opencv-doc (ships the PETS footage vtest.avi for the demo)
#   - the ONNX Runtime shared library, taken from PyPI's onnxruntime wheel (no other download)
#   - the release build of razz
# Safe to run again; steps already done are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.32.0
ORT_LIB=/usr/local/lib/libonnxruntime.so.$ORT_VERSION

export DEBIAN_FRONTEND=noninteractive
pkgs=(ffmpeg opencv-doc python3 python3-pip unzip ca-certificates
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install: apt packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "install: razz needs a Rust toolchain (cargo 1.92 or newer) on PATH" >&2
  exit 1
fi

if [ ! -f "$ORT_LIB" ]; then
  echo "install: ONNX Runtime $ORT_VERSION from PyPI's onnxruntime wheel -> $ORT_LIB"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download -q --no-deps --only-binary=:all: --implementation cp --python-version 3.11 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    -d "$tmp" "onnxruntime==$ORT_VERSION"
  unzip -q -j -o "$tmp"/onnxruntime-*.whl "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" -d /usr/local/lib
  ln -sf "libonnxruntime.so.$ORT_VERSION" /usr/local/lib/libonnxruntime.so
  ldconfig || true
fi

echo "install: building razz (release)"
cargo build --release --locked -p razz
echo "install: done: target/release/razz"
