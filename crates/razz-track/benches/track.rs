//! Tracker speed on real detections: one ByteTrack update per frame over the public
//! detections of PETS09-S2L1 (795 frames, up to ~9 people). Reported per sequence; divide
//! by 795 for per frame. `bench/tracker_vs_python.sh` compares with a Python ByteTrack. The
//! second run puts every box inside a floor area (`update_in_area`), beside the first.

use criterion::{Criterion, criterion_group, criterion_main};
use razz_core::mot::{detections_by_frame, read_rows};
use razz_track::{ByteTracker, TrackerConfig};

fn pets(c: &mut Criterion) {
    let shared = razz_core::testdata::shared_data();
    let path = shared.join("mot15/PETS09-S2L1/det/det.txt");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows = read_rows(std::io::BufReader::new(file)).expect("valid detections");
    let by_frame = detections_by_frame(&rows);
    let frames: Vec<_> = (0..795u64)
        .map(|f| by_frame.get(&f).cloned().unwrap_or_default())
        .collect();
    c.bench_function("bytetrack_pets09_795_frames", |b| {
        b.iter(|| {
            let mut t = ByteTracker::new(TrackerConfig::default());
            let mut n = 0;
            for (i, dets) in frames.iter().enumerate() {
                n += t.update(i as f64 / 7.0, dets).len();
            }
            n
        });
    });
    // The same frames with every box inside a room's floor area: boxes nobody claimed are
    // checked against the tracked people's boxes, and more of them start tracks (at 0.5).
    c.bench_function("bytetrack_pets09_795_frames_all_in_area", |b| {
        b.iter(|| {
            let mut t = ByteTracker::new(TrackerConfig::default());
            let mut n = 0;
            for (i, dets) in frames.iter().enumerate() {
                n += t.update_in_area(i as f64 / 7.0, dets, &|_| true).len();
            }
            n
        });
    });
}

criterion_group!(benches, pets);
criterion_main!(benches);
