//! A track its tracker finds again goes back to the person it was on.
//!
//! When a camera's track of an identity is lost and a new track of that camera is matched to
//! the identity, the new one supersedes the old (matching, succession): fusion guesses that
//! the tracker switched ids on that person. Sometimes the guess is wrong: the newcomer is
//! someone near the spot where the lost person's last boxes slipped, and when the tracker
//! finds the old track again, that track starts an identity of its own beside the one it
//! left; once the newcomer moves on to its own person, the left identity is held as someone
//! hidden, and the person is counted twice. So the identity remembers the superseded track
//! for `grace_s`, and once the newcomer is seen in another identity, the old track goes back
//! (and the identity it started meanwhile ends), if it stands where the identity could be.

use super::{Link, Ob, RoomFusion};

/// A member track a newer track of its camera replaced while it was lost.
#[derive(Clone, Copy, Debug)]
pub(super) struct Superseded {
    identity: u64,
    /// When it was first linked to that identity.
    since_s: f64,
    /// When it was superseded.
    at_s: f64,
    /// The newer track that replaced it.
    by: (usize, u64),
}

impl Link {
    /// A new link of observation `ob` to `identity`, made at `t_s` (first linked at
    /// `since_s`) with match cost `cost`.
    pub(super) fn new(identity: u64, since_s: f64, t_s: f64, ob: &Ob, cost: f64) -> Self {
        Self {
            identity,
            since_s,
            last_seen_s: t_s,
            bbox: ob.bbox,
            score: ob.score,
            foot_m: ob.foot_m,
            gallery: ob.gallery.clone(),
            gallery_version: ob.gallery.as_ref().map_or(0, |g| g.version),
            contra_s: 0.0,
            prefer_s: 0.0,
            height_px: ob.bbox.h,
            short_s: 0.0,
            tall_s: 0.0,
            cost,
            foot_vel_px_s: [0.0; 2],
            measured: (ob.measured_s, ob.bbox.foot()),
        }
    }
}

impl RoomFusion {
    /// Detaches identity `k`'s members of the camera of `by`, a newer track of that camera
    /// that replaces them there, remembering each.
    pub(super) fn supersede_camera(&mut self, k: usize, by: (usize, u64), t_s: f64) {
        let old: Vec<(usize, u64)> = self.identities[k]
            .members
            .iter()
            .filter(|m| m.0 == by.0 && **m != by)
            .copied()
            .collect();
        for key in old {
            if let Some(l) = self.links.get(&key) {
                let s = Superseded {
                    identity: l.identity,
                    since_s: l.since_s,
                    at_s: t_s,
                    by,
                };
                self.superseded.insert(key, s);
            }
            self.detach(key);
        }
    }

    /// Step 2b: a superseded track seen again goes back to its identity when the newer track
    /// that replaced it is seen now in another identity, no track of its camera is seen in its
    /// identity now, and it stands where the identity could be (link cost within 1) and fits
    /// no other identity its camera does not see better. If it had started an identity of its
    /// own meanwhile (since the supersession), that one ends and its tracks come along.
    pub(super) fn restore_superseded(&mut self, t_s: f64, obs: &[Ob], unlinked: &mut Vec<usize>) {
        if self.superseded.is_empty() {
            return;
        }
        for (i, ob) in obs.iter().enumerate() {
            let key = (ob.cam, ob.track);
            let Some(s) = self.superseded.get(&key).cloned() else {
                continue;
            };
            let Some(x) = self.identities.iter().position(|k| k.id == s.identity) else {
                continue;
            };
            // The newer track moved on: seen now, in another identity.
            let moved_on = obs.iter().any(|o| {
                (o.cam, o.track) == s.by
                    && self
                        .links
                        .get(&s.by)
                        .is_some_and(|l| l.identity != s.identity)
            });
            if !moved_on || self.identities[x].now.iter().any(|&j| obs[j].cam == ob.cam) {
                continue;
            }
            // The identity it started meanwhile, if any: since the supersession, and seen by no
            // camera that sees the old identity now (its other tracks are on the same person).
            let own = match self.links.get(&key).map(|l| l.identity) {
                None => None,
                Some(y_id) => {
                    let Some(y) = self.identities.iter().position(|k| k.id == y_id) else {
                        continue;
                    };
                    let young = &self.identities[y];
                    let clash = young.now.iter().any(|&j| {
                        self.identities[x]
                            .now
                            .iter()
                            .any(|&k| obs[k].cam == obs[j].cam)
                    });
                    if y == x || young.first_seen_s < s.at_s || clash {
                        continue;
                    }
                    Some(y)
                }
            };
            // ... and where no other identity it could join fits it better.
            let cost = self.cost(t_s, ob, &self.identities[x], obs);
            let better_elsewhere = self.identities.iter().enumerate().any(|(k, other)| {
                k != x
                    && Some(k) != own
                    && other.now.iter().all(|&j| obs[j].cam != ob.cam)
                    && self.cost(t_s, ob, other, obs) < cost
            });
            if cost > 1.0 || better_elsewhere {
                continue;
            }
            self.superseded.remove(&key);
            let (members, now) = match own {
                Some(y) => {
                    let young = self.identities.remove(y);
                    (young.members, young.now)
                }
                None => {
                    unlinked.retain(|&u| u != i);
                    self.links
                        .insert(key, Link::new(s.identity, s.since_s, t_s, ob, cost));
                    (vec![key], vec![i])
                }
            };
            // Removing the young identity may have moved the old one.
            let Some(x) = self.identities.iter().position(|k| k.id == s.identity) else {
                continue;
            };
            let seen_cams: Vec<usize> =
                self.identities[x].now.iter().map(|&j| obs[j].cam).collect();
            let mut moved = Vec::with_capacity(members.len());
            for m in members {
                // A lost track of a camera that sees the old identity now has no place there.
                if seen_cams.contains(&m.0) {
                    self.links.remove(&m);
                    continue;
                }
                if let Some(l) = self.links.get_mut(&m) {
                    l.identity = s.identity;
                    if m == key {
                        l.since_s = s.since_s;
                    }
                }
                // The old identity's lost tracks of the cameras that come back are superseded
                // in turn.
                self.supersede_camera(x, m, t_s);
                moved.push(m);
            }
            if let Some(x) = self.identity_mut(s.identity) {
                x.members.extend(moved);
                x.now.extend(now);
            }
        }
    }

    /// Forgets superseded tracks older than `grace_s` or whose identity ended.
    pub(super) fn prune_superseded(&mut self, t_s: f64) {
        let grace_s = self.cfg.grace_s;
        let alive: std::collections::HashSet<u64> = self.identities.iter().map(|i| i.id).collect();
        self.superseded
            .retain(|_, s| t_s - s.at_s <= grace_s && alive.contains(&s.identity));
    }
}
