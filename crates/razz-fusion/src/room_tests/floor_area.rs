//! Room fusion with a floor area: who counts is decided by where the feet are on the floor
//! (the same hand-made cameras as the parent module).

use razz_core::BoxXywh;

use super::{at, cam, cfg, seen};
use crate::area::FloorArea;
use crate::room::{RoomFusion, TrackObs};

#[test]
fn only_people_inside_the_floor_area_count_and_walking_in_keeps_the_identity() {
    // The room is floor x 0..4 m; camera 0 also sees x 4..6.4 m (a corridor).
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    f.set_floor_area(Some(
        FloorArea::new(vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.8], [0.0, 4.8]]).expect("area"),
    ));
    let mut t = 0.0;
    // Person 1 stands in the room (x 2 m); person 2 walks along the corridor towards it.
    let mut ids = Vec::new();
    for x in [560.0, 520.0, 480.0, 440.0, 400.0, 360.0] {
        let u = f.update(t, &[seen(vec![at(1, 200.0, 300.0), at(2, x, 300.0)])]);
        let want = if x < 400.0 { 2 } else { 1 };
        assert_eq!(u.count, want, "person 2 at {x} px");
        assert_eq!(u.people.len(), u.count);
        ids.extend(u.people.iter().map(|p| p.id).filter(|&id| id != 1));
        t += 0.2;
    }
    // Counted once inside, under the identity it had in the corridor (the second one made).
    assert_eq!(ids, vec![2]);
    // Cleared: everyone counts, in the corridor too.
    f.set_floor_area(None);
    let u = f.update(
        t,
        &[seen(vec![
            at(1, 200.0, 300.0),
            at(2, 360.0, 300.0),
            at(3, 600.0, 300.0),
        ])],
    );
    assert_eq!(u.count, 3);
}

#[test]
fn someone_hidden_deep_inside_is_not_who_walks_in_at_the_edge() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    // Person 1 stands mid-view for 3 s, then is hidden (behind a sign); held for 6 s.
    let mut t = 0.0;
    while t < 3.0 {
        f.update(t, &[seen(vec![at(1, 300.0, 300.0)])]);
        t += 0.2;
    }
    t += 4.0;
    // 4 s later someone appears at the right edge, 3.15 m away: within walking range of the
    // hidden person (and of their last box, in pixels), but they would have been seen
    // crossing the view.
    let u = f.update(t, &[seen(vec![at(2, 615.0, 300.0)])]);
    assert_eq!(u.count, 2, "{:?}", u.people);
    let newcomer = u.people.iter().find(|p| p.seen).expect("seen");
    assert_ne!(newcomer.id, 1);
    // Someone re-appearing near the hidden person's place takes their identity.
    let u = f.update(
        t + 0.2,
        &[seen(vec![at(2, 615.0, 300.0), at(3, 320.0, 300.0)])],
    );
    assert_eq!(u.count, 2);
    assert!(u.people.iter().any(|p| p.id == 1 && p.seen));
}

#[test]
fn a_person_half_through_a_side_door_counts_once_their_feet_are_in() {
    // The room ends at floor x 6.3 m (image x 630 of 640); a door is at the right side.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    f.set_floor_area(Some(
        FloorArea::new(vec![[0.0, 0.0], [6.3, 0.0], [6.3, 4.8], [0.0, 4.8]]).expect("area"),
    ));
    let step = |x_px: f32, w_px: f32| TrackObs {
        track: 1,
        bbox: BoxXywh::new(x_px, 200.0, w_px, 100.0),
        score: 0.8,
        gallery: None,
        measured_s: None,
    };
    // Half through: a 20 px wide box 4 px from the side. Its bottom centre (626 px) is inside,
    // but a whole person is 41 px wide (aspect 0.41), so the feet are at 616 + 20.5 = 636.5.
    let u = f.update(0.0, &[seen(vec![step(616.0, 20.0)])]);
    assert_eq!(u.count, 0, "{:?}", u.people);
    // Whole, feet at 615: in the room, under the identity it had at the door.
    let u = f.update(0.2, &[seen(vec![step(595.0, 40.0)])]);
    assert_eq!(u.count, 1);
    assert_eq!(u.people[0].id, 1);
}
