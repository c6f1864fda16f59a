//! One sequence prepared for scoring: per frame, the ground-truth and tracker ids (mapped to
//! dense indices) and their IoU matrix.

use std::collections::{BTreeMap, HashMap};

use razz_core::mot::MotRow;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("tracker output has id {id} twice in frame {frame}")]
    DuplicateTrackerId { frame: u32, id: i64 },
    #[error("ground truth has id {id} twice in frame {frame}")]
    DuplicateGtId { frame: u32, id: i64 },
}

/// Rows of one frame with their dense ids.
type Tagged<'a> = Vec<(usize, &'a MotRow)>;

/// One frame: dense ids and the `gt x tracker` IoU matrix (row-major).
#[derive(Clone, Debug, Default)]
pub struct Frame {
    pub gt_ids: Vec<usize>,
    pub tracker_ids: Vec<usize>,
    pub iou: Vec<f64>,
}

impl Frame {
    pub fn sim(&self, g: usize, t: usize) -> f64 {
        self.iou[g * self.tracker_ids.len() + t]
    }
}

/// A sequence ready for the metrics.
#[derive(Clone, Debug, Default)]
pub struct SequenceData {
    pub frames: Vec<Frame>,
    pub num_gt_ids: usize,
    pub num_tracker_ids: usize,
    pub num_gt_dets: usize,
    pub num_tracker_dets: usize,
}

impl SequenceData {
    /// Builds the per-frame data. Ground-truth rows with `conf == 0` are dropped (MOT15 rules:
    /// no class filtering, no removal of tracker boxes). Frames are the union of both files.
    pub fn new(gt: &[MotRow], tracker: &[MotRow]) -> Result<Self, EvalError> {
        let gt: Vec<&MotRow> = gt.iter().filter(|r| r.conf != 0.0).collect();
        let mut gt_map = HashMap::new();
        let mut tr_map = HashMap::new();
        let mut by_frame: BTreeMap<u32, (Tagged<'_>, Tagged<'_>)> = BTreeMap::new();
        for r in &gt {
            let n = gt_map.len();
            let id = *gt_map.entry(r.id).or_insert(n);
            by_frame.entry(r.frame).or_default().0.push((id, *r));
        }
        for r in tracker {
            let n = tr_map.len();
            let id = *tr_map.entry(r.id).or_insert(n);
            by_frame.entry(r.frame).or_default().1.push((id, r));
        }
        let mut frames = Vec::with_capacity(by_frame.len());
        for (frame, (g, t)) in by_frame {
            check_unique(&g, |id| EvalError::DuplicateGtId { frame, id })?;
            check_unique(&t, |id| EvalError::DuplicateTrackerId { frame, id })?;
            let mut iou = Vec::with_capacity(g.len() * t.len());
            for (_, gr) in &g {
                for (_, tr) in &t {
                    iou.push(iou_f64(gr, tr));
                }
            }
            frames.push(Frame {
                gt_ids: g.iter().map(|p| p.0).collect(),
                tracker_ids: t.iter().map(|p| p.0).collect(),
                iou,
            });
        }
        Ok(Self {
            frames,
            num_gt_ids: gt_map.len(),
            num_tracker_ids: tr_map.len(),
            num_gt_dets: gt.len(),
            num_tracker_dets: tracker.len(),
        })
    }
}

fn check_unique(
    rows: &[(usize, &MotRow)],
    err: impl Fn(i64) -> EvalError,
) -> Result<(), EvalError> {
    let mut seen = std::collections::HashSet::new();
    for (_, r) in rows {
        if !seen.insert(r.id) {
            return Err(err(r.id));
        }
    }
    Ok(())
}

fn iou_f64(a: &MotRow, b: &MotRow) -> f64 {
    let (ax, ay, aw, ah) = (
        f64::from(a.bbox.x),
        f64::from(a.bbox.y),
        f64::from(a.bbox.w),
        f64::from(a.bbox.h),
    );
    let (bx, by, bw, bh) = (
        f64::from(b.bbox.x),
        f64::from(b.bbox.y),
        f64::from(b.bbox.w),
        f64::from(b.bbox.h),
    );
    let iw = ((ax + aw).min(bx + bw) - ax.max(bx)).max(0.0);
    let ih = ((ay + ah).min(by + bh) - ay.max(by)).max(0.0);
    let inter = iw * ih;
    let union = aw * ah + bw * bh - inter;
    if union <= f64::EPSILON {
        0.0
    } else {
        inter / union
    }
}
