//! Room fusion: the confirmed tracks of a room's cameras in, global identities out.
//!
//! Pure: no I/O, no clock; `update(t_s, ...)` takes the time. Each update
//! 1. attaches tracks already linked to an identity (a camera never has two live tracks in
//!    one identity: the newer one is detached);
//! 2. checks the evidence of existing links (floor distance between co-visible members):
//!    contrary evidence for `unlink_after_s` detaches the newer member (hysteresis);
//! 3. matches unlinked tracks, camera by camera, to identities that camera does not see now,
//!    by floor position (calibrated cameras), feet in the same camera (re-acquisition after an
//!    occlusion or a tracker id switch), appearance, and the time since the identity was seen;
//!    the rest start new identities;
//! 4. merges identities whose feet agree for `merge_after_s`;
//! 5. ages identities: unseen for `grace_s` ends them.
//!
//! The count is the identities seen now plus those lost inside the view within
//! `occlusion_hold_s` (a person behind someone is still in the room); one that left through a
//! frame edge, with no other camera expected to see it there, stops counting at once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use razz_core::BoxXywh;
use razz_core::assign::{CostMatrix, match_with_limit};

use crate::config::FusionConfig;
use crate::gallery::Gallery;
use crate::homography::{Homography, dist};
use crate::stats::PairStats;

/// A camera of the room.
#[derive(Clone, Debug)]
pub struct CameraSetup {
    pub id: String,
    /// Image pixels to floor metres, when calibrated.
    pub homography: Option<Homography>,
}

/// One confirmed track in one update.
#[derive(Clone, Debug)]
pub struct TrackObs {
    pub track: u64,
    pub bbox: BoxXywh,
    pub score: f32,
    pub gallery: Option<Arc<Gallery>>,
}

/// What one camera sees at one update. `None` in the update's slice: the camera is offline.
#[derive(Clone, Debug, Default)]
pub struct CameraObs {
    pub frame_w_px: u32,
    pub frame_h_px: u32,
    pub tracks: Vec<TrackObs>,
}

/// A member track of a person.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Camera index (position in the room's camera list).
    pub camera: usize,
    pub track: u64,
    /// Last box, camera pixels.
    pub bbox: BoxXywh,
    /// Seen in this update (false: remembered from an earlier one).
    pub seen: bool,
}

/// A counted person.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// Global id, unique in the room for the fusion's lifetime.
    pub id: u64,
    pub members: Vec<Member>,
    /// 0..1: detector score, lowered by weak links and by time unseen.
    pub confidence: f32,
    /// Feet on the floor, metres, when a member camera is calibrated.
    pub floor_m: Option<[f64; 2]>,
    /// Seen by some camera now (false: held through an occlusion).
    pub seen: bool,
}

/// The result of an update.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoomUpdate {
    pub count: usize,
    pub people: Vec<Person>,
    /// Tracks whose association was ambiguous: embed them sooner. `(camera, track)`.
    pub urgent: Vec<(usize, u64)>,
}

#[derive(Clone, Debug)]
struct Link {
    identity: u64,
    since_s: f64,
    last_seen_s: f64,
    bbox: BoxXywh,
    score: f32,
    foot_m: Option<[f64; 2]>,
    gallery: Option<Arc<Gallery>>,
    gallery_version: u64,
    contra_s: f64,
    /// Cost of the match that made the link (0 for the identity's founder).
    cost: f64,
}

#[derive(Clone, Debug)]
struct Identity {
    id: u64,
    last_seen_s: f64,
    floor_m: Option<[f64; 2]>,
    /// Counted while unseen until this time.
    hold_until_s: f64,
    members: Vec<(usize, u64)>,
    /// Observations (indices into this update's flat list) seen now.
    now: Vec<usize>,
}

/// A track of this update, flattened.
struct Ob {
    cam: usize,
    track: u64,
    bbox: BoxXywh,
    score: f32,
    foot_m: Option<[f64; 2]>,
    gallery: Option<Arc<Gallery>>,
    at_edge: bool,
}

const INF: f64 = f64::INFINITY;
/// Two candidate costs closer than this make a track ambiguous.
const AMBIGUITY_MARGIN: f64 = 0.15;

/// The fusion of one room.
pub struct RoomFusion {
    cfg: FusionConfig,
    cameras: Vec<CameraSetup>,
    inverse: Vec<Option<Homography>>,
    frame_px: Vec<(u32, u32)>,
    links: HashMap<(usize, u64), Link>,
    identities: Vec<Identity>,
    merge_timers: HashMap<(u64, u64), f64>,
    pairs: Vec<PairStats>,
    next_id: u64,
    last_t_s: Option<f64>,
}

impl RoomFusion {
    pub fn new(cfg: FusionConfig, cameras: Vec<CameraSetup>) -> Self {
        let n = cameras.len();
        let mut pairs = vec![PairStats::new(cfg.floor_gate_m, cfg.appearance_min_cos); n * n];
        for p in &cfg.pairs {
            let idx = |id: &str| cameras.iter().position(|c| c.id == id);
            if let (Some(a), Some(b)) = (idx(&p.cameras[0]), idx(&p.cameras[1])) {
                for (i, j) in [(a, b), (b, a)] {
                    let s = &mut pairs[i * n + j];
                    if let Some(g) = p.floor_gate_m {
                        s.base_gate_m = g;
                    }
                    if let Some(c) = p.appearance_min_cos {
                        s.base_min_cos = c;
                    }
                }
            }
        }
        let inverse = cameras
            .iter()
            .map(|c| c.homography.and_then(|h| h.inverse()))
            .collect();
        Self {
            cfg,
            frame_px: vec![(0, 0); n],
            inverse,
            cameras,
            links: HashMap::new(),
            identities: Vec::new(),
            merge_timers: HashMap::new(),
            pairs,
            next_id: 1,
            last_t_s: None,
        }
    }

    pub fn cameras(&self) -> &[CameraSetup] {
        &self.cameras
    }

    /// Replaces a camera's calibration (e.g. set over the API) without losing identities.
    pub fn set_homography(&mut self, camera: usize, h: Option<Homography>) {
        if let Some(c) = self.cameras.get_mut(camera) {
            c.homography = h;
            self.inverse[camera] = h.and_then(|h| h.inverse());
        }
    }

    /// Live identities (seen or within grace) and links, for memory checks.
    pub fn sizes(&self) -> (usize, usize) {
        (self.identities.len(), self.links.len())
    }

    /// The learned floor gate (metres) and appearance threshold of a camera pair.
    pub fn pair_thresholds(&self, a: usize, b: usize) -> Option<(f64, f32)> {
        let n = self.cameras.len();
        (a < n && b < n).then(|| {
            let p = &self.pairs[a * n + b];
            (p.gate_m(self.cfg.adapt), p.min_cos(self.cfg.adapt))
        })
    }

    /// One step. `obs[c]` is camera `c`'s confirmed tracks now, or `None` when it is offline.
    pub fn update(&mut self, t_s: f64, obs: &[Option<CameraObs>]) -> RoomUpdate {
        let dt = self.last_t_s.map_or(0.0, |l| (t_s - l).max(0.0));
        self.last_t_s = Some(t_s);
        let obs_flat = self.flatten(obs);
        for ident in &mut self.identities {
            ident.now.clear();
        }
        let mut unlinked = self.attach(t_s, &obs_flat);
        unlinked.extend(self.check_evidence(dt, &obs_flat));
        self.learn_appearance(&obs_flat);
        let urgent = self.match_unlinked(t_s, &obs_flat, unlinked);
        self.merge(dt, &obs_flat);
        self.age(t_s, &obs_flat);
        self.output(t_s, &obs_flat, urgent)
    }

    fn flatten(&mut self, obs: &[Option<CameraObs>]) -> Vec<Ob> {
        let mut out = Vec::new();
        for (cam, o) in obs.iter().enumerate().take(self.cameras.len()) {
            let Some(o) = o else { continue };
            self.frame_px[cam] = (o.frame_w_px, o.frame_h_px);
            let h = self.cameras[cam].homography;
            let m = self.cfg.edge_margin_px;
            for t in &o.tracks {
                let (fx, fy) = t.bbox.foot();
                out.push(Ob {
                    cam,
                    track: t.track,
                    bbox: t.bbox,
                    score: t.score,
                    foot_m: h.and_then(|h| h.apply([f64::from(fx), f64::from(fy)])),
                    gallery: t.gallery.clone(),
                    at_edge: t.bbox.x <= m
                        || t.bbox.y <= m
                        || t.bbox.x2() >= o.frame_w_px as f32 - m
                        || t.bbox.y2() >= o.frame_h_px as f32 - m,
                });
            }
        }
        out
    }

    fn identity_mut(&mut self, id: u64) -> Option<&mut Identity> {
        self.identities.iter_mut().find(|i| i.id == id)
    }

    /// Step 1: refresh links of tracks seen before. Returns the observations with no link.
    fn attach(&mut self, t_s: f64, obs: &[Ob]) -> Vec<usize> {
        let mut unlinked = Vec::new();
        for (i, ob) in obs.iter().enumerate() {
            let key = (ob.cam, ob.track);
            let Some(link) = self.links.get_mut(&key) else {
                unlinked.push(i);
                continue;
            };
            link.last_seen_s = t_s;
            link.bbox = ob.bbox;
            link.score = ob.score;
            link.foot_m = ob.foot_m;
            if let Some(g) = &ob.gallery {
                link.gallery = Some(Arc::clone(g));
            }
            let id = link.identity;
            let since = link.since_s;
            let Some(k) = self.identities.iter().position(|x| x.id == id) else {
                self.links.remove(&key);
                unlinked.push(i);
                continue;
            };
            // Same camera twice in one identity: the newer link goes back to matching.
            let conflict = self.identities[k]
                .now
                .iter()
                .position(|&j| obs[j].cam == ob.cam);
            if let Some(pos) = conflict {
                let j = self.identities[k].now[pos];
                let other = obs[j].track;
                let other_since = self
                    .links
                    .get(&(ob.cam, other))
                    .map_or(f64::INFINITY, |l| l.since_s);
                if other_since <= since {
                    self.detach(key);
                    unlinked.push(i);
                } else {
                    self.identities[k].now[pos] = i;
                    self.detach((ob.cam, other));
                    unlinked.push(j);
                }
                continue;
            }
            self.identities[k].now.push(i);
        }
        unlinked
    }

    fn detach(&mut self, key: (usize, u64)) {
        if let Some(l) = self.links.remove(&key)
            && let Some(ident) = self.identity_mut(l.identity)
        {
            ident.members.retain(|m| *m != key);
        }
    }

    fn pair(&self, a: usize, b: usize) -> &PairStats {
        &self.pairs[a * self.cameras.len() + b]
    }

    fn pair_mut(&mut self, a: usize, b: usize) -> &mut PairStats {
        let n = self.cameras.len();
        &mut self.pairs[a * n + b]
    }

    /// Step 2: co-visible members whose feet disagree accumulate contrary time; past
    /// `unlink_after_s` the newer one is detached. Agreeing pairs teach the pair's statistics.
    fn check_evidence(&mut self, dt: f64, obs: &[Ob]) -> Vec<usize> {
        let adapt = self.cfg.adapt;
        let mut detach = Vec::new();
        let mut learn: Vec<(usize, usize, f64)> = Vec::new();
        for ident in &self.identities {
            if ident.now.len() < 2 {
                if let Some(&i) = ident.now.first()
                    && let Some(l) = self.links.get_mut(&(obs[i].cam, obs[i].track))
                {
                    l.contra_s = 0.0;
                }
                continue;
            }
            for &i in &ident.now {
                let a = &obs[i];
                let mut worst: Option<f64> = None;
                for &j in &ident.now {
                    let b = &obs[j];
                    if i == j {
                        continue;
                    }
                    if let (Some(fa), Some(fb)) = (a.foot_m, b.foot_m) {
                        let d = dist(fa, fb);
                        let gate = self.pair(a.cam, b.cam).gate_m(adapt);
                        let ratio = d / gate;
                        worst = Some(worst.map_or(ratio, |w: f64| w.max(ratio)));
                        if i < j && ratio <= 1.0 {
                            learn.push((a.cam, b.cam, d));
                        }
                    }
                }
                if let Some(l) = self.links.get_mut(&(a.cam, a.track)) {
                    match worst {
                        Some(r) if r > 2.0 => l.contra_s += dt,
                        _ => l.contra_s = 0.0,
                    }
                    if l.contra_s > self.cfg.unlink_after_s {
                        detach.push((l.since_s, a.cam, a.track, i));
                    }
                }
            }
        }
        for (a, b, d) in learn {
            for (x, y) in [(a, b), (b, a)] {
                self.pair_mut(x, y).dist_m.push(d);
            }
        }
        // Detach the newest contradicting member of each identity first.
        detach.sort_by(|x, y| y.0.total_cmp(&x.0));
        let mut done = HashSet::new();
        let mut out = Vec::new();
        for (_, cam, track, i) in detach {
            let Some(id) = self.links.get(&(cam, track)).map(|l| l.identity) else {
                continue;
            };
            if !done.insert(id) {
                continue;
            }
            self.detach((cam, track));
            if let Some(ident) = self.identity_mut(id) {
                ident.now.retain(|&j| j != i);
            }
            out.push(i);
        }
        out
    }

    /// Tracks seen at the same time by two cameras teach the pair's appearance threshold:
    /// linked ones what one person looks like across the pair, the others what two people do.
    /// Only computed when one side has a new gallery sample, to keep updates cheap.
    fn learn_appearance(&mut self, obs: &[Ob]) {
        if !self.cfg.adapt {
            return;
        }
        let mut fresh = Vec::new();
        for (i, ob) in obs.iter().enumerate() {
            if let (Some(g), Some(l)) = (&ob.gallery, self.links.get_mut(&(ob.cam, ob.track)))
                && g.version != l.gallery_version
            {
                l.gallery_version = g.version;
                fresh.push(i);
            }
        }
        for &i in &fresh {
            let a = &obs[i];
            let (Some(ga), Some(la)) = (&a.gallery, self.links.get(&(a.cam, a.track))) else {
                continue;
            };
            let id_a = la.identity;
            let mut learned = Vec::new();
            for b in obs {
                if b.cam == a.cam {
                    continue;
                }
                let (Some(gb), Some(lb)) = (&b.gallery, self.links.get(&(b.cam, b.track))) else {
                    continue;
                };
                learned.push((b.cam, lb.identity == id_a, f64::from(ga.mean_cos(gb))));
            }
            for (cam, same, c) in learned {
                for (x, y) in [(a.cam, cam), (cam, a.cam)] {
                    let p = self.pair_mut(x, y);
                    if same {
                        p.same_cos.push(c);
                    } else {
                        p.other_cos.push(c);
                    }
                }
            }
        }
    }

    /// Cost of linking observation `ob` to identity `ident` (lower is better; `INF`: never).
    fn cost(&self, t_s: f64, ob: &Ob, ident: &Identity, obs: &[Ob]) -> f64 {
        let adapt = self.cfg.adapt;
        let gap_s = (t_s - ident.last_seen_s).max(0.0);
        if gap_s > self.cfg.grace_s {
            return INF;
        }
        let co_visible = !ident.now.is_empty();
        let mut sum = 0.0;
        let mut weight = 0.0;
        let mut spatial = false;
        // Floor position: against members seen now, else the last known position.
        if let Some(f) = ob.foot_m {
            let mut best: Option<f64> = None;
            if co_visible {
                for &j in &ident.now {
                    if let Some(g) = obs[j].foot_m {
                        let gate = self.pair(ob.cam, obs[j].cam).gate_m(adapt);
                        let r = dist(f, g) / gate;
                        best = Some(best.map_or(r, |b: f64| b.min(r)));
                    }
                }
            } else if let Some(g) = ident.floor_m {
                let gate = self.cfg.floor_gate_m + self.cfg.max_speed_m_s * gap_s;
                best = Some(dist(f, g) / gate);
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
        // Appearance: decides alone without a spatial cue, else refines.
        if let Some(ga) = &ob.gallery {
            let mut best: Option<(f32, f32)> = None;
            for key in &ident.members {
                if let Some(gb) = self.links.get(key).and_then(|l| l.gallery.as_ref()) {
                    let c = ga.similarity(gb);
                    let thr = self.pair(ob.cam, key.0).min_cos(adapt);
                    if best.is_none_or(|(bc, _)| c > bc) {
                        best = Some((c, thr));
                    }
                }
            }
            if let Some((c, thr)) = best {
                let a = f64::from((1.0 - c) / (1.0 - thr).max(1e-3));
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
        if weight == 0.0 { INF } else { sum / weight }
    }

    /// Step 3: unlinked tracks, camera by camera, to identities not seen by that camera now.
    fn match_unlinked(
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
                            last_seen_s: t_s,
                            floor_m: ob.foot_m,
                            hold_until_s: t_s,
                            members: Vec::new(),
                            now: Vec::new(),
                        });
                        self.next_id += 1;
                        (self.identities.len() - 1, 0.0)
                    }
                };
                let ident = &mut self.identities[k];
                // A lost track of this camera is superseded by the new one.
                let old: Vec<(usize, u64)> = ident
                    .members
                    .iter()
                    .filter(|m| m.0 == cam)
                    .copied()
                    .collect();
                ident.members.push((cam, ob.track));
                ident.now.push(i);
                let id = ident.id;
                for key in old {
                    self.detach(key);
                }
                self.links.insert(
                    (cam, ob.track),
                    Link {
                        identity: id,
                        since_s: t_s,
                        last_seen_s: t_s,
                        bbox: ob.bbox,
                        score: ob.score,
                        foot_m: ob.foot_m,
                        gallery: ob.gallery.clone(),
                        gallery_version: ob.gallery.as_ref().map_or(0, |g| g.version),
                        contra_s: 0.0,
                        cost: c,
                    },
                );
            }
            start = end;
        }
        urgent
    }

    /// Step 4: identities seen now by disjoint cameras whose feet agree for `merge_after_s`
    /// become one (the older id stays).
    fn merge(&mut self, dt: f64, obs: &[Ob]) {
        let adapt = self.cfg.adapt;
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
                                let gate = self.pair(obs[i].cam, obs[j].cam).gate_m(adapt);
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
            let ib = self.identities.remove(pb);
            for key in &ib.members {
                if let Some(l) = self.links.get_mut(key) {
                    l.identity = a;
                }
            }
            if let Some(ia) = self.identity_mut(a) {
                ia.members.extend(ib.members);
                ia.now.extend(ib.now);
            }
        }
    }

    /// Step 5: times, floor positions, holds; ends identities past `grace_s`.
    fn age(&mut self, t_s: f64, obs: &[Ob]) {
        let grace = self.cfg.grace_s;
        let hold = self.cfg.occlusion_hold_s;
        let mut ended = Vec::new();
        for k in 0..self.identities.len() {
            let ident = &self.identities[k];
            if ident.now.is_empty() {
                if t_s - ident.last_seen_s > grace {
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
            let ident = &mut self.identities[k];
            ident.last_seen_s = t_s;
            if floor.is_some() {
                ident.floor_m = floor;
            }
            ident.hold_until_s = if leaving { t_s } else { t_s + hold };
        }
        for k in ended.into_iter().rev() {
            let ident = self.identities.remove(k);
            for key in ident.members {
                self.links.remove(&key);
            }
        }
        // Links of tracks not seen for `grace_s` end too (their identity lives on).
        let stale: Vec<(usize, u64)> = self
            .links
            .iter()
            .filter(|(_, l)| t_s - l.last_seen_s > grace)
            .map(|(k, _)| *k)
            .collect();
        for key in stale {
            self.detach(key);
        }
    }

    /// Whether a floor point falls inside the image of a calibrated camera not in `except`.
    fn inside_other_view(&self, floor: [f64; 2], except: &[usize]) -> bool {
        let m = f64::from(self.cfg.edge_margin_px);
        (0..self.cameras.len()).any(|c| {
            if except.contains(&c) {
                return false;
            }
            let (w, h) = self.frame_px[c];
            let Some(p) = self.inverse[c].and_then(|inv| inv.apply(floor)) else {
                return false;
            };
            w > 0
                && p[0] >= -m
                && p[1] >= -m
                && p[0] <= f64::from(w) + m
                && p[1] <= f64::from(h) + m
        })
    }

    fn output(&self, t_s: f64, obs: &[Ob], urgent: Vec<(usize, u64)>) -> RoomUpdate {
        let hold = self.cfg.occlusion_hold_s.max(1e-9);
        let mut people = Vec::new();
        for ident in &self.identities {
            let seen = !ident.now.is_empty();
            if !seen && t_s > ident.hold_until_s {
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
        }
    }
}
