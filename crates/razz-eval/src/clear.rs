//! CLEAR MOT metrics (Bernardin & Stiefelhagen, 2008) as TrackEval computes them: per frame,
//! keep last frame's pairs when still valid (IoU >= 0.5), then maximise total IoU; an ID switch
//! is a ground-truth object matched to a different tracker id than at its previous match.

use razz_core::assign::{CostMatrix, minimize};
use serde::Serialize;

use crate::ratio;
use crate::sequence::SequenceData;

const THRESHOLD: f64 = 0.5;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Clear {
    pub mota: f64,
    /// Mean IoU of matched pairs (TrackEval's MOTP).
    pub motp: f64,
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
    pub id_switches: u64,
    pub recall: f64,
    pub precision: f64,
    pub mostly_tracked: u64,
    pub partly_tracked: u64,
    pub mostly_lost: u64,
    pub num_gt_dets: u64,
    #[serde(skip)]
    motp_sum: f64,
}

impl Clear {
    pub fn evaluate(data: &SequenceData) -> Self {
        let mut out = Clear::default();
        let mut prev_tracker: Vec<Option<usize>> = vec![None; data.num_gt_ids];
        let mut prev_step: Vec<Option<usize>> = vec![None; data.num_gt_ids];
        let mut gt_count = vec![0u64; data.num_gt_ids];
        let mut gt_matched = vec![0u64; data.num_gt_ids];
        for f in &data.frames {
            let (ng, nt) = (f.gt_ids.len(), f.tracker_ids.len());
            for &g in &f.gt_ids {
                gt_count[g] += 1;
            }
            if ng == 0 || nt == 0 {
                // As TrackEval: such frames leave the previous-step pairs untouched.
                out.fn_ += ng as u64;
                out.fp += nt as u64;
                continue;
            }
            let score = CostMatrix::from_fn(ng, nt, |g, t| {
                let sim = f.sim(g, t);
                if sim < THRESHOLD - f64::EPSILON {
                    0.0
                } else {
                    let cont = prev_step[f.gt_ids[g]] == Some(f.tracker_ids[t]);
                    -(if cont { 1000.0 } else { 0.0 } + sim)
                }
            });
            let mut matches = Vec::new();
            for (g, t) in minimize(&score) {
                if -score.get(g, t) > f64::EPSILON {
                    matches.push((g, t));
                }
            }
            prev_step.iter_mut().for_each(|p| *p = None);
            for &(g, t) in &matches {
                let (gid, tid) = (f.gt_ids[g], f.tracker_ids[t]);
                if prev_tracker[gid].is_some_and(|p| p != tid) {
                    out.id_switches += 1;
                }
                gt_matched[gid] += 1;
                prev_tracker[gid] = Some(tid);
                prev_step[gid] = Some(tid);
                out.motp_sum += f.sim(g, t);
            }
            out.tp += matches.len() as u64;
            out.fn_ += (ng - matches.len()) as u64;
            out.fp += (nt - matches.len()) as u64;
        }
        for g in 0..data.num_gt_ids {
            if gt_count[g] == 0 {
                continue;
            }
            let r = gt_matched[g] as f64 / gt_count[g] as f64;
            if r > 0.8 {
                out.mostly_tracked += 1;
            } else if r >= 0.2 {
                out.partly_tracked += 1;
            } else {
                out.mostly_lost += 1;
            }
        }
        out.num_gt_dets = data.num_gt_dets as u64;
        out.finish()
    }

    pub fn combine(parts: &[Clear]) -> Self {
        let mut out = Clear::default();
        for p in parts {
            out.tp += p.tp;
            out.fp += p.fp;
            out.fn_ += p.fn_;
            out.id_switches += p.id_switches;
            out.mostly_tracked += p.mostly_tracked;
            out.partly_tracked += p.partly_tracked;
            out.mostly_lost += p.mostly_lost;
            out.num_gt_dets += p.num_gt_dets;
            out.motp_sum += p.motp_sum;
        }
        out.finish()
    }

    fn finish(mut self) -> Self {
        let gt = (self.tp + self.fn_) as f64;
        self.mota = ratio(gt - (self.fn_ + self.fp + self.id_switches) as f64, gt);
        self.motp = ratio(self.motp_sum, self.tp as f64);
        self.recall = ratio(self.tp as f64, gt);
        self.precision = ratio(self.tp as f64, (self.tp + self.fp) as f64);
        self
    }
}
