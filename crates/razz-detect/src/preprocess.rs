//! Frame to model input: bilinear resize (plain or letterboxed), channel order, per-channel
//! normalisation, NCHW float layout; and the inverse mapping for boxes.

use razz_core::BoxXywh;

/// A borrowed packed BGR image (3 bytes per pixel).
#[derive(Clone, Copy, Debug)]
pub struct ImageRef<'a> {
    pub width: u32,
    pub height: u32,
    pub bgr: &'a [u8],
}

impl<'a> ImageRef<'a> {
    /// Checks that the buffer holds `width * height * 3` bytes.
    pub fn new(width: u32, height: u32, bgr: &'a [u8]) -> Result<Self, String> {
        if width == 0 || height == 0 {
            return Err(format!("empty image {width}x{height}"));
        }
        let want = width as usize * height as usize * 3;
        if bgr.len() != want {
            return Err(format!(
                "{width}x{height} BGR image needs {want} bytes, got {}",
                bgr.len()
            ));
        }
        Ok(Self { width, height, bgr })
    }
}

/// What a model wants as input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputSpec {
    pub width: u32,
    pub height: u32,
    /// Feed RGB instead of BGR.
    pub rgb: bool,
    /// `(pixel - mean[c]) / std[c]`, in the channel order fed.
    pub mean: [f32; 3],
    pub std: [f32; 3],
    /// Keep the aspect ratio and pad with `pad_value` (YOLO) instead of stretching (NanoDet).
    pub letterbox: bool,
    pub pad_value: u8,
}

/// How input coordinates map back to the frame: `frame = (input - pad) / scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Letterbox {
    pub scale_x: f32,
    pub scale_y: f32,
    pub pad_x: f32,
    pub pad_y: f32,
}

impl Letterbox {
    pub fn to_frame(&self, b: &BoxXywh) -> BoxXywh {
        BoxXywh::new(
            (b.x - self.pad_x) / self.scale_x,
            (b.y - self.pad_y) / self.scale_y,
            b.w / self.scale_x,
            b.h / self.scale_y,
        )
    }
}

/// Fills `out` (resized to `3 * width * height`) with the model input for `img`.
pub fn preprocess(img: &ImageRef<'_>, spec: &InputSpec, out: &mut Vec<f32>) -> Letterbox {
    let (dw, dh) = (spec.width as usize, spec.height as usize);
    let (sw, sh) = (img.width as usize, img.height as usize);
    let (lb, rw, rh) = if spec.letterbox {
        let s = (dw as f32 / sw as f32).min(dh as f32 / sh as f32);
        let (rw, rh) = (
            ((sw as f32 * s).round() as usize).clamp(1, dw),
            ((sh as f32 * s).round() as usize).clamp(1, dh),
        );
        let (px, py) = ((dw - rw) / 2, (dh - rh) / 2);
        (
            Letterbox {
                scale_x: rw as f32 / sw as f32,
                scale_y: rh as f32 / sh as f32,
                pad_x: px as f32,
                pad_y: py as f32,
            },
            rw,
            rh,
        )
    } else {
        (
            Letterbox {
                scale_x: dw as f32 / sw as f32,
                scale_y: dh as f32 / sh as f32,
                pad_x: 0.0,
                pad_y: 0.0,
            },
            dw,
            dh,
        )
    };
    let plane = dw * dh;
    out.clear();
    out.resize(3 * plane, 0.0);
    // Channel c of the input reads BGR byte src_c.
    let src_c: [usize; 3] = if spec.rgb { [2, 1, 0] } else { [0, 1, 2] };
    let norm = |c: usize, v: f32| (v - spec.mean[c]) / spec.std[c];
    let pad: [f32; 3] = std::array::from_fn(|c| norm(c, f32::from(spec.pad_value)));
    for (c, p) in pad.iter().enumerate() {
        out[c * plane..(c + 1) * plane].fill(*p);
    }
    // Bilinear taps, half-pixel centres (as OpenCV's INTER_LINEAR).
    let taps = |dst: usize, src: usize| -> Vec<(usize, usize, f32)> {
        let scale = src as f32 / dst as f32;
        (0..dst)
            .map(|d| {
                let s = ((d as f32 + 0.5) * scale - 0.5).max(0.0);
                let i0 = (s.floor() as usize).min(src - 1);
                let i1 = (i0 + 1).min(src - 1);
                (i0, i1, s - i0 as f32)
            })
            .collect()
    };
    let (xt, yt) = (taps(rw, sw), taps(rh, sh));
    let (ox, oy) = (lb.pad_x as usize, lb.pad_y as usize);
    let px = |x: usize, y: usize, c: usize| f32::from(img.bgr[(y * sw + x) * 3 + c]);
    for (ry, &(y0, y1, fy)) in yt.iter().enumerate() {
        for (rx, &(x0, x1, fx)) in xt.iter().enumerate() {
            let o = (ry + oy) * dw + rx + ox;
            for (c, &sc) in src_c.iter().enumerate() {
                let top = px(x0, y0, sc) * (1.0 - fx) + px(x1, y0, sc) * fx;
                let bot = px(x0, y1, sc) * (1.0 - fx) + px(x1, y1, sc) * fx;
                out[c * plane + o] = norm(c, top * (1.0 - fy) + bot * fy);
            }
        }
    }
    lb
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(w: u32, h: u32, letterbox: bool, rgb: bool) -> InputSpec {
        InputSpec {
            width: w,
            height: h,
            rgb,
            mean: [0.0; 3],
            std: [1.0; 3],
            letterbox,
            pad_value: 114,
        }
    }

    #[test]
    fn identity_size_copies_and_reorders_channels() {
        // 2x1 image: pixel 0 = (B1, G2, R3), pixel 1 = (B4, G5, R6).
        let bgr = [1u8, 2, 3, 4, 5, 6];
        let img = ImageRef::new(2, 1, &bgr).expect("image");
        let mut out = Vec::new();
        preprocess(&img, &spec(2, 1, false, false), &mut out);
        assert_eq!(out, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        preprocess(&img, &spec(2, 1, false, true), &mut out);
        assert_eq!(out, vec![3.0, 6.0, 2.0, 5.0, 1.0, 4.0]);
    }

    #[test]
    fn bilinear_upscale_hand_checked() {
        // 2x1 grey ramp 0 -> 100 upscaled to 4x1. Half-pixel centres: src x = 0.5·d - 0.25,
        // clamped at 0: d0 -> 0 (0), d1 -> 0.25 (25), d2 -> 0.75 (75), d3 -> 1.25 -> clamps (100).
        let bgr = [0u8, 0, 0, 100, 100, 100];
        let img = ImageRef::new(2, 1, &bgr).expect("image");
        let mut out = Vec::new();
        preprocess(&img, &spec(4, 1, false, false), &mut out);
        assert_eq!(&out[0..4], &[0.0, 25.0, 75.0, 100.0]);
    }

    #[test]
    fn normalises_per_channel() {
        let bgr = [10u8, 20, 30];
        let img = ImageRef::new(1, 1, &bgr).expect("image");
        let s = InputSpec {
            mean: [10.0, 10.0, 10.0],
            std: [1.0, 2.0, 4.0],
            ..spec(1, 1, false, false)
        };
        let mut out = Vec::new();
        preprocess(&img, &s, &mut out);
        assert_eq!(out, vec![0.0, 5.0, 5.0]);
    }

    #[test]
    fn letterbox_pads_and_maps_back() {
        // 4x2 image into 4x4: scale 1, 1 row of padding above and below.
        let bgr = vec![200u8; 4 * 2 * 3];
        let img = ImageRef::new(4, 2, &bgr).expect("image");
        let mut out = Vec::new();
        let lb = preprocess(&img, &spec(4, 4, true, true), &mut out);
        assert_eq!(
            lb,
            Letterbox {
                scale_x: 1.0,
                scale_y: 1.0,
                pad_x: 0.0,
                pad_y: 1.0
            }
        );
        assert_eq!(&out[0..4], &[114.0; 4]);
        assert_eq!(&out[4..12], &[200.0; 8]);
        assert_eq!(&out[12..16], &[114.0; 4]);
        let b = lb.to_frame(&BoxXywh::new(1.0, 1.0, 2.0, 2.0));
        assert_eq!(b, BoxXywh::new(1.0, 0.0, 2.0, 2.0));
    }

    #[test]
    fn rejects_wrong_buffer_size() {
        assert!(ImageRef::new(2, 2, &[0u8; 11]).is_err());
        assert!(ImageRef::new(0, 2, &[]).is_err());
    }
}
