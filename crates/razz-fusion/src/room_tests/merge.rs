//! Room fusion merging identities whose tracks come to agree: a duplicate made by a bad first
//! box becomes one person, but two people a track confused stay two (the same hand-made
//! cameras as the parent module).

use super::{at, seen, two};
use crate::room::RoomUpdate;

fn tracks_of(u: &RoomUpdate, id: u64) -> Vec<(usize, u64)> {
    u.people
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.members.iter().map(|m| (m.camera, m.track)).collect())
        .unwrap_or_default()
}

#[test]
fn a_duplicate_from_a_bad_first_box_is_merged_after_merge_after_s() {
    let mut f = two();
    // P stands at floor (4.0, 3.0): camera 0 x 400, camera 1 x 100. Camera 1's track 7 starts
    // at 1.0 s with its feet at x 230 (floor 5.3 m, 1.3 m off, beyond the 1 m gate): a second
    // identity. From 1.1 s its feet are on P.
    for k in 0..10 {
        let u = f.update(
            f64::from(k) * 0.1,
            &[seen(vec![at(1, 400.0, 300.0)]), seen(vec![])],
        );
        assert_eq!(u.count, 1);
    }
    let u = f.update(
        1.0,
        &[
            seen(vec![at(1, 400.0, 300.0)]),
            seen(vec![at(7, 230.0, 300.0)]),
        ],
    );
    assert_eq!(u.count, 2);
    // Agreeing from 1.1 s, merge_after_s (0.5 s) later they are one: counted apart for
    // 0.1 s, under the 2 s that makes two people.
    let mut u = u;
    for k in 11..=20 {
        u = f.update(
            f64::from(k) * 0.1,
            &[
                seen(vec![at(1, 400.0, 300.0)]),
                seen(vec![at(7, 100.0, 300.0)]),
            ],
        );
    }
    assert_eq!(u.count, 1);
    assert_eq!(tracks_of(&u, 1), vec![(0, 1), (1, 7)]);
}

#[test]
fn two_people_counted_apart_stay_two_when_one_track_moves_onto_the_other() {
    let mut f = two();
    // Camera 0 sees only P (track 1), standing at floor (4.0, 3.0); camera 1 sees only Q
    // (track 8), standing at (6.0, 3.0) until 1 s, then walking to P at 1 m/s (x 4.0 at 3 s),
    // where track 8 stays on P: Q went behind P and the tracker kept the box it could see.
    let q_x_m = |t: f64| (6.0 - (t - 1.0).clamp(0.0, 2.0)) as f32;
    let mut last = None;
    for k in 0..=34 {
        let t = f64::from(k) * 0.1;
        let u = f.update(
            t,
            &[
                seen(vec![at(1, 400.0, 300.0)]),
                seen(vec![at(8, (q_x_m(t) - 3.0) * 100.0, 300.0)]),
            ],
        );
        // Within 0.5 m from 2.5 s, merged 0.5 s later: counted apart for 2.4 s (more than
        // 2 s), so Q's identity is held, unseen, where track 8 left Q.
        assert_eq!(u.count, 2, "at {t}");
        last = Some(u);
    }
    let u = last.expect("updates");
    assert_eq!(tracks_of(&u, 1), vec![(0, 1), (1, 8)]);
    // Q is listed with track 8 and the box it had when the merge found it on P.
    let q = u.people.iter().find(|p| p.id == 2).expect("Q held");
    assert!(!q.seen && q.confidence > 0.0);
    assert_eq!(tracks_of(&u, 2), vec![(1, 8)]);
    assert!(!q.members[0].seen);
    // Q steps out from behind P 0.4 m beyond the hold position (4.2 m, track 8's feet at
    // 2.8 s): camera 1's new track 9 is Q again, not a third person.
    let u = f.update(
        3.5,
        &[
            seen(vec![at(1, 400.0, 300.0)]),
            seen(vec![at(8, 100.0, 300.0), at(9, 80.0, 300.0)]),
        ],
    );
    assert_eq!(u.count, 2);
    assert_eq!(tracks_of(&u, 2), vec![(1, 9)]);
}

#[test]
fn crossed_links_are_sorted_out_once_both_members_stand_where_the_other_identities_are() {
    let mut f = two();
    // P stands at floor (4.0, 2.0) (camera 0 x 400 y 200, camera 1 x 100 y 200), Q at
    // (4.0, 3.8) (y 380). Both cameras see both: identities {0:1, 1:7} (P) and {0:2, 1:8} (Q).
    let (p, q) = (200.0, 380.0);
    for k in 0..10 {
        let u = f.update(
            f64::from(k) * 0.1,
            &[
                seen(vec![at(1, 400.0, p), at(2, 400.0, q)]),
                seen(vec![at(7, 100.0, p), at(8, 100.0, q)]),
            ],
        );
        assert_eq!(u.count, 2);
    }
    // From 1.0 s camera 1's tracker has swapped: track 7 is on Q, track 8 is gone and a new
    // track 9 is on P. Track 9 is 1.8 m from Q's identity, beyond the 1 m gate, so it starts a
    // third identity; P's identity now has a member on Q (1.8 m off: not the > 2 gates of
    // contrary evidence, with which it would be a swap, sorted out at once as in
    // `a_track_swapped_onto_another_person_moves_to_them_at_once`).
    // Track 7 stands on Q's identity (seen by camera 0 only) from 1.0 s, and for
    // `merge_after_s` (0.5 s: the updates at 1.0-1.4 s) at 1.4 s: it is detached and joins Q.
    // Track 1, left alone, has stood on the third identity since it was made (1.1-1.4 s, 0.4
    // s), which counts towards their merge clock: with this update's 0.1 s that is 0.5 s, so
    // they merge at once. 2 people from 1.4 s. (Before, the clock started at the split, and 3
    // were counted until 1.8 s.)
    for k in 10..=25 {
        let t = f64::from(k) * 0.1;
        let u = f.update(
            t,
            &[
                seen(vec![at(1, 400.0, p), at(2, 400.0, q)]),
                seen(vec![at(7, 100.0, q), at(9, 100.0, p)]),
            ],
        );
        let want = if k < 14 { 3 } else { 2 };
        assert_eq!(u.count, want, "at {t}");
        if k >= 14 {
            let mut groups: Vec<Vec<(usize, u64)>> =
                u.people.iter().map(|x| tracks_of(&u, x.id)).collect();
            groups.sort();
            assert_eq!(groups, vec![vec![(0, 1), (1, 9)], vec![(0, 2), (1, 7)]]);
        }
    }
}

#[test]
fn a_duplicate_counted_apart_for_a_while_is_held_only_occlusion_hold_s_after_the_merge() {
    let mut f = two();
    // P stands at floor (4.0, 3.0), camera 0's track 1 at x 400. Camera 1's track 7 is P too,
    // but until 2.5 s its feet are put at x 250 (floor 5.5 m: 1.5 m off, beyond the 1 m gate;
    // a box whose feet were hidden, say), then on P (x 100). That is a second identity for
    // 2.5 s, longer than the 2 s after which a merge takes the younger identity for someone
    // its track let go of. Nobody saw such a person go, so they are held `occlusion_hold_s`
    // (2 s) from the merge, not the 2 x 2.9 s a person lost there after 2.9 s in view is.
    let mut counts = Vec::new();
    for k in 0..=90 {
        let t = f64::from(k) * 0.1;
        let x7 = if k < 25 { 250.0 } else { 100.0 };
        let u = f.update(
            t,
            &[
                seen(vec![at(1, 400.0, 300.0)]),
                seen(vec![at(7, x7, 300.0)]),
            ],
        );
        // Agreeing from 2.5 s, merged `merge_after_s` (0.5 s) later, at the update at 2.9 s:
        // from then track 7 is P's.
        if k >= 29 {
            assert_eq!(tracks_of(&u, 1), vec![(0, 1), (1, 7)], "at {t}");
        }
        counts.push(u.count);
    }
    // Two until 4.9 s (the merge plus 2 s), then one: P alone. (Held as lost there, it was
    // two until 8.4 s.)
    assert!(counts[..50].iter().all(|&c| c == 2), "{counts:?}");
    assert!(counts[50..].iter().all(|&c| c == 1), "{counts:?}");
}

#[test]
fn an_update_without_one_of_two_agreeing_identities_pauses_their_merge_clock() {
    let mut f = two();
    // As in the first test: P at floor (4.0, 3.0), camera 1's track 7 starts at 1.0 s 1.3 m
    // off (a second identity) and stands on P from 1.1 s. At 1.3 s camera 1's tracker misses
    // it for one update (no tracks), and has it again at 1.4 s.
    let mut counts = Vec::new();
    for k in 0..=25 {
        let t = f64::from(k) * 0.1;
        let cam1 = match k {
            ..10 | 13 => vec![],
            10 => vec![at(7, 230.0, 300.0)],
            _ => vec![at(7, 100.0, 300.0)],
        };
        let u = f.update(t, &[seen(vec![at(1, 400.0, 300.0)]), seen(cam1)]);
        counts.push(u.count);
    }
    // Agreeing at 1.1, 1.2, 1.4, 1.5 and 1.6 s: `merge_after_s` (0.5 s) at 1.6 s. (With the
    // clock restarted at 1.3 s, they were two until 1.7 s.)
    assert_eq!(counts[..10], [1; 10]);
    assert_eq!(counts[10..16], [2; 6]);
    assert!(counts[16..].iter().all(|&c| c == 1), "{counts:?}");
}
