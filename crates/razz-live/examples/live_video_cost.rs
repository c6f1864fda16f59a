//! What live video costs the service: JPEG encoding of real frames (the web app's
//! `/ws/cameras/{id}/video`) beside the detector on the same frames, in the same run, so the
//! ratio holds on a noisy machine. Also the size of a frame, for bandwidth per viewer.
//!
//! Usage: `live_video_cost VIDEO [FRAMES]`; prints one JSON line (milliseconds, bytes).

use std::time::Instant;

use razz_detect::{Detector, DetectorConfig, ImageRef};
use razz_live::live::encode_bgr;
use razz_video::{OpenOptions, VideoSource};

fn main() {
    if let Err(e) = run() {
        eprintln!("live_video_cost: error: {e}");
        std::process::exit(1);
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, video, rest @ ..] = args.as_slice() else {
        return Err("usage: live_video_cost VIDEO [FRAMES]".into());
    };
    let n: usize = rest
        .first()
        .map_or(Ok(60), |s| s.parse())
        .map_err(|_| "bad FRAMES")?;
    let src = VideoSource::open(video, &OpenOptions::default()).map_err(|e| e.to_string())?;
    let frames: Vec<_> = src
        .take(n)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut det = Detector::new(&DetectorConfig::default()).map_err(|e| e.to_string())?;
    let (mut enc, mut detect, mut bytes) = (Vec::new(), Vec::new(), 0usize);
    for (i, f) in frames.iter().enumerate() {
        let t = Instant::now();
        let jpeg = encode_bgr(&f.bgr, f.width, f.height).ok_or("cannot encode")?;
        let enc_ms = t.elapsed().as_secs_f64() * 1e3;
        let img = ImageRef::new(f.width, f.height, &f.bgr)?;
        let t = Instant::now();
        det.detect(&img).map_err(|e| e.to_string())?;
        let det_ms = t.elapsed().as_secs_f64() * 1e3;
        if i >= 3 {
            // the first runs allocate and tune
            enc.push(enc_ms);
            detect.push(det_ms);
            bytes += jpeg.len();
        }
    }
    let k = enc.len().max(1);
    let (e, d) = (median(&mut enc), median(&mut detect));
    let f = &frames[0];
    println!(
        "{{\"frames\": {k}, \"width\": {}, \"height\": {}, \"jpeg_encode_ms\": {e:.2}, \"detect_ms\": {d:.2}, \"encode_over_detect\": {:.3}, \"jpeg_bytes\": {}, \"kbit_s_per_camera_at_10fps\": {:.0}}}",
        f.width,
        f.height,
        e / d,
        bytes / k,
        (bytes / k) as f64 * 8.0 * 10.0 / 1000.0
    );
    Ok(())
}
