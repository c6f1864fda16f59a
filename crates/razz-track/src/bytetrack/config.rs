//! The tracker's settings (`[tracker]` in the config) and their range checks.

use serde::{Deserialize, Serialize};

use crate::kalman::KalmanParams;

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
    /// The score a detection needs to start a track when its feet stand inside the room's
    /// floor area (the caller says so: `update_in_area`). There a missed person is a count
    /// error, while outside it nobody is counted, so the tracker output elsewhere stays as
    /// strict as `new_track_score`. The lowest threshold that applies to a box is used.
    pub area_new_track_score: f32,
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
    /// When an update comes at least this many seconds after the previous one, a track
    /// matched in that previous update may also take a high-score box that no overlap
    /// association took, by the Kalman filter's distance (`gap_match_chi2`). Detections this
    /// far apart (the default 5 runs a second, or a starved detector) can leave a walking
    /// person's boxes overlapping too little for IoU, and tracks would never be confirmed or
    /// kept. Tracks lost earlier are found again by overlap only, at any rate. The default,
    /// 0.15 s, leaves a detector that runs on every frame of a 10 fps or faster stream to
    /// overlap alone.
    pub gap_match_after_s: f64,
    /// Gate of that association: the squared Mahalanobis distance over centre and height
    /// (chi-square, 3 degrees of freedom; 7.81 keeps 95 % of a track's own boxes).
    pub gap_match_chi2: f64,
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
            area_new_track_score: 0.5,
            edge_margin_px: 4.0,
            match_cost_high: 0.95,
            match_cost_low: 0.5,
            match_cost_tentative: 0.7,
            min_hits: 2,
            gap_match_after_s: 0.15,
            gap_match_chi2: 7.81,
            lost_ttl_s: 2.0,
            coast_s: 0.0,
            max_lost_tracks: 256,
            kalman: KalmanParams::default(),
        }
    }
}

impl TrackerConfig {
    /// Checks ranges; the message names the key. Scores and costs are shares (0 to 1);
    /// times and margins are finite and not negative.
    pub fn validate(&self) -> Result<(), String> {
        let shares = [
            ("high_score", self.high_score),
            ("low_score", self.low_score),
            ("new_track_score", self.new_track_score),
            ("edge_new_track_score", self.edge_new_track_score),
            ("area_new_track_score", self.area_new_track_score),
            ("match_cost_high", self.match_cost_high),
            ("match_cost_low", self.match_cost_low),
            ("match_cost_tentative", self.match_cost_tentative),
        ];
        for (k, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("tracker: {k} must be within 0..1, got {v:?}"));
            }
        }
        if self.low_score > self.high_score {
            return Err(format!(
                "tracker: low_score {} must not be above high_score {}",
                self.low_score, self.high_score
            ));
        }
        if !(self.edge_margin_px.is_finite() && (0.0..=1000.0).contains(&self.edge_margin_px)) {
            return Err(format!(
                "tracker: edge_margin_px must be within 0..1000 pixels, got {:?}",
                self.edge_margin_px
            ));
        }
        if !(1..=1000).contains(&self.min_hits) {
            return Err(format!(
                "tracker: min_hits must be within 1..1000, got {}",
                self.min_hits
            ));
        }
        if !(self.gap_match_chi2.is_finite() && (0.0..=100.0).contains(&self.gap_match_chi2)) {
            return Err(format!(
                "tracker: gap_match_chi2 must be within 0..100, got {:?}",
                self.gap_match_chi2
            ));
        }
        for (k, v) in [
            ("lost_ttl_s", self.lost_ttl_s),
            ("coast_s", self.coast_s),
            ("gap_match_after_s", self.gap_match_after_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!(
                    "tracker: {k} must be a non-negative number of seconds, got {v:?}"
                ));
            }
        }
        let k = &self.kalman;
        for (key, v) in [
            ("std_weight_position", k.std_weight_position),
            ("std_weight_velocity", k.std_weight_velocity),
        ] {
            if !(v > 0.0 && v <= 10.0) {
                return Err(format!(
                    "tracker.kalman: {key} must be above 0 and at most 10 (box heights), got {v:?}"
                ));
            }
        }
        if !(0.001..=10.0).contains(&k.ref_interval_s) {
            return Err(format!(
                "tracker.kalman: ref_interval_s must be within 0.001..10 seconds, got {:?}",
                k.ref_interval_s
            ));
        }
        Ok(())
    }
}
