#!/usr/bin/env python3
"""Records a live room's people from `razz serve` and puts them on the recording's frames.

Used by bench/live_fusion.sh. Polls GET /vault-rooms/ROOM/people for --seconds, keeps each
new fusion result (by `updated_at_ms`), then finds the one clock offset that best puts those
results on the recording's frames: frame f (from 1) happened at t0 + (f - 1) / fps, and shows
the last result at or before that time. t0 is searched over the recording, in 100 ms steps
and then 5 ms steps around the best, maximising how many seen people stand within 0.5 m of a
ground-truth person on that frame (ground truth columns 8-9, metres; the cameras are
calibrated in the same frame). Writes room lines as `razz analyze` does, for
`razz eval --room-lines`, and prints the offset and how well it fits.

The stream's own clock is not visible over the API, so this fit is part of the measurement:
a result put one frame early or late can miss a count that was right.
"""

import argparse
import bisect
import http.client
import json
import sys
import time
import urllib.parse
from collections import defaultdict


def poll(base, token, room, seconds, every_s):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    headers = {"Authorization": f"Bearer {token}"}
    results, last, polls = [], None, 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            conn.request("GET", f"/vault-rooms/{room}/people", headers=headers)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as e:
            sys.stderr.write(f"live_fusion: poll failed ({e}); reconnecting\n")
            conn.close()
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
            time.sleep(every_s)
            continue
        polls += 1
        if resp.status != 200:
            sys.exit(f"live_fusion: GET people answered {resp.status}: {body[:200]!r}")
        doc = json.loads(body)
        at = doc.get("updated_at_ms")
        # 0: the room has not been fused yet.
        if at and at != last:
            results.append(doc)
            last = at
        time.sleep(every_s)
    return results, polls


def read_gt(path):
    """frame -> list of floor positions (metres)."""
    gt = defaultdict(list)
    with open(path) as f:
        for line in f:
            c = line.strip().split(",")
            if len(c) >= 9:
                gt[int(c[0])].append((float(c[7]), float(c[8])))
    return gt


def close_people(people, truth, radius_m=0.5):
    """Seen people within radius_m of a distinct ground-truth person (greedy)."""
    free = list(truth)
    hits = 0
    for p in people:
        f = p.get("floor_m")
        if not p.get("seen", True) or not f:
            continue
        best, bi = radius_m * radius_m, None
        for i, (gx, gy) in enumerate(free):
            d = (f[0] - gx) ** 2 + (f[1] - gy) ** 2
            if d <= best:
                best, bi = d, i
        if bi is not None:
            free.pop(bi)
            hits += 1
    return hits


def on_frames(results, times_ms, t0_ms, frames, fps):
    """frame -> the last result at or before its time (None before the first)."""
    out = {}
    for f in frames:
        k = bisect.bisect_right(times_ms, t0_ms + (f - 1) * 1000.0 / fps) - 1
        out[f] = results[k] if k >= 0 else None
    return out


def fit(results, gt, frames, fps):
    times = [r["updated_at_ms"] for r in results]
    span_ms = (frames[-1] - frames[0]) * 1000.0 / fps

    def score(t0):
        shown = on_frames(results, times, t0, frames, fps)
        return sum(close_people(shown[f]["people"], gt[f]) for f in frames if shown[f])

    lo, hi = times[0] - 2000.0, times[-1] - span_ms + 2000.0
    if hi < lo:
        hi = lo
    best = max((score(lo + k * 100.0), lo + k * 100.0) for k in range(int((hi - lo) / 100.0) + 1))
    t = best[1]
    best = max((score(t + k * 5.0), t + k * 5.0) for k in range(-20, 21))
    return best[1], best[0]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--base", help="razz serve's address, http://HOST:PORT")
    p.add_argument("--token")
    p.add_argument("--room", required=True)
    p.add_argument("--seconds", type=float, required=True, help="how long to poll")
    p.add_argument("--every-ms", type=float, default=20.0, help="poll interval")
    p.add_argument("--gt", required=True, help="MOTChallenge gt.txt with floor positions")
    p.add_argument("--fps", type=float, required=True, help="the recording's frame rate")
    p.add_argument("--frames", type=int, required=True, help="the recording's frame count")
    p.add_argument("--out", required=True, help="room lines to write (and OUT.raw: the results)")
    p.add_argument("--replay", help="fit the results of an earlier run (its OUT.raw), no polling")
    a = p.parse_args()
    if a.replay:
        with open(a.replay) as f:
            results = [r for r in map(json.loads, f) if r.get("updated_at_ms")]
        polls = len(results)
    else:
        if not (a.base and a.token):
            sys.exit("live_fusion: --base and --token are needed to poll")
        results, polls = poll(a.base, a.token, a.room, a.seconds, a.every_ms / 1000.0)
        with open(a.out + ".raw", "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    if len(results) < 10:
        sys.exit(f"live_fusion: only {len(results)} fusion results in {a.seconds} s")
    gt = read_gt(a.gt)
    frames = list(range(1, a.frames + 1))
    t0, hits = fit(results, gt, frames, a.fps)
    times = [r["updated_at_ms"] for r in results]
    shown = on_frames(results, times, t0, frames, a.fps)
    seen = sum(1 for f in frames for q in (shown[f] or {}).get("people", []) if q.get("seen", True))
    with open(a.out, "w") as out:
        for f in frames:
            r = shown[f]
            people = []
            for q in (r or {}).get("people", []):
                members = [
                    {"camera": m["camera_id"], "track": m["track_id"], "box": m["box"], "seen": m["seen"]}
                    for m in q.get("members", [])
                ]
                people.append(
                    {"id": q["id"], "seen": q.get("seen", True), "floor_m": q.get("floor_m"), "members": members}
                )
            line = {"room": a.room, "frame": f, "count": (r or {}).get("count", 0), "people": people}
            out.write(json.dumps(line) + "\n")
    gaps = [b - a_ for a_, b in zip(times, times[1:])]
    gaps.sort()
    print(
        f"live: {polls} polls, {len(results)} fusion results (median {gaps[len(gaps) // 2]:.0f} ms apart); "
        f"frame 1 at result clock {t0:.0f} ms; {hits} of {seen} seen people within 0.5 m of the ground truth"
    )


if __name__ == "__main__":
    main()
