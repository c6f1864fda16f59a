//! Model outputs to person boxes: NanoDet's distribution-focal boxes, YOLO's centre boxes,
//! CenterNet's decoded corners, greedy non-maximum suppression, and the merge of two
//! detectors' boxes. Coordinates stay in model-input pixels here; the detector maps them back
//! to the frame.

use razz_core::{BoxXywh, Detection};

use crate::backend::OutputTensor;

/// NanoDet box bins per side (reg_max + 1).
const NANODET_BINS: usize = 11;
const NANODET_CLASSES: usize = 80;
/// Person in COCO order.
const PERSON: usize = 0;

/// Decodes NanoDet's per-level `[1, N, 80]` scores and `[1, N, 44]` box bins. Levels are
/// recognised by their cell count for an input of `input_w` x `input_h` (strides 8, 16, 32),
/// since the converted graph's output names carry no level.
pub fn decode_nanodet(
    outputs: &[OutputTensor],
    input_w: u32,
    input_h: u32,
    min_score: f32,
) -> Result<Vec<Detection>, String> {
    let mut dets = Vec::new();
    for stride in [8u32, 16, 32] {
        let (cols, rows) = (
            input_w.div_ceil(stride) as usize,
            input_h.div_ceil(stride) as usize,
        );
        let n = cols * rows;
        let find = |width: usize| {
            outputs
                .iter()
                .find(|t| t.shape.len() == 3 && t.shape[1] == n && t.shape[2] == width)
        };
        let scores = find(NANODET_CLASSES).ok_or_else(|| {
            format!("no [1, {n}, {NANODET_CLASSES}] score output for stride {stride}")
        })?;
        let bins = find(4 * NANODET_BINS).ok_or_else(|| {
            format!(
                "no [1, {n}, {}] box output for stride {stride}",
                4 * NANODET_BINS
            )
        })?;
        let s = stride as f32;
        for i in 0..n {
            let score = scores.data[i * NANODET_CLASSES + PERSON];
            if score.is_nan() || score < min_score {
                continue;
            }
            let (cx, cy) = (((i % cols) as f32 + 0.5) * s, ((i / cols) as f32 + 0.5) * s);
            let reg = &bins.data[i * 4 * NANODET_BINS..(i + 1) * 4 * NANODET_BINS];
            let d: [f32; 4] = std::array::from_fn(|side| {
                expected_bin(&reg[side * NANODET_BINS..(side + 1) * NANODET_BINS]) * s
            });
            dets.push(Detection::new(
                BoxXywh::from_corners(cx - d[0], cy - d[1], cx + d[2], cy + d[3]),
                score,
            ));
        }
    }
    Ok(dets)
}

/// Softmax expectation over bins: `sum_k k · softmax(logits)_k`.
fn expected_bin(logits: &[f32]) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (mut num, mut den) = (0.0f32, 0.0f32);
    for (k, &l) in logits.iter().enumerate() {
        let e = (l - max).exp();
        num += k as f32 * e;
        den += e;
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// Decodes an Ultralytics export: one output `[1, 4 + classes, N]` (or its transpose
/// `[1, N, 4 + classes]`) of centre boxes in input pixels and per-class scores.
pub fn decode_yolo(outputs: &[OutputTensor], min_score: f32) -> Result<Vec<Detection>, String> {
    let t = outputs.first().ok_or("model has no output")?;
    if t.shape.len() != 3 || t.shape[0] != 1 {
        return Err(format!(
            "expected one [1, 4+classes, N] output, got {:?}",
            t.shape
        ));
    }
    // The class axis is the short one (84 for COCO against thousands of anchors).
    let (channels, n, transposed) = if t.shape[1] <= t.shape[2] {
        (t.shape[1], t.shape[2], false)
    } else {
        (t.shape[2], t.shape[1], true)
    };
    if channels < 5 {
        return Err(format!(
            "expected at least 5 channels (box + one class), got {:?}",
            t.shape
        ));
    }
    let at = |c: usize, i: usize| {
        if transposed {
            t.data[i * channels + c]
        } else {
            t.data[c * n + i]
        }
    };
    let mut dets = Vec::new();
    for i in 0..n {
        let score = at(4 + PERSON, i);
        if score.is_nan() || score < min_score {
            continue;
        }
        let (cx, cy, w, h) = (at(0, i), at(1, i), at(2, i), at(3, i));
        dets.push(Detection::new(
            BoxXywh::new(cx - w / 2.0, cy - h / 2.0, w, h),
            score,
        ));
    }
    Ok(dets)
}

/// Decodes the bundled CenterNet's one output `[1, N, 6]`: per row `x1, y1, x2, y2` in input
/// pixels, score, COCO class index (as a float). The graph has already picked the heatmap
/// peaks, so rows are candidates, best first.
pub fn decode_centernet(
    outputs: &[OutputTensor],
    min_score: f32,
) -> Result<Vec<Detection>, String> {
    let t = outputs.first().ok_or("model has no output")?;
    if t.shape.len() != 3 || t.shape[0] != 1 || t.shape[2] != 6 {
        return Err(format!("expected one [1, N, 6] output, got {:?}", t.shape));
    }
    Ok(t.data
        .chunks_exact(6)
        .filter(|r| r[5] == PERSON as f32 && r[4] >= min_score)
        .map(|r| Detection::new(BoxXywh::from_corners(r[0], r[1], r[2], r[3]), r[4]))
        .collect())
}

/// One box per person from two detectors' lists (each already suppressed within itself):
/// best score first, a box is dropped when it overlaps a kept box of the *other* detector by
/// at least `cross_iou`. Two models draw one person's box differently (one wider, one taller),
/// so the IoU at which their boxes mean the same person is lower than within one model.
pub fn merge_detectors(a: Vec<Detection>, b: Vec<Detection>, cross_iou: f32) -> Vec<Detection> {
    let mut all: Vec<(Detection, bool)> = a
        .into_iter()
        .map(|d| (d, false))
        .chain(b.into_iter().map(|d| (d, true)))
        .filter(|(d, _)| d.bbox.is_valid() && d.score.is_finite())
        .collect();
    all.sort_by(|x, y| y.0.score.total_cmp(&x.0.score));
    let mut keep: Vec<(Detection, bool)> = Vec::with_capacity(all.len());
    for (d, from_b) in all {
        if keep
            .iter()
            .all(|(k, kb)| *kb == from_b || k.bbox.iou(&d.bbox) < cross_iou)
        {
            keep.push((d, from_b));
        }
    }
    keep.into_iter().map(|(d, _)| d).collect()
}

/// Greedy NMS: best score first; drop boxes overlapping a kept one by more than `iou`.
/// Returns at most `max` detections, best first.
pub fn nms(mut dets: Vec<Detection>, iou: f32, max: usize) -> Vec<Detection> {
    dets.retain(|d| d.bbox.is_valid() && d.score.is_finite());
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut keep: Vec<Detection> = Vec::new();
    for d in dets {
        if keep.len() >= max {
            break;
        }
        if keep.iter().all(|k| k.bbox.iou(&d.bbox) <= iou) {
            keep.push(d);
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(shape: &[usize], data: Vec<f32>) -> OutputTensor {
        OutputTensor {
            name: String::new(),
            shape: shape.to_vec(),
            data,
        }
    }

    /// Bins whose softmax expectation is exactly `k` (all mass on bin k).
    fn peaked(k: usize) -> Vec<f32> {
        (0..NANODET_BINS)
            .map(|i| if i == k { 50.0 } else { -50.0 })
            .collect()
    }

    #[test]
    fn expected_bin_hand_checked() {
        // Uniform over 11 bins: mean index 5. Two equal bins 2 and 4: 3.
        assert!((expected_bin(&[0.0; 11]) - 5.0).abs() < 1e-5);
        let mut two = vec![-100.0; 11];
        two[2] = 1.0;
        two[4] = 1.0;
        assert!((expected_bin(&two) - 3.0).abs() < 1e-4);
    }

    #[test]
    fn nanodet_box_from_constructed_tensors() {
        // 32x32 input: stride 8 -> 4x4 cells, 16 -> 2x2, 32 -> 1x1.
        let mk = |n: usize| {
            (
                tensor(&[1, n, 80], vec![0.0; n * 80]),
                tensor(&[1, n, 44], vec![0.0; n * 44]),
            )
        };
        let (mut s8, mut b8) = mk(16);
        let (s16, b16) = mk(4);
        let (s32, b32) = mk(1);
        // Cell 5 of stride 8 = column 1, row 1: centre (12, 12). Person score 0.9, class 3
        // high too (ignored). Sides left 1, top 2, right 1, bottom 3 bins -> 8, 16, 8, 24 px.
        s8.data[5 * 80] = 0.9;
        s8.data[5 * 80 + 3] = 0.99;
        for (side, k) in [1, 2, 1, 3].into_iter().enumerate() {
            b8.data[5 * 44 + side * 11..5 * 44 + (side + 1) * 11].copy_from_slice(&peaked(k));
        }
        let outs = vec![b16, s8, b32, s16, b8, s32];
        let d = decode_nanodet(&outs, 32, 32, 0.35).expect("decode");
        assert_eq!(d.len(), 1);
        let b = d[0].bbox;
        assert!(
            (b.x - 4.0).abs() < 1e-3 && (b.y - (-4.0)).abs() < 1e-3,
            "{b:?}"
        );
        assert!(
            (b.w - 16.0).abs() < 1e-3 && (b.h - 40.0).abs() < 1e-3,
            "{b:?}"
        );
        assert_eq!(d[0].score, 0.9);
        // Missing a level is an error, not a panic.
        assert!(decode_nanodet(&outs[..3], 32, 32, 0.35).is_err());
    }

    #[test]
    fn yolo_both_layouts() {
        // 8 anchors (more anchors than channels, as in every real export), 2 classes:
        // [1, 6, 8]. Anchor 0: person 0.8 at centre (50, 60), 20x40. Anchor 1: class 1 only.
        // The other anchors score nothing.
        let n = 8;
        let mut data = vec![0.0f32; 6 * n];
        let set = |data: &mut Vec<f32>, c: usize, i: usize, v: f32| data[c * n + i] = v;
        for (c, v) in [50.0, 60.0, 20.0, 40.0, 0.8, 0.0].into_iter().enumerate() {
            set(&mut data, c, 0, v);
        }
        for (c, v) in [10.0, 10.0, 5.0, 5.0, 0.1, 0.9].into_iter().enumerate() {
            set(&mut data, c, 1, v);
        }
        let d = decode_yolo(&[tensor(&[1, 6, n], data.clone())], 0.25).expect("decode");
        assert_eq!(
            d,
            vec![Detection::new(BoxXywh::new(40.0, 40.0, 20.0, 40.0), 0.8)]
        );
        // Transposed [1, 8, 6].
        let t: Vec<f32> = (0..n)
            .flat_map(|i| (0..6).map(move |c| (i, c)))
            .map(|(i, c)| data[c * n + i])
            .collect();
        let d2 = decode_yolo(&[tensor(&[1, n, 6], t)], 0.25).expect("decode");
        assert_eq!(d, d2);
        assert!(decode_yolo(&[tensor(&[1, 3, 8], vec![0.0; 24])], 0.25).is_err());
        assert!(decode_yolo(&[tensor(&[6, 8], vec![0.0; 48])], 0.25).is_err());
        assert!(decode_yolo(&[], 0.25).is_err());
    }

    #[test]
    fn centernet_rows_to_person_boxes() {
        // Row 0: person 0.6 at corners (10, 20)-(30, 80); row 1: a car (class 2) at 0.9;
        // row 2: a person below the threshold.
        let data = vec![
            10.0, 20.0, 30.0, 80.0, 0.6, 0.0, //
            0.0, 0.0, 5.0, 5.0, 0.9, 2.0, //
            40.0, 40.0, 50.0, 60.0, 0.1, 0.0,
        ];
        let d = decode_centernet(&[tensor(&[1, 3, 6], data)], 0.2).expect("decode");
        assert_eq!(
            d,
            vec![Detection::new(BoxXywh::new(10.0, 20.0, 20.0, 60.0), 0.6)]
        );
        assert!(decode_centernet(&[tensor(&[1, 3, 5], vec![0.0; 15])], 0.2).is_err());
        assert!(decode_centernet(&[], 0.2).is_err());
    }

    #[test]
    fn merging_two_detectors_keeps_one_box_per_person() {
        // Person 1: NanoDet 0.8 at x 0..10, CenterNet 0.7 at x 0..14 (IoU 10/14 = 0.71):
        // one box, NanoDet's. Person 2 only CenterNet sees (0.5). Within NanoDet, two boxes
        // overlapping by IoU 0.43 both stay (its own NMS decided about them).
        let n1 = Detection::new(BoxXywh::new(0.0, 0.0, 10.0, 20.0), 0.8);
        let n2 = Detection::new(BoxXywh::new(6.0, 0.0, 10.0, 20.0), 0.6);
        let c1 = Detection::new(BoxXywh::new(0.0, 0.0, 14.0, 20.0), 0.7);
        let c2 = Detection::new(BoxXywh::new(50.0, 0.0, 10.0, 20.0), 0.5);
        let m = merge_detectors(vec![n1, n2], vec![c1, c2], 0.3);
        // c1 overlaps n1 (0.71) and n2 (IoU 8/16 = 0.5): dropped; n2 stays (same detector).
        assert_eq!(m, vec![n1, n2, c2]);
        // A box of one detector that overlaps the other's kept box less than cross_iou stays:
        // c3 at x 8..18 has IoU 2/18 = 0.11 with n1.
        let c3 = Detection::new(BoxXywh::new(8.0, 0.0, 10.0, 20.0), 0.9);
        assert_eq!(merge_detectors(vec![n1], vec![c3], 0.3), vec![c3, n1]);
        // The higher score wins whichever detector it comes from.
        let c4 = Detection::new(BoxXywh::new(0.0, 0.0, 12.0, 20.0), 0.95);
        assert_eq!(merge_detectors(vec![n1], vec![c4], 0.3), vec![c4]);
    }

    #[test]
    fn nms_keeps_best_of_overlapping() {
        let a = Detection::new(BoxXywh::new(0.0, 0.0, 10.0, 10.0), 0.9);
        let b = Detection::new(BoxXywh::new(1.0, 0.0, 10.0, 10.0), 0.8); // IoU 0.82 with a
        let c = Detection::new(BoxXywh::new(20.0, 0.0, 10.0, 10.0), 0.7);
        let nan = Detection::new(BoxXywh::new(0.0, 0.0, 10.0, 10.0), f32::NAN);
        assert_eq!(nms(vec![c, b, a, nan], 0.5, 10), vec![a, c]);
        assert_eq!(nms(vec![c, b, a], 0.5, 1), vec![a]);
        assert_eq!(nms(vec![a, b], 0.9, 10).len(), 2);
    }
}
