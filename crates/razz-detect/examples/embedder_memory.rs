//! Resident memory the bundled embedder adds, per backend: RSS before loading, after
//! loading, and after 200 crops (one at a time, as razz runs it), split into anonymous memory
//! (heap: ONNX Runtime's copy of the weights, activations) and file-backed pages (the model
//! bytes inside the binary, read once while loading; clean, so the kernel can drop them).
//! With `--after-detector` the detector is loaded and run first, as in `razz serve`, so the
//! figure is what the embedder adds to a running service (ONNX Runtime is already loaded).
//!
//!     cargo run --release -p razz-detect --example embedder_memory -- ort [--after-detector]
//!     cargo run --release -p razz-detect --example embedder_memory -- tract

use razz_core::BoxXywh;
use razz_detect::{BackendChoice, Detector, DetectorConfig, Embedder, ImageRef};

/// `(anonymous, file-backed)` resident memory in MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("RssAnon:"), field("RssFile:"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend: BackendChoice = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ort".into())
        .parse()?;
    let after_detector = std::env::args().any(|a| a == "--after-detector");
    let (w, h) = (768u32, 576u32);
    let frame: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8).collect();
    let img = ImageRef::new(w, h, &frame)?;
    let cfg = DetectorConfig {
        backend,
        ..DetectorConfig::default()
    };
    // Kept alive to the end, like the service's detector.
    let _detector = if after_detector {
        let mut d = Detector::new(&cfg)?;
        for _ in 0..5 {
            d.detect(&img)?;
        }
        Some(d)
    } else {
        None
    };
    let before = rss_mib();
    let mut e = Embedder::new(&cfg)?;
    let loaded = rss_mib();
    let started = std::time::Instant::now();
    for i in 0..200 {
        let b = BoxXywh::new((i * 3 % 700) as f32, 100.0, 30.0 + (i % 20) as f32, 80.0);
        e.embed(&img, &[b])?;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0 / 200.0;
    let after = rss_mib();
    let total = |m: (f64, f64)| m.0 + m.1;
    println!(
        "{}{}: RSS {:.1} MiB -> loaded {:.1} MiB -> after 200 crops {:.1} MiB; {ms:.1} ms per crop",
        e.backend_name(),
        if after_detector {
            " after detector"
        } else {
            ""
        },
        total(before),
        total(loaded),
        total(after),
    );
    println!(
        "  embedder adds {:.1} MiB: {:.1} anonymous, {:.1} file-backed",
        total(after) - total(before),
        after.0 - before.0,
        after.1 - before.1
    );
    Ok(())
}
