//! ByteTrack's unit tests: hand-made boxes through `ByteTracker::update`, checked by id.

use super::*;
use crate::kalman::KalmanParams;

fn det(x: f32, y: f32, score: f32) -> Detection {
    Detection::new(BoxXywh::new(x, y, 40.0, 100.0), score)
}

#[test]
fn confirms_after_min_hits_with_stable_ids() {
    let ids = |out: &[TrackView]| {
        let mut ids: Vec<u64> = out.iter().map(|v| v.id).collect();
        ids.sort_unstable();
        ids
    };
    let mut t = ByteTracker::new(TrackerConfig::default());
    // The first update confirms what it sees at once.
    let out0 = t.update(0.0, &[det(10.0, 10.0, 0.9), det(300.0, 10.0, 0.9)]);
    assert_eq!(ids(&out0), vec![1, 2]);
    // Later, a new box is tentative (not reported) until its second match.
    let out1 = t.update(
        0.1,
        &[
            det(12.0, 10.0, 0.9),
            det(302.0, 10.0, 0.9),
            det(600.0, 10.0, 0.9),
        ],
    );
    assert_eq!(ids(&out1), vec![1, 2], "tentative tracks are not reported");
    let out2 = t.update(
        0.2,
        &[
            det(14.0, 10.0, 0.9),
            det(304.0, 10.0, 0.9),
            det(602.0, 10.0, 0.9),
        ],
    );
    assert_eq!(ids(&out2), vec![1, 2, 3]);
    let left_id = out0.iter().find(|v| v.bbox.x < 150.0).expect("left").id;
    for k in 3..20 {
        let x = k as f32 * 2.0;
        let out = t.update(
            f64::from(k) * 0.1,
            &[
                det(10.0 + x, 10.0, 0.9),
                det(300.0 + x, 10.0, 0.9),
                det(600.0 + x, 10.0, 0.9),
            ],
        );
        assert_eq!(out.len(), 3);
        let left = out.iter().find(|v| v.bbox.x < 150.0).expect("left track");
        assert_eq!(left.id, left_id);
    }
}

#[test]
fn a_restarted_tracker_starts_afresh_without_reusing_ids() {
    let mut t = ByteTracker::new(TrackerConfig::default());
    let out = t.update(0.0, &[det(10.0, 10.0, 0.9), det(300.0, 10.0, 0.9)]);
    assert_eq!(out.len(), 2);
    t.restart();
    assert!(t.is_empty());
    assert!(t.predict(0.1).is_empty());
    // Confirmed at once, as on a first update, under ids 3 and 4.
    let mut ids: Vec<u64> = t
        .update(5.0, &[det(10.0, 10.0, 0.9), det(600.0, 10.0, 0.9)])
        .iter()
        .map(|v| v.id)
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![3, 4]);
}

#[test]
fn only_the_very_first_update_confirms_at_once() {
    // Only the very first update confirms at once: an empty first frame uses it up.
    let mut t = ByteTracker::new(TrackerConfig::default());
    assert!(t.update(0.0, &[]).is_empty());
    assert!(t.update(0.1, &[det(10.0, 10.0, 0.9)]).is_empty());
    assert_eq!(t.update(0.2, &[det(11.0, 10.0, 0.9)]).len(), 1);
}

#[test]
fn low_score_detection_keeps_an_occluded_track_alive() {
    let mut t = ByteTracker::new(TrackerConfig::default());
    for k in 0..5 {
        t.update(f64::from(k) * 0.1, &[det(100.0 + k as f32, 50.0, 0.9)]);
    }
    // Partly hidden: the detector is unsure (0.3), but the track continues with its id.
    let out = t.update(0.5, &[det(105.0, 50.0, 0.3)]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].id, 1);
    // A 0.3 detection far from any track starts nothing.
    let out = t.update(0.6, &[det(106.0, 50.0, 0.9), det(500.0, 50.0, 0.3)]);
    assert_eq!(out.len(), 1);
    assert_eq!(t.len(), 1);
}

#[test]
fn a_tentative_track_is_confirmed_by_a_low_score_box_that_overlaps_it_well() {
    let mut t = ByteTracker::new(TrackerConfig::default());
    assert!(t.update(0.0, &[]).is_empty());
    // Started by a 0.8 box; partly hidden next time, the detector says 0.4 (below
    // `high_score`). Shifted 8 px: IoU 32 / 48 = 0.67, cost 0.33 within `match_cost_low` 0.5.
    assert!(t.update(0.2, &[det(100.0, 50.0, 0.8)]).is_empty());
    let out = t.update(0.4, &[det(108.0, 50.0, 0.4)]);
    assert_eq!(out.len(), 1, "confirmed at its second match");
    assert_eq!(out[0].id, 1);
    // Shifted 15 px: IoU 25 / 55 = 0.45, cost 0.55: not the same box; the tentative track
    // is dropped and a 0.4 box starts nothing.
    let mut t = ByteTracker::new(TrackerConfig::default());
    t.update(0.0, &[]);
    t.update(0.2, &[det(100.0, 50.0, 0.8)]);
    assert!(t.update(0.4, &[det(115.0, 50.0, 0.4)]).is_empty());
    assert_eq!(t.len(), 0);
}

#[test]
fn lost_track_recovers_within_ttl_and_expires_after() {
    let cfg = TrackerConfig {
        lost_ttl_s: 1.0,
        ..TrackerConfig::default()
    };
    let mut t = ByteTracker::new(cfg);
    for k in 0..5 {
        t.update(f64::from(k) * 0.1, &[det(100.0, 50.0, 0.9)]);
    }
    // Gone for 0.8 s (8 frames at 10 FPS), then back: same id.
    for k in 5..13 {
        assert!(t.update(f64::from(k) * 0.1, &[]).is_empty());
    }
    assert_eq!(t.confirmed()[0].state, TrackState::Lost);
    let out = t.update(1.3, &[det(100.0, 50.0, 0.9)]);
    assert_eq!(out[0].id, 1);
    // Gone for longer than the TTL (checked at 5 FPS this time): forgotten, new id later.
    for k in 0..6 {
        t.update(1.5 + f64::from(k) * 0.2, &[]);
    }
    assert!(t.is_empty());
    t.update(2.8, &[det(100.0, 50.0, 0.9)]);
    let out = t.update(3.0, &[det(100.0, 50.0, 0.9)]);
    assert_eq!(out[0].id, 2);
}

#[test]
fn memory_stays_bounded_under_churn() {
    // Thousands of one-off people: tentative ones die at once, lost ones are capped.
    let cfg = TrackerConfig {
        lost_ttl_s: 1e9,
        max_lost_tracks: 16,
        ..TrackerConfig::default()
    };
    let mut t = ByteTracker::new(cfg);
    for k in 0..5000u32 {
        let x = (k % 50) as f32 * 1000.0;
        let y = (k / 50) as f32 * 1000.0;
        let time = f64::from(k) * 0.1;
        t.update(time, &[det(x, y, 0.9)]);
        t.update(time + 0.05, &[det(x, y, 0.9)]);
        assert!(t.len() <= 16 + 2, "{} tracks held", t.len());
    }
}

#[test]
fn predict_is_pure_and_extrapolates() {
    let mut t = ByteTracker::new(TrackerConfig::default());
    for k in 0..10 {
        t.update(
            f64::from(k) * 0.1,
            &[det(100.0 + 5.0 * k as f32, 50.0, 0.9)],
        );
    }
    let before = t.confirmed();
    let p = t.predict(1.4);
    assert_eq!(t.confirmed(), before, "predict must not change state");
    // Moving 50 px/s; 0.5 s past the last update at x = 145: about 170.
    assert!((p[0].bbox.x - 170.0).abs() < 5.0, "{:?}", p[0].bbox);
}

#[test]
fn predict_reports_what_an_update_would_coasting_lost_tracks_included() {
    let cfg = TrackerConfig {
        coast_s: 0.5,
        ..TrackerConfig::default()
    };
    let mut t = ByteTracker::new(cfg);
    t.update(0.0, &[det(100.0, 50.0, 0.9), det(400.0, 50.0, 0.9)]);
    t.update(0.1, &[det(100.0, 50.0, 0.9), det(400.0, 50.0, 0.9)]);
    // The box at x = 400 is missed at 0.2: lost, and still reported while it coasts.
    let out = t.update(0.2, &[det(100.0, 50.0, 0.9)]);
    assert_eq!(out.len(), 2, "{out:?}");
    let ids = |v: &[TrackView]| {
        let mut ids: Vec<u64> = v.iter().map(|v| v.id).collect();
        ids.sort_unstable();
        ids
    };
    // 0.4 s after its last match (0.1) it still coasts; at 0.7 s (0.6 s after) it does not.
    assert_eq!(ids(&t.predict(0.5)), ids(&out));
    let later = t.predict(0.7);
    assert_eq!(later.len(), 1, "{later:?}");
    assert!((later[0].bbox.x - 100.0).abs() < 1.0, "{:?}", later[0].bbox);
}

#[test]
fn a_box_cut_by_the_frame_starts_a_track_at_the_edge_score() {
    // 640x480 frame; 40x100 boxes. x = 598 reaches 638, within the 4 px margin of the
    // right side; x = 300 is well inside.
    let run = |frame: Option<(u32, u32)>, x: f32, score: f32| {
        let mut t = ByteTracker::new(TrackerConfig::default());
        if let Some((w, h)) = frame {
            t.set_frame_px(w, h);
        }
        t.update(0.0, &[det(x, 200.0, score)]);
        t.update(0.1, &[det(x, 200.0, score)]).len()
    };
    let frame = Some((640, 480));
    let cases = [
        (
            frame,
            598.0,
            0.55,
            1,
            "cut by the right side: 0.55 >= 0.5 starts",
        ),
        (frame, 300.0, 0.55, 0, "inside: 0.55 < 0.7 starts nothing"),
        (frame, 300.0, 0.75, 1, "inside: 0.75 >= 0.7 starts"),
        (frame, 2.0, 0.55, 1, "cut by the left side"),
        (frame, 598.0, 0.45, 0, "under high_score: never a birth"),
        (None, 598.0, 0.55, 0, "frame size unknown: one threshold"),
    ];
    for (frame, x, score, want, why) in cases {
        assert_eq!(run(frame, x, score), want, "{why}");
    }
    let mut t = ByteTracker::new(TrackerConfig::default());
    t.set_frame_px(640, 480);
    // Bottom side: y 378 + 100 = 478.
    t.update(0.0, &[det(300.0, 378.0, 0.6)]);
    assert_eq!(t.update(0.1, &[det(300.0, 378.0, 0.6)]).len(), 1);
}

#[test]
fn a_box_whose_feet_are_inside_the_floor_area_starts_a_track_at_the_area_score() {
    // The area: feet (box bottom centre) left of x = 320. Boxes well inside a 640x480 frame,
    // scored 0.55: under new_track_score 0.7, over area_new_track_score 0.5. Each run has
    // an empty frame first, so the births are not those of a stream's first update.
    let in_area = |b: &BoxXywh| b.foot().0 < 320.0;
    let run = |x: f32, score: f32, area: &dyn Fn(&BoxXywh) -> bool| {
        let mut t = ByteTracker::new(TrackerConfig::default());
        t.set_frame_px(640, 480);
        t.update_in_area(0.0, &[], area);
        t.update_in_area(0.1, &[det(x, 200.0, score)], area);
        t.update_in_area(0.2, &[det(x, 200.0, score)], area).len()
    };
    assert_eq!(
        run(100.0, 0.55, &in_area),
        1,
        "inside the area: 0.55 >= 0.5"
    );
    assert_eq!(run(400.0, 0.55, &in_area), 0, "outside: 0.55 < 0.7");
    assert_eq!(run(100.0, 0.55, &|_| false), 0, "no area: 0.55 < 0.7");
    assert_eq!(
        run(100.0, 0.45, &in_area),
        0,
        "under high_score: never a birth"
    );
}

#[test]
fn a_box_drawn_over_two_tracked_people_needs_the_full_birth_score_in_the_area() {
    // Two people tracked side by side at x 100-140 and 140-180, inside the area. A third box
    // at x 120-160 lies wholly within theirs (the detector drawing the pair once more): at
    // 0.6 it starts nothing, where an uncovered box at 0.6 does.
    let in_area = |_: &BoxXywh| true;
    let pair = [det(100.0, 200.0, 0.9), det(140.0, 200.0, 0.9)];
    let run = |extra: Detection| {
        let mut t = ByteTracker::new(TrackerConfig::default());
        t.set_frame_px(640, 480);
        t.update_in_area(0.0, &pair, &in_area);
        let mut frame = pair.to_vec();
        frame.push(extra);
        t.update_in_area(0.1, &frame, &in_area);
        t.update_in_area(0.2, &frame, &in_area).len()
    };
    assert_eq!(run(det(120.0, 200.0, 0.6)), 2, "covered: no third track");
    assert_eq!(run(det(400.0, 200.0, 0.6)), 3, "in the open: a third track");
    assert_eq!(
        run(det(120.0, 200.0, 0.75)),
        3,
        "covered, but over new_track_score"
    );
}

#[test]
fn swap_ids_exchanges_two_confirmed_tracks() {
    let mut t = ByteTracker::new(TrackerConfig::default());
    let pair = |dx: f32| [det(10.0 + dx, 10.0, 0.9), det(300.0 + dx, 10.0, 0.9)];
    t.update(0.0, &pair(0.0));
    let before = t.update(0.1, &pair(1.0));
    let left_id = |v: &[TrackView]| v.iter().find(|v| v.bbox.x < 150.0).expect("left").id;
    assert_eq!(left_id(&before), 1);
    assert!(t.swap_ids(1, 2));
    assert_eq!(left_id(&t.update(0.2, &pair(2.0))), 2);
    assert!(!t.swap_ids(1, 99), "no track 99");
    assert_eq!(left_id(&t.update(0.3, &pair(3.0))), 2);
}

/// A person 40 px wide walking `step_px` between detector runs `period_s` apart. The first
/// update sees only someone standing far away (it confirms at once).
fn walk(cfg: TrackerConfig, period_s: f64, step_px: f32) -> Vec<Vec<TrackView>> {
    let mut t = ByteTracker::new(cfg);
    t.update(0.0, &[det(600.0, 10.0, 0.9)]);
    (1..=6)
        .map(|k| {
            let x = step_px * k as f32;
            t.update(
                f64::from(k) * period_s,
                &[det(600.0, 10.0, 0.9), det(x, 10.0, 0.9)],
            )
            .into_iter()
            .filter(|v| v.bbox.x < 500.0)
            .collect()
        })
        .collect()
}

/// At 2 runs a second, 50 px a run: the boxes never overlap.
fn walk_at_two_runs_a_second(cfg: TrackerConfig) -> Vec<Vec<TrackView>> {
    walk(cfg, 0.5, 50.0)
}

#[test]
fn a_walker_whose_boxes_no_longer_overlap_keeps_one_track_when_detections_are_far_apart() {
    let walker = walk_at_two_runs_a_second(TrackerConfig::default());
    // Tentative at 0.5 s, confirmed by its second box at 1.0 s, then kept under one id.
    assert!(walker[0].is_empty());
    let id = walker[1].first().expect("confirmed at its second box").id;
    for (k, out) in walker.iter().enumerate().skip(1) {
        assert_eq!(out.len(), 1, "run {k}");
        assert_eq!(out[0].id, id, "run {k}");
    }
    // By overlap alone every box starts a tentative track that its next box cannot continue.
    let overlap_only = walk_at_two_runs_a_second(TrackerConfig {
        gap_match_after_s: 10.0,
        ..TrackerConfig::default()
    });
    assert!(overlap_only.iter().all(|out| out.is_empty()));
}

#[test]
fn a_fast_walker_at_the_default_five_runs_a_second_keeps_one_track() {
    // 30 px a run, 40 px wide: IoU 10 / 70 = 0.14, too little for a tentative track
    // (`match_cost_tentative` 0.7 needs 0.33 at score 0.9). Someone near the camera, or walking
    // in at its bottom, moves that much in 0.2 s.
    let walker = walk(TrackerConfig::default(), 0.2, 30.0);
    assert!(walker[0].is_empty());
    let id = walker[1].first().expect("confirmed at its second box").id;
    for (k, out) in walker.iter().enumerate().skip(1) {
        assert_eq!(out.len(), 1, "run {k}");
        assert_eq!(out[0].id, id, "run {k}");
    }
    // With the distance association only after gaps of 0.3 s (the default until 2026-12-06),
    // every box starts a tentative track that its next box cannot continue.
    let overlap_only = walk(
        TrackerConfig {
            gap_match_after_s: 0.3,
            ..TrackerConfig::default()
        },
        0.2,
        30.0,
    );
    assert!(overlap_only.iter().all(|out| out.is_empty()));
}

#[test]
fn boxes_that_do_not_overlap_continue_no_track_after_a_short_step_or_a_miss() {
    // Every frame at 10 FPS: a box 50 px off is someone else.
    let mut t = ByteTracker::new(TrackerConfig::default());
    t.update(0.0, &[det(0.0, 10.0, 0.9)]);
    assert!(t.update(0.1, &[det(50.0, 10.0, 0.9)]).is_empty());
    assert_eq!(t.confirmed()[0].state, TrackState::Lost);
    // 0.5 s between updates, but the track missed the one before: lost tracks are found again
    // by overlap only.
    let mut t = ByteTracker::new(TrackerConfig::default());
    t.update(0.0, &[det(0.0, 10.0, 0.9)]);
    assert!(t.update(0.5, &[]).is_empty());
    assert!(t.update(1.0, &[det(50.0, 10.0, 0.9)]).is_empty());
    // Matched in the previous update, it takes the box.
    let mut t = ByteTracker::new(TrackerConfig::default());
    t.update(0.0, &[det(0.0, 10.0, 0.9)]);
    assert_eq!(t.update(0.5, &[det(50.0, 10.0, 0.9)])[0].id, 1);
}

#[test]
fn ignores_invalid_boxes_and_backward_time() {
    let mut t = ByteTracker::new(TrackerConfig::default());
    let bad = [
        Detection::new(BoxXywh::new(f32::NAN, 0.0, 1.0, 1.0), 0.9),
        Detection::new(BoxXywh::new(0.0, 0.0, -5.0, 1.0), 0.9),
        Detection::new(BoxXywh::new(0.0, 0.0, 5.0, 5.0), f32::NAN),
    ];
    assert!(t.update(0.0, &bad).is_empty());
    assert!(t.is_empty());
    t.update(1.0, &[det(0.0, 0.0, 0.9)]);
    let out = t.update(0.5, &[det(0.0, 0.0, 0.9)]);
    assert_eq!(out.len(), 1);
}

#[test]
fn settings_out_of_range_are_refused_by_name() {
    assert_eq!(TrackerConfig::default().validate(), Ok(()));
    let base = TrackerConfig::default();
    let cases: [(TrackerConfig, &str); 12] = [
        (
            TrackerConfig {
                high_score: f32::NAN,
                ..base
            },
            "high_score",
        ),
        (
            TrackerConfig {
                new_track_score: 1.5,
                ..base
            },
            "new_track_score",
        ),
        (
            TrackerConfig {
                low_score: 0.6,
                ..base
            },
            "low_score 0.6 must not be above",
        ),
        // An infinite cost limit used to make the assignment search forever.
        (
            TrackerConfig {
                match_cost_high: f32::INFINITY,
                ..base
            },
            "match_cost_high",
        ),
        (
            TrackerConfig {
                match_cost_tentative: -0.1,
                ..base
            },
            "match_cost_tentative",
        ),
        (
            TrackerConfig {
                edge_margin_px: f32::NAN,
                ..base
            },
            "edge_margin_px",
        ),
        (
            TrackerConfig {
                min_hits: 0,
                ..base
            },
            "min_hits",
        ),
        (
            TrackerConfig {
                coast_s: f64::INFINITY,
                ..base
            },
            "coast_s",
        ),
        (
            TrackerConfig {
                gap_match_after_s: -1.0,
                ..base
            },
            "gap_match_after_s",
        ),
        (
            TrackerConfig {
                gap_match_chi2: f64::NAN,
                ..base
            },
            "gap_match_chi2",
        ),
        // Weights this large, or an interval this small, turned every box into NaN.
        (
            TrackerConfig {
                kalman: KalmanParams {
                    std_weight_position: 1e308,
                    ..base.kalman
                },
                ..base
            },
            "std_weight_position",
        ),
        (
            TrackerConfig {
                kalman: KalmanParams {
                    ref_interval_s: 1e-308,
                    ..base.kalman
                },
                ..base
            },
            "ref_interval_s",
        ),
    ];
    for (cfg, want) in cases {
        let e = cfg.validate().expect_err(want);
        assert!(e.contains(want), "{e:?} does not name {want:?}");
    }
}
