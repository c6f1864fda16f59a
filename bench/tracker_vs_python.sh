#!/usr/bin/env bash
# Tracker speed: razz's ByteTrack-style tracker against a Python reference ByteTrack
# (PyPI `supervision`'s sv.ByteTrack, versions pinned in bench/requirements-python.txt),
# on the same MOT15 public detections, in one run on one machine.
#
# For each sequence both trackers are fed every frame of the detection file and the
# per-frame update time is measured (best of N runs each). The timing excludes file
# parsing for both: razz's `replay` example parses before starting the clock, and
# bench/bytetrack_python.py loads and converts with numpy (and builds the per-frame
# sv.Detections) before starting it. Each side runs with its own default settings
# (ByteTrack's defaults for the reference), so output box counts differ a little;
# this compares time, not tracking quality.
#
# Prints one row per sequence (frames, µs/frame for each, ratio python/razz) and a
# final row over all frames combined (total python time / total razz time).
#
# Environment:
#   RAZZ_SHARED_DATA  data root (default: <repo>/../shared/data); reads mot15/<seq>/det/det.txt
#   SKIP_BUILD=1      use the already built target/release/examples/replay
#   RAZZ_BENCH_VENV   venv dir (default: ${XDG_CACHE_HOME:-$HOME/.cache}/razz-bench-venv)
#   PY_REPEATS        best-of runs for Python (default 5)
#   RAZZ_REPEATS      best-of runs for razz (default 50)
#   PYTHON            interpreter used to create the venv (default python3)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DATA="${RAZZ_SHARED_DATA:-$ROOT/../shared/data}"
VENV="${RAZZ_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/razz-bench-venv}"
REQS="$BENCH_DIR/requirements-python.txt"
PY_REPEATS="${PY_REPEATS:-5}"
RAZZ_REPEATS="${RAZZ_REPEATS:-50}"
PYTHON="${PYTHON:-python3}"
SEQUENCES=(PETS09-S2L1 TUD-Campus TUD-Stadtmitte)

for seq in "${SEQUENCES[@]}"; do
    if [[ ! -f "$DATA/mot15/$seq/det/det.txt" ]]; then
        echo "error: $DATA/mot15/$seq/det/det.txt not found (set RAZZ_SHARED_DATA)" >&2
        exit 1
    fi
done

# --- Python venv (reused while the pins and the interpreter are unchanged) ---------
stamp_of() {
    { "$PYTHON" -c 'import sys; print(sys.version)'; cat "$REQS"; } | sha256sum | cut -d' ' -f1
}
STAMP="$(stamp_of)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.razz-stamp" 2>/dev/null)" != "$STAMP" ]]; then
    echo "setting up Python venv in $VENV ..." >&2
    venv_start=$SECONDS
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    if ! venv_err="$("$PYTHON" -m venv "$VENV" 2>&1)"; then
        rm -rf "$VENV"
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            echo "'$PYTHON -m venv' failed ($venv_err); installing python3-venv" >&2
            apt-get install -y python3-venv >&2 || { apt-get update >&2 && apt-get install -y python3-venv >&2; }
            "$PYTHON" -m venv "$VENV"
        else
            echo "error: '$PYTHON -m venv' failed: $venv_err" >&2
            echo "install python3-venv (Debian/Ubuntu) and retry" >&2
            exit 1
        fi
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --only-binary=:all: --no-deps -r "$REQS" >&2
    "$VENV/bin/python" -m pip check >&2
    echo "$STAMP" > "$VENV/.razz-stamp"
    echo "venv ready in $((SECONDS - venv_start)) s" >&2
fi

# --- razz replay binary ------------------------------------------------------------
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    (cd "$ROOT" && cargo build --release -p razz-track --example replay) >&2
fi
REPLAY="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/replay"
if [[ ! -x "$REPLAY" ]]; then
    echo "error: $REPLAY not found (run without SKIP_BUILD=1)" >&2
    exit 1
fi

# --- run ----------------------------------------------------------------------------
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]]; then
    commit="$commit (with uncommitted changes)"
fi

results=()
for seq in "${SEQUENCES[@]}"; do
    det="$DATA/mot15/$seq/det/det.txt"
    fps="$(sed -n 's/^frameRate=\([0-9.]*\).*/\1/p' "$DATA/mot15/$seq/seqinfo.ini")"
    py_json="$("$VENV/bin/python" "$BENCH_DIR/bytetrack_python.py" "$det" "$fps" "$PY_REPEATS")"
    razz_json="$("$REPLAY" "$det" "$fps" "$RAZZ_REPEATS")"
    results+=("$seq" "$py_json" "$razz_json")
done

"$VENV/bin/python" - "$commit" "${results[@]}" <<'EOF'
import json, platform, sys

commit, rest = sys.argv[1], sys.argv[2:]
rows = [(rest[i], json.loads(rest[i + 1]), json.loads(rest[i + 2])) for i in range(0, len(rest), 3)]
print(f"python reference: {rows[0][1]['tracker']} (sv.ByteTrack, update_with_detections), "
      f"CPython {platform.python_version()}")
print(f"razz commit:      {commit}")
print(f"{'sequence':<16} {'frames':>6} {'python us/frame':>16} {'razz us/frame':>14} {'ratio':>8}")
tot_frames = tot_py = tot_razz = 0.0
for seq, py, rz in rows:
    if py["frames"] != rz["frames"]:
        sys.exit(f"{seq}: frame counts differ (python {py['frames']}, razz {rz['frames']})")
    n = py["frames"]
    tot_frames += n
    tot_py += py["ns_per_frame"] * n
    tot_razz += rz["ns_per_frame"] * n
    print(f"{seq:<16} {n:>6} {py['ns_per_frame'] / 1e3:>16.1f} {rz['ns_per_frame'] / 1e3:>14.2f} "
          f"{py['ns_per_frame'] / rz['ns_per_frame']:>7.0f}x")
print(f"{'all frames':<16} {int(tot_frames):>6} {tot_py / tot_frames / 1e3:>16.1f} "
      f"{tot_razz / tot_frames / 1e3:>14.2f} {tot_py / tot_razz:>7.0f}x")
print(f"overall ratio (total python time / total razz time): {tot_py / tot_razz:.0f}x")
EOF
