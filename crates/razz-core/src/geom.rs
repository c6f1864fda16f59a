//! Axis-aligned boxes in image pixels and the detections that carry them.
//!
//! Boxes are stored as top-left corner plus size (`x`, `y`, `w`, `h`, all in pixels), the
//! MOTChallenge convention, so files round-trip without conversion.

use serde::{Deserialize, Serialize};

/// A box in image pixels: top-left corner `(x, y)` and size `w` x `h`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BoxXywh {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl BoxXywh {
    pub const fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        Self { x, y, w, h }
    }

    /// Builds a box from its corners `(x1, y1)` top-left and `(x2, y2)` bottom-right.
    pub fn from_corners(x1: f32, y1: f32, x2: f32, y2: f32) -> Self {
        Self::new(x1, y1, x2 - x1, y2 - y1)
    }

    pub fn x2(&self) -> f32 {
        self.x + self.w
    }

    pub fn y2(&self) -> f32 {
        self.y + self.h
    }

    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    pub fn center(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Bottom centre of the box: where a standing person's feet touch the floor.
    pub fn foot(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h)
    }

    /// Area of the overlap with `other` (0 when they do not touch).
    pub fn intersection(&self, other: &BoxXywh) -> f32 {
        let iw = self.x2().min(other.x2()) - self.x.max(other.x);
        let ih = self.y2().min(other.y2()) - self.y.max(other.y);
        if iw <= 0.0 || ih <= 0.0 { 0.0 } else { iw * ih }
    }

    /// Intersection over union, in `[0, 1]`; 0 for degenerate boxes.
    pub fn iou(&self, other: &BoxXywh) -> f32 {
        let inter = self.intersection(other);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }

    /// True when every coordinate is finite and the size is positive.
    pub fn is_valid(&self) -> bool {
        [self.x, self.y, self.w, self.h]
            .iter()
            .all(|v| v.is_finite())
            && self.w > 0.0
            && self.h > 0.0
    }

    /// Scales x and w by `sx`, y and h by `sy`.
    pub fn scaled(&self, sx: f32, sy: f32) -> Self {
        Self::new(self.x * sx, self.y * sy, self.w * sx, self.h * sy)
    }
}

/// One object found in one frame: a box and a confidence in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub bbox: BoxXywh,
    pub score: f32,
}

impl Detection {
    pub const fn new(bbox: BoxXywh, score: f32) -> Self {
        Self { bbox, score }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_hand_checked() {
        // Two 10x10 boxes overlapping in a 5x10 strip: 50 / (100 + 100 - 50) = 1/3.
        let a = BoxXywh::new(0.0, 0.0, 10.0, 10.0);
        let b = BoxXywh::new(5.0, 0.0, 10.0, 10.0);
        assert!((a.iou(&b) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(a.iou(&a), 1.0);
        // Touching edges do not overlap.
        assert_eq!(a.iou(&BoxXywh::new(10.0, 0.0, 5.0, 5.0)), 0.0);
        // Degenerate boxes give 0, not NaN.
        let z = BoxXywh::new(1.0, 1.0, 0.0, 0.0);
        assert_eq!(z.iou(&z), 0.0);
    }

    #[test]
    fn foot_and_center() {
        let b = BoxXywh::from_corners(10.0, 20.0, 30.0, 60.0);
        assert_eq!(b.center(), (20.0, 40.0));
        assert_eq!(b.foot(), (20.0, 60.0));
        assert!(b.is_valid());
        assert!(!BoxXywh::new(f32::NAN, 0.0, 1.0, 1.0).is_valid());
    }
}
