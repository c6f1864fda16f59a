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
