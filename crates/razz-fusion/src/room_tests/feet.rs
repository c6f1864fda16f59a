//! Feet of a track whose box height jumps for a moment.

use razz_core::BoxXywh;

use super::{cam, cfg, seen};
use crate::room::{RoomFusion, TrackObs};

/// A 40 px wide box `h_px` high whose bottom centre is at image (x, 400).
fn standing(track: u64, x: f32, h_px: f32) -> TrackObs {
    TrackObs {
        track,
        bbox: BoxXywh::new(x - 20.0, 400.0 - h_px, 40.0, h_px),
        score: 0.8,
        gallery: None,
        measured_s: None,
    }
}

#[test]
fn a_box_over_two_people_does_not_teach_the_height() {
    // One camera; a person with feet at floor (3, 4) m, boxes 100 px high.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    let mut t = 0.0;
    for _ in 0..5 {
        f.update(t, &[seen(vec![standing(1, 300.0, 100.0)])]);
        t += 0.1;
    }
    // For two updates the box also covers someone behind: 180 px high, the same bottom.
    for _ in 0..2 {
        f.update(t, &[seen(vec![standing(1, 300.0, 180.0)])]);
        t += 0.1;
    }
    // Whole boxes again. Had the tall boxes raised the usual height (to 141 px), these would
    // count as short, and their feet would be put 141 px below the top: 4.4 m, not 4 m.
    for k in 0..5 {
        let u = f.update(t, &[seen(vec![standing(1, 300.0, 100.0)])]);
        let y_dm = u.people[0].floor_m.map(|p| (p[1] * 10.0).round());
        assert_eq!(y_dm, Some(40.0), "update {k}");
        t += 0.1;
    }
}

#[test]
fn a_person_who_stands_up_teaches_the_new_height_after_a_while() {
    // Sitting (60 px boxes) for 1 s, then standing (100 px) for 2.5 s, feet at floor (3, 4) m.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    let mut t = 0.0;
    while t < 1.0 {
        f.update(t, &[seen(vec![standing(1, 300.0, 60.0)])]);
        t += 0.1;
    }
    while t < 3.5 {
        f.update(t, &[seen(vec![standing(1, 300.0, 100.0)])]);
        t += 0.1;
    }
    // A desk now hides the legs: 60 px boxes with the standing top (y 300). Tall for longer
    // than 2 s, 100 px is the usual height, so these are short boxes whose feet stay 100 px
    // below the top: 4 m. Had the sitting height stayed, the feet would be at 3.6 m.
    let legs_hidden = TrackObs {
        bbox: BoxXywh::new(280.0, 300.0, 40.0, 60.0),
        ..standing(1, 300.0, 60.0)
    };
    let u = f.update(t, &[seen(vec![legs_hidden])]);
    let y_dm = u.people[0].floor_m.map(|p| (p[1] * 10.0).round());
    assert_eq!(y_dm, Some(40.0));
}
