//! ByteTrack association (Zhang et al., 2022) with time in seconds and bounded memory.
//!
//! Each update: predict every track to the frame's time; match confirmed and lost tracks to
//! high-score detections (IoU fused with score); match the still-unmatched live tracks to
//! low-score detections (which rescues occluded people instead of discarding them); let
//! tentative tracks claim the high-score detections left, then (at the second association's
//! strict overlap) the low-score ones left; when the update comes `gap_match_after_s` or more
//! after the previous one (a detector that skips frames, as at the default 5 runs a second, or
//! a starved one), let the tracks matched in that previous update claim high-score detections
//! still left by the Kalman filter's distance, as a walker's boxes that far apart may not
//! overlap; start tentative tracks from unclaimed high-score detections. A tentative track
//! becomes confirmed, and gets its id, after `min_hits` matches; tracks started by the first
//! update are confirmed at once, as in the reference ByteTrack (the people in view when a
//! stream starts would otherwise be missing from its first frame). Lost tracks are forgotten
//! after `lost_ttl_s` seconds, and at most `max_lost_tracks` of them are remembered.

use razz_core::assign::{CostMatrix, match_with_limit};
use razz_core::{BoxXywh, Detection};
use serde::{Deserialize, Serialize};

use crate::kalman::BoxKalman;

mod config;
pub use config::TrackerConfig;

/// Share of a new box's area inside the boxes of tracked people at which it is taken for one
/// of them (or two of them drawn as one) rather than someone new.
const COVERED_SHARE: f32 = 0.8;

/// Share of `b`'s area inside the union of `cover`, sampled at the centres of a 10 x 10 grid.
fn covered_share(b: &BoxXywh, cover: &[BoxXywh]) -> f32 {
    const N: u16 = 10;
    if cover.is_empty() {
        return 0.0;
    }
    let mut inside = 0u16;
    for i in 0..N {
        for j in 0..N {
            let x = b.x + b.w * (f32::from(i) + 0.5) / f32::from(N);
            let y = b.y + b.h * (f32::from(j) + 0.5) / f32::from(N);
            if cover
                .iter()
                .any(|c| x >= c.x && x <= c.x2() && y >= c.y && y <= c.y2())
            {
                inside += 1;
            }
        }
    }
    f32::from(inside) / f32::from(N * N)
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
    /// Time of the previous update, seconds.
    last_update_s: Option<f64>,
}

impl ByteTracker {
    pub fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            tracks: Vec::new(),
            next_id: 1,
            frame_px: None,
            first_update: true,
            last_update_s: None,
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.config
    }

    /// Forgets every track but goes on counting ids, for a camera whose stream starts again:
    /// the next update starts afresh (and confirms what it sees at once), and no new track
    /// takes an id that the room's fusion may still link to someone seen before.
    pub fn restart(&mut self) {
        self.tracks.clear();
        self.frame_px = None;
        self.first_update = true;
        self.last_update_s = None;
    }

    /// Tells the tracker the size of the frames its detections come from, so that boxes cut
    /// by a frame side can start tracks at `edge_new_track_score`.
    pub fn set_frame_px(&mut self, width_px: u32, height_px: u32) {
        self.frame_px =
            (width_px > 0 && height_px > 0).then_some((width_px as f32, height_px as f32));
    }

    /// The score `d` needs to start a track: the lowest of `new_track_score`,
    /// `edge_new_track_score` when its box is cut by a frame side, and `area_new_track_score`
    /// when its feet are inside the room's floor area.
    fn birth_score(&self, d: &Detection, in_area: bool) -> f32 {
        let cfg = &self.config;
        let mut score = cfg.new_track_score;
        if in_area {
            score = score.min(cfg.area_new_track_score);
        }
        if let Some((w, h)) = self.frame_px {
            let m = cfg.edge_margin_px;
            let b = &d.bbox;
            if b.x <= m || b.y <= m || b.x + b.w >= w - m || b.y + b.h >= h - m {
                score = score.min(cfg.edge_new_track_score);
            }
        }
        score
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
        self.update_in_area(t_s, detections, &|_| false)
    }

    /// `update`, told by `in_area` which boxes have their feet inside the room's floor area
    /// (those start tracks at `area_new_track_score`).
    pub fn update_in_area(
        &mut self,
        t_s: f64,
        detections: &[Detection],
        in_area: &dyn Fn(&BoxXywh) -> bool,
    ) -> Vec<TrackView> {
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
        // 3b. Tentative tracks still unmatched against the low-score detections no live track
        // took, at the second association's strict overlap: a person partly hidden keeps
        // scoring low, and would otherwise never reach `min_hits` (the track is dropped at
        // its first miss).
        let low_left: Vec<Detection> = m2.unmatched_cols.iter().map(|&c| low[c]).collect();
        let rest: Vec<usize> = m3.unmatched_rows.iter().map(|&r| tentative[r]).collect();
        let m3b = self.associate(&rest, &low_left, cfg.match_cost_low, false);
        for &(ti, di) in &m3b.matched {
            self.apply_match(rest[ti], &low_left[di], t_s);
        }
        // 3c. After a gap of `gap_match_after_s` or more since the previous update, tracks
        // matched in it against the high-score detections still unclaimed, by the filter's
        // distance: confirmed tracks first, then tentative ones.
        let mut unclaimed: Vec<usize> = m3.unmatched_cols.clone();
        let previous_s = self
            .last_update_s
            .filter(|&p| t_s - p >= cfg.gap_match_after_s);
        let gap = |tr: &Track| previous_s == Some(tr.last_seen_s);
        let confirmed_left: Vec<usize> = m1
            .unmatched_rows
            .iter()
            .map(|&r| pool[r])
            .filter(|&i| self.tracks[i].last_seen_s < t_s && gap(&self.tracks[i]))
            .collect();
        let tentative_left: Vec<usize> = m3b
            .unmatched_rows
            .iter()
            .map(|&r| rest[r])
            .filter(|&i| gap(&self.tracks[i]))
            .collect();
        let mut found_tentative = vec![false; self.tracks.len()];
        for rows in [confirmed_left, tentative_left] {
            if rows.is_empty() || unclaimed.is_empty() {
                continue;
            }
            let dets: Vec<Detection> = unclaimed.iter().map(|&c| left[c]).collect();
            let m = self.associate_by_distance(&rows, &dets);
            for &(ti, di) in &m.matched {
                found_tentative[rows[ti]] = self.tracks[rows[ti]].state == TrackState::Tentative;
                self.apply_match(rows[ti], &dets[di], t_s);
            }
            unclaimed = m.unmatched_cols.iter().map(|&c| unclaimed[c]).collect();
        }
        for &r in &m3b.unmatched_rows {
            drop[rest[r]] = !found_tentative[rest[r]];
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

        // 5. New tentative tracks. A box lying mostly within the boxes of people tracked in
        // this frame is one of them drawn again, or two of them drawn as one: it needs
        // `new_track_score` even inside the area.
        let mut tracked: Option<Vec<BoxXywh>> = None;
        for &c in &unclaimed {
            let d = left[c];
            let lowered = in_area(&d.bbox) && {
                let cover = tracked.get_or_insert_with(|| {
                    self.tracks
                        .iter()
                        .filter(|t| t.state == TrackState::Tracked && t.last_seen_s == t_s)
                        .map(|t| t.kf.bbox())
                        .collect()
                });
                covered_share(&d.bbox, cover) < COVERED_SHARE
            };
            if d.score >= self.birth_score(&d, lowered) {
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
        self.last_update_s = Some(self.last_update_s.map_or(t_s, |p| p.max(t_s)));

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

    /// The tracks the last update reported (live ones, and lost ones still within `coast_s`
    /// at `t_s`) as they would be at `t_s`, without changing the tracker: what to show on
    /// frames between two detection runs, and what room fusion compares across cameras whose
    /// detectors ran at different times.
    pub fn predict(&self, t_s: f64) -> Vec<TrackView> {
        let coast = self.config.coast_s;
        self.tracks
            .iter()
            .filter(|t| match t.state {
                TrackState::Tracked => true,
                TrackState::Lost => t_s - t.last_seen_s <= coast,
                TrackState::Tentative => false,
            })
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

    /// Association of `track_idx` against `dets` by the squared Mahalanobis distance of each
    /// box from the track's prediction, gated at `gap_match_chi2`.
    fn associate_by_distance(
        &self,
        track_idx: &[usize],
        dets: &[Detection],
    ) -> razz_core::assign::Matching {
        let k = &self.config.kalman;
        let cost = CostMatrix::from_fn(track_idx.len(), dets.len(), |r, c| {
            self.tracks[track_idx[r]]
                .kf
                .mahalanobis_sq(&dets[c].bbox, k)
        });
        match_with_limit(&cost, self.config.gap_match_chi2)
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
mod tests;
