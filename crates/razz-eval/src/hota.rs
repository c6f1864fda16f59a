//! HOTA (Luiten et al., 2021), as TrackEval computes it: for each localisation threshold
//! alpha in 0.05..0.95, match per frame by IoU weighted with a global alignment score, then
//! `HOTA_alpha = sqrt(DetA_alpha · AssA_alpha)`; the reported value is the mean over alpha.

// The formulas index several parallel arrays by the same gt/tracker id; index loops mirror
// the paper and TrackEval's code more clearly than zipped iterators.
#![allow(clippy::needless_range_loop)]

use razz_core::assign::{CostMatrix, maximize};
use serde::Serialize;

use crate::sequence::SequenceData;

const ALPHAS: usize = 19;

fn alpha(a: usize) -> f64 {
    0.05 * (a as f64 + 1.0)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Hota {
    pub hota: f64,
    pub det_a: f64,
    pub ass_a: f64,
    pub det_re: f64,
    pub det_pr: f64,
    pub ass_re: f64,
    pub ass_pr: f64,
    pub loc_a: f64,
    #[serde(skip)]
    per_alpha: PerAlpha,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct PerAlpha {
    tp: [f64; ALPHAS],
    fp: [f64; ALPHAS],
    fn_: [f64; ALPHAS],
    ass_a: [f64; ALPHAS],
    ass_re: [f64; ALPHAS],
    ass_pr: [f64; ALPHAS],
    loc_sum: [f64; ALPHAS],
}

impl Hota {
    pub fn evaluate(data: &SequenceData) -> Self {
        let (ng, nt) = (data.num_gt_ids, data.num_tracker_ids);
        // Pass 1: how well each gt id and tracker id align over the whole sequence.
        let mut potential = CostMatrix::new(ng, nt, 0.0);
        let mut gt_count = vec![0.0f64; ng];
        let mut tr_count = vec![0.0f64; nt];
        for f in &data.frames {
            let (fg, ft) = (f.gt_ids.len(), f.tracker_ids.len());
            let row_sum: Vec<f64> = (0..fg)
                .map(|g| (0..ft).map(|t| f.sim(g, t)).sum())
                .collect();
            let col_sum: Vec<f64> = (0..ft)
                .map(|t| (0..fg).map(|g| f.sim(g, t)).sum())
                .collect();
            for g in 0..fg {
                for t in 0..ft {
                    let s = f.sim(g, t);
                    let denom = row_sum[g] + col_sum[t] - s;
                    if denom > f64::EPSILON {
                        let (gi, ti) = (f.gt_ids[g], f.tracker_ids[t]);
                        potential.add(gi, ti, s / denom);
                    }
                }
            }
            f.gt_ids.iter().for_each(|&g| gt_count[g] += 1.0);
            f.tracker_ids.iter().for_each(|&t| tr_count[t] += 1.0);
        }
        let global = CostMatrix::from_fn(ng, nt, |g, t| {
            let p = potential.get(g, t);
            p / (gt_count[g] + tr_count[t] - p)
        });

        // Pass 2: per frame matching, counted per alpha.
        let mut pa = PerAlpha::default();
        let mut matches: Vec<CostMatrix> =
            (0..ALPHAS).map(|_| CostMatrix::new(ng, nt, 0.0)).collect();
        for f in &data.frames {
            let (fg, ft) = (f.gt_ids.len(), f.tracker_ids.len());
            if fg == 0 || ft == 0 {
                for a in 0..ALPHAS {
                    pa.fp[a] += ft as f64;
                    pa.fn_[a] += fg as f64;
                }
                continue;
            }
            let score = CostMatrix::from_fn(fg, ft, |g, t| {
                global.get(f.gt_ids[g], f.tracker_ids[t]) * f.sim(g, t)
            });
            let pairs = maximize(&score);
            for a in 0..ALPHAS {
                let ok: Vec<&(usize, usize)> = pairs
                    .iter()
                    .filter(|&&(g, t)| f.sim(g, t) >= alpha(a) - f64::EPSILON)
                    .collect();
                let n = ok.len() as f64;
                pa.tp[a] += n;
                pa.fn_[a] += fg as f64 - n;
                pa.fp[a] += ft as f64 - n;
                for &&(g, t) in &ok {
                    pa.loc_sum[a] += f.sim(g, t);
                    let (gi, ti) = (f.gt_ids[g], f.tracker_ids[t]);
                    matches[a].add(gi, ti, 1.0);
                }
            }
        }
        for a in 0..ALPHAS {
            let m = &matches[a];
            let (mut ass_a, mut ass_re, mut ass_pr) = (0.0, 0.0, 0.0);
            for g in 0..ng {
                for t in 0..nt {
                    let c = m.get(g, t);
                    if c > 0.0 {
                        ass_a += c * c / (gt_count[g] + tr_count[t] - c).max(1.0);
                        ass_re += c * c / gt_count[g].max(1.0);
                        ass_pr += c * c / tr_count[t].max(1.0);
                    }
                }
            }
            let tp = pa.tp[a].max(1.0);
            pa.ass_a[a] = ass_a / tp;
            pa.ass_re[a] = ass_re / tp;
            pa.ass_pr[a] = ass_pr / tp;
        }
        Self::from_per_alpha(pa)
    }

    /// TrackEval's combination: sums of TP/FN/FP, association scores weighted by TP.
    pub fn combine(parts: &[&Hota]) -> Self {
        let mut pa = PerAlpha::default();
        for a in 0..ALPHAS {
            for p in parts {
                let q = &p.per_alpha;
                pa.tp[a] += q.tp[a];
                pa.fp[a] += q.fp[a];
                pa.fn_[a] += q.fn_[a];
                pa.loc_sum[a] += q.loc_sum[a];
                pa.ass_a[a] += q.ass_a[a] * q.tp[a];
                pa.ass_re[a] += q.ass_re[a] * q.tp[a];
                pa.ass_pr[a] += q.ass_pr[a] * q.tp[a];
            }
            let tp = pa.tp[a].max(1e-10);
            pa.ass_a[a] /= tp;
            pa.ass_re[a] /= tp;
            pa.ass_pr[a] /= tp;
        }
        Self::from_per_alpha(pa)
    }

    fn from_per_alpha(pa: PerAlpha) -> Self {
        let mean = |f: &dyn Fn(usize) -> f64| (0..ALPHAS).map(f).sum::<f64>() / ALPHAS as f64;
        let det_a = |a: usize| pa.tp[a] / (pa.tp[a] + pa.fn_[a] + pa.fp[a]).max(1.0);
        Self {
            hota: mean(&|a| (det_a(a) * pa.ass_a[a]).sqrt()),
            det_a: mean(&det_a),
            ass_a: mean(&|a| pa.ass_a[a]),
            det_re: mean(&|a| pa.tp[a] / (pa.tp[a] + pa.fn_[a]).max(1.0)),
            det_pr: mean(&|a| pa.tp[a] / (pa.tp[a] + pa.fp[a]).max(1.0)),
            ass_re: mean(&|a| pa.ass_re[a]),
            ass_pr: mean(&|a| pa.ass_pr[a]),
            loc_a: mean(&|a| pa.loc_sum[a].max(1e-10) / pa.tp[a].max(1e-10)),
            per_alpha: pa,
        }
    }
}
