//! Step 3 of an update: the cost of linking an unlinked track to an identity, the
//! per-camera matching that links tracks or starts new identities, and the succession of a
//! lost identity by the track that replaced its own a moment before.

use std::collections::{HashSet, VecDeque};

use razz_core::assign::{CostMatrix, match_with_limit};

use super::{AMBIGUITY_MARGIN, INF, Identity, Link, Ob, RoomFusion, SPREAD_WEIGHT};
use crate::homography::dist;

/// Whether `young` started on the floor within `gate_m` of where `old` stood then (its trail
/// point nearest in time): a second track on the same person, not someone who walked up to
/// them. Without floor positions, no.
fn born_where_it_stood(young: &Identity, old: &Identity, gate_m: f64) -> bool {
    let Some(&(born_s, born)) = young.trail.front() else {
        return false;
    };
    let stood = old
        .trail
        .iter()
        .min_by(|a, b| (a.0 - born_s).abs().total_cmp(&(b.0 - born_s).abs()))
        .map(|p| p.1)
        .or(old.floor_m);
    stood.is_some_and(|p| dist(p, born) <= gate_m)
}

/// An unseen identity that was walking at least this fast over its trail is looked for where
/// it was heading too, metres per second.
const HEADING_MIN_M_S: f64 = 0.5;
/// ... with a trail at least this long, seconds.
const HEADING_MIN_TRAIL_S: f64 = 0.5;
/// Around the point it was heading for, the gate widens by this per second unseen (people
/// slow down and turn), metres per second.
const HEADING_SPREAD_M_S: f64 = 0.5;

/// Where an unseen identity would be at `t_s` had it walked on at its pace over its trail
/// (at most `max_speed_m_s`): `None` unless it was walking (`HEADING_MIN_M_S`).
fn heading_m(ident: &Identity, t_s: f64, max_speed_m_s: f64) -> Option<[f64; 2]> {
    let last = ident.floor_m?;
    let &(t0_s, p0) = ident.trail.front()?;
    let trail_s = ident.last_seen_s - t0_s;
    if trail_s < HEADING_MIN_TRAIL_S {
        return None;
    }
    let v = [(last[0] - p0[0]) / trail_s, (last[1] - p0[1]) / trail_s];
    let speed = v[0].hypot(v[1]);
    if speed.is_nan() || speed < HEADING_MIN_M_S {
        return None;
    }
    let k = speed.min(max_speed_m_s) / speed * (t_s - ident.last_seen_s).max(0.0);
    Some([last[0] + k * v[0], last[1] + k * v[1]])
}

/// A track started at most this long before an identity of its camera was lost (both seen
/// for a moment) can succeed it (see `succeed`), seconds.
const SUCCESSOR_MAX_AGE_S: f64 = 0.5;
/// ... and at most this many times as wide as the lost track's last box.
const SUCCESSOR_MAX_WIDTH: f32 = 1.5;

impl RoomFusion {
    /// Step 3b: a tracker sometimes starts a new track on a person an update or two before it
    /// drops the old one (two boxes on one person for a moment, as when two people far away
    /// merge into one box). The new track cannot join the old track's identity while both are
    /// seen, so it starts another; then the old identity is lost deep inside the view and held
    /// as hidden, beside its own person, for up to `occlusion_hold_max_s`. So an identity lost
    /// in this update (seen at the previous one, `prev_t_s`) hands itself to a track of a
    /// camera that saw it, started at most `SUCCESSOR_MAX_AGE_S` before, alone in its young
    /// identity, and standing where the lost one could be (link cost within 1): the track
    /// joins the older identity, and the young one ends.
    pub(super) fn succeed(&mut self, t_s: f64, prev_t_s: Option<f64>, obs: &[Ob]) {
        let Some(prev) = prev_t_s else { return };
        let lost: Vec<usize> = (0..self.identities.len())
            .filter(|&k| {
                let i = &self.identities[k];
                i.now.is_empty() && i.last_seen_s >= prev
            })
            .collect();
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for &l in &lost {
            let old = &self.identities[l];
            for (y, young) in self.identities.iter().enumerate() {
                let [i] = young.now[..] else { continue };
                let ob = &obs[i];
                let started_before_loss = young.first_seen_s <= old.last_seen_s
                    && young.first_seen_s >= old.last_seen_s - SUCCESSOR_MAX_AGE_S;
                if y == l
                    || young.members.len() != 1
                    || !started_before_loss
                    || !old.members.iter().any(|m| m.0 == ob.cam)
                {
                    continue;
                }
                if !born_where_it_stood(young, old, self.cfg.floor_gate_m) {
                    continue;
                }
                // A box much wider than the lost one's may hold the lost person beside another
                // (two people walking together drawn as one box): they are hidden in it, not
                // replaced by it.
                let old_w = old
                    .members
                    .iter()
                    .filter(|m| m.0 == ob.cam)
                    .filter_map(|m| self.links.get(m))
                    .map(|l| l.bbox.w)
                    .fold(0.0f32, f32::max);
                if ob.bbox.w > SUCCESSOR_MAX_WIDTH * old_w {
                    continue;
                }
                let c = self.cost(t_s, ob, old, obs);
                if c <= 1.0 {
                    pairs.push((c, l, y));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut old_used, mut young_used) = (HashSet::new(), HashSet::new());
        let mut ended = Vec::new();
        for (_, l, y) in pairs {
            if old_used.contains(&l) || young_used.contains(&y) {
                continue;
            }
            old_used.insert(l);
            young_used.insert(y);
            let i = self.identities[y].now[0];
            let key = (obs[i].cam, obs[i].track);
            let old_id = self.identities[l].id;
            self.supersede_camera(l, key, t_s);
            if let Some(link) = self.links.get_mut(&key) {
                link.identity = old_id;
            }
            let old = &mut self.identities[l];
            old.members.push(key);
            old.now.push(i);
            ended.push(y);
        }
        ended.sort_unstable();
        for y in ended.into_iter().rev() {
            self.identities.remove(y);
        }
    }

    /// Cost of linking observation `ob` to identity `ident` (lower is better; `INF`: never).
    pub(super) fn cost(&self, t_s: f64, ob: &Ob, ident: &Identity, obs: &[Ob]) -> f64 {
        let adapt = self.cfg.adapt;
        if ident.expired(t_s, self.cfg.grace_s) {
            return INF;
        }
        let gap_s = (t_s - ident.last_seen_s).max(0.0);
        let co_visible = !ident.now.is_empty();
        let mut sum = 0.0;
        let mut weight = 0.0;
        let mut spatial = false;
        // How much of the floor gate is walking room since the identity was last seen (0..1):
        // after a long gap the person could be anywhere in a wide disc, so a match there is
        // less likely than the same match after a short gap.
        let mut spread = 0.0;
        // Within the floor gate of where an unseen identity stood (its last position or trail),
        // or of where it was heading (see `heading_m`): the track appears where the person was
        // lost or on their way, not anywhere in their walking room.
        let mut on_the_spot = false;
        // Floor position: against members seen now, else the last known position.
        if let Some(f) = ob.foot_m {
            let mut best: Option<f64> = None;
            if co_visible {
                for &j in &ident.now {
                    if let Some(g) = obs[j].foot_m {
                        let gate = self.gate_m(ob, &obs[j]);
                        let r = dist(f, g) / gate;
                        best = Some(best.map_or(r, |b: f64| b.min(r)));
                    }
                }
            } else if let Some(g) = ident.floor_m {
                // Where they were last seen, or where they stood a moment before: a track is
                // often lost because its last boxes slipped onto a neighbour or a bad fit, and
                // far from the camera a few pixels there are metres on the floor. Each with the
                // walking room since then, and on the spot within `floor_gate_m`.
                let since_s = |ts: f64| (t_s - ts).max(0.0);
                let floor_gate_m = self.cfg.floor_gate_m;
                let stood = std::iter::once((ident.last_seen_s, g))
                    .chain(ident.trail.iter().copied())
                    .map(|(ts, p)| {
                        let gate = floor_gate_m + self.cfg.max_speed_m_s * since_s(ts);
                        (p, gate, floor_gate_m)
                    });
                // Or where they were heading: someone who walked steadily out of sight
                // (behind others, or past a camera whose detector misses them for a while)
                // is found on their way, like one found where they stood: on the spot within
                // the whole gate.
                let heading = heading_m(ident, t_s, self.cfg.max_speed_m_s).map(|p| {
                    let gate = floor_gate_m + HEADING_SPREAD_M_S * gap_s;
                    (p, gate, gate)
                });
                for (p, gate, spot_m) in stood.chain(heading) {
                    let d = dist(f, p);
                    on_the_spot |= d <= spot_m;
                    let r = d / gate;
                    if best.is_none_or(|b| r < b) {
                        best = Some(r);
                        spread = 1.0 - floor_gate_m / gate;
                    }
                }
            }
            if let Some(r) = best {
                if r > 1.0 {
                    return INF;
                }
                sum += r;
                weight += 1.0;
                spatial = true;
            }
        }
        // Same camera: where this camera last saw the identity (lost track, new id).
        if !co_visible || !spatial {
            for key in &ident.members {
                if key.0 != ob.cam {
                    continue;
                }
                let Some(l) = self.links.get(key) else {
                    continue;
                };
                let gap = (t_s - l.last_seen_s).max(0.0);
                let h = f64::from(l.bbox.h.max(ob.bbox.h)).max(1.0);
                let allow = h * (self.cfg.pixel_gate_heights + 1.0 * gap);
                let (ax, ay) = l.bbox.foot();
                let (bx, by) = ob.bbox.foot();
                let d = f64::from(((ax - bx).powi(2) + (ay - by).powi(2)).sqrt());
                if d > allow {
                    return INF;
                }
                sum += d / allow;
                weight += 1.0;
                spatial = true;
            }
        }
        // Appearance: decides alone without a spatial cue, else refines. Its best match among
        // the identity's members, and that member's camera.
        let mut best: Option<(f32, usize)> = None;
        if let Some(ga) = &ob.gallery {
            for key in &ident.members {
                if let Some(gb) = self.links.get(key).and_then(|l| l.gallery.as_ref()) {
                    let c = ga.similarity(gb);
                    if best.is_none_or(|(bc, _)| c > bc) {
                        best = Some((c, key.0));
                    }
                }
            }
        }
        // Someone who walked out of the room's sight and someone walking in at the same place
        // are the same person only if they look alike; so are someone hidden deep inside the
        // view and someone appearing near its outer sides (crossing the view they would have
        // been seen).
        let must_look_alike =
            !co_visible && (ident.left_view || (ident.lost_deep && !ob.deep_inside));
        match best {
            None if must_look_alike => return INF,
            None => {}
            Some((c, cam)) => {
                let pair = self.pair(ob.cam, cam);
                // Unseen for longer than a brief occlusion, the person could be anywhere in a
                // wide disc: where a track is says little, so its look must not say no. Where
                // they were lost it says more (someone stepping out from behind a pillar, whose
                // crops may have changed with it), and only a clearly unlike look says no. In
                // the two cases above the look must also be more alike than different people's
                // here.
                let mut need =
                    if !co_visible && (gap_s > self.cfg.occlusion_hold_s || must_look_alike) {
                        if on_the_spot && !must_look_alike {
                            self.cfg.reacquire_on_spot_min_cos
                        } else {
                            self.cfg.reacquire_min_cos
                        }
                    } else {
                        f32::NEG_INFINITY
                    };
                if must_look_alike {
                    need = need.max(pair.unlike_above(adapt).unwrap_or(0.0));
                }
                if c < need {
                    return INF;
                }
                let a = f64::from((1.0 - c) / (1.0 - pair.min_cos(adapt)).max(1e-3));
                if !spatial {
                    if a > 1.0 {
                        return INF;
                    }
                    sum += a;
                    weight += 1.0;
                } else {
                    sum += 0.5 * a.min(2.0);
                    weight += 0.5;
                }
            }
        }
        if weight == 0.0 {
            INF
        } else {
            let c = sum / weight;
            c + SPREAD_WEIGHT * spread * (1.0 - c)
        }
    }

    /// Step 3: unlinked tracks, camera by camera, to identities not seen by that camera now.
    pub(super) fn match_unlinked(
        &mut self,
        t_s: f64,
        obs: &[Ob],
        mut unlinked: Vec<usize>,
    ) -> Vec<(usize, u64)> {
        let mut urgent = Vec::new();
        unlinked.sort_by_key(|&i| (obs[i].cam, obs[i].track));
        let mut start = 0;
        while start < unlinked.len() {
            let cam = obs[unlinked[start]].cam;
            let end = unlinked[start..]
                .iter()
                .position(|&i| obs[i].cam != cam)
                .map_or(unlinked.len(), |p| start + p);
            let rows = &unlinked[start..end];
            let cands: Vec<usize> = (0..self.identities.len())
                .filter(|&k| self.identities[k].now.iter().all(|&j| obs[j].cam != cam))
                .collect();
            let cost = CostMatrix::from_fn(rows.len(), cands.len(), |r, c| {
                self.cost(t_s, &obs[rows[r]], &self.identities[cands[c]], obs)
            });
            let m = match_with_limit(&cost, 1.0);
            for r in 0..rows.len() {
                let mut v: Vec<f64> = (0..cands.len())
                    .map(|c| cost.get(r, c))
                    .filter(|v| *v <= 1.0)
                    .collect();
                v.sort_by(f64::total_cmp);
                if v.len() >= 2 && v[1] - v[0] < AMBIGUITY_MARGIN {
                    urgent.push((cam, obs[rows[r]].track));
                }
            }
            let mut matched = vec![None; rows.len()];
            for (r, c) in m.matched {
                matched[r] = Some((cands[c], cost.get(r, c)));
            }
            for (r, &i) in rows.iter().enumerate() {
                let ob = &obs[i];
                let (k, c) = match matched[r] {
                    Some(x) => x,
                    None => {
                        self.identities.push(Identity {
                            id: self.next_id,
                            first_seen_s: t_s,
                            last_seen_s: t_s,
                            floor_m: ob.foot_m,
                            trail: VecDeque::new(),
                            hold_until_s: t_s,
                            left_view: false,
                            lost_deep: false,
                            unconfirmed: false,
                            members: Vec::new(),
                            let_go: Vec::new(),
                            now: Vec::new(),
                        });
                        self.next_id += 1;
                        (self.identities.len() - 1, 0.0)
                    }
                };
                // A lost track of this camera is superseded by the new one.
                self.supersede_camera(k, (cam, ob.track), t_s);
                let ident = &mut self.identities[k];
                ident.members.push((cam, ob.track));
                ident.now.push(i);
                let id = ident.id;
                self.links
                    .insert((cam, ob.track), Link::new(id, t_s, t_s, ob, c));
            }
            start = end;
        }
        urgent
    }
}
