//! Baselines that fusion is measured against, on the same input:
//! - the naive sum: every camera's tracks counted, nobody merged;
//! - the original system's rule: per frame, tracks of different cameras are one person when
//!   their appearance cosine exceeds 0.5 or their box centres are within 250 pixels (compared
//!   in each camera's own pixels, as it did), with no identity kept over time.

use crate::room::{CameraObs, Member, Person, RoomUpdate};

/// Global id of a track in the baselines: camera index and track id side by side.
pub fn baseline_id(camera: usize, track: u64) -> u64 {
    (camera as u64 + 1) * 1_000_000 + track
}

fn member(camera: usize, t: &crate::room::TrackObs) -> Member {
    Member {
        camera,
        track: t.track,
        bbox: t.bbox,
        seen: true,
    }
}

fn person(members: Vec<Member>, score: f32) -> Person {
    let id = members
        .iter()
        .map(|m| baseline_id(m.camera, m.track))
        .min()
        .unwrap_or(0);
    Person {
        id,
        members,
        confidence: score,
        floor_m: None,
        seen: true,
    }
}

/// Every track is a person.
pub fn naive_sum(obs: &[Option<CameraObs>]) -> RoomUpdate {
    let mut people = Vec::new();
    for (c, o) in obs.iter().enumerate() {
        for t in o.iter().flat_map(|o| &o.tracks) {
            people.push(person(vec![member(c, t)], t.score));
        }
    }
    RoomUpdate {
        count: people.len(),
        people,
        urgent: Vec::new(),
        restart_look: Vec::new(),
    }
}

/// The original rule: union of cross-camera pairs with cosine > `min_cos` or centre distance
/// < `max_px` (0.5 and 250 in the original).
pub fn original_rule(obs: &[Option<CameraObs>], min_cos: f32, max_px: f32) -> RoomUpdate {
    let flat: Vec<(usize, &crate::room::TrackObs)> = obs
        .iter()
        .enumerate()
        .flat_map(|(c, o)| {
            o.iter()
                .flat_map(move |o| o.tracks.iter().map(move |t| (c, t)))
        })
        .collect();
    let mut parent: Vec<usize> = (0..flat.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..flat.len() {
        for j in i + 1..flat.len() {
            let ((ca, a), (cb, b)) = (flat[i], flat[j]);
            if ca == cb {
                continue;
            }
            let same_look = match (&a.gallery, &b.gallery) {
                (Some(x), Some(y)) => x.mean_cos(y) > min_cos,
                _ => false,
            };
            let (ax, ay) = a.bbox.center();
            let (bx, by) = b.bbox.center();
            let near = ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt() < max_px;
            if same_look || near {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[rj] = ri;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..flat.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let people: Vec<Person> = groups
        .into_values()
        .map(|g| {
            let score = g.iter().map(|&i| flat[i].1.score).fold(0.0, f32::max);
            person(
                g.iter().map(|&i| member(flat[i].0, flat[i].1)).collect(),
                score,
            )
        })
        .collect();
    RoomUpdate {
        count: people.len(),
        people,
        urgent: Vec::new(),
        restart_look: Vec::new(),
    }
}
