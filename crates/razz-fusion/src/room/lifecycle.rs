//! Steps 4-5 of an update and its output: merging identities whose feet agree, ageing and
//! holds, and the people counted.

use std::collections::{HashMap, HashSet};

use super::{HOLD_PER_WATCHED, Member, Ob, Person, RoomFusion, RoomUpdate, TRAIL_S, TRAIL_STEP_S};
use crate::homography::dist;

/// Two identities counted as two people for this long before their tracks came to agree stay
/// two people when they merge (see `merge`), seconds.
const DISTINCT_AFTER_S: f64 = 2.0;

/// At most this many identities are remembered unseen per room. A long `grace_s` on a busy
/// site would otherwise keep everyone who ever walked past (memory, and matching cost per
/// update); past the bound the longest-unseen end first, those still counted (held) last.
pub(crate) const MAX_UNSEEN_IDENTITIES: usize = 256;

impl RoomFusion {
    /// Step 4: identities seen now by disjoint cameras whose feet agree for `merge_after_s`
    /// become one (the older id stays).
    pub(super) fn merge(&mut self, t_s: f64, dt: f64, obs: &[Ob]) {
        let mut keep = HashMap::new();
        let mut to_merge = Vec::new();
        let n = self.identities.len();
        for a in 0..n {
            for b in a + 1..n {
                let (ia, ib) = (&self.identities[a], &self.identities[b]);
                if ia.now.is_empty() || ib.now.is_empty() {
                    continue;
                }
                let mut agree = true;
                let mut any = false;
                'pairs: for &i in &ia.now {
                    for &j in &ib.now {
                        if obs[i].cam == obs[j].cam {
                            agree = false;
                            break 'pairs;
                        }
                        match (obs[i].foot_m, obs[j].foot_m) {
                            (Some(f), Some(g)) => {
                                any = true;
                                let gate = self.gate_m(&obs[i], &obs[j]);
                                if dist(f, g) > 0.5 * gate {
                                    agree = false;
                                    break 'pairs;
                                }
                            }
                            _ => {
                                agree = false;
                                break 'pairs;
                            }
                        }
                    }
                }
                if agree && any {
                    let key = (ia.id, ib.id);
                    let t = self.merge_timers.get(&key).copied().unwrap_or(0.0) + dt;
                    if t >= self.cfg.merge_after_s {
                        to_merge.push((ia.id, ib.id));
                    } else {
                        keep.insert(key, t);
                    }
                }
            }
        }
        // A pair's clock pauses while either is unseen (a track missed for an update or
        // two), and starts again only when both are seen apart.
        let unseen: HashSet<u64> = self
            .identities
            .iter()
            .filter(|i| i.now.is_empty())
            .map(|i| i.id)
            .collect();
        for (&key, &t) in &self.merge_timers {
            if unseen.contains(&key.0) || unseen.contains(&key.1) {
                keep.entry(key).or_insert(t);
            }
        }
        self.merge_timers = keep;
        let mut gone = HashSet::new();
        for (a, b) in to_merge {
            if gone.contains(&a) || gone.contains(&b) {
                continue;
            }
            gone.insert(b);
            let Some(pb) = self.identities.iter().position(|x| x.id == b) else {
                continue;
            };
            let first_a_s = self
                .identities
                .iter()
                .find(|x| x.id == a)
                .map_or(t_s, |x| x.first_seen_s);
            let counted_apart_s =
                t_s - self.cfg.merge_after_s - self.identities[pb].first_seen_s.max(first_a_s);
            // The tracks (and their observations now) that go to `a`, and since when `b` was seen.
            let (members, now, first_seen_s) = if counted_apart_s >= DISTINCT_AFTER_S {
                // Two people for a while: the tracks, not the people, came together. The
                // younger identity's tracks go to the older one, and the younger stays as the
                // person one of those tracks let go of: as at its last update, as if its
                // tracks had vanished then. Held, but no longer than `occlusion_hold_s`: nobody
                // saw that person go, and two identities of one person that fusion failed to
                // link for a while meet the same way (a duplicate: then nobody was let go).
                let let_go = self.identities[pb]
                    .members
                    .iter()
                    .filter_map(|key| {
                        let l = self.links.get(key)?;
                        let m = Member {
                            camera: key.0,
                            track: key.1,
                            bbox: l.bbox,
                            seen: false,
                        };
                        Some((m, l.score))
                    })
                    .collect();
                let ghost = &mut self.identities[pb];
                ghost.let_go = let_go;
                ghost.hold_until_s = ghost.hold_until_s.min(t_s + self.cfg.occlusion_hold_s);
                (
                    std::mem::take(&mut ghost.members),
                    std::mem::take(&mut ghost.now),
                    ghost.first_seen_s,
                )
            } else {
                let ib = self.identities.remove(pb);
                (ib.members, ib.now, ib.first_seen_s)
            };
            for key in &members {
                if let Some(l) = self.links.get_mut(key) {
                    l.identity = a;
                }
            }
            if let Some(ia) = self.identity_mut(a) {
                ia.first_seen_s = ia.first_seen_s.min(first_seen_s);
                ia.members.extend(members);
                ia.now.extend(now);
            }
        }
    }

    /// Step 5: times, floor positions, holds; ends identities past `grace_s`.
    pub(super) fn age(&mut self, t_s: f64, obs: &[Ob]) {
        let grace = self.cfg.grace_s;
        let hold = self.cfg.occlusion_hold_s;
        let hold_max = self.cfg.occlusion_hold_max_s;
        let mut ended = Vec::new();
        for k in 0..self.identities.len() {
            let ident = &self.identities[k];
            if ident.now.is_empty() {
                if ident.expired(t_s, grace) {
                    ended.push(k);
                }
                continue;
            }
            let feet: Vec<[f64; 2]> = ident.now.iter().filter_map(|&i| obs[i].foot_m).collect();
            let floor = (!feet.is_empty()).then(|| {
                let n = feet.len() as f64;
                [
                    feet.iter().map(|f| f[0]).sum::<f64>() / n,
                    feet.iter().map(|f| f[1]).sum::<f64>() / n,
                ]
            });
            let cams: Vec<usize> = ident.now.iter().map(|&i| obs[i].cam).collect();
            let leaving = ident.now.iter().all(|&i| obs[i].at_edge)
                && !floor.is_some_and(|f| self.inside_other_view(f, &cams));
            let deep = ident.now.iter().all(|&i| obs[i].deep_inside);
            // Lost at a seam where another camera sees them whole: that camera would go on
            // seeing them, so they are held as anyone lost in sight, not as one hidden.
            let witnessed = ident.now.iter().all(|&i| obs[i].seen_whole_elsewhere);
            let watched_hold_s = HOLD_PER_WATCHED * (t_s - ident.first_seen_s);
            let hold_s = if deep && !witnessed {
                watched_hold_s.clamp(hold, hold_max.max(hold))
            } else {
                hold
            };
            // Watched briefly, by this one camera only, standing where another calibrated
            // camera (online) looks: that camera is a witness that never saw them. A box of
            // this sort is more often a tracker's double or a false box than a person.
            let unconfirmed = watched_hold_s < hold_s
                && ident.members.iter().all(|m| m.0 == cams[0])
                && floor.is_some_and(|f| self.another_camera_looks(f, &cams));
            let ident = &mut self.identities[k];
            ident.last_seen_s = t_s;
            ident.let_go.clear();
            if let Some(f) = floor {
                ident.floor_m = floor;
                if ident
                    .trail
                    .back()
                    .is_none_or(|&(ts, _)| t_s - ts >= TRAIL_STEP_S)
                {
                    ident.trail.push_back((t_s, f));
                }
                while ident
                    .trail
                    .front()
                    .is_some_and(|&(ts, _)| t_s - ts > TRAIL_S)
                {
                    ident.trail.pop_front();
                }
            }
            ident.left_view = leaving;
            ident.lost_deep = deep && !leaving;
            ident.unconfirmed = unconfirmed;
            ident.hold_until_s = if leaving {
                t_s
            } else if unconfirmed {
                t_s + watched_hold_s
            } else {
                t_s + hold_s
            };
        }
        // Every ended identity is unseen, so the count needs no list until it is over.
        let unseen = self.identities.iter().filter(|i| i.now.is_empty());
        if unseen.count() - ended.len() > MAX_UNSEEN_IDENTITIES {
            let kept = |k: &usize| ended.binary_search(k).is_err();
            let mut unseen: Vec<usize> = (0..self.identities.len())
                .filter(|&k| self.identities[k].now.is_empty() && kept(&k))
                .collect();
            let ids = &self.identities;
            unseen.sort_by(|&a, &b| {
                ids[a]
                    .held(t_s)
                    .cmp(&ids[b].held(t_s))
                    .then(ids[a].last_seen_s.total_cmp(&ids[b].last_seen_s))
            });
            ended.extend_from_slice(&unseen[..unseen.len() - MAX_UNSEEN_IDENTITIES]);
            ended.sort_unstable();
        }
        for k in ended.into_iter().rev() {
            let ident = self.identities.remove(k);
            for key in ident.members {
                self.links.remove(&key);
            }
        }
        // Links of tracks not seen for `grace_s` end too (their identity lives on), unless
        // their identity is still held: its last sighting is where it will reappear.
        let held: HashSet<u64> = self
            .identities
            .iter()
            .filter(|i| i.held(t_s))
            .map(|i| i.id)
            .collect();
        let stale: Vec<(usize, u64)> = self
            .links
            .iter()
            .filter(|(_, l)| t_s - l.last_seen_s > grace && !held.contains(&l.identity))
            .map(|(k, _)| *k)
            .collect();
        for key in stale {
            self.detach(key);
        }
    }

    /// Whether a floor point falls inside the image of a calibrated camera not in `except`.
    pub(super) fn inside_other_view(&self, floor: [f64; 2], except: &[usize]) -> bool {
        (0..self.cameras.len()).any(|c| !except.contains(&c) && self.in_image(c, floor))
    }

    /// `inside_other_view`, counting only the cameras online now (one offline sees nobody).
    fn another_camera_looks(&self, floor: [f64; 2], except: &[usize]) -> bool {
        (0..self.cameras.len())
            .any(|c| !except.contains(&c) && self.online[c] && self.in_image(c, floor))
    }

    /// Whether a camera online other than `ob`'s has in its image the floor at `ob`'s feet and
    /// 1.5 box widths either side of them (the probes `sides` uses): it would see them whole.
    pub(super) fn other_camera_sees_around(&self, ob: &Ob) -> bool {
        let Some(h) = self.cameras[ob.cam].homography else {
            return false;
        };
        let (fx, fy) = ob.bbox.foot();
        let (fx, fy) = (f64::from(fx), f64::from(fy));
        let bw = f64::from(ob.bbox.w);
        let probes = [[fx - 1.5 * bw, fy], [fx, fy], [fx + 1.5 * bw, fy]];
        let sees_all = |c: usize| {
            probes.iter().all(|&p| {
                h.same_side_of_horizon([fx, fy], p)
                    && h.apply(p).is_some_and(|f| self.in_image(c, f))
            })
        };
        (0..self.cameras.len()).any(|c| c != ob.cam && self.online[c] && sees_all(c))
    }

    /// Whether a floor point falls inside calibrated camera `c`'s image (within the edge margin).
    fn in_image(&self, c: usize, floor: [f64; 2]) -> bool {
        let m = f64::from(self.cfg.edge_margin_px);
        let (w, h) = self.frame_px[c];
        let Some(p) = self.inverse[c].and_then(|inv| inv.apply(floor)) else {
            return false;
        };
        w > 0 && p[0] >= -m && p[1] >= -m && p[0] <= f64::from(w) + m && p[1] <= f64::from(h) + m
    }

    pub(super) fn output(
        &self,
        t_s: f64,
        obs: &[Ob],
        urgent: Vec<(usize, u64)>,
        restart_look: Vec<(usize, u64)>,
    ) -> RoomUpdate {
        let hold = self.cfg.occlusion_hold_s.max(1e-9);
        let mut people = Vec::new();
        for ident in &self.identities {
            let seen = !ident.now.is_empty();
            if !seen && !ident.held(t_s) {
                continue;
            }
            // Outside the room's floor area (feet known and not in it): not in the room.
            if let (Some(area), Some(f)) = (&self.area, ident.floor_m)
                && !area.contains(f)
            {
                continue;
            }
            let mut members = Vec::new();
            let (mut best_score, mut cost_sum, mut n) = (0.0f32, 0.0, 0.0);
            for key in &ident.members {
                let Some(l) = self.links.get(key) else {
                    continue;
                };
                let now = ident
                    .now
                    .iter()
                    .any(|&i| (obs[i].cam, obs[i].track) == *key);
                if seen && !now {
                    continue;
                }
                members.push(Member {
                    camera: key.0,
                    track: key.1,
                    bbox: l.bbox,
                    seen: now,
                });
                best_score = best_score.max(l.score);
                cost_sum += l.cost;
                n += 1.0;
            }
            if members.is_empty() {
                for (m, score) in &ident.let_go {
                    members.push(m.clone());
                    best_score = best_score.max(*score);
                    n += 1.0;
                }
            }
            members.sort_by_key(|m| (m.camera, m.track));
            let link_factor = if n > 0.0 {
                1.0 - 0.5 * cost_sum / n
            } else {
                1.0
            };
            let time_factor = if seen {
                1.0
            } else {
                (1.0 - (t_s - ident.last_seen_s) / hold).clamp(0.0, 1.0)
            };
            people.push(Person {
                id: ident.id,
                members,
                confidence: (f64::from(best_score) * link_factor * time_factor) as f32,
                floor_m: ident.floor_m,
                seen,
            });
        }
        RoomUpdate {
            count: people.len(),
            people,
            urgent,
            restart_look,
        }
    }
}
