//! Detector settings, as they appear in razz's config file under `[detector]`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Which inference engine runs the model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// ONNX Runtime when its library is found, else tract.
    #[default]
    Auto,
    Ort,
    Tract,
}

impl std::str::FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "ort" => Ok(Self::Ort),
            "tract" => Ok(Self::Tract),
            _ => Err(format!(
                "unknown backend {s:?} (expected auto, ort or tract)"
            )),
        }
    }
}

/// How the model's outputs are laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelFormat {
    /// NanoDet as bundled: per level, `[1, N, 80]` scores and `[1, N, 44]` box bins.
    #[default]
    Nanodet,
    /// Ultralytics YOLOv8/YOLO11 ONNX export: `[1, 4 + classes, N]`, COCO classes.
    Yolo,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectorConfig {
    /// An ONNX file; unset means the bundled NanoDet 416.
    pub model: Option<PathBuf>,
    pub format: ModelFormat,
    pub backend: BackendChoice,
    /// Minimum person score kept.
    pub score_threshold: f32,
    /// Boxes overlapping a better one by more than this IoU are dropped.
    pub nms_iou: f32,
    /// Inference threads (intra-op for ONNX Runtime, matmul pool for tract).
    pub threads: usize,
    /// Path of `libonnxruntime.so`; unset: `ORT_DYLIB_PATH`, then standard places.
    pub onnxruntime_library: Option<PathBuf>,
    /// At most this many boxes per frame, best first.
    pub max_detections: usize,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            model: None,
            format: ModelFormat::Nanodet,
            backend: BackendChoice::Auto,
            score_threshold: 0.3,
            nms_iou: 0.5,
            threads: 2,
            onnxruntime_library: None,
            max_detections: 300,
        }
    }
}
