//! Scenario tests of room fusion on hand-made tracks with hand-checked geometry.
//!
//! Two 640x480 cameras watch one floor at 100 pixels per metre. Camera 0 maps image x to floor
//! x; camera 1 is shifted so its image x = 0 is floor x = 3 m. Feet at image (x, y) are on the
//! floor at (x / 100, y / 100) for camera 0 and (x / 100 + 3, y / 100) for camera 1.

use std::sync::Arc;

use razz_core::BoxXywh;

use crate::config::FusionConfig;
use crate::gallery::{Gallery, TrackGalleries};
use crate::homography::Homography;
use crate::room::{CameraObs, CameraSetup, RoomFusion, TrackObs};

mod feet;
mod floor_area;
mod merge;
mod reacquire;
mod superseded;
mod witness;

fn cam(id: &str, shift_m: f64) -> CameraSetup {
    CameraSetup {
        id: id.into(),
        homography: Some(
            Homography::from_matrix([0.01, 0.0, shift_m, 0.0, 0.01, 0.0, 0.0, 0.0, 1.0])
                .expect("matrix"),
        ),
    }
}

/// A 40x100 box whose feet are at image (x, y).
fn at(track: u64, x: f32, y: f32) -> TrackObs {
    TrackObs {
        track,
        bbox: BoxXywh::new(x - 20.0, y - 100.0, 40.0, 100.0),
        score: 0.8,
        gallery: None,
        measured_s: None,
    }
}

fn seen(tracks: Vec<TrackObs>) -> Option<CameraObs> {
    Some(CameraObs {
        frame_w_px: 640,
        frame_h_px: 480,
        tracks,
    })
}

/// The (camera, track) members, sorted, of the person that camera `cam`'s track `track` is in.
fn members_with(u: &crate::room::RoomUpdate, cam: usize, track: u64) -> Vec<(usize, u64)> {
    let p = u
        .people
        .iter()
        .find(|p| {
            p.members
                .iter()
                .any(|m| m.camera == cam && m.track == track)
        })
        .expect("track in a person");
    let mut members: Vec<(usize, u64)> = p.members.iter().map(|m| (m.camera, m.track)).collect();
    members.sort_unstable();
    members
}

fn cfg() -> FusionConfig {
    FusionConfig {
        adapt: false,
        ..FusionConfig::default()
    }
}

fn two() -> RoomFusion {
    RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 3.0)])
}

#[test]
fn one_person_seen_by_two_cameras_counts_once() {
    let mut f = two();
    // Floor (4, 3): camera 0 at x 400, camera 1 at x 100.
    for k in 0..10 {
        let t = f64::from(k) * 0.2;
        let u = f.update(
            t,
            &[
                seen(vec![at(1, 400.0, 300.0)]),
                seen(vec![at(7, 102.0, 301.0)]),
            ],
        );
        assert_eq!(u.count, 1, "at {t}");
        assert_eq!(u.people[0].members.len(), 2);
    }
}

#[test]
fn far_from_the_cameras_the_floor_gate_widens_with_the_feet_uncertainty() {
    // Coarse cameras: 5 cm per pixel, so a 100 px box's feet are uncertain by 0.5 m (10 % of
    // its height) and two views' by 0.71 m: gate 2 x 0.71 = 1.41 m instead of 1 m.
    let coarse = |id: &str| CameraSetup {
        id: id.into(),
        homography: Some(
            Homography::from_matrix([0.05, 0.0, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0, 1.0])
                .expect("matrix"),
        ),
    };
    // Feet 1.2 m apart (24 px, or 120 px at 1 cm per pixel, where feet are uncertain by
    // 0.1 m): one person for the coarse cameras, two for the fine ones.
    for (cams, dx_px, want) in [
        (vec![coarse("a"), coarse("b")], 24.0, 1),
        (vec![cam("a", 0.0), cam("b", 0.0)], 120.0, 2),
    ] {
        let mut f = RoomFusion::new(cfg(), cams);
        let mut u = Default::default();
        for k in 0..10 {
            let t = f64::from(k) * 0.2;
            u = f.update(
                t,
                &[
                    seen(vec![at(1, 300.0, 300.0)]),
                    seen(vec![at(2, 300.0 + dx_px, 300.0)]),
                ],
            );
        }
        assert_eq!(u.count, want);
    }
}

#[test]
fn three_people_two_cameras_report_three_not_six() {
    let mut f = two();
    let a = vec![
        at(1, 350.0, 200.0),
        at(2, 450.0, 300.0),
        at(3, 550.0, 400.0),
    ];
    let b = vec![
        at(11, 50.0, 200.0),
        at(12, 150.0, 300.0),
        at(13, 250.0, 400.0),
    ];
    let u = f.update(0.0, &[seen(a), seen(b)]);
    assert_eq!(u.count, 3);
    for p in &u.people {
        let tracks: Vec<u64> = p.members.iter().map(|m| m.track).collect();
        assert!(
            matches!(tracks.as_slice(), [1, 11] | [2, 12] | [3, 13]),
            "{tracks:?}"
        );
    }
}

#[test]
fn two_tracks_of_one_camera_are_never_one_person() {
    let mut f = two();
    // Two people 10 cm apart, both seen by camera 0.
    let u = f.update(
        0.0,
        &[
            seen(vec![at(1, 400.0, 300.0), at(2, 410.0, 300.0)]),
            seen(vec![]),
        ],
    );
    assert_eq!(u.count, 2);
    // Still two when camera 1 sees one of them.
    for k in 1..10 {
        let u = f.update(
            f64::from(k) * 0.2,
            &[
                seen(vec![at(1, 400.0, 300.0), at(2, 410.0, 300.0)]),
                seen(vec![at(5, 105.0, 300.0)]),
            ],
        );
        assert_eq!(u.count, 2);
    }
}

#[test]
fn hand_over_between_cameras_keeps_the_identity() {
    // Non-overlapping: camera 1 starts at floor x = 6.4 m.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 6.4)]);
    let mut ids = Vec::new();
    // Walks right at 1 m/s through camera 0, leaves at its edge, appears in camera 1 0.5 s later.
    let mut t = 0.0;
    for x in (300..=630).step_by(20) {
        let u = f.update(t, &[seen(vec![at(1, x as f32, 300.0)]), seen(vec![])]);
        ids.push(u.people[0].id);
        t += 0.2;
    }
    for _ in 0..2 {
        f.update(t, &[seen(vec![]), seen(vec![])]);
        t += 0.2;
    }
    for x in (20..200).step_by(20) {
        let u = f.update(t, &[seen(vec![]), seen(vec![at(3, x as f32, 300.0)])]);
        assert_eq!(u.count, 1);
        ids.push(u.people[0].id);
        t += 0.2;
    }
    assert!(ids.iter().all(|&i| i == ids[0]), "{ids:?}");
}

#[test]
fn a_person_walking_out_is_gone_even_if_the_last_box_stops_short_of_the_edge() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    // Two people at the same last place, 10 px short of the right edge (margin 6 px): one walks
    // towards it at 100 px/s (there within 0.1 s), the other stands.
    let mut t = 0.0;
    for k in 0..10 {
        let x = 520.0 + 10.0 * k as f32;
        f.update(t, &[seen(vec![at(1, x, 300.0), at(2, 610.0, 450.0)])]);
        t += 0.1;
    }
    let u = f.update(t, &[seen(vec![])]);
    assert_eq!(u.count, 1);
    assert_eq!(u.people[0].id, 2);
}

#[test]
fn only_measured_boxes_teach_the_walking_speed() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    // The detector runs every 0.2 s and the room is fused every 0.1 s: in between, the
    // camera's last box is sent again (another camera updated the room), measured at the
    // last run. The person walks right at 100 px/s, and their last box stops 30 px short of
    // the right edge: at 100 px/s that is within 6 px + 0.3 s x 100 px/s = 36 px, so they
    // walked out. Taking the re-sent boxes for standing still would halve the speed after
    // each of them (about 67 px/s at the last box: 26 px), and hold the person for 2 s.
    for k in 0..=10 {
        let t = 0.2 * f64::from(k);
        let x = 390.0 + 20.0 * k as f32;
        assert_eq!(f.update(t, &[seen(vec![at(1, x, 300.0)])]).count, 1);
        if k < 10 {
            let again = TrackObs {
                measured_s: Some(t),
                ..at(1, x, 300.0)
            };
            assert_eq!(f.update(t + 0.1, &[seen(vec![again])]).count, 1);
        }
    }
    let u = f.update(2.1, &[seen(vec![])]);
    assert_eq!(u.count, 0, "walked out");
}

#[test]
fn a_jitter_between_two_close_updates_is_not_a_walk_out() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    // Standing 150 px from the right edge; two updates 1 ms apart, the box 5 px apart (as
    // a speed, 5000 px/s: 1500 px in 0.3 s). Speeds are capped at 2.5 box heights a second.
    f.update(0.0, &[seen(vec![at(1, 470.0, 300.0)])]);
    f.update(0.5, &[seen(vec![at(1, 465.0, 300.0)])]);
    f.update(0.501, &[seen(vec![at(1, 470.0, 300.0)])]);
    f.update(0.502, &[seen(vec![at(1, 470.0, 300.0)])]);
    let u = f.update(0.6, &[seen(vec![])]);
    assert_eq!(u.count, 1, "held, not gone");
}

#[test]
fn a_person_walking_along_the_bottom_side_is_not_walking_out_through_it() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    // Person 1 walks left along the bottom of the view (box bottom 2 px from it, inside the
    // 6 px margin) at 300 px/s, 7.5 box widths a second; person 2 walks down towards it at
    // 300 px/s. Both are lost mid-view (far from the left and right sides).
    let mut t = 0.0;
    for k in 0..8 {
        let x = 500.0 - 30.0 * k as f32;
        let y = 268.0 + 30.0 * k as f32;
        f.update(t, &[seen(vec![at(1, x, 478.0), at(2, 150.0, y)])]);
        t += 0.1;
    }
    let u = f.update(t, &[seen(vec![])]);
    // 1 is held (behind someone, say); 2 stepped out below the view.
    assert_eq!(u.count, 1);
    assert_eq!(u.people[0].id, 1);
    assert!(!u.people[0].seen);
}

#[test]
fn a_person_crossing_a_seam_between_views_counts_while_neither_sees_them() {
    // Camera 1's image starts where camera 0's ends (floor x = 6.4 m).
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 6.4)]);
    let mut t = 0.0;
    // Walks right along the bottom of camera 0 (its box touches the bottom edge too) and
    // out through the side beyond which camera 1 sees the floor.
    for x in (300..=630).step_by(30) {
        let u = f.update(t, &[seen(vec![at(1, x as f32, 478.0)]), seen(vec![])]);
        assert_eq!(u.count, 1);
        t += 0.2;
    }
    for _ in 0..3 {
        let u = f.update(t, &[seen(vec![]), seen(vec![])]);
        assert_eq!(u.count, 1, "between the views at {t}");
        assert!(!u.people[0].seen);
        t += 0.2;
    }
    let u = f.update(t, &[seen(vec![]), seen(vec![at(2, 15.0, 478.0)])]);
    assert_eq!((u.count, u.people[0].id), (1, 1));

    // The same walk out through camera 0's left side, beyond which nobody looks: gone at once.
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0), cam("b", 6.4)]);
    let mut t = 0.0;
    for x in (10..=310).rev().step_by(30) {
        f.update(t, &[seen(vec![at(1, x as f32, 478.0)]), seen(vec![])]);
        t += 0.2;
    }
    let u = f.update(t, &[seen(vec![]), seen(vec![])]);
    assert_eq!(u.count, 0);
}

#[test]
fn hidden_person_still_counts_but_one_who_left_does_not() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    f.update(0.0, &[seen(vec![at(1, 300.0, 300.0), at(2, 636.0, 300.0)])]);
    // Both vanish: 1 in the middle (occluded), 2 at the right edge (left the room).
    let u = f.update(0.5, &[seen(vec![])]);
    assert_eq!(u.count, 1);
    assert!(!u.people[0].seen);
    assert!(u.people[0].confidence < 0.8);
    // Re-found under a new track id near the same place: same identity.
    let u = f.update(1.0, &[seen(vec![at(9, 310.0, 300.0)])]);
    assert_eq!(u.count, 1);
    assert_eq!(u.people[0].id, 1);
    // Held only occlusion_hold_s (2 s).
    let u = f.update(3.5, &[seen(vec![])]);
    assert_eq!(u.count, 0);
}

#[test]
fn a_link_survives_a_glitch_but_not_lasting_disagreement() {
    let mut f = two();
    let same = |f: &mut RoomFusion, t: f64, bx: f32| {
        f.update(
            t,
            &[
                seen(vec![at(1, 400.0, 300.0)]),
                seen(vec![at(7, bx, 300.0)]),
            ],
        )
    };
    assert_eq!(same(&mut f, 0.0, 100.0).count, 1);
    // 0.6 s with feet 3 m apart (a bad box): still linked.
    for k in 1..=3 {
        assert_eq!(same(&mut f, f64::from(k) * 0.2, 400.0).count, 1);
    }
    assert_eq!(same(&mut f, 0.8, 100.0).count, 1);
    // Lasting disagreement (> unlink_after_s = 1 s): two people.
    let mut last = 0;
    for k in 5..=12 {
        last = same(&mut f, f64::from(k) * 0.2, 400.0).count;
    }
    assert_eq!(last, 2);
}

#[test]
fn a_member_standing_where_another_person_is_seen_moves_to_them() {
    let mut f = two();
    // Camera 0 sees P at floor x 4.0 (track 1) and Q at 4.6 (track 2), 0.6 m apart. Camera
    // 1's first box of P (track 9) is off, at 4.45: it joins Q, the closer.
    let step = |f: &mut RoomFusion, t: f64, bx: f32| {
        f.update(
            t,
            &[
                seen(vec![at(1, 400.0, 300.0), at(2, 460.0, 300.0)]),
                seen(vec![at(9, bx, 300.0)]),
            ],
        )
    };
    let with_9 = |u: &crate::room::RoomUpdate| -> Vec<u64> {
        members_with(u, 1, 9).into_iter().map(|m| m.1).collect()
    };
    let u = step(&mut f, 0.0, 145.0);
    assert_eq!((u.count, with_9(&u)), (2, vec![2, 9]));
    // Then its feet are where P is (0 m from P, 0.6 m from Q, within the 1 m gate, so no
    // absolute contradiction). Not re-sorted on one update...
    let u = step(&mut f, 0.1, 100.0);
    assert_eq!(with_9(&u), vec![2, 9]);
    // ...but after merge_after_s (0.5 s) it belongs to P, and two people stay two.
    let mut u = u;
    for k in 2..=8 {
        u = step(&mut f, f64::from(k) * 0.1, 100.0);
        assert_eq!(u.count, 2, "at step {k}");
    }
    assert_eq!(with_9(&u), vec![1, 9]);
}

#[test]
fn a_track_swapped_onto_another_person_moves_to_them_at_once() {
    let mut f = two();
    // P at floor x 4.0 and Q at 7.0, 3 m apart: camera 0's tracks 1 and 2, camera 1's 9 and 8.
    // P and Q look nothing alike (orthogonal embeddings).
    let (look_p, look_q) = (gallery(&[1.0, 0.0]), gallery(&[0.0, 1.0]));
    let looks = |mut t: TrackObs, g: &Arc<Gallery>| {
        t.gallery = Some(Arc::clone(g));
        t
    };
    let cam0 = vec![
        looks(at(1, 400.0, 300.0), &look_p),
        looks(at(2, 700.0, 300.0), &look_q),
    ];
    for k in 0..5 {
        let cam1 = vec![
            looks(at(9, 100.0, 300.0), &look_p),
            looks(at(8, 400.0, 300.0), &look_q),
        ];
        let u = f.update(f64::from(k) * 0.1, &[seen(cam0.clone()), seen(cam1)]);
        assert_eq!(u.count, 2);
        assert!(u.restart_look.is_empty(), "{u:?}");
    }
    // Camera 1's tracker loses Q's track 8, moves track 9 onto Q (its feet 0.6 m off Q's, at
    // x 7.6) and starts track 10 on P. Track 9's feet are 3.6 m (3.6 gates) from P's and on Q,
    // seen now by camera 0 alone: it moves to Q in this update (superseding lost track 8), and
    // track 10 joins P. Waiting out either clock (0.5 s, 1 s) would have counted three; so
    // would comparing track 9's look, still P's, with Q's.
    let cam1 = vec![looks(at(9, 460.0, 300.0), &look_p), at(10, 100.0, 300.0)];
    let u = f.update(0.5, &[seen(cam0), seen(cam1)]);
    assert_eq!(u.count, 2);
    assert_eq!(members_with(&u, 1, 9), vec![(0, 2), (1, 9)]);
    assert_eq!(members_with(&u, 1, 10), vec![(0, 1), (1, 10)]);
    // And camera 1 is asked to start track 9's gallery again: its samples are P's.
    assert_eq!(u.restart_look, vec![(1, 9)]);
    let asks = u.look_requests(2);
    assert_eq!(asks[1].restart, vec![9]);
    assert!(asks[0].restart.is_empty());
}

#[test]
fn a_box_that_lost_its_legs_keeps_its_feet() {
    let mut f = two();
    // One person at floor (4, 4), 3 m tall boxes (top at image y 100) in both cameras.
    let tall = |track: u64, x: f32, top: f32, h: f32| TrackObs {
        track,
        bbox: BoxXywh::new(x - 20.0, top, 40.0, h),
        score: 0.8,
        gallery: None,
        measured_s: None,
    };
    let step = |f: &mut RoomFusion, t: f64, h1: f32| {
        f.update(
            t,
            &[
                seen(vec![tall(1, 400.0, 100.0, 300.0)]),
                seen(vec![tall(7, 100.0, 100.0, h1)]),
            ],
        )
    };
    for k in 0..5 {
        assert_eq!(step(&mut f, f64::from(k) * 0.1, 300.0).count, 1);
    }
    // Camera 1 now sees only the top 60 px (legs behind something): its box's bottom is 2.4 m
    // from the feet, more than twice the gate, which for longer than unlink_after_s (1 s)
    // would split the person. Its feet are put 300 px below the top instead.
    for k in 5..=20 {
        let u = step(&mut f, f64::from(k) * 0.1, 60.0);
        assert_eq!(u.count, 1, "at step {k}");
        assert_eq!(
            u.people[0].floor_m.map(|p| (p[0] * 10.0).round()),
            Some(40.0)
        );
    }
}

#[test]
fn identities_end_after_grace() {
    let mut f = RoomFusion::new(cfg(), vec![cam("a", 0.0)]);
    f.update(0.0, &[seen(vec![at(1, 300.0, 300.0)])]);
    f.update(2.9, &[seen(vec![])]);
    assert_eq!(f.sizes(), (1, 1));
    f.update(3.1, &[seen(vec![])]);
    assert_eq!(f.sizes(), (0, 0));
    // A new person at the same place later is a new identity.
    let u = f.update(4.0, &[seen(vec![at(1, 300.0, 300.0)])]);
    assert_eq!(u.people[0].id, 2);
}

#[test]
fn unseen_identities_are_bounded_and_held_ones_go_last() {
    use crate::room::MAX_UNSEEN_IDENTITIES;
    // A grace of a day (the most allowed) keeps everyone who walked past; a long hold keeps
    // the person lost mid-view counted all the while.
    let mut f = RoomFusion::new(
        FusionConfig {
            grace_s: 86_400.0,
            occlusion_hold_s: 500.0,
            occlusion_hold_max_s: 500.0,
            ..cfg()
        },
        vec![cam("a", 0.0)],
    );
    f.update(0.0, &[seen(vec![at(1, 320.0, 300.0)])]);
    // 1,000 people, each seen once at the left side (walking out: not held).
    for k in 1..=1000u32 {
        let y = 150.0 + (k % 30) as f32 * 10.0;
        let u = f.update(
            f64::from(k) * 0.1,
            &[seen(vec![at(u64::from(k) + 1, 20.0, y)])],
        );
        assert_eq!(u.count, 2, "at step {k}: the one seen and the one held");
        assert!(f.sizes().0 <= MAX_UNSEEN_IDENTITIES + 1, "at step {k}");
    }
    let u = f.update(100.1, &[seen(vec![])]);
    assert_eq!(u.people.len(), 1);
    assert_eq!(u.people[0].id, 1, "the held person is kept");
    assert_eq!(f.sizes().0, MAX_UNSEEN_IDENTITIES);
}

fn gallery(v: &[f32]) -> Arc<Gallery> {
    let mut g = TrackGalleries::new(crate::gallery::EmbedPolicy::default());
    g.add(1, 0.0, v.to_vec());
    g.get(1).expect("gallery")
}

#[test]
fn uncalibrated_cameras_link_by_appearance_alone() {
    let mut f = RoomFusion::new(
        cfg(),
        vec![
            CameraSetup {
                id: "a".into(),
                homography: None,
            },
            CameraSetup {
                id: "b".into(),
                homography: None,
            },
        ],
    );
    let red = gallery(&[1.0, 0.1, 0.0]);
    let blue = gallery(&[0.0, 0.1, 1.0]);
    let with = |mut t: TrackObs, g: &Arc<Gallery>| {
        t.gallery = Some(Arc::clone(g));
        t
    };
    let u = f.update(
        0.0,
        &[
            seen(vec![
                with(at(1, 100.0, 300.0), &red),
                with(at(2, 300.0, 300.0), &blue),
            ]),
            seen(vec![
                with(at(5, 500.0, 200.0), &blue),
                with(at(6, 200.0, 200.0), &red),
            ]),
        ],
    );
    assert_eq!(u.count, 2);
    for p in &u.people {
        let t: Vec<u64> = p.members.iter().map(|m| m.track).collect();
        assert!(t == [1, 6] || t == [2, 5], "{t:?}");
    }
    // No appearance and no calibration: no evidence, no link.
    let mut g = RoomFusion::new(cfg(), f.cameras().to_vec());
    let u = g.update(
        0.0,
        &[
            seen(vec![at(1, 100.0, 300.0)]),
            seen(vec![at(5, 100.0, 300.0)]),
        ],
    );
    assert_eq!(u.count, 2);
}

#[test]
fn offline_camera_keeps_its_links_and_frame_edges_do_not_panic() {
    let mut f = two();
    f.update(
        0.0,
        &[
            seen(vec![at(1, 400.0, 300.0)]),
            seen(vec![at(7, 100.0, 300.0)]),
        ],
    );
    let u = f.update(0.2, &[seen(vec![at(1, 400.0, 300.0)]), None]);
    assert_eq!(u.count, 1);
    let u = f.update(
        0.4,
        &[
            seen(vec![at(1, 400.0, 300.0)]),
            seen(vec![at(7, 100.0, 300.0)]),
        ],
    );
    assert_eq!(u.count, 1);
    assert_eq!(u.people[0].members.len(), 2);
    // Odd input: zero-size frames, boxes far outside, time going backwards.
    let odd = TrackObs {
        track: 3,
        bbox: BoxXywh::new(-1e6, 1e9, 0.0, 0.0),
        score: f32::NAN,
        gallery: None,
        measured_s: None,
    };
    let _ = f.update(0.1, &[Some(CameraObs::default()), seen(vec![odd])]);
}

#[test]
fn broken_boxes_and_times_place_nobody_and_do_not_panic() {
    // A model that outputs NaN, or a clock that is not finite, must not stop the room: such a
    // track is left out and such a time is taken as the previous one.
    let mut f = two();
    let nan = TrackObs {
        bbox: BoxXywh::new(f32::NAN, 10.0, 40.0, 100.0),
        ..at(2, 0.0, 0.0)
    };
    let empty = TrackObs {
        bbox: BoxXywh::new(100.0, 10.0, 0.0, 100.0),
        ..at(3, 0.0, 0.0)
    };
    for (k, t) in [0.0, 0.1, f64::NAN, 0.3, f64::INFINITY, 0.5]
        .into_iter()
        .enumerate()
    {
        let u = f.update(
            t,
            &[
                seen(vec![at(1, 400.0, 300.0), nan.clone(), empty.clone()]),
                seen(vec![at(7, 102.0, 301.0)]),
            ],
        );
        assert_eq!(u.count, 1, "update {k} at {t}");
        assert!(
            u.people[0]
                .members
                .iter()
                .all(|m| m.track == 1 || m.track == 7),
            "{:?}",
            u.people[0].members
        );
    }
}

#[test]
fn a_room_of_several_cameras_names_its_uncalibrated_ones() {
    use crate::room::uncalibrated_cameras;
    // One camera has nothing to de-duplicate against, calibrated or not.
    assert!(uncalibrated_cameras(&[("a", false)]).is_empty());
    assert_eq!(
        uncalibrated_cameras(&[("a", true), ("b", false), ("c", false)]),
        ["b", "c"]
    );
    assert!(uncalibrated_cameras(&[("a", true), ("b", true)]).is_empty());
}
