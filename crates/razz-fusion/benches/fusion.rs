//! Fusion step cost: 4 cameras x 10 people (every camera sees everyone, the worst overlap),
//! calibrated, each track with a 1280-d gallery of 8 samples, people walking. Reference in the
//! same run: the original system's per-frame rule on the same input. A variant sets a room
//! floor area (a 64-corner polygon, the most the API takes) with 3 of the 10 people outside.
//! Target: <= 1 ms per update.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use razz_core::BoxXywh;
use razz_fusion::baseline::original_rule;
use razz_fusion::{
    CameraObs, CameraSetup, EmbedPolicy, FloorArea, FusionConfig, Homography, RoomFusion,
    TrackGalleries, TrackObs,
};

const CAMERAS: usize = 4;
const PEOPLE: usize = 10;
const DIM: usize = 1280;

/// Deterministic pseudo-random numbers (no dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 40) as f32) / (1u64 << 24) as f32
    }
}

fn setup() -> (RoomFusion, Vec<Vec<Arc<razz_fusion::Gallery>>>) {
    setup_with(FusionConfig::default())
}

fn setup_with(cfg: FusionConfig) -> (RoomFusion, Vec<Vec<Arc<razz_fusion::Gallery>>>) {
    // Camera c sees the floor at 100 px/m, shifted by c metres.
    let cams = (0..CAMERAS)
        .map(|c| CameraSetup {
            id: format!("cam{c}"),
            homography: Homography::from_matrix([
                0.01, 0.0, c as f64, 0.0, 0.01, 0.0, 0.0, 0.0, 1.0,
            ])
            .ok(),
        })
        .collect();
    let mut rng = Lcg(7);
    let mut galleries = Vec::new();
    for _ in 0..CAMERAS {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        let mut v = Vec::new();
        for p in 0..PEOPLE as u64 {
            for s in 0..8 {
                let e: Vec<f32> = (0..DIM).map(|_| rng.next()).collect();
                g.add(p + 1, f64::from(s), e);
            }
            v.push(g.get(p + 1).expect("gallery"));
        }
        galleries.push(v);
    }
    (RoomFusion::new(cfg, cams), galleries)
}

fn frame(k: usize, galleries: &[Vec<Arc<razz_fusion::Gallery>>]) -> Vec<Option<CameraObs>> {
    (0..CAMERAS)
        .map(|c| {
            let tracks = (0..PEOPLE)
                .map(|p| {
                    // Person p at floor (1.5 + 0.5 p + 0.01 k, 2 + 0.3 p), seen by camera c.
                    let fx = 1.5 + 0.5 * p as f32 + 0.01 * (k % 100) as f32 - c as f32;
                    let fy = 2.0 + 0.3 * p as f32;
                    let (x, y) = (fx * 100.0 + 300.0, fy * 100.0);
                    TrackObs {
                        track: p as u64 + 1,
                        bbox: BoxXywh::new(x - 20.0, y - 100.0, 40.0, 100.0),
                        score: 0.8,
                        gallery: Some(Arc::clone(&galleries[c][p])),
                        measured_s: None,
                    }
                })
                .collect();
            Some(CameraObs {
                frame_w_px: 1920,
                frame_h_px: 1080,
                tracks,
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (mut fusion, galleries) = setup();
    let frames: Vec<_> = (0..100).map(|k| frame(k, &galleries)).collect();
    let mut t = 0.0;
    let mut k = 0;
    c.bench_function("fusion update 4 cameras x 10 people", |b| {
        b.iter(|| {
            t += 0.2;
            k = (k + 1) % frames.len();
            black_box(fusion.update(t, &frames[k]).count)
        })
    });
    // A floor area: a 64-corner circle of radius 2 m around floor (4, 3.4).
    let (mut fenced, _) = setup();
    let corners = (0..64)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i) / 64.0;
            [4.0 + 2.0 * a.cos(), 3.4 + 2.0 * a.sin()]
        })
        .collect();
    fenced.set_floor_area(Some(FloorArea::new(corners).expect("circle")));
    c.bench_function("fusion update 4x10, 64-corner floor area", |b| {
        b.iter(|| {
            t += 0.2;
            k = (k + 1) % frames.len();
            black_box(fenced.update(t, &frames[k]).count)
        })
    });
    // Churn: each update, 4 of the 40 tracks are new ids (a tracker lost them), so they go
    // through matching against every identity.
    let (mut churn, _) = setup();
    let mut n = 0u64;
    c.bench_function("fusion update 4x10, 4 new tracks per update", |b| {
        b.iter(|| {
            t += 0.2;
            k = (k + 1) % frames.len();
            n += 1;
            let mut f = frames[k].clone();
            for (c, o) in f.iter_mut().enumerate() {
                if let Some(o) = o {
                    let tr = &mut o.tracks[(n as usize) % PEOPLE];
                    tr.track = 1000 * n + c as u64;
                }
            }
            black_box(churn.update(t, &f).count)
        })
    });
    // Passers-by: besides the 40 tracks, someone new at camera 0's left side each update,
    // leaving at once. With a grace of an hour they stay remembered, up to the room's bound on
    // unseen identities; the default grace (3 s) is the reference.
    for (name, grace_s) in [
        ("fusion update 4x10, a passer-by per update, grace 3 s", 3.0),
        (
            "fusion update 4x10, a passer-by per update, grace 1 h",
            3600.0,
        ),
    ] {
        let (mut passing, _) = setup_with(FusionConfig {
            grace_s,
            ..FusionConfig::default()
        });
        let mut n = 0u64;
        c.bench_function(name, |b| {
            b.iter(|| {
                t += 0.2;
                k = (k + 1) % frames.len();
                n += 1;
                let mut f = frames[k].clone();
                if let Some(o) = &mut f[0] {
                    let y = 150.0 + (n % 80) as f32 * 10.0;
                    o.tracks.push(TrackObs {
                        track: 1_000_000 + n,
                        bbox: BoxXywh::new(0.0, y - 100.0, 40.0, 100.0),
                        score: 0.8,
                        gallery: None,
                        measured_s: None,
                    });
                }
                black_box(passing.update(t, &f).count)
            })
        });
        println!("{name}: {} identities remembered", passing.sizes().0);
    }
    c.bench_function("reference: original rule, same input", |b| {
        b.iter(|| {
            k = (k + 1) % frames.len();
            black_box(original_rule(&frames[k], 0.5, 250.0).count)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
