//! A second calibrated camera as a witness: a person seen briefly by one camera, where the
//! other looks too and never saw them, is held as long as twice the time they were watched.

use super::{at, cam, cfg, seen};
use crate::room::RoomFusion;

/// Camera 0 sees track 1 with feet at image (x, 300) at 0.0, 0.2 and 0.4 s (watched 0.4 s);
/// camera 1, shifted 3 m, sees track 7 on the same feet when `both`. Then nobody sees
/// anyone. Returns the count at each of `at_s`.
fn lost_after_0_4_s(x_px: f32, both: bool, at_s: &[f64]) -> Vec<usize> {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 3.0)]);
    for k in 0..3 {
        let other = if both {
            vec![at(7, x_px - 300.0, 300.0)]
        } else {
            vec![]
        };
        let u = f.update(
            f64::from(k) * 0.2,
            &[seen(vec![at(1, x_px, 300.0)]), seen(other)],
        );
        assert_eq!(u.count, 1);
    }
    counts_unseen(&mut f, at_s, true)
}

/// The count at each of `at_s` while neither camera sees anyone (camera 1 offline unless
/// `b_online`).
fn counts_unseen(f: &mut RoomFusion, at_s: &[f64], b_online: bool) -> Vec<usize> {
    at_s.iter()
        .map(|&t| {
            f.update(t, &[seen(vec![]), b_online.then(|| seen(vec![])).flatten()])
                .count
        })
        .collect()
}

#[test]
fn a_brief_box_that_the_other_camera_never_saw_is_held_briefly() {
    // Feet on the floor at (4, 3) m: camera 1 sees that point (image x 100), but not the
    // person. Held 2 x 0.4 s = 0.8 s after the last sighting, not `occlusion_hold_s` (2 s).
    assert_eq!(lost_after_0_4_s(400.0, false, &[1.1, 1.3]), [1, 0]);
    // Camera 1 saw them too: held the usual 2 s, until 2.4 s.
    assert_eq!(lost_after_0_4_s(400.0, true, &[1.3, 2.3, 2.5]), [1, 1, 0]);
    // Feet at (2, 3) m, outside camera 1's image (x -100): nobody could have confirmed
    // them, so held 2 s.
    assert_eq!(lost_after_0_4_s(200.0, false, &[1.3, 2.3, 2.5]), [1, 1, 0]);
}

#[test]
fn an_offline_camera_is_no_witness() {
    // As above, feet at (4, 3) m inside camera 1's image, but camera 1 sends nothing (offline)
    // after its first update: it could not have seen them, so they are held the usual 2 s.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 3.0)]);
    f.update(0.0, &[seen(vec![]), seen(vec![])]);
    for k in 1..=3 {
        let u = f.update(f64::from(k) * 0.2, &[seen(vec![at(1, 400.0, 300.0)]), None]);
        assert_eq!(u.count, 1);
    }
    assert_eq!(counts_unseen(&mut f, &[1.5, 2.5, 2.7], false), [1, 1, 0]);
}

#[test]
fn someone_watched_for_a_while_by_one_camera_is_held_as_usual() {
    // Seen 1.4 s by camera 0 alone, at a point camera 1 sees: twice 1.4 s is more than the
    // 2 s hold, so the witness rule takes nothing off (deep inside: 2.8 s, until 4.2 s).
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 3.0)]);
    for k in 0..8 {
        f.update(
            f64::from(k) * 0.2,
            &[seen(vec![at(1, 400.0, 300.0)]), seen(vec![])],
        );
    }
    assert_eq!(counts_unseen(&mut f, &[3.0, 4.1, 4.3], true), [1, 1, 0]);
}

#[test]
fn a_track_coming_back_after_its_unconfirmed_identity_ended_is_placed_afresh() {
    // Person 1 stands at floor (4, 3) m for 3 s, seen by both cameras (tracks 1 and 7), then
    // vanishes from both: lost deep inside the views, held 6 s. Camera 0's track 2, a box at
    // (4.5, 3) m that camera 1 never saw, lives from 2.6 to 3.0 s: held 0.8 s, then it ends.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 3.0)]);
    for k in 0..=15 {
        let t = f64::from(k) * 0.2;
        let mut a = vec![at(1, 400.0, 300.0)];
        if t >= 2.5 {
            a.push(at(2, 450.0, 300.0));
        }
        f.update(t, &[seen(a), seen(vec![at(7, 100.0, 300.0)])]);
    }
    assert_eq!(f.update(3.4, &[seen(vec![]), seen(vec![])]).count, 2);
    assert_eq!(f.update(4.0, &[seen(vec![]), seen(vec![])]).count, 1);
    // Camera 0's tracker finds track 2 again, 0.2 m from where person 1 was lost: that is
    // person 1 stepping out, not a second person beside them.
    let u = f.update(4.4, &[seen(vec![at(2, 420.0, 300.0)]), seen(vec![])]);
    assert_eq!(u.count, 1);
    assert_eq!(u.people[0].id, 1);
}

/// Watched 4.4 s standing at camera 1's left side (feet at its image x 25), by camera 0 too
/// (x `25 + 100 * shift_m`, until 4.0 s) when `both`; then nobody sees anyone. The count at
/// each of `at_s`.
fn lost_at_camera_1s_left_side(shift_m: f64, both: bool, at_s: &[f64]) -> Vec<usize> {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", shift_m)]);
    for k in 0..=22 {
        let t = f64::from(k) * 0.2;
        let a = if both && t < 3.9 {
            vec![at(1, 25.0 + 100.0 * shift_m as f32, 300.0)]
        } else {
            vec![]
        };
        let u = f.update(t, &[seen(a), seen(vec![at(7, 25.0, 300.0)])]);
        assert_eq!(u.count, 1);
    }
    counts_unseen(&mut f, at_s, true)
}

#[test]
fn someone_lost_where_the_other_camera_sees_all_around_is_held_as_in_sight() {
    // Camera 1 starts 3 m into camera 0's view: camera 0 sees the floor 0.6 m either side of
    // the feet (3.25 m) and saw the person until 4.0 s. Lost beside the seam, not hidden
    // there: held `occlusion_hold_s` (2 s, until 6.4 s), not 2 x 4.4 s.
    assert_eq!(lost_at_camera_1s_left_side(3.0, true, &[6.3, 6.5]), [1, 0]);
    // Camera 1 starts where camera 0's image ends (6.4 m): the feet (6.65 m) are outside it,
    // so nobody sees where they went: hidden between the views, held 8.8 s (until 13.2 s).
    assert_eq!(
        lost_at_camera_1s_left_side(6.4, false, &[6.5, 13.1, 13.3]),
        [1, 1, 0]
    );
}
