//! Cross-camera fusion on real footage: two cases cut from PETS09-S2L1 (see
//! `common/fusion.rs`), each scored for razz's fusion, the naive sum and the original
//! system's rule (cosine > 0.5 or 250 px), beside razz run on the original single view that
//! covers the same area, calibrated the same way. The room is the floor that the ground truth
//! covers (`pets_room_area`); the whole frame's figures are printed too.

mod common;

use std::collections::HashMap;

use common::fusion::{
    Codec, CountScore, View, WHOLE, config, pets_gt, score_lines, whole_track_oracle,
};
use common::*;

/// razz, the naive sum and the original rule on one case, and the IDF1 of razz's own
/// per-camera tracks linked whole by the ground truth (`whole_track_oracle`). `extra`: more
/// `razz analyze` arguments.
fn run_case(name: &str, views: &[View], area: bool, extra: &[&str]) -> ([CountScore; 3], f64) {
    run_case_as(name, views, area, Codec::Mjpeg, extra)
}

/// `run_case` with the views written as `codec`.
fn run_case_as(
    name: &str,
    views: &[View],
    area: bool,
    codec: Codec,
    extra: &[&str],
) -> ([CountScore; 3], f64) {
    let dir = tmp();
    let cfg = config(dir.path(), views, area, codec);
    let out = dir.path().join("out");
    let (cfg_arg, out_arg) = (cfg.to_string_lossy(), out.to_string_lossy());
    let mut args = vec![
        "analyze",
        "--config",
        &cfg_arg,
        "--out",
        &out_arg,
        "--baselines",
        "--backend",
        "ort",
    ];
    args.extend_from_slice(extra);
    let text = razz_ok(&args);
    eprintln!("{text}");
    let by_id: HashMap<String, View> = views.iter().map(|v| (v.id.to_owned(), *v)).collect();
    let room = if area { "room area" } else { "whole frame" };
    let oracle = whole_track_oracle(&out, views);
    let scores = [
        ("razz fusion", "hall.jsonl"),
        ("naive sum", "hall.sum.jsonl"),
        ("original rule", "hall.original.jsonl"),
    ]
    .map(|(method, file)| {
        score_lines(
            &format!("{name}, {room}: {method}"),
            &out.join(file),
            &by_id,
        )
    });
    (scores, oracle)
}

const OVERLAP: [View; 2] = [
    // Overlapping: left 480 px as recorded; right 480 px (192 px shared) at 0.75 scale,
    // brighter.
    View {
        id: "left",
        x_px: 0,
        w_px: 480,
        scale: 1.0,
        brightness: 0.0,
    },
    View {
        id: "right",
        x_px: 288,
        w_px: 480,
        scale: 0.75,
        brightness: 0.12,
    },
];

const HANDOVER: [View; 2] = [
    // Not overlapping: people walk from one half into the other; the right half darker.
    View {
        id: "west",
        x_px: 0,
        w_px: 384,
        scale: 1.0,
        brightness: 0.0,
    },
    View {
        id: "east",
        x_px: 384,
        w_px: 384,
        scale: 1.0,
        brightness: -0.1,
    },
];

#[test]
fn fusion_on_views_cut_from_pets() {
    let mut table = Vec::new();
    let mut results = Vec::new();
    let mut oracles = Vec::new();
    for area in [true, false] {
        let ([single, ..], single_oracle) = run_case("single view", &[WHOLE], area, &[]);
        let (overlap, overlap_oracle) = run_case("overlap", &OVERLAP, area, &[]);
        let (handover, handover_oracle) = run_case("hand-over", &HANDOVER, area, &[]);
        oracles.push((area, [single_oracle, overlap_oracle, handover_oracle]));
        table.push(single.clone());
        table.extend(overlap.iter().cloned());
        table.extend(handover.iter().cloned());
        results.push((single, overlap, handover));
    }
    eprintln!("{}", CountScore::header());
    for x in &table {
        eprintln!("{}", x.row());
    }
    // For reading the IDF1 column: where the same per-camera tracks would be with every track
    // linked whole to the right person (docs/decisions.md, "Where the hand-over case's IDF1 is
    // lost: tracking or fusion").
    for (area, [s, o, h]) in &oracles {
        eprintln!(
            "razz's tracks linked whole by the ground truth ({}): IDF1 single view {:.1}, overlap {:.1}, hand-over {:.1}",
            if *area { "room area" } else { "whole frame" },
            100.0 * s,
            100.0 * o,
            100.0 * h
        );
    }
    // For reading the exact-count column: the best any margin rule with perfect vision does
    // against this ground truth (docs/decisions.md, "The exact-count target meets the ground
    // truth's own consistency").
    if let Some(c) = razz_eval::ceiling::count_ceiling(&pets_gt(), (768.0, 576.0)) {
        eprintln!(
            "count ceiling (perfect vision, best margin rule): {:.1} % exact, {} frames wrong",
            100.0 * c.exact_share(),
            c.frames - c.exact
        );
    }
    // For reading all of the above: the live service runs each camera's detector 5 times a
    // second by default (the tracker predicts in between), which on this 10 fps video is every
    // second frame. The room area's figures at that rate (docs/decisions.md, "Counts at the
    // live default detection rate"):
    eprintln!("{}", CountScore::header());
    let live = ["--detect-fps", "5"];
    for (name, views) in [
        ("single view", &[WHOLE][..]),
        ("overlap", &OVERLAP[..]),
        ("hand-over", &HANDOVER[..]),
    ] {
        let ([razz, ..], _) = run_case(&format!("{name}, detector 5/s"), views, true, &live);
        eprintln!("{}", razz.row());
    }
    // Live, a room's cameras do not run on the same frames: the scheduler serves each in
    // turn and fuses the room with every camera's tracks predicted to that time. `--stagger`
    // plays that (docs/decisions.md, "Live fusion compares the cameras at one time").
    let staggered = ["--detect-fps", "5", "--stagger"];
    for (name, views) in [("overlap", &OVERLAP[..]), ("hand-over", &HANDOVER[..])] {
        let label = format!("{name}, detector 5/s staggered");
        let ([razz, ..], _) = run_case(&label, views, true, &staggered);
        eprintln!("{}", razz.row());
    }
    // The same views as an IP camera streams them, H.264 (docs/decisions.md, "Re-encoded, the
    // same footage flips whole events"): every frame, and at the live rate, staggered.
    eprintln!("{}", CountScore::header());
    for (name, views) in [
        ("single view", &[WHOLE][..]),
        ("overlap", &OVERLAP[..]),
        ("hand-over", &HANDOVER[..]),
    ] {
        let label = format!("{name}, H.264");
        let ([razz, ..], _) = run_case_as(&label, views, true, Codec::H264, &[]);
        eprintln!("{}", razz.row());
        if views.len() > 1 {
            let label = format!("{name}, H.264, detector 5/s staggered");
            let ([razz, ..], _) = run_case_as(&label, views, true, Codec::H264, &staggered);
            eprintln!("{}", razz.row());
        }
    }
    // On the room area and on the whole frame alike:
    for (_, overlap, handover) in &results {
        // Fusion must beat both baselines, in counts and in identities.
        for [razz, sum, original] in [overlap, handover] {
            assert!(
                razz.exact > sum.exact && razz.mae < sum.mae,
                "{razz:?} vs {sum:?}"
            );
            assert!(
                razz.exact > original.exact && razz.mae < original.mae,
                "{razz:?} vs {original:?}"
            );
            assert!(
                razz.idf1 > sum.idf1 && razz.idf1 > original.idf1,
                "{razz:?}"
            );
            // And on the floor, at both radii.
            for k in 0..2 {
                assert!(
                    razz.floor_idf1[k] > sum.floor_idf1[k]
                        && razz.floor_idf1[k] > original.floor_idf1[k],
                    "{razz:?} vs {sum:?} and {original:?}"
                );
            }
        }
    }
    // On the floor the ground truth covers, the identity target, IDF1 >= 85, for the
    // single view and both multi-camera cases (measured 88.0, 91.3 and 85.2). The hand-over
    // case reached it only when tentative tracks could be confirmed by low-score boxes
    // (docs/decisions.md, "Counts at the live default detection rate"); before, 83.0.
    let (single, overlap, handover) = &results[0];
    for razz in [single, &overlap[0], &handover[0]] {
        assert!(razz.idf1 >= 0.85, "{razz:?}");
    }
    // On the floor the ground truth covers, the count error target: MAE <= 0.1 for
    // the single view and both multi-camera cases (measured 0.053, 0.057 and 0.060).
    for razz in [single, &overlap[0], &handover[0]] {
        assert!(razz.mae <= 0.1, "{razz:?}");
    }
}

/// Not a check: writes every case (room area) under `RAZZ_CASES_DIR`, as
/// `{single,overlap,handover}-{mjpeg,h264}/room.toml` beside its views, for reading the cases
/// frame by frame or replaying them (`razz analyze --config DIR/overlap-h264/room.toml ...`).
#[test]
#[ignore = "writes the cases for reading; needs RAZZ_CASES_DIR"]
fn write_cases() {
    let dir = std::env::var_os("RAZZ_CASES_DIR").expect("set RAZZ_CASES_DIR to a directory");
    for (name, views) in [
        ("single", &[WHOLE][..]),
        ("overlap", &OVERLAP[..]),
        ("handover", &HANDOVER[..]),
    ] {
        for (codec, tag) in [(Codec::Mjpeg, "mjpeg"), (Codec::H264, "h264")] {
            let case = std::path::Path::new(&dir).join(format!("{name}-{tag}"));
            std::fs::create_dir_all(&case).expect("case directory");
            let cfg = config(&case, views, true, codec);
            eprintln!("wrote {}", cfg.display());
        }
    }
}
