//! Resident memory the bundled embedder adds, per backend: RSS before loading, after
//! loading, and after 200 crops (one at a time, as razz runs it).
//!
//!     cargo run --release -p razz-detect --example embedder_memory -- ort
//!     cargo run --release -p razz-detect --example embedder_memory -- tract

use razz_core::BoxXywh;
use razz_detect::{BackendChoice, DetectorConfig, Embedder, ImageRef};

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend: BackendChoice = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ort".into())
        .parse()?;
    let (w, h) = (768u32, 576u32);
    let frame: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8).collect();
    let before = rss_mib();
    let cfg = DetectorConfig {
        backend,
        ..DetectorConfig::default()
    };
    let mut e = Embedder::new(&cfg)?;
    let loaded = rss_mib();
    let img = ImageRef::new(w, h, &frame)?;
    let started = std::time::Instant::now();
    for i in 0..200 {
        let b = BoxXywh::new((i * 3 % 700) as f32, 100.0, 30.0 + (i % 20) as f32, 80.0);
        e.embed(&img, &[b])?;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0 / 200.0;
    println!(
        "{}: RSS {before:.1} MiB -> loaded {loaded:.1} MiB -> after 200 crops {:.1} MiB; {ms:.1} ms per crop",
        e.backend_name(),
        rss_mib()
    );
    Ok(())
}
