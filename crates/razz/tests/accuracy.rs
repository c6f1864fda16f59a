//! The accuracy targets, measured end to end with the real binary on real footage:
//! the full pipeline (bundled NanoDet, default settings) on PETS09-S2L1, also with the
//! detector starved to 2 runs a second, the tracker alone on the public detections of three
//! sequences with one parameter set, and both bundled detectors on TUD-Stadtmitte's crowd.

mod common;

use common::*;
use razz_eval::Metrics;

#[test]
fn full_pipeline_on_pets_meets_mota_80_idf1_70() {
    let out = tmp();
    let video = shared().join("mot15/PETS09-S2L1/vtest.avi");
    let text = analyze_on_ort(&video, out.path(), &[]);
    assert!(text.contains("795 frames"), "{text}");
    let m = score("PETS09-S2L1", &out.path().join("vtest.txt"));
    eprintln!("{}\n{}", Metrics::header(), m.row());
    assert!(m.clear.mota >= 0.80, "MOTA {:.4}", m.clear.mota);
    assert!(m.identity.idf1 >= 0.70, "IDF1 {:.4}", m.identity.idf1);
    // The room file has one line per frame; its people are fused identities whose seen
    // members are that frame's tracks, and every track of the frame is in some person.
    let lines = std::fs::read_to_string(out.path().join("default.jsonl")).expect("room lines");
    let tracks = rows(&out.path().join("vtest.txt"));
    let mut n = 0;
    for (i, line) in lines.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let frame = v["frame"].as_u64().expect("frame");
        assert_eq!(frame, i as u64 + 1);
        let people = v["people"].as_array().expect("people");
        assert_eq!(v["count"].as_u64().expect("count") as usize, people.len());
        let mut seen: Vec<i64> = people
            .iter()
            .flat_map(|p| p["members"].as_array().expect("members").iter())
            .filter(|m| m["seen"] == true)
            .map(|m| m["track"].as_i64().expect("track"))
            .collect();
        seen.sort_unstable();
        let mut want: Vec<i64> = tracks
            .iter()
            .filter(|r| u64::from(r.frame) == frame)
            .map(|r| r.id)
            .collect();
        want.sort_unstable();
        assert_eq!(seen, want, "frame {frame}");
        n += 1;
    }
    assert_eq!(n, 795);
}

/// A detector that runs only twice a second (a host with too many cameras for its CPU): on
/// PETS09-S2L1's 10 fps a walker's boxes of two runs often no longer overlap. Before the
/// tracker matched such boxes by the Kalman filter's distance, this gave MOTA 34.5 and IDF1
/// 44.5 (docs/decisions.md, "A starved detector: tracks kept by distance").
#[test]
fn full_pipeline_on_pets_keeps_tracks_at_two_detector_runs_a_second() {
    let out = tmp();
    let video = shared().join("mot15/PETS09-S2L1/vtest.avi");
    analyze_on_ort(&video, out.path(), &["--detect-fps", "2"]);
    let m = score("PETS09-S2L1", &out.path().join("vtest.txt"));
    eprintln!("{}\n{}", Metrics::header(), m.row());
    assert!(m.clear.mota >= 0.50, "MOTA {:.4}", m.clear.mota);
    assert!(m.identity.idf1 >= 0.50, "IDF1 {:.4}", m.identity.idf1);
}

#[test]
fn tracker_alone_on_public_detections_meets_targets() {
    let out = tmp();
    let cfg = repo().join("configs/mot15-public-detections.toml");
    let mut parts = Vec::new();
    for seq in ["PETS09-S2L1", "TUD-Campus", "TUD-Stadtmitte"] {
        let det = shared().join(format!("mot15/{seq}/det/det.txt"));
        let dir = out.path().join(seq);
        razz_ok(&[
            "analyze",
            "--detections",
            &det.to_string_lossy(),
            "--config",
            &cfg.to_string_lossy(),
            "--out",
            &dir.to_string_lossy(),
        ]);
        parts.push(score(seq, &dir.join(format!("{seq}.txt"))));
    }
    let c = Metrics::combine("combined", &parts);
    eprintln!("{}", Metrics::header());
    for m in parts.iter().chain([&c]) {
        eprintln!("{}", m.row());
    }
    assert!(c.clear.mota >= 0.66, "MOTA {:.4}", c.clear.mota);
    assert!(c.identity.idf1 >= 0.60, "IDF1 {:.4}", c.identity.idf1);
    assert!(c.hota.hota >= 0.44, "HOTA {:.4}", c.hota.hota);
}

/// `razz analyze VIDEO --out OUT --backend ort EXTRA...`; returns its standard output.
fn analyze_on_ort(video: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> String {
    let (video, out) = (video.to_string_lossy(), out.to_string_lossy());
    let mut args = vec!["analyze", &video, "--out", &out, "--backend", "ort"];
    args.extend_from_slice(extra);
    razz_ok(&args)
}

/// Count MAE of a room-lines file against the ground truth's people per frame.
fn count_mae(seq: &str, lines: &std::path::Path) -> f64 {
    let mut want = std::collections::BTreeMap::<u32, usize>::new();
    for r in rows(&shared().join(format!("mot15/{seq}/gt/gt.txt"))) {
        *want.entry(r.frame).or_default() += 1;
    }
    let text = std::fs::read_to_string(lines).expect("room lines");
    let (mut abs, mut n) = (0usize, 0usize);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let frame = v["frame"].as_u64().expect("frame") as u32;
        let count = v["count"].as_u64().expect("count") as usize;
        abs += count.abs_diff(want.get(&frame).copied().unwrap_or(0));
        n += 1;
    }
    assert!(n > 0, "no room lines");
    abs as f64 / n as f64
}

/// TUD-Stadtmitte's people are large and stand in groups, where NanoDet's scores stay low
/// (docs/decisions.md, "A second bundled detector"). Both bundled detectors together must
/// count it far better, and find no one twice (which the merge of their boxes prevents).
#[test]
fn both_bundled_detectors_count_large_crowded_people_nanodet_misses() {
    let video = shared().join("mot15/TUD-Stadtmitte/TUD-Stadtmitte.mp4");
    let mut mae = Vec::new();
    for detector in ["nanodet", "both"] {
        let out = tmp();
        analyze_on_ort(&video, out.path(), &["--detector", detector]);
        mae.push(count_mae(
            "TUD-Stadtmitte",
            &out.path().join("default.jsonl"),
        ));
    }
    eprintln!(
        "TUD-Stadtmitte count MAE: nanodet {:.3}, both {:.3}",
        mae[0], mae[1]
    );
    // Measured: 3.855 and 0.821.
    assert!(mae[1] <= 0.5 * mae[0], "{mae:?}");
    assert!(mae[1] < 1.2, "{mae:?}");
}
