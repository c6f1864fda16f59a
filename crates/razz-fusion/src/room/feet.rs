//! Where the feet are when a frame side cuts the box.
//!
//! A detector boxes only the part of a person it sees: someone half through the left or right
//! side of the frame gets a narrow box whose bottom centre is a quarter of a body width inside
//! the frame, not under the person. On a calibrated camera that puts their floor position too
//! far into the room, so a person still walking in through a door at the side counts before
//! they are in (and their position disagrees with the camera that sees them whole). A box
//! narrower than a whole person of its height, closer to a side than the missing width, is
//! taken to be cut there: its feet are half a whole width from its uncut side.
//!
//! A whole person's width is learned per camera from the boxes far from both sides, starting
//! at the pedestrian aspect 0.41 (width / height; the Caltech pedestrian benchmark's fixed
//! aspect, and the median of razz's boxes on PETS09-S2L1 is 0.415).
//!
//! A box much shorter than its track's usual height has lost its feet instead: they are put a
//! usual height below its top (`RoomFusion::anchor_short_boxes`).

use razz_core::BoxXywh;

use super::{Ob, RoomFusion};

/// A box shorter than this share of its track's usual height has lost its feet.
const SHORT_BOX: f32 = 0.8;
/// Boxes short for this long are the track's new height, seconds.
const SHORT_ACCEPT_S: f64 = 2.0;
/// A box taller than this share of its track's usual height is two people drawn as one, or a
/// bad fit: it does not teach the usual height.
const TALL_BOX: f32 = 1.25;
/// Boxes tall for this long are the track's new height (stood up), seconds.
const TALL_ACCEPT_S: f64 = 2.0;

/// A standing person's box width over height, before a camera has shown any.
pub(crate) const PERSON_ASPECT: f32 = 0.41;
/// How fast a camera's aspect follows its whole boxes (share per box).
const ASPECT_RATE: f32 = 0.02;
/// Learned aspects stay within these (a sitting or lying person is wider, a fragment narrower).
const ASPECT_RANGE: (f32, f32) = (0.25, 0.8);

/// The bottom centre of the person's whole box, pixels: `bbox.foot()` unless the box is
/// narrower than `aspect` x its height and closer to the left or right frame side than the
/// missing width (the nearer side when both are).
pub(crate) fn feet_px(bbox: &BoxXywh, frame_w_px: f32, aspect: f32) -> (f32, f32) {
    let (fx, fy) = bbox.foot();
    let whole_w_px = aspect * bbox.h;
    let missing_px = whole_w_px - bbox.w;
    if missing_px <= 0.0 || frame_w_px <= 0.0 {
        return (fx, fy);
    }
    let left_gap_px = bbox.x;
    let right_gap_px = frame_w_px - bbox.x2();
    if right_gap_px < missing_px && right_gap_px <= left_gap_px {
        (bbox.x + whole_w_px / 2.0, fy)
    } else if left_gap_px < missing_px {
        (bbox.x2() - whole_w_px / 2.0, fy)
    } else {
        (fx, fy)
    }
}

/// Moves a camera's learned aspect towards a box that is at least its own width from both
/// left and right sides (so not cut by them). Returns the new aspect.
pub(crate) fn learn_aspect(aspect: f32, bbox: &BoxXywh, frame_w_px: f32) -> f32 {
    let whole = bbox.x >= bbox.w && bbox.x2() <= frame_w_px - bbox.w;
    if !whole || bbox.h <= 0.0 {
        return aspect;
    }
    let a = aspect + ASPECT_RATE * (bbox.w / bbox.h - aspect);
    a.clamp(ASPECT_RANGE.0, ASPECT_RANGE.1)
}

impl RoomFusion {
    /// A box much shorter than its track's usual height has lost its feet (legs hidden by
    /// someone or something in front, or a fragment of a person): its feet are put a usual
    /// height below its top. A track short for `SHORT_ACCEPT_S` has changed (sat down, say).
    /// A box much taller than usual (`TALL_BOX`) keeps its own feet and teaches nothing, unless
    /// the track's boxes have been that tall for `TALL_ACCEPT_S`: the person grew (stood up).
    pub(super) fn anchor_short_boxes(&mut self, dt: f64, obs: &mut [Ob]) {
        for ob in obs.iter_mut() {
            let Some(link) = self.links.get_mut(&(ob.cam, ob.track)) else {
                continue;
            };
            let h = ob.bbox.h;
            if h < SHORT_BOX * link.height_px && link.short_s + dt < SHORT_ACCEPT_S {
                link.short_s += dt;
                link.tall_s = 0.0;
                if let Some(hm) = self.cameras[ob.cam].homography {
                    let w_px = self.frame_px[ob.cam].0 as f32;
                    let (fx, _) = feet_px(&ob.bbox, w_px, self.aspect[ob.cam]);
                    let fy = ob.bbox.y + link.height_px;
                    ob.foot_m = hm.apply([f64::from(fx), f64::from(fy)]);
                }
            } else if h > TALL_BOX * link.height_px && link.tall_s + dt < TALL_ACCEPT_S {
                // Not learned: a usual height raised by it would make the next whole boxes
                // look short, and put their feet below the person.
                link.short_s = 0.0;
                link.tall_s += dt;
            } else {
                let changed = h < SHORT_BOX * link.height_px || h > TALL_BOX * link.height_px;
                link.short_s = 0.0;
                link.tall_s = 0.0;
                link.height_px = if changed {
                    h
                } else {
                    0.7 * link.height_px + 0.3 * h
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_cut_by_the_right_side_has_its_feet_half_a_whole_width_from_its_left() {
        // PETS09-S2L1 frame 14: a person walking in at the right, 27 x 114 px, 8 px from the
        // side. Whole width 0.41 x 114 = 46.74, missing 19.74 > 8: feet at 733 + 23.37.
        let b = BoxXywh::new(733.0, 293.0, 27.0, 114.0);
        let (fx, fy) = feet_px(&b, 768.0, 0.41);
        assert!((fx - 756.37).abs() < 1e-3, "{fx}");
        assert_eq!(fy, 407.0);
        // Mirrored at the left side: feet at 35 - 23.37.
        let b = BoxXywh::new(8.0, 293.0, 27.0, 114.0);
        assert!((feet_px(&b, 768.0, 0.41).0 - 11.63).abs() < 1e-3);
    }

    #[test]
    fn whole_boxes_and_narrow_boxes_away_from_the_sides_keep_their_bottom_centre() {
        // Wide enough: 50 >= 0.41 x 114, even touching the side.
        let b = BoxXywh::new(718.0, 293.0, 50.0, 114.0);
        assert_eq!(feet_px(&b, 768.0, 0.41), b.foot());
        // Narrow (side view) but 21 px from the side, more than the 19.74 missing.
        let b = BoxXywh::new(720.0, 293.0, 27.0, 114.0);
        assert_eq!(feet_px(&b, 768.0, 0.41), b.foot());
        // Frame size not known yet.
        let b = BoxXywh::new(733.0, 293.0, 27.0, 114.0);
        assert_eq!(feet_px(&b, 0.0, 0.41), b.foot());
    }

    #[test]
    fn the_aspect_is_learned_from_whole_boxes_only() {
        // 40 x 80 = 0.5, far from both sides: 0.41 + 0.02 x 0.09 = 0.4118.
        let whole = BoxXywh::new(300.0, 100.0, 40.0, 80.0);
        assert!((learn_aspect(0.41, &whole, 768.0) - 0.4118).abs() < 1e-6);
        // Within its own width of a side: not learned from.
        let cut = BoxXywh::new(740.0, 100.0, 20.0, 80.0);
        assert_eq!(learn_aspect(0.41, &cut, 768.0), 0.41);
        // Bounded.
        let flat = BoxXywh::new(300.0, 100.0, 200.0, 10.0);
        assert_eq!(learn_aspect(0.79, &flat, 768.0), 0.8);
    }
}
