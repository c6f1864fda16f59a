//! Multi-object-tracking metrics under MOTChallenge rules: CLEAR MOT (MOTA, MOTP, FP, FN,
//! ID switches, MT/PT/ML), identity metrics (IDF1, IDP, IDR) and HOTA (DetA, AssA, LocA).
//!
//! Every metric follows TrackEval's definitions (the reference used by MOTChallenge) at an
//! IoU threshold of 0.5, with ground-truth rows whose `conf` is 0 ignored, and sequences
//! combined the way TrackEval combines them. Tests reproduce published numbers for known
//! tracker outputs. `room` scores a room's counts and its global ids on the floor; `ceiling`
//! measures how far any counter could agree with a ground truth's people per frame.

pub mod ceiling;
mod clear;
mod hota;
mod identity;
pub mod room;
mod sequence;

pub use clear::Clear;
pub use hota::Hota;
pub use identity::Identity;
pub use sequence::{EvalError, SequenceData};

use serde::Serialize;

/// All metrics of one sequence, or of several combined.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub name: String,
    pub clear: Clear,
    pub identity: Identity,
    pub hota: Hota,
}

impl Metrics {
    /// Scores one sequence.
    pub fn evaluate(name: &str, data: &SequenceData) -> Self {
        Self {
            name: name.to_owned(),
            clear: Clear::evaluate(data),
            identity: Identity::evaluate(data),
            hota: Hota::evaluate(data),
        }
    }

    /// Combines per-sequence results as TrackEval does: counts are summed, HOTA's
    /// association scores are weighted by true positives.
    pub fn combine(name: &str, parts: &[Metrics]) -> Self {
        let clears: Vec<Clear> = parts.iter().map(|m| m.clear.clone()).collect();
        let ids: Vec<Identity> = parts.iter().map(|m| m.identity.clone()).collect();
        let hotas: Vec<&Hota> = parts.iter().map(|m| &m.hota).collect();
        Self {
            name: name.to_owned(),
            clear: Clear::combine(&clears),
            identity: Identity::combine(&ids),
            hota: Hota::combine(&hotas),
        }
    }

    /// One table row: the headline figures in percent.
    pub fn row(&self) -> String {
        let c = &self.clear;
        let i = &self.identity;
        let h = &self.hota;
        format!(
            "{:<16} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>6.2} {:>5} {:>6} {:>6} {:>4} {:>4} {:>4}",
            self.name,
            100.0 * h.hota,
            100.0 * h.det_a,
            100.0 * h.ass_a,
            100.0 * c.mota,
            100.0 * c.motp,
            100.0 * i.idf1,
            100.0 * i.idp,
            100.0 * i.idr,
            100.0 * c.recall,
            c.id_switches,
            c.fp,
            c.fn_,
            c.mostly_tracked,
            c.partly_tracked,
            c.mostly_lost
        )
    }

    pub fn header() -> String {
        format!(
            "{:<16} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>6} {:>6} {:>4} {:>4} {:>4}",
            "sequence",
            "HOTA",
            "DetA",
            "AssA",
            "MOTA",
            "MOTP",
            "IDF1",
            "IDP",
            "IDR",
            "Rcll",
            "IDSW",
            "FP",
            "FN",
            "MT",
            "PT",
            "ML"
        )
    }
}

/// `num / den`, or 0 when `den` is 0 (TrackEval's `max(1, den)` convention for counts).
fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { 0.0 }
}
