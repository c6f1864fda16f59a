//! A track its tracker finds again goes back to its person's identity once the track that
//! replaced it there has moved on (the same hand-made cameras as the parent module; here both
//! see the same floor).

use super::{at, cam, cfg, gallery, seen};

use crate::room::{RoomFusion, RoomUpdate, TrackObs};

/// Person P stands at floor (2, 3), Q at (3, 3): image x 200 and 300 in both cameras. P looks
/// like [1, 0], Q like [0, 1].
fn looks(mut t: TrackObs, p: bool) -> TrackObs {
    t.gallery = Some(gallery(if p { &[1.0, 0.0] } else { &[0.0, 1.0] }));
    t
}

fn id_of(u: &RoomUpdate, cam: usize, track: u64) -> u64 {
    u.people
        .iter()
        .find(|p| {
            p.members
                .iter()
                .any(|m| m.camera == cam && m.track == track && m.seen)
        })
        .map(|p| p.id)
        .expect("track in a person")
}

/// Until 3.0 s both cameras see both: Q (tracks a2, b12) from 0 s, P (a1, b11) from 0.2 s;
/// two people for over 2 s, so when their identities meet later, one is left as the person
/// let go of. Returns the fusion and its last update.
fn both_seen_until_3s() -> (RoomFusion, RoomUpdate) {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 0.0)]);
    let mut u = RoomUpdate::default();
    for k in 0..=15 {
        let t = f64::from(k) * 0.2;
        let mut a = vec![looks(at(2, 300.0, 300.0), false)];
        let mut b = vec![looks(at(12, 300.0, 300.0), false)];
        if k > 0 {
            a.push(looks(at(1, 200.0, 300.0), true));
            b.push(looks(at(11, 200.0, 300.0), true));
        }
        u = f.update(t, &[seen(a), seen(b)]);
    }
    (f, u)
}

#[test]
fn a_track_found_again_takes_back_its_identity_from_the_newcomer_that_moved_on() {
    let q_a = || looks(at(2, 300.0, 300.0), false);
    let (mut f, u) = both_seen_until_3s();
    assert_eq!(u.count, 2);
    let p_id = id_of(&u, 1, 11);
    // 3.2 s: P hidden from both; camera b loses Q's track 12 and starts track 13 on Q, 0.2 m
    // from them, but it looks like P (a drifted crop), so it takes P's unseen identity,
    // superseding track 11 there.
    let b13 = || looks(at(13, 280.0, 300.0), true);
    let u = f.update(3.2, &[seen(vec![q_a()]), seen(vec![b13()])]);
    assert_eq!(id_of(&u, 1, 13), p_id);
    // From 3.4 s camera b finds P's track 11 again. Track 13 still holds P's identity, so 11
    // starts one of its own; P is counted twice until 13 moves on to Q, where it stands.
    let mut joined_q = None;
    for k in 17..=22 {
        let t = f64::from(k) * 0.2;
        let u = f.update(
            t,
            &[
                seen(vec![q_a()]),
                seen(vec![looks(at(11, 200.0, 300.0), true), b13()]),
            ],
        );
        if joined_q.is_none() && id_of(&u, 1, 13) == id_of(&u, 0, 2) {
            joined_q = Some(k);
            continue;
        }
        if let Some(j) = joined_q {
            // The update after 13 moved on: 11 is back in P's identity, the one it started
            // has ended, and two people are counted.
            assert_eq!(id_of(&u, 1, 11), p_id, "at {t} (13 joined Q at update {j})");
            assert_eq!(u.count, 2, "at {t}");
        } else {
            assert_ne!(
                id_of(&u, 1, 11),
                p_id,
                "at {t}: 13 still holds P's identity"
            );
        }
    }
    assert!(
        joined_q.is_some_and(|k| k < 22),
        "track 13 moved to Q: {joined_q:?}"
    );
}

#[test]
fn the_identity_a_found_track_started_meanwhile_goes_back_with_it() {
    // As above, but camera a finds P again too, with a new track 5, from 3.4 s: tracks 11 and
    // 5 start one identity together. When 13 moves on, both go to P's identity.
    let q_a = || looks(at(2, 300.0, 300.0), false);
    let (mut f, _) = both_seen_until_3s();
    let b13 = || looks(at(13, 280.0, 300.0), true);
    let u = f.update(3.2, &[seen(vec![q_a()]), seen(vec![b13()])]);
    let p_id = id_of(&u, 1, 13);
    let mut u = RoomUpdate::default();
    for k in 17..=24 {
        let t = f64::from(k) * 0.2;
        u = f.update(
            t,
            &[
                seen(vec![q_a(), looks(at(5, 200.0, 300.0), true)]),
                seen(vec![looks(at(11, 200.0, 300.0), true), b13()]),
            ],
        );
    }
    assert_eq!(u.count, 2);
    assert_eq!(id_of(&u, 1, 11), p_id);
    assert_eq!(id_of(&u, 0, 5), p_id);
    assert_eq!(id_of(&u, 1, 13), id_of(&u, 0, 2));
}
