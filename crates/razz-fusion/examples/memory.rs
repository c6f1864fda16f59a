//! Memory of fusion state over a long run: 5 cameras x 20 people for 10 simulated minutes at
//! 5 detector updates per second, people replaced every ~30 s (new track ids), 1280-d
//! embeddings at the default policy (new tracks at once, then every 0.5 s). The embeddings
//! are random (no model runs here: this measures what the galleries and identities hold, not
//! the embedder). Run twice, with and without embeddings, and compare:
//!
//!     cargo run --release -p razz-fusion --example memory
//!     cargo run --release -p razz-fusion --example memory -- --no-embeddings

use std::collections::HashSet;

use razz_core::BoxXywh;
use razz_fusion::{
    CameraObs, CameraSetup, FusionConfig, Homography, RoomFusion, TrackBox, TrackGalleries,
    TrackObs,
};

const CAMERAS: usize = 5;
const PEOPLE: usize = 20;
const RATE_HZ: f64 = 5.0;
const MINUTES: f64 = 10.0;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let embeddings = !std::env::args().any(|a| a == "--no-embeddings");
    let mut seed = 0x9e3779b97f4a7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 40) as f32 / (1u64 << 24) as f32
    };
    let cams: Vec<CameraSetup> = (0..CAMERAS)
        .map(|c| CameraSetup {
            id: format!("cam{c}"),
            homography: Homography::from_matrix([
                0.01, 0.0, c as f64, 0.0, 0.01, 0.0, 0.0, 0.0, 1.0,
            ])
            .ok(),
        })
        .collect();
    let cfg = FusionConfig::default();
    let mut fusion = RoomFusion::new(cfg.clone(), cams);
    let mut galleries: Vec<TrackGalleries> = (0..CAMERAS)
        .map(|_| TrackGalleries::new(cfg.embed_policy()))
        .collect();
    let steps = (MINUTES * 60.0 * RATE_HZ) as u64;
    let start_kib = rss_kib();
    let mut at_1min = 0;
    let mut embedded = 0u64;
    for k in 0..steps {
        let t = k as f64 / RATE_HZ;
        let mut obs = Vec::new();
        for (c, gal) in galleries.iter_mut().enumerate() {
            // Person p's current "generation" changes every ~30 s (staggered): a new track id.
            let tracks: Vec<TrackBox> = (0..PEOPLE)
                .map(|p| {
                    let generation = ((t + p as f64 * 1.5) / 30.0) as u64;
                    let x = 100.0 + 80.0 * p as f32 + 10.0 * (t as f32 % 5.0);
                    TrackBox {
                        track: generation * 1000 + p as u64 + 1,
                        bbox: BoxXywh::new(x, 200.0 + 5.0 * c as f32, 40.0, 100.0),
                        fresh: true,
                    }
                })
                .collect();
            if embeddings {
                for i in gal.due(t, &tracks, &HashSet::new(), 1920, 1080) {
                    let e: Vec<f32> = (0..1280).map(|_| rnd()).collect();
                    gal.add(tracks[i].track, t, e);
                    embedded += 1;
                }
                let alive: HashSet<u64> = tracks.iter().map(|t| t.track).collect();
                gal.retain(|id| alive.contains(&id));
            }
            obs.push(Some(CameraObs {
                frame_w_px: 1920,
                frame_h_px: 1080,
                tracks: tracks
                    .iter()
                    .map(|tb| TrackObs {
                        track: tb.track,
                        bbox: tb.bbox,
                        score: 0.8,
                        gallery: gal.get(tb.track),
                        measured_s: None,
                    })
                    .collect(),
            }));
        }
        std::hint::black_box(fusion.update(t, &obs).count);
        if k == (60.0 * RATE_HZ) as u64 {
            at_1min = rss_kib();
        }
    }
    let end = rss_kib();
    let gal_bytes: usize = galleries.iter().map(TrackGalleries::heap_bytes).sum();
    let (ids, links) = fusion.sizes();
    println!(
        "embeddings {}: {steps} updates, {embedded} embeddings; RSS start {:.1} MiB, after 1 min {:.1} MiB, after {MINUTES} min {:.1} MiB; galleries hold {:.2} MiB; {ids} identities, {links} links",
        if embeddings { "on" } else { "off" },
        start_kib as f64 / 1024.0,
        at_1min as f64 / 1024.0,
        end as f64 / 1024.0,
        gal_bytes as f64 / 1048576.0
    );
}
