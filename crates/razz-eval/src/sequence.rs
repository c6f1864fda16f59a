//! One sequence prepared for scoring: per frame, the ground-truth and tracker ids (mapped to
//! dense indices) and their similarity matrix: box IoU, or closeness on the floor when both
//! sides carry world positions (one floor shared by several cameras).

use std::collections::{BTreeMap, HashMap};

use razz_core::mot::MotRow;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("tracker output has id {id} twice in frame {frame}")]
    DuplicateTrackerId { frame: u32, id: i64 },
    #[error("ground truth has id {id} twice in frame {frame}")]
    DuplicateGtId { frame: u32, id: i64 },
    #[error("{side} row of id {id} in frame {frame} has no world position")]
    NoWorld {
        side: &'static str,
        frame: u32,
        id: i64,
    },
    #[error("floor radius must be a positive number of metres, got {0}")]
    BadRadius(f64),
    #[error("line {line}: {message}")]
    RoomLine { line: usize, message: String },
}

/// Rows of one frame with their dense ids.
type Tagged<'a> = Vec<(usize, &'a MotRow)>;

/// One frame: dense ids and the `gt x tracker` similarity matrix (row-major; `iou` by name,
/// as box overlap is the usual similarity).
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
        Self::build(gt, tracker, iou_f64)
    }

    /// As `new`, but scored on the floor: rows match by the distance between their world
    /// positions (columns 8 and 9, metres), with similarity `1 - d / (2·radius_m)` (at least
    /// 0), so the metrics' 0.5 threshold means "within `radius_m`". Every row scored needs a
    /// world position.
    pub fn on_floor(gt: &[MotRow], tracker: &[MotRow], radius_m: f64) -> Result<Self, EvalError> {
        if !(radius_m.is_finite() && radius_m > 0.0) {
            return Err(EvalError::BadRadius(radius_m));
        }
        let check = |rows: &[MotRow], side: &'static str, skip_ignored: bool| {
            rows.iter()
                .filter(|r| !(skip_ignored && r.conf == 0.0))
                .find(|r| r.world.is_none())
                .map_or(Ok(()), |r| {
                    Err(EvalError::NoWorld {
                        side,
                        frame: r.frame,
                        id: r.id,
                    })
                })
        };
        check(gt, "ground-truth", true)?;
        check(tracker, "tracker", false)?;
        Self::build(gt, tracker, |a, b| {
            let (Some(p), Some(q)) = (a.world, b.world) else {
                return 0.0;
            };
            let d = f64::from(p[0] - q[0]).hypot(f64::from(p[1] - q[1]));
            (1.0 - d / (2.0 * radius_m)).max(0.0)
        })
    }

    fn build(
        gt: &[MotRow],
        tracker: &[MotRow],
        sim: impl Fn(&MotRow, &MotRow) -> f64,
    ) -> Result<Self, EvalError> {
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
                    iou.push(sim(gr, tr));
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

#[cfg(test)]
mod tests {
    use super::*;
    use razz_core::BoxXywh;

    fn row(frame: u32, id: i64, x_px: f32, world: Option<[f32; 3]>) -> MotRow {
        MotRow {
            frame,
            id,
            bbox: BoxXywh::new(x_px, 0.0, 10.0, 10.0),
            conf: 1.0,
            world,
        }
    }

    #[test]
    fn floor_similarity_is_one_minus_half_the_distance_over_the_radius() {
        // Same box, feet 0.6 m apart (0.36 + 0.48 = 0.6 by 3-4-5): IoU 1, floor similarity at
        // radius 1 m: 1 - 0.6 / 2 = 0.7; at radius 0.5 m: 1 - 0.6 = 0.4 (not a match).
        let gt = [row(1, 1, 0.0, Some([1.0, 2.0, 0.0]))];
        let tr = [row(1, 7, 0.0, Some([1.36, 2.48, 0.0]))];
        let boxes = SequenceData::new(&gt, &tr).expect("valid");
        assert!((boxes.frames[0].sim(0, 0) - 1.0).abs() < 1e-9);
        let floor = SequenceData::on_floor(&gt, &tr, 1.0).expect("valid");
        assert!((floor.frames[0].sim(0, 0) - 0.7).abs() < 1e-6);
        let tight = SequenceData::on_floor(&gt, &tr, 0.5).expect("valid");
        assert!((tight.frames[0].sim(0, 0) - 0.4).abs() < 1e-6);
        // Far apart: 0, never negative.
        let far = [row(1, 7, 0.0, Some([9.0, 2.0, 0.0]))];
        let f = SequenceData::on_floor(&gt, &far, 1.0).expect("valid");
        assert_eq!(f.frames[0].sim(0, 0), 0.0);
    }

    #[test]
    fn floor_scoring_needs_world_positions_and_a_radius() {
        let gt = [row(3, 1, 0.0, Some([0.0; 3]))];
        let tr = [row(3, 5, 0.0, None)];
        let e = SequenceData::on_floor(&gt, &tr, 1.0).expect_err("no world");
        assert_eq!(
            e.to_string(),
            "tracker row of id 5 in frame 3 has no world position"
        );
        let e = SequenceData::on_floor(&tr, &gt, 1.0).expect_err("no world");
        assert!(e.to_string().starts_with("ground-truth row of id 5"), "{e}");
        for r in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                SequenceData::on_floor(&gt, &gt, r),
                Err(EvalError::BadRadius(_))
            ));
        }
        // A ground-truth row flagged ignore (conf 0) needs none: it is not scored.
        let mut ignored = row(3, 2, 0.0, None);
        ignored.conf = 0.0;
        assert!(SequenceData::on_floor(&[gt[0], ignored], &gt, 1.0).is_ok());
    }
}
