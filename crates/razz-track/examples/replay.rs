//! Times razz's tracker on a MOTChallenge detection file, for comparison with other
//! trackers in the same run (see `bench/tracker_vs_python.sh`).
//!
//! Usage: `replay DET_FILE FPS [REPEATS]`; prints one JSON line with nanoseconds per frame.
//! Detection parsing happens before timing, as in the Python reference.

use std::time::Instant;

use razz_core::mot::{detections_by_frame, read_rows};
use razz_track::{ByteTracker, TrackerConfig};

fn main() {
    if let Err(e) = run() {
        eprintln!("replay: error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, path, fps, rest @ ..] = args.as_slice() else {
        return Err("usage: replay DET_FILE FPS [REPEATS]".into());
    };
    let fps: f64 = fps.parse().map_err(|_| format!("bad FPS {fps:?}"))?;
    let repeats: u32 = rest
        .first()
        .map_or(Ok(20), |r| r.parse())
        .map_err(|_| "bad REPEATS".to_string())?;
    let file = std::fs::File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let rows = read_rows(std::io::BufReader::new(file)).map_err(|e| format!("{path}: {e}"))?;
    let by_frame = detections_by_frame(&rows);
    let frames = by_frame.keys().next_back().map_or(0, |k| k + 1);
    let empty = Vec::new();
    let mut best_ns = f64::INFINITY;
    let mut outputs = 0usize;
    for _ in 0..repeats.max(1) {
        let mut tracker = ByteTracker::new(TrackerConfig::default());
        let start = Instant::now();
        outputs = 0;
        for f in 0..frames {
            let dets = by_frame.get(&f).unwrap_or(&empty);
            outputs += tracker.update(f as f64 / fps, dets).len();
        }
        best_ns = best_ns.min(start.elapsed().as_nanos() as f64 / frames.max(1) as f64);
    }
    println!(
        "{{\"tracker\":\"razz\",\"frames\":{frames},\"ns_per_frame\":{best_ns:.1},\"track_boxes\":{outputs}}}"
    );
    Ok(())
}
