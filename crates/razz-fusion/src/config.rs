//! Fusion settings, as they appear in razz's config file under `[fusion]`.

use serde::{Deserialize, Serialize};

use crate::gallery::EmbedPolicy;

/// Longest span a fusion time setting may have, seconds (a day).
const MAX_SPAN_S: f64 = 86_400.0;
/// Widest floor gate, metres.
const MAX_GATE_M: f64 = 1000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionConfig {
    /// Compute appearance embeddings (MobileNetV2) for tracks. Off: position and time only.
    pub embeddings: bool,
    /// At most one embedding per track this often, seconds.
    pub embed_interval_s: f64,
    /// Sooner when fusion finds a track ambiguous, but not more often than this, seconds.
    pub embed_urgent_interval_s: f64,
    /// At most this many crops per camera per detector run.
    pub embed_max_per_update: usize,
    /// Samples kept per track gallery besides its running mean.
    pub gallery_samples: usize,
    /// A crop covered more than this fraction by a person in front is not embedded.
    pub crop_max_covered: f32,
    /// Two calibrated tracks seen at the same time are the same person only when their feet
    /// are at most this far apart on the floor, metres (per pair: `pairs`; adapted).
    pub floor_gate_m: f64,
    /// Appearance alone links two tracks only above this cosine (per pair; adapted).
    pub appearance_min_cos: f32,
    /// An identity unseen for longer than `occlusion_hold_s` is re-found by a track only if
    /// their appearance (when both have been embedded) is at least this similar (cosine).
    pub reacquire_min_cos: f32,
    /// ... unless the track's feet are within `floor_gate_m` of where the identity stood when
    /// it was lost (someone re-emerging from behind something): then this cosine will do.
    pub reacquire_on_spot_min_cos: f32,
    /// Same camera, new track where a person was lost: feet within this many box heights.
    pub pixel_gate_heights: f64,
    /// Fastest walk assumed between sightings, metres per second (and box heights per second
    /// within one camera).
    pub max_speed_m_s: f64,
    /// An identity seen by no camera survives this long (occlusions, hand-overs), seconds.
    pub grace_s: f64,
    /// A person lost inside the view (not through a frame edge) still counts this long, seconds.
    pub occlusion_hold_s: f64,
    /// A person lost deep inside the view (at least a box width from its sides, or nearer a
    /// side beyond which another calibrated camera sees the floor) counts twice as long as
    /// they had been watched, between `occlusion_hold_s` and this, seconds.
    pub occlusion_hold_max_s: f64,
    /// Linked tracks are unlinked after this long of contrary evidence, seconds.
    pub unlink_after_s: f64,
    /// Two identities whose feet agree this long are merged, seconds.
    pub merge_after_s: f64,
    /// A box this close to the frame edge is entering or leaving, pixels.
    pub edge_margin_px: f32,
    /// Learn each camera pair's floor gate and appearance threshold from what it sees together.
    pub adapt: bool,
    /// Per camera pair overrides.
    pub pairs: Vec<PairConfig>,
}

/// Thresholds for one pair of cameras.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairConfig {
    pub cameras: [String; 2],
    #[serde(default)]
    pub floor_gate_m: Option<f64>,
    #[serde(default)]
    pub appearance_min_cos: Option<f32>,
}

impl Default for FusionConfig {
    fn default() -> Self {
        Self {
            embeddings: true,
            embed_interval_s: 0.5,
            embed_urgent_interval_s: 0.1,
            embed_max_per_update: 8,
            gallery_samples: 8,
            crop_max_covered: 0.3,
            floor_gate_m: 1.0,
            appearance_min_cos: 0.85,
            reacquire_min_cos: 0.75,
            reacquire_on_spot_min_cos: 0.5,
            pixel_gate_heights: 0.75,
            max_speed_m_s: 2.5,
            grace_s: 3.0,
            occlusion_hold_s: 2.0,
            occlusion_hold_max_s: 10.0,
            unlink_after_s: 1.0,
            merge_after_s: 0.5,
            edge_margin_px: 6.0,
            adapt: true,
            pairs: Vec::new(),
        }
    }
}

impl FusionConfig {
    /// The embedding policy these settings describe.
    pub fn embed_policy(&self) -> EmbedPolicy {
        EmbedPolicy {
            interval_s: self.embed_interval_s,
            urgent_interval_s: self.embed_urgent_interval_s,
            max_per_update: self.embed_max_per_update,
            samples: self.gallery_samples,
            max_covered: self.crop_max_covered,
            ..EmbedPolicy::default()
        }
    }

    /// Checks ranges; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        // Beyond these a value is a slip of units (milliseconds for seconds, centimetres for
        // metres), not a setting: refused by name rather than run as nonsense.
        let pos = [
            ("embed_interval_s", self.embed_interval_s, 3600.0),
            (
                "embed_urgent_interval_s",
                self.embed_urgent_interval_s,
                3600.0,
            ),
            ("floor_gate_m", self.floor_gate_m, MAX_GATE_M),
            ("pixel_gate_heights", self.pixel_gate_heights, 100.0),
            ("max_speed_m_s", self.max_speed_m_s, 100.0),
        ];
        for (k, v, hi) in pos {
            if !(v.is_finite() && v > 0.0 && v <= hi) {
                return Err(format!(
                    "fusion: {k} must be above 0 and at most {hi}, got {v}"
                ));
            }
        }
        let non_neg = [
            ("grace_s", self.grace_s, MAX_SPAN_S),
            ("occlusion_hold_s", self.occlusion_hold_s, MAX_SPAN_S),
            (
                "occlusion_hold_max_s",
                self.occlusion_hold_max_s,
                MAX_SPAN_S,
            ),
            ("unlink_after_s", self.unlink_after_s, MAX_SPAN_S),
            ("merge_after_s", self.merge_after_s, MAX_SPAN_S),
            ("edge_margin_px", f64::from(self.edge_margin_px), 1000.0),
        ];
        for (k, v, hi) in non_neg {
            if !(v.is_finite() && (0.0..=hi).contains(&v)) {
                return Err(format!("fusion: {k} must be within 0..{hi}, got {v}"));
            }
        }
        if self.occlusion_hold_s > self.grace_s {
            return Err("fusion: occlusion_hold_s cannot exceed grace_s".into());
        }
        if self.occlusion_hold_max_s < self.occlusion_hold_s {
            return Err("fusion: occlusion_hold_max_s cannot be less than occlusion_hold_s".into());
        }
        if !(-1.0..=1.0).contains(&self.reacquire_min_cos)
            || !(-1.0..=1.0).contains(&self.reacquire_on_spot_min_cos)
        {
            return Err(
                "fusion: reacquire_min_cos and reacquire_on_spot_min_cos must be within -1..1"
                    .into(),
            );
        }
        if !(-1.0..=1.0).contains(&self.appearance_min_cos)
            || !(0.0..=1.0).contains(&self.crop_max_covered)
        {
            return Err(
                "fusion: appearance_min_cos must be within -1..1 and crop_max_covered within 0..1"
                    .into(),
            );
        }
        if self.embed_max_per_update == 0 || self.gallery_samples == 0 || self.gallery_samples > 64
        {
            return Err(
                "fusion: embed_max_per_update must be positive and gallery_samples 1..64".into(),
            );
        }
        for p in &self.pairs {
            if let Some(g) = p.floor_gate_m
                && !(g.is_finite() && g > 0.0 && g <= MAX_GATE_M)
            {
                return Err(format!(
                    "fusion.pairs {:?}: floor_gate_m must be above 0 and at most {MAX_GATE_M}",
                    p.cameras
                ));
            }
            if let Some(c) = p.appearance_min_cos
                && !(-1.0..=1.0).contains(&c)
            {
                return Err(format!(
                    "fusion.pairs {:?}: appearance_min_cos must be within -1..1",
                    p.cameras
                ));
            }
        }
        Ok(())
    }
}
