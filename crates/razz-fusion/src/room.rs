//! Room fusion: the confirmed tracks of a room's cameras in, global identities out.
//!
//! Pure: no I/O, no clock; `update(t_s, ...)` takes the time. Each update
//! 0. puts the feet of a box much shorter than its track's usual height (legs hidden) a usual
//!    height below its top, and those of a box cut by the left or right frame side half a
//!    whole person's width from its uncut side (`feet`);
//! 1. attaches tracks already linked to an identity (a camera never has two live tracks in
//!    one identity: the newer one is detached);
//! 2. checks the evidence of existing links (floor distance between co-visible members):
//!    contrary evidence for `unlink_after_s` detaches the newer member (hysteresis), and so
//!    does standing where another identity is seen, much closer than to its own, for
//!    `merge_after_s` (a link made on a bad first box is re-sorted); both at once are a
//!    tracker's swap onto someone else, detached in this update and placed without its look,
//!    and its camera is asked to start its gallery again (`RoomUpdate::restart_look`). A lost
//!    track that a newer track of its camera replaced (superseded) and that its tracker finds
//!    again goes back to its identity once the newer one has moved on to another identity, if
//!    it stands where the identity could be and nowhere better (`superseded`);
//! 3. matches unlinked tracks, camera by camera, to identities that camera does not see now,
//!    by floor position (calibrated cameras; an unseen identity's nearest point over its last
//!    `TRAIL_S` seen, since a lost track's last boxes often slipped, or where it was heading
//!    if it was walking), feet in the same camera
//!    (re-acquisition after an occlusion or a tracker id switch), appearance, and the time
//!    since the identity was seen (after a long gap the look must not say no, and must say a
//!    clear no where the person went out of sight); the rest start new identities;
//! 4. merges identities whose feet agree for `merge_after_s` (seen together; an update without
//!    one of them pauses the clock); if both had been counted as two people for
//!    `DISTINCT_AFTER_S` before, the tracks came together, not the people: the younger
//!    identity's tracks go to the older, and it stays as the person one of them let go of,
//!    held like anyone lost (as step 5 left it at its last update) but at most
//!    `occlusion_hold_s` from the merge;
//! 5. ages identities: unseen for `grace_s` (and no longer held) ends them; an unconfirmed
//!    one (below) ends as soon as it is no longer held, so a track its tracker finds again
//!    later is placed afresh.
//!
//! The count is the identities seen now plus those lost inside the view within
//! `occlusion_hold_s` (a person behind someone is still in the room), or, when lost deep inside
//! the view, within twice the time they had been watched (up to `occlusion_hold_max_s`: a
//! person standing behind a pillar). Beside a seam counts as deep inside, unless another camera
//! online sees the floor all around the feet: it would see the person, so they are held as
//! anyone lost in sight. One seen only by one camera, at a floor point that
//! another calibrated camera online sees, is held at most twice as long as it was watched,
//! wherever lost (unconfirmed): the other camera never saw it, and a brief box of that sort is
//! a tracker's double or a false box more often than a person. One that left through a frame
//! edge stops counting at once: a box at a frame side (not walking along the top or bottom),
//! or walking towards it and there within `EXIT_LOOKAHEAD_S`, unless another calibrated camera
//! sees the floor beyond that side (a hand-over seam: the person is between views, so held).
//! Such an identity is taken up again only by a track that looks like them, not by whoever
//! walks in at the same door.
//!
//! With a floor area set, only people whose feet are inside it count (and are listed); the
//! others are fused all the same.
//!
//! Two cameras' feet are compared within the pair's floor gate, widened where the feet are
//! uncertain (far from a camera a pixel of box bottom is a lot of floor).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use razz_core::BoxXywh;

use crate::area::FloorArea;
use crate::config::FusionConfig;
use crate::gallery::Gallery;
use crate::homography::{Homography, dist};
use crate::stats::PairStats;

mod evidence;
mod feet;
mod lifecycle;
mod matching;
mod superseded;

#[cfg(test)]
pub(crate) use lifecycle::MAX_UNSEEN_IDENTITIES;

/// A camera of the room.
#[derive(Clone, Debug)]
pub struct CameraSetup {
    pub id: String,
    /// Image pixels to floor metres, when calibrated.
    pub homography: Option<Homography>,
}

/// In a room of more than one camera, the ids of those without a floor calibration (`(id,
/// calibrated)` in): fusion links their people to the other cameras' by look alone, which
/// the bundled embedder does too weakly to de-duplicate (docs/decisions.md, "A room with
/// uncalibrated cameras says it is not de-duplicated"). Empty for a room of one camera.
pub fn uncalibrated_cameras(cameras: &[(&str, bool)]) -> Vec<String> {
    if cameras.len() < 2 {
        return Vec::new();
    }
    cameras
        .iter()
        .filter(|(_, calibrated)| !calibrated)
        .map(|(id, _)| (*id).to_owned())
        .collect()
}

/// One confirmed track in one update.
#[derive(Clone, Debug)]
pub struct TrackObs {
    pub track: u64,
    pub bbox: BoxXywh,
    pub score: f32,
    pub gallery: Option<Arc<Gallery>>,
    /// When the tracker last measured this track (its last matched detection), on the
    /// update's clock; `None`: at this update. A box the tracker predicted between detector
    /// runs, or a camera's last boxes re-sent when another camera updates the room, is older
    /// than the update, and only measured boxes teach the feet's velocity.
    pub measured_s: Option<f64>,
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
    /// Tracks that moved onto another person in this update (a tracker's swap): their gallery
    /// holds the look of the one they left, so it starts again. `(camera, track)`.
    pub restart_look: Vec<(usize, u64)>,
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
    /// Time this member has stood where another identity is seen (see `evidence`).
    prefer_s: f64,
    /// The track's usual box height (smoothed over boxes that were not short), pixels.
    height_px: f32,
    /// How long its boxes have been short (see `anchor_short_boxes`), seconds.
    short_s: f64,
    /// How long its boxes have been much taller than usual, seconds.
    tall_s: f64,
    /// Cost of the match that made the link (0 for the identity's founder).
    cost: f64,
    /// The feet's image velocity (smoothed over measured boxes), pixels per second.
    foot_vel_px_s: [f32; 2],
    /// When the last measured box was measured, and its feet (pixels).
    measured: (f64, (f32, f32)),
}

#[derive(Clone, Debug)]
struct Identity {
    id: u64,
    /// When a camera first saw this person.
    first_seen_s: f64,
    last_seen_s: f64,
    floor_m: Option<[f64; 2]>,
    /// Where this person stood over the last `TRAIL_S` they were seen (time, floor), oldest
    /// first, at most one sample per `TRAIL_STEP_S`.
    trail: VecDeque<(f64, [f64; 2])>,
    /// Counted while unseen until this time.
    hold_until_s: f64,
    /// Last seen walking out through a frame side beyond which no camera looks: only a
    /// track that looks like them can take the identity up again.
    left_view: bool,
    /// Last seen deep inside every view that saw them: if unseen now, behind something in
    /// the room, so not whoever appears near an outer frame side (unless they look alike).
    lost_deep: bool,
    /// Last seen briefly by one camera only, where another calibrated camera looks: held
    /// shortly (see `HOLD_PER_WATCHED`), and ended, not remembered for `grace_s`, after that.
    unconfirmed: bool,
    members: Vec<(usize, u64)>,
    /// Where its tracks let this person go, with their scores: the last boxes of the tracks it
    /// had when a merge left it as its own person (see `merge`), until it is seen again.
    let_go: Vec<(Member, f32)>,
    /// Observations (indices into this update's flat list) seen now.
    now: Vec<usize>,
}

impl Identity {
    /// Still counted while unseen (see `hold_until_s`).
    fn held(&self, t_s: f64) -> bool {
        t_s <= self.hold_until_s
    }

    /// Unseen (now) past `grace_s`, or unconfirmed, and no longer held: the identity ends and
    /// can match nothing.
    fn expired(&self, t_s: f64, grace_s: f64) -> bool {
        let unseen_s = t_s - self.last_seen_s;
        self.now.is_empty() && (unseen_s > grace_s || self.unconfirmed) && !self.held(t_s)
    }
}

/// A frame side as seen from one box (see `RoomFusion::sides`).
struct Side {
    /// Box to frame side, pixels (negative: the box sticks out).
    gap_px: f32,
    /// At least a box width (half a height at top and bottom) away.
    far: bool,
    /// The floor just beyond this side is another camera's view.
    watched_beyond: bool,
}

/// A track of this update, flattened.
struct Ob {
    cam: usize,
    track: u64,
    bbox: BoxXywh,
    score: f32,
    foot_m: Option<[f64; 2]>,
    /// When the tracker measured this box (see `TrackObs::measured_s`), seconds.
    measured_s: f64,
    /// How far the feet move on the floor when the box's bottom moves by `FOOT_ERR_SHARE`
    /// of its height: the floor position's uncertainty there, metres (0: uncalibrated).
    foot_err_m: f64,
    gallery: Option<Arc<Gallery>>,
    /// Within `edge_margin_px` of a frame side beyond which no other camera sees the floor
    /// (of two such sides, the one it walks towards): entering or leaving the room's sight.
    at_edge: bool,
    /// At least a box width from the sides and half a box height from the top and bottom, or
    /// nearer a side beyond which another calibrated camera sees the floor (a seam): a person
    /// lost here did not walk out of the room's sight.
    deep_inside: bool,
    /// Deep inside only because the floor beyond a near side is another camera's view, and
    /// another camera online sees the floor around the feet (1.5 box widths either way): it
    /// would see this person whole, so a loss here is not a long hiding place.
    seen_whole_elsewhere: bool,
}

const INF: f64 = f64::INFINITY;
/// Two candidate costs closer than this make a track ambiguous.
const AMBIGUITY_MARGIN: f64 = 0.15;
/// A person lost deep inside the view counts this many times as long as they had been watched
/// (between `occlusion_hold_s` and `occlusion_hold_max_s`): someone who stood in the room for
/// a while and vanished mid-view is behind something, not gone. One seen only by one camera
/// where another calibrated camera looks too counts at most this many times as long as they
/// had been watched, wherever lost: a brief box that a second view never confirmed.
const HOLD_PER_WATCHED: f64 = 2.0;
/// A box walking towards a frame side that it reaches within this time is at that edge, s.
const EXIT_LOOKAHEAD_S: f32 = 0.3;
/// A box moving along the top or bottom side it touches, faster than this many box widths per
/// second and `ALONG_RATIO` times faster than towards it, is walking past that side, not out
/// through it.
const ALONG_MIN_WIDTHS_S: f32 = 1.0;
/// See `ALONG_MIN_WIDTHS_S`.
const ALONG_RATIO: f32 = 2.0;
/// Feet are found to about this share of the box height (the box bottom is not the sole).
const FOOT_ERR_SHARE: f64 = 0.1;
/// Two feet are within a pair's floor gate, or this many times their combined uncertainty
/// (far from a camera a pixel is a lot of floor).
const GATE_PER_FOOT_ERR: f64 = 2.0;
/// How much an unseen identity's walking room (since last seen) adds to a floor match's cost.
const SPREAD_WEIGHT: f64 = 0.6;
/// How far back an unseen identity's floor positions are kept for re-finding it, seconds.
const TRAIL_S: f64 = 1.0;
/// Spacing of those positions, seconds.
const TRAIL_STEP_S: f64 = 0.1;

/// The fusion of one room.
pub struct RoomFusion {
    cfg: FusionConfig,
    cameras: Vec<CameraSetup>,
    inverse: Vec<Option<Homography>>,
    frame_px: Vec<(u32, u32)>,
    /// Which cameras sent observations to the latest update.
    online: Vec<bool>,
    /// Each camera's whole-person box width over height (see `feet`).
    aspect: Vec<f32>,
    links: HashMap<(usize, u64), Link>,
    identities: Vec<Identity>,
    merge_timers: HashMap<(u64, u64), f64>,
    /// Lost member tracks a newer track replaced (see `superseded`).
    superseded: HashMap<(usize, u64), superseded::Superseded>,
    pairs: Vec<PairStats>,
    next_id: u64,
    last_t_s: Option<f64>,
    area: Option<FloorArea>,
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
            online: vec![false; n],
            aspect: vec![feet::PERSON_ASPECT; n],
            inverse,
            cameras,
            links: HashMap::new(),
            identities: Vec::new(),
            merge_timers: HashMap::new(),
            superseded: HashMap::new(),
            pairs,
            next_id: 1,
            last_t_s: None,
            area: None,
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

    /// Sets or clears the room's floor area (people outside it are not counted), keeping
    /// identities.
    pub fn set_floor_area(&mut self, area: Option<FloorArea>) {
        self.area = area;
    }

    pub fn floor_area(&self) -> Option<&FloorArea> {
        self.area.as_ref()
    }

    /// Live identities (seen or within grace) and links, for memory checks.
    pub fn sizes(&self) -> (usize, usize) {
        (self.identities.len(), self.links.len())
    }

    /// One step. `obs[c]` is camera `c`'s confirmed tracks now, or `None` when it is offline.
    /// A time that is not finite is taken as the previous update's.
    pub fn update(&mut self, t_s: f64, obs: &[Option<CameraObs>]) -> RoomUpdate {
        let t_s = if t_s.is_finite() {
            t_s
        } else {
            self.last_t_s.unwrap_or(0.0)
        };
        let prev_t_s = self.last_t_s;
        let dt = prev_t_s.map_or(0.0, |l| (t_s - l).max(0.0));
        self.last_t_s = Some(t_s);
        let mut obs_flat = self.flatten(t_s, obs);
        self.anchor_short_boxes(dt, &mut obs_flat);
        for ident in &mut self.identities {
            ident.now.clear();
        }
        let mut unlinked = self.attach(t_s, &obs_flat);
        let (detached, swapped) = self.check_evidence(dt, &obs_flat);
        unlinked.extend(detached);
        self.restore_superseded(t_s, &obs_flat, &mut unlinked);
        // A track that swapped people still carries the look of the one it left: where it
        // stands places it, and its camera starts its gallery again.
        let mut restart_look = Vec::with_capacity(swapped.len());
        for i in swapped {
            obs_flat[i].gallery = None;
            restart_look.push((obs_flat[i].cam, obs_flat[i].track));
        }
        self.learn_appearance(&obs_flat);
        let urgent = self.match_unlinked(t_s, &obs_flat, unlinked);
        self.succeed(t_s, prev_t_s, &obs_flat);
        self.merge(t_s, dt, &obs_flat);
        self.age(t_s, &obs_flat);
        self.prune_superseded(t_s);
        self.output(t_s, &obs_flat, urgent, restart_look)
    }

    fn flatten(&mut self, t_s: f64, obs: &[Option<CameraObs>]) -> Vec<Ob> {
        let mut out = Vec::new();
        self.online.fill(false);
        for (cam, o) in obs.iter().enumerate().take(self.cameras.len()) {
            let Some(o) = o else { continue };
            self.online[cam] = true;
            self.frame_px[cam] = (o.frame_w_px, o.frame_h_px);
            let h = self.cameras[cam].homography;
            let w_px = o.frame_w_px as f32;
            // A box that is not finite or empty (a broken model output) places nobody.
            let valid = |t: &&TrackObs| t.bbox.is_valid() && t.score.is_finite();
            for t in o.tracks.iter().filter(valid) {
                self.aspect[cam] = feet::learn_aspect(self.aspect[cam], &t.bbox, w_px);
            }
            for t in o.tracks.iter().filter(valid) {
                let (fx, fy) = feet::feet_px(&t.bbox, w_px, self.aspect[cam]);
                let (fx, fy) = (f64::from(fx), f64::from(fy));
                let foot_m = h.and_then(|h| h.apply([fx, fy]));
                let below =
                    h.and_then(|h| h.apply([fx, fy + FOOT_ERR_SHARE * f64::from(t.bbox.h)]));
                out.push(Ob {
                    cam,
                    track: t.track,
                    bbox: t.bbox,
                    score: t.score,
                    foot_m,
                    measured_s: t.measured_s.filter(|m| m.is_finite()).unwrap_or(t_s),
                    foot_err_m: foot_m.zip(below).map_or(0.0, |(a, b)| dist(a, b)),
                    gallery: t.gallery.clone(),
                    at_edge: false,
                    deep_inside: false,
                    seen_whole_elsewhere: false,
                });
            }
        }
        let m = self.cfg.edge_margin_px;
        for ob in &mut out {
            let sides = self.sides(ob);
            let [vx, vy] = self
                .links
                .get(&(ob.cam, ob.track))
                .map_or([0.0; 2], |l| l.foot_vel_px_s);
            // At a side: within the margin, or walking towards it and there within
            // `EXIT_LOOKAHEAD_S` (the last box of someone walking out is rarely at the very
            // edge). Touching two sides (a corner, or a box as tall as the frame), the way
            // out is the one it walks towards.
            let toward = [-vx, vx, -vy, vy];
            // Along the top or bottom (sides 2 and 3) only: a box cut by the left or right side
            // shrinks as the person goes, so its feet rise even when they walk straight out.
            let walks_along = |k: usize| {
                k >= 2
                    && vx.abs() > ob.bbox.w.max(1.0) * ALONG_MIN_WIDTHS_S
                    && vx.abs() > ALONG_RATIO * toward[k].max(0.0)
            };
            let exit = (0..4)
                .filter(|&k| sides[k].gap_px <= m + toward[k].max(0.0) * EXIT_LOOKAHEAD_S)
                .filter(|&k| !walks_along(k))
                .max_by(|&a, &b| toward[a].total_cmp(&toward[b]));
            ob.at_edge = exit.is_some_and(|k| !sides[k].watched_beyond);
            ob.deep_inside = sides.iter().all(|s| s.far || s.watched_beyond);
            ob.seen_whole_elsewhere =
                ob.deep_inside && !sides.iter().all(|s| s.far) && self.other_camera_sees_around(ob);
        }
        out
    }

    /// The four frame sides as seen from a box: how close it is, whether it is at least a box
    /// width (sides) or half a box height (top and bottom) away, and whether the floor one
    /// step beyond that side is another calibrated camera's view (a hand-over seam, not a way
    /// out of the room's sight).
    fn sides(&self, ob: &Ob) -> [Side; 4] {
        let b = &ob.bbox;
        let (w_px, h_px) = self.frame_px[ob.cam];
        let (w_px, h_px) = (w_px as f32, h_px as f32);
        let (fx, fy) = b.foot();
        let (fx, fy) = (f64::from(fx), f64::from(fy));
        let (bw, bh) = (f64::from(b.w), f64::from(b.h));
        let h = self.cameras[ob.cam].homography;
        let watched = |probe: [f64; 2]| {
            h.is_some_and(|h| {
                h.same_side_of_horizon([fx, fy], probe)
                    && h.apply(probe)
                        .is_some_and(|f| self.inside_other_view(f, &[ob.cam]))
            })
        };
        let side = |gap_px: f32, far: bool, probe: [f64; 2]| Side {
            gap_px,
            far,
            watched_beyond: !far && watched(probe),
        };
        [
            side(b.x, b.x >= b.w, [fx - 1.5 * bw, fy]),
            side(w_px - b.x2(), b.x2() <= w_px - b.w, [fx + 1.5 * bw, fy]),
            side(b.y, b.y >= 0.5 * b.h, [fx, fy - 1.5 * bh]),
            side(
                h_px - b.y2(),
                b.y2() <= h_px - 0.5 * b.h,
                [fx, fy + 0.5 * bh],
            ),
        ]
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
            // Velocity from measured boxes only: predicted ones move at the tracker's estimate,
            // and re-sent ones do not move at all.
            let (was_s, (ax, ay)) = link.measured;
            let dt = ob.measured_s - was_s;
            if dt > 0.0 {
                // No faster than `max_speed_m_s` box heights per second (two boxes a
                // millisecond apart would otherwise make a jitter a sprint).
                let max_px_s = self.cfg.max_speed_m_s as f32 * ob.bbox.h;
                let (bx, by) = ob.bbox.foot();
                let v = [(bx - ax) / dt as f32, (by - ay) / dt as f32];
                for (s, n) in link.foot_vel_px_s.iter_mut().zip(v) {
                    *s = 0.5 * *s + 0.5 * n.clamp(-max_px_s, max_px_s);
                }
                link.measured = (ob.measured_s, (bx, by));
            }
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

    /// The floor gate between two observations of different cameras, metres: the pair's
    /// (configured or adapted), widened where their feet are uncertain.
    fn gate_m(&self, a: &Ob, b: &Ob) -> f64 {
        let pair = self.pair(a.cam, b.cam).gate_m(self.cfg.adapt);
        pair.max(GATE_PER_FOOT_ERR * a.foot_err_m.hypot(b.foot_err_m))
    }

    fn pair(&self, a: usize, b: usize) -> &PairStats {
        &self.pairs[a * self.cameras.len() + b]
    }

    fn pair_mut(&mut self, a: usize, b: usize) -> &mut PairStats {
        let n = self.cameras.len();
        &mut self.pairs[a * n + b]
    }
}
