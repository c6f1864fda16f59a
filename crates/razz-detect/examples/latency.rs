//! Per-frame detector latency on real frames, split into preprocessing, raw model inference
//! and the whole `detect()` call, for one backend. Used by `bench/analyze_throughput.sh` to
//! set `razz analyze`'s end-to-end rate beside the model's own speed.
//!
//! Usage: `latency VIDEO BACKEND [FRAMES] [THREADS]`; prints one JSON line (milliseconds).

use std::time::Instant;

use razz_detect::{BackendChoice, Detector, DetectorConfig, ImageRef, preprocess};
use razz_video::{OpenOptions, VideoSource};

fn main() {
    if let Err(e) = run() {
        eprintln!("latency: error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, video, backend, rest @ ..] = args.as_slice() else {
        return Err("usage: latency VIDEO BACKEND [FRAMES] [THREADS]".into());
    };
    let backend: BackendChoice = backend.parse()?;
    let frames: usize = rest
        .first()
        .map_or(Ok(40), |s| s.parse())
        .map_err(|_| "bad FRAMES")?;
    let threads: usize = rest
        .get(1)
        .map_or(Ok(2), |s| s.parse())
        .map_err(|_| "bad THREADS")?;
    let cfg = DetectorConfig {
        backend,
        threads,
        ..DetectorConfig::default()
    };
    let mut det = Detector::new(&cfg).map_err(|e| e.to_string())?;
    let src = VideoSource::open(video, &OpenOptions::default()).map_err(|e| e.to_string())?;
    let frames: Vec<_> = src
        .take(frames)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let first = frames.first().ok_or("the video has no frames")?;
    let spec = det.input_spec_for(first.width, first.height);
    let mut input = Vec::new();
    // Warm-up: the first runs allocate and tune.
    for f in frames.iter().take(3) {
        det.detect(&ImageRef::new(f.width, f.height, &f.bgr)?)
            .map_err(|e| e.to_string())?;
    }
    let (mut pre, mut raw, mut full) = (Vec::new(), Vec::new(), Vec::new());
    for f in &frames {
        let img = ImageRef::new(f.width, f.height, &f.bgr)?;
        let t = Instant::now();
        preprocess(&img, &spec, &mut input);
        pre.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        det.infer_raw(&input, &spec).map_err(|e| e.to_string())?;
        raw.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        det.detect(&img).map_err(|e| e.to_string())?;
        full.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{{\"backend\":\"{}\",\"threads\":{threads},\"frames\":{},\"preprocess_ms\":{:.2},\"model_ms\":{:.2},\"detect_ms\":{:.2}}}",
        det.backend_name(),
        frames.len(),
        median(&mut pre),
        median(&mut raw),
        median(&mut full)
    );
    Ok(())
}
