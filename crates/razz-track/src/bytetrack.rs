//! ByteTrack association (Zhang et al., 2022) with time in seconds and bounded memory.
//!
//! Each update: predict every track to the frame's time; match confirmed and lost tracks to
//! high-score detections (IoU fused with score); match the still-unmatched live tracks to
//! low-score detections (which rescues occluded people instead of discarding them); let
//! tentative tracks claim what is left; start tentative tracks from unclaimed high-score
//! detections. A tentative track becomes confirmed, and gets its id, after `min_hits`
//! matches; tracks started by the first update are confirmed at once, as in the reference
//! ByteTrack (the people in view when a stream starts would otherwise be missing from its
//! first frame). Lost tracks are forgotten after `lost_ttl_s` seconds, and at most
//! `max_lost_tracks` of them are remembered.

use razz_core::assign::{CostMatrix, match_with_limit};
use razz_core::{BoxXywh, Detection};
use serde::{Deserialize, Serialize};

use crate::kalman::{BoxKalman, KalmanParams};

/// Tracker settings. Defaults were chosen once on the public MOT15 detections of three
/// sequences together (see `docs/decisions.md`), never per sequence.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackerConfig {
    /// Detections at or above this score take part in the first association.
    pub high_score: f32,
    /// Detections between this and `high_score` take part in the second association only.
    pub low_score: f32,
    /// A detection needs at least this score to start a new track.
    pub new_track_score: f32,
    /// The score a detection needs to start a track when its box reaches within
    /// `edge_margin_px` of a frame side: a person cut by the frame scores lower than one in
    /// full view. Used once the tracker knows the frame size (`set_frame_px`).
    pub edge_new_track_score: f32,
    /// How close to a frame side, in pixels, a box counts as cut by it.
    pub edge_margin_px: f32,
    /// First association: max cost `1 - IoU·score` (ByteTrack's `match_thresh`).
    pub match_cost_high: f32,
    /// Second association (low-score detections): max cost `1 - IoU`.
    pub match_cost_low: f32,
    /// Tentative tracks: max cost `1 - IoU·score`.
    pub match_cost_tentative: f32,
    /// Matches needed before a track is confirmed and gets an id (1 = at once).
    pub min_hits: u32,
    /// How long, in seconds, a track that lost its detection may be found again.
    pub lost_ttl_s: f64,
    /// A confirmed track that lost its detection is still reported, at its predicted place,
    /// for this many seconds: people hidden for a moment still count.
    pub coast_s: f64,
    /// Upper bound on remembered lost tracks; the longest-lost go first.
    pub max_lost_tracks: usize,
    pub kalman: KalmanParams,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            high_score: 0.5,
            low_score: 0.3,
            new_track_score: 0.7,
            edge_new_track_score: 0.5,
            edge_margin_px: 4.0,
            match_cost_high: 0.95,
            match_cost_low: 0.5,
            match_cost_tentative: 0.7,
            min_hits: 2,
            lost_ttl_s: 2.0,
            coast_s: 0.0,
            max_lost_tracks: 256,
            kalman: KalmanParams::default(),
        }
    }
}

/// Where a track stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackState {
    /// Seen, but not yet matched `min_hits` times; has no id.
    Tentative,
    /// Confirmed and matched in the latest update.
    Tracked,
    /// Confirmed, but unmatched since `last_seen_s`; may still be found again.
    Lost,
}

/// What callers see of a track.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackView {
    /// Stable id, unique within this tracker, assigned at confirmation (1, 2, 3, ...).
    pub id: u64,
    pub bbox: BoxXywh,
    /// Score of the last matched detection.
    pub score: f32,
    pub state: TrackState,
    /// Time of the last matched detection, seconds.
    pub last_seen_s: f64,
    /// Time of the first detection, seconds.
    pub first_seen_s: f64,
}

#[derive(Clone, Debug)]
struct Track {
    id: u64,
    kf: BoxKalman,
    /// Time the filter state refers to.
    state_time_s: f64,
    score: f32,
    state: TrackState,
    hits: u32,
    first_seen_s: f64,
    last_seen_s: f64,
}

impl Track {
    fn view(&self, bbox: BoxXywh) -> TrackView {
        TrackView {
            id: self.id,
            bbox,
            score: self.score,
            state: self.state,
            last_seen_s: self.last_seen_s,
            first_seen_s: self.first_seen_s,
        }
    }
}

/// One camera's tracker. Feed it every detection frame in time order.
#[derive(Clone, Debug)]
pub struct ByteTracker {
    config: TrackerConfig,
    tracks: Vec<Track>,
    next_id: u64,
    /// Frame width and height, pixels, once known.
    frame_px: Option<(f32, f32)>,
    /// No update yet: the first one confirms the tracks it starts.
    first_update: bool,
}

impl ByteTracker {
    pub fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            tracks: Vec::new(),
            next_id: 1,
            frame_px: None,
            first_update: true,
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    /// Tells the tracker the size of the frames its detections come from, so that boxes cut
    /// by a frame side can start tracks at `edge_new_track_score`.
    pub fn set_frame_px(&mut self, width_px: u32, height_px: u32) {
        self.frame_px =
            (width_px > 0 && height_px > 0).then_some((width_px as f32, height_px as f32));
    }

    /// The score `d` needs to start a track.
    fn birth_score(&self, d: &Detection) -> f32 {
        let cfg = &self.config;
        let Some((w, h)) = self.frame_px else {
            return cfg.new_track_score;
        };
        let m = cfg.edge_margin_px;
        let b = &d.bbox;
        let cut = b.x <= m || b.y <= m || b.x + b.w >= w - m || b.y + b.h >= h - m;
        if cut {
            cfg.edge_new_track_score
        } else {
            cfg.new_track_score
        }
    }

    /// Exchanges the ids of two confirmed tracks (when appearance shows that they swapped
    /// people while crossing). False, and nothing changes, unless both exist.
    pub fn swap_ids(&mut self, a: u64, b: u64) -> bool {
        let find = |id| {
            self.tracks
                .iter()
                .position(|t| t.id == id && t.state != TrackState::Tentative)
        };
        let (Some(i), Some(j)) = (find(a), find(b)) else {
            return false;
        };
        self.tracks[i].id = b;
        self.tracks[j].id = a;
        true
    }

    /// Number of tracks held in memory (tentative, tracked and lost).
    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Advances to time `t_s` with this frame's detections and returns the confirmed tracks
    /// matched in it, plus lost ones still within `coast_s`. Invalid boxes (non-finite, empty) are ignored. A time earlier than the
    /// previous one is treated as the same instant.
    pub fn update(&mut self, t_s: f64, detections: &[Detection]) -> Vec<TrackView> {
        let cfg = self.config;
        for tr in &mut self.tracks {
            let dt = t_s - tr.state_time_s;
            let kf = if tr.state == TrackState::Lost {
                tr.kf.freeze_height()
            } else {
                tr.kf
            };
            tr.kf = kf.predict(dt, &cfg.kalman);
            tr.state_time_s = tr.state_time_s.max(t_s);
        }

        let valid = detections
            .iter()
            .filter(|d| d.bbox.is_valid() && d.score.is_finite());
        let (high, low): (Vec<Detection>, Vec<Detection>) = valid
            .filter(|d| d.score >= cfg.low_score)
            .partition(|d| d.score >= cfg.high_score);

        // 1. Confirmed (tracked or lost) tracks against high-score detections.
        let pool: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| self.tracks[i].state != TrackState::Tentative)
            .collect();
        let m1 = self.associate(&pool, &high, cfg.match_cost_high, true);
        for &(ti, di) in &m1.matched {
            self.apply_match(pool[ti], &high[di], t_s);
        }

        // 2. Tracks that were live until now, against low-score detections.
        let live: Vec<usize> = m1
            .unmatched_rows
            .iter()
            .map(|&r| pool[r])
            .filter(|&i| self.tracks[i].state == TrackState::Tracked)
            .collect();
        let m2 = self.associate(&live, &low, cfg.match_cost_low, false);
        for &(ti, di) in &m2.matched {
            self.apply_match(live[ti], &low[di], t_s);
        }
        for &r in &m2.unmatched_rows {
            self.tracks[live[r]].state = TrackState::Lost;
        }

        // 3. Tentative tracks against the high-score detections nobody claimed.
        let left: Vec<Detection> = m1.unmatched_cols.iter().map(|&c| high[c]).collect();
        let tentative: Vec<usize> = (0..self.tracks.len())
            .filter(|&i| self.tracks[i].state == TrackState::Tentative)
            .collect();
        let m3 = self.associate(&tentative, &left, cfg.match_cost_tentative, true);
        let mut drop = vec![false; self.tracks.len()];
        for &(ti, di) in &m3.matched {
            self.apply_match(tentative[ti], &left[di], t_s);
        }
        for &r in &m3.unmatched_rows {
            drop[tentative[r]] = true;
        }

        // 4. Expire lost tracks, then bound how many are remembered.
        for (i, tr) in self.tracks.iter().enumerate() {
            if tr.state == TrackState::Lost && t_s - tr.last_seen_s > cfg.lost_ttl_s {
                drop[i] = true;
            }
        }
        let mut keep = drop.iter().map(|d| !d);
        self.tracks.retain(|_| keep.next().unwrap_or(true));
        self.bound_lost();

        // 5. New tentative tracks.
        for &c in &m3.unmatched_cols {
            let d = left[c];
            if d.score >= self.birth_score(&d) {
                let mut tr = Track {
                    id: 0,
                    kf: BoxKalman::initiate(&d.bbox, &cfg.kalman),
                    state_time_s: t_s,
                    score: d.score,
                    state: TrackState::Tentative,
                    hits: 1,
                    first_seen_s: t_s,
                    last_seen_s: t_s,
                };
                if cfg.min_hits <= 1 || self.first_update {
                    tr.id = self.take_id();
                    tr.state = TrackState::Tracked;
                }
                self.tracks.push(tr);
            }
        }
        self.first_update = false;

        self.reported(t_s).map(|t| t.view(t.kf.bbox())).collect()
    }

    /// Tracks to report at `t_s`: matched now, or lost within the coasting span.
    fn reported(&self, t_s: f64) -> impl Iterator<Item = &Track> {
        let coast = self.config.coast_s;
        self.tracks.iter().filter(move |t| match t.state {
            TrackState::Tracked => t.last_seen_s == t_s,
            TrackState::Lost => t_s - t.last_seen_s <= coast,
            TrackState::Tentative => false,
        })
    }

    /// The confirmed live tracks as they would be at `t_s`, without changing the tracker:
    /// what to show on frames between two detection runs.
    pub fn predict(&self, t_s: f64) -> Vec<TrackView> {
        self.tracks
            .iter()
            .filter(|t| t.state == TrackState::Tracked)
            .map(|t| {
                t.view(
                    t.kf.predict(t_s - t.state_time_s, &self.config.kalman)
                        .bbox(),
                )
            })
            .collect()
    }

    /// Every confirmed track, live or lost, with its current estimate.
    pub fn confirmed(&self) -> Vec<TrackView> {
        self.tracks
            .iter()
            .filter(|t| t.state != TrackState::Tentative)
            .map(|t| t.view(t.kf.bbox()))
            .collect()
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn apply_match(&mut self, i: usize, det: &Detection, t_s: f64) {
        let cfg = self.config;
        let confirm = {
            let tr = &mut self.tracks[i];
            tr.kf = tr.kf.update(&det.bbox, &cfg.kalman);
            tr.score = det.score;
            tr.last_seen_s = t_s;
            tr.hits = tr.hits.saturating_add(1);
            match tr.state {
                TrackState::Tentative if tr.hits >= cfg.min_hits => true,
                TrackState::Tentative => false,
                _ => {
                    tr.state = TrackState::Tracked;
                    false
                }
            }
        };
        if confirm {
            let id = self.take_id();
            let tr = &mut self.tracks[i];
            tr.id = id;
            tr.state = TrackState::Tracked;
        }
    }

    /// IoU association of `track_idx` against `dets`; with `fuse`, the IoU is weighted by
    /// the detection score as in ByteTrack's `fuse_score`.
    fn associate(
        &self,
        track_idx: &[usize],
        dets: &[Detection],
        limit: f32,
        fuse: bool,
    ) -> razz_core::assign::Matching {
        let cost = CostMatrix::from_fn(track_idx.len(), dets.len(), |r, c| {
            let iou = self.tracks[track_idx[r]].kf.bbox().iou(&dets[c].bbox);
            let sim = if fuse { iou * dets[c].score } else { iou };
            f64::from(1.0 - sim)
        });
        match_with_limit(&cost, f64::from(limit))
    }

    fn bound_lost(&mut self) {
        let lost = self
            .tracks
            .iter()
            .filter(|t| t.state == TrackState::Lost)
            .count();
        if lost <= self.config.max_lost_tracks {
            return;
        }
        let mut times: Vec<f64> = self
            .tracks
            .iter()
            .filter(|t| t.state == TrackState::Lost)
            .map(|t| t.last_seen_s)
            .collect();
        times.sort_by(f64::total_cmp);
        let excess = lost - self.config.max_lost_tracks;
        let cutoff = times[excess - 1];
        let mut removed = 0;
        self.tracks.retain(|t| {
            if removed < excess && t.state == TrackState::Lost && t.last_seen_s <= cutoff {
                removed += 1;
                false
            } else {
                true
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, y: f32, score: f32) -> Detection {
        Detection::new(BoxXywh::new(x, y, 40.0, 100.0), score)
    }

    #[test]
    fn confirms_after_min_hits_with_stable_ids() {
        let ids = |out: &[TrackView]| {
            let mut ids: Vec<u64> = out.iter().map(|v| v.id).collect();
            ids.sort_unstable();
            ids
        };
        let mut t = ByteTracker::new(TrackerConfig::default());
        // The first update confirms what it sees at once.
        let out0 = t.update(0.0, &[det(10.0, 10.0, 0.9), det(300.0, 10.0, 0.9)]);
        assert_eq!(ids(&out0), vec![1, 2]);
        // Later, a new box is tentative (not reported) until its second match.
        let out1 = t.update(
            0.1,
            &[
                det(12.0, 10.0, 0.9),
                det(302.0, 10.0, 0.9),
                det(600.0, 10.0, 0.9),
            ],
        );
        assert_eq!(ids(&out1), vec![1, 2], "tentative tracks are not reported");
        let out2 = t.update(
            0.2,
            &[
                det(14.0, 10.0, 0.9),
                det(304.0, 10.0, 0.9),
                det(602.0, 10.0, 0.9),
            ],
        );
        assert_eq!(ids(&out2), vec![1, 2, 3]);
        let left_id = out0.iter().find(|v| v.bbox.x < 150.0).expect("left").id;
        for k in 3..20 {
            let x = k as f32 * 2.0;
            let out = t.update(
                f64::from(k) * 0.1,
                &[
                    det(10.0 + x, 10.0, 0.9),
                    det(300.0 + x, 10.0, 0.9),
                    det(600.0 + x, 10.0, 0.9),
                ],
            );
            assert_eq!(out.len(), 3);
            let left = out.iter().find(|v| v.bbox.x < 150.0).expect("left track");
            assert_eq!(left.id, left_id);
        }
    }

    #[test]
    fn only_the_very_first_update_confirms_at_once() {
        // Only the very first update confirms at once: an empty first frame uses it up.
        let mut t = ByteTracker::new(TrackerConfig::default());
        assert!(t.update(0.0, &[]).is_empty());
        assert!(t.update(0.1, &[det(10.0, 10.0, 0.9)]).is_empty());
        assert_eq!(t.update(0.2, &[det(11.0, 10.0, 0.9)]).len(), 1);
    }

    #[test]
    fn low_score_detection_keeps_an_occluded_track_alive() {
        let mut t = ByteTracker::new(TrackerConfig::default());
        for k in 0..5 {
            t.update(f64::from(k) * 0.1, &[det(100.0 + k as f32, 50.0, 0.9)]);
        }
        // Partly hidden: the detector is unsure (0.3), but the track continues with its id.
        let out = t.update(0.5, &[det(105.0, 50.0, 0.3)]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, 1);
        // A 0.3 detection far from any track starts nothing.
        let out = t.update(0.6, &[det(106.0, 50.0, 0.9), det(500.0, 50.0, 0.3)]);
        assert_eq!(out.len(), 1);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn lost_track_recovers_within_ttl_and_expires_after() {
        let cfg = TrackerConfig {
            lost_ttl_s: 1.0,
            ..TrackerConfig::default()
        };
        let mut t = ByteTracker::new(cfg);
        for k in 0..5 {
            t.update(f64::from(k) * 0.1, &[det(100.0, 50.0, 0.9)]);
        }
        // Gone for 0.8 s (8 frames at 10 FPS), then back: same id.
        for k in 5..13 {
            assert!(t.update(f64::from(k) * 0.1, &[]).is_empty());
        }
        assert_eq!(t.confirmed()[0].state, TrackState::Lost);
        let out = t.update(1.3, &[det(100.0, 50.0, 0.9)]);
        assert_eq!(out[0].id, 1);
        // Gone for longer than the TTL (checked at 5 FPS this time): forgotten, new id later.
        for k in 0..6 {
            t.update(1.5 + f64::from(k) * 0.2, &[]);
        }
        assert!(t.is_empty());
        t.update(2.8, &[det(100.0, 50.0, 0.9)]);
        let out = t.update(3.0, &[det(100.0, 50.0, 0.9)]);
        assert_eq!(out[0].id, 2);
    }

    #[test]
    fn memory_stays_bounded_under_churn() {
        // Thousands of one-off people: tentative ones die at once, lost ones are capped.
        let cfg = TrackerConfig {
            lost_ttl_s: 1e9,
            max_lost_tracks: 16,
            ..TrackerConfig::default()
        };
        let mut t = ByteTracker::new(cfg);
        for k in 0..5000u32 {
            let x = (k % 50) as f32 * 1000.0;
            let y = (k / 50) as f32 * 1000.0;
            let time = f64::from(k) * 0.1;
            t.update(time, &[det(x, y, 0.9)]);
            t.update(time + 0.05, &[det(x, y, 0.9)]);
            assert!(t.len() <= 16 + 2, "{} tracks held", t.len());
        }
    }

    #[test]
    fn predict_is_pure_and_extrapolates() {
        let mut t = ByteTracker::new(TrackerConfig::default());
        for k in 0..10 {
            t.update(
                f64::from(k) * 0.1,
                &[det(100.0 + 5.0 * k as f32, 50.0, 0.9)],
            );
        }
        let before = t.confirmed();
        let p = t.predict(1.4);
        assert_eq!(t.confirmed(), before, "predict must not change state");
        // Moving 50 px/s; 0.5 s past the last update at x = 145: about 170.
        assert!((p[0].bbox.x - 170.0).abs() < 5.0, "{:?}", p[0].bbox);
    }

    #[test]
    fn a_box_cut_by_the_frame_starts_a_track_at_the_edge_score() {
        // 640x480 frame; 40x100 boxes. x = 598 reaches 638, within the 4 px margin of the
        // right side; x = 300 is well inside.
        let run = |frame: Option<(u32, u32)>, x: f32, score: f32| {
            let mut t = ByteTracker::new(TrackerConfig::default());
            if let Some((w, h)) = frame {
                t.set_frame_px(w, h);
            }
            t.update(0.0, &[det(x, 200.0, score)]);
            t.update(0.1, &[det(x, 200.0, score)]).len()
        };
        let frame = Some((640, 480));
        let cases = [
            (
                frame,
                598.0,
                0.55,
                1,
                "cut by the right side: 0.55 >= 0.5 starts",
            ),
            (frame, 300.0, 0.55, 0, "inside: 0.55 < 0.7 starts nothing"),
            (frame, 300.0, 0.75, 1, "inside: 0.75 >= 0.7 starts"),
            (frame, 2.0, 0.55, 1, "cut by the left side"),
            (frame, 598.0, 0.45, 0, "under high_score: never a birth"),
            (None, 598.0, 0.55, 0, "frame size unknown: one threshold"),
        ];
        for (frame, x, score, want, why) in cases {
            assert_eq!(run(frame, x, score), want, "{why}");
        }
        let mut t = ByteTracker::new(TrackerConfig::default());
        t.set_frame_px(640, 480);
        // Bottom side: y 378 + 100 = 478.
        t.update(0.0, &[det(300.0, 378.0, 0.6)]);
        assert_eq!(t.update(0.1, &[det(300.0, 378.0, 0.6)]).len(), 1);
    }

    #[test]
    fn swap_ids_exchanges_two_confirmed_tracks() {
        let mut t = ByteTracker::new(TrackerConfig::default());
        let pair = |dx: f32| [det(10.0 + dx, 10.0, 0.9), det(300.0 + dx, 10.0, 0.9)];
        t.update(0.0, &pair(0.0));
        let before = t.update(0.1, &pair(1.0));
        let left_id = |v: &[TrackView]| v.iter().find(|v| v.bbox.x < 150.0).expect("left").id;
        assert_eq!(left_id(&before), 1);
        assert!(t.swap_ids(1, 2));
        assert_eq!(left_id(&t.update(0.2, &pair(2.0))), 2);
        assert!(!t.swap_ids(1, 99), "no track 99");
        assert_eq!(left_id(&t.update(0.3, &pair(3.0))), 2);
    }

    #[test]
    fn ignores_invalid_boxes_and_backward_time() {
        let mut t = ByteTracker::new(TrackerConfig::default());
        let bad = [
            Detection::new(BoxXywh::new(f32::NAN, 0.0, 1.0, 1.0), 0.9),
            Detection::new(BoxXywh::new(0.0, 0.0, -5.0, 1.0), 0.9),
            Detection::new(BoxXywh::new(0.0, 0.0, 5.0, 5.0), f32::NAN),
        ];
        assert!(t.update(0.0, &bad).is_empty());
        assert!(t.is_empty());
        t.update(1.0, &[det(0.0, 0.0, 0.9)]);
        let out = t.update(0.5, &[det(0.0, 0.0, 0.9)]);
        assert_eq!(out.len(), 1);
    }
}
