//! Identity metrics (Ristani et al., 2016): the best one-to-one pairing of ground-truth ids
//! with tracker ids over the whole sequence, counting frames where a pair overlaps at
//! IoU >= 0.5. IDTP is that pairing's total; IDF1 = 2·IDTP / (gt boxes + tracker boxes).

use razz_core::assign::{CostMatrix, maximize};
use serde::Serialize;

use crate::ratio;
use crate::sequence::SequenceData;

const THRESHOLD: f64 = 0.5;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Identity {
    pub idf1: f64,
    pub idp: f64,
    pub idr: f64,
    pub idtp: u64,
    pub idfp: u64,
    pub idfn: u64,
}

impl Identity {
    pub fn evaluate(data: &SequenceData) -> Self {
        let mut overlap = CostMatrix::new(data.num_gt_ids, data.num_tracker_ids, 0.0);
        for f in &data.frames {
            for (g, &gid) in f.gt_ids.iter().enumerate() {
                for (t, &tid) in f.tracker_ids.iter().enumerate() {
                    if f.sim(g, t) >= THRESHOLD - f64::EPSILON {
                        overlap.add(gid, tid, 1.0);
                    }
                }
            }
        }
        let idtp: f64 = maximize(&overlap)
            .into_iter()
            .map(|(g, t)| overlap.get(g, t))
            .sum();
        let idtp = idtp as u64;
        Self {
            idtp,
            idfn: data.num_gt_dets as u64 - idtp,
            idfp: data.num_tracker_dets as u64 - idtp,
            ..Self::default()
        }
        .finish()
    }

    pub fn combine(parts: &[Identity]) -> Self {
        let mut out = Identity::default();
        for p in parts {
            out.idtp += p.idtp;
            out.idfp += p.idfp;
            out.idfn += p.idfn;
        }
        out.finish()
    }

    fn finish(mut self) -> Self {
        let (tp, fp, fn_) = (self.idtp as f64, self.idfp as f64, self.idfn as f64);
        self.idr = ratio(tp, tp + fn_);
        self.idp = ratio(tp, tp + fp);
        self.idf1 = ratio(tp, tp + 0.5 * fp + 0.5 * fn_);
        self
    }
}
