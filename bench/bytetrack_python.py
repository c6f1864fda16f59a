#!/usr/bin/env python3
"""Times a Python reference ByteTrack on a MOTChallenge detection file.

Usage: bytetrack_python.py DET_FILE FPS [REPEATS]

Prints one JSON line, in the same shape as razz's `replay` example:
    {"tracker":"supervision 0.29.1","frames":795,"ns_per_frame":...,"track_boxes":...}

The reference is `supervision.ByteTrack` (PyPI `supervision`, pinned in
bench/requirements-python.txt), driven through its ordinary public API: one
`sv.Detections` per frame into `update_with_detections`, exactly as a user would
after a detector. PyPI `bytetracker` was tried first but does not install on a
current Python: version 0.3.2 pins `lap==0.4.0`, which fails to build, and
`torch==1.13.0`; it also feeds centre-xywh boxes where it expects top-left xywh.

What is timed: the tracker's per-frame update over all frames, best of REPEATS
runs. What is not: reading and parsing the file, xywh -> xyxy conversion, building
the per-frame `sv.Detections` objects (a detector would hand those over), and
constructing the tracker. Frames are 1..max frame in the file, like `replay`;
frames with no detections get empty detections.

Settings are ByteTrack's defaults: track_thresh 0.5, match_thresh 0.8,
track_buffer 30, frame_rate from the sequence.
"""

import json
import sys
import time
import warnings

import numpy as np

TRACK_THRESH = 0.5
MATCH_THRESH = 0.8
TRACK_BUFFER = 30


def load_frames(path):
    """Returns a list, index f-1 for frame f, of (xyxy float32 (n,4), score float32 (n,))."""
    rows = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64)
    if rows.size == 0:
        return []
    frame_ids = rows[:, 0].astype(np.int64)
    n_frames = int(frame_ids.max())
    xyxy = rows[:, 2:6].copy()
    xyxy[:, 2] += xyxy[:, 0]  # x + w
    xyxy[:, 3] += xyxy[:, 1]  # y + h
    scores = rows[:, 6]
    frames = []
    for f in range(1, n_frames + 1):
        sel = frame_ids == f
        frames.append((xyxy[sel].astype(np.float32), scores[sel].astype(np.float32)))
    return frames


def main(argv):
    if len(argv) not in (3, 4):
        print("usage: bytetrack_python.py DET_FILE FPS [REPEATS]", file=sys.stderr)
        return 2
    path, fps = argv[1], float(argv[2])
    repeats = max(1, int(argv[3])) if len(argv) == 4 else 5

    # supervision warns that sv.ByteTrack moves to the `trackers` package in 0.30;
    # silence that (it fires at construction, outside the timed loop).
    warnings.filterwarnings("ignore")
    import supervision as sv

    frames = load_frames(path)

    def detections_for_run():
        return [
            sv.Detections(xyxy=xyxy, confidence=score, class_id=np.zeros(len(score), dtype=int))
            for xyxy, score in frames
        ]

    best_ns = float("inf")
    track_boxes = 0
    for _ in range(repeats):
        # Fresh inputs each run: update_with_detections writes tracker_id into its input.
        per_frame = detections_for_run()
        tracker = sv.ByteTrack(
            track_activation_threshold=TRACK_THRESH,
            lost_track_buffer=TRACK_BUFFER,
            minimum_matching_threshold=MATCH_THRESH,
            frame_rate=fps,
        )
        boxes = 0
        start = time.perf_counter_ns()
        for dets in per_frame:
            boxes += len(tracker.update_with_detections(dets))
        elapsed = time.perf_counter_ns() - start
        track_boxes = boxes
        best_ns = min(best_ns, elapsed / max(1, len(frames)))

    print(
        json.dumps(
            {
                "tracker": f"supervision {sv.__version__}",
                "frames": len(frames),
                "ns_per_frame": round(best_ns, 1),
                "track_boxes": track_boxes,
            },
            separators=(",", ":"),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
