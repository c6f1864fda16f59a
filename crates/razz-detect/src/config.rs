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
    /// CenterNet as bundled: one `[1, N, 6]` output of `x1, y1, x2, y2` in input pixels,
    /// score, COCO class; RGB input in 0..255. Scores are raised by `CENTERNET_SCORE_OFFSET`
    /// (0.15) to match NanoDet's scale.
    Centernet,
}

/// Which of the bundled detectors run when `model` is unset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bundled {
    /// NanoDet at 416x416 (or `input_size_px` / `input_long_side_px`).
    #[default]
    Nanodet,
    /// CenterNet (MobileNetV3) at 512x512.
    Centernet,
    /// Both on every frame; a person either finds is kept, one box per person.
    Both,
}

impl std::str::FromStr for Bundled {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "nanodet" => Ok(Self::Nanodet),
            "centernet" => Ok(Self::Centernet),
            "both" => Ok(Self::Both),
            _ => Err(format!(
                "unknown bundled detector {s:?} (expected nanodet, centernet or both)"
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectorConfig {
    /// An ONNX file; unset means the bundled detector(s) that `bundled` names.
    pub model: Option<PathBuf>,
    /// Layout of `model`'s outputs (the bundled models know their own).
    pub format: ModelFormat,
    /// Which bundled detector(s) run when `model` is unset.
    pub bundled: Bundled,
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
    /// Model input `[width, height]` in pixels, multiples of 32; every frame is stretched
    /// to it. Unset (and no `input_long_side_px`): the model's own size if it has one, else
    /// 416x416 for NanoDet and 640x640 for YOLO. Only a model whose input size is free (the
    /// bundled NanoDet) can run at another size than its own; with `bundled = "both"` the
    /// size is NanoDet's, and CenterNet stays at its 512x512.
    pub input_size_px: Option<[u32; 2]>,
    /// Instead of a fixed size: each frame at its own aspect ratio, the longer side this many
    /// pixels (a multiple of 32), the shorter one rounded to a multiple of 32.
    pub input_long_side_px: Option<u32>,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            model: None,
            format: ModelFormat::Nanodet,
            bundled: Bundled::Nanodet,
            backend: BackendChoice::Auto,
            score_threshold: 0.3,
            nms_iou: 0.5,
            threads: 2,
            onnxruntime_library: None,
            max_detections: 300,
            input_size_px: None,
            input_long_side_px: None,
        }
    }
}

impl DetectorConfig {
    /// Checks what serde cannot: an input size that the models' strides divide.
    pub fn validate(&self) -> Result<(), String> {
        if self.model.is_some() && self.bundled != Bundled::Nanodet {
            return Err(
                "detector: bundled chooses among the bundled models; with model set it has no say"
                    .to_owned(),
            );
        }
        let ok = |v: u32| (32..=4096).contains(&v) && v.is_multiple_of(32);
        if let Some(v) = self.input_long_side_px {
            if !ok(v) {
                return Err(format!(
                    "detector.input_long_side_px {v}: must be a multiple of 32 between 32 and 4096"
                ));
            }
            if self.input_size_px.is_some() {
                return Err(
                    "detector: set input_size_px or input_long_side_px, not both".to_owned(),
                );
            }
        }
        if let Some([w, h]) = self.input_size_px
            && (!ok(w) || !ok(h))
        {
            return Err(format!(
                "detector.input_size_px [{w}, {h}]: each side must be a multiple of 32 between 32 and 4096"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::DetectorConfig;

    #[test]
    fn input_sizes_must_suit_the_strides() {
        let with = |size: Option<[u32; 2]>, long: Option<u32>| DetectorConfig {
            input_size_px: size,
            input_long_side_px: long,
            ..DetectorConfig::default()
        };
        assert!(with(None, None).validate().is_ok());
        assert!(with(Some([640, 480]), None).validate().is_ok());
        assert!(with(None, Some(640)).validate().is_ok());
        let err = with(Some([500, 400]), None)
            .validate()
            .expect_err("invalid");
        assert!(err.contains("multiple of 32"), "{err}");
        assert!(with(Some([0, 416]), None).validate().is_err());
        assert!(with(None, Some(650)).validate().is_err());
        let err = with(Some([640, 480]), Some(640))
            .validate()
            .expect_err("invalid");
        assert!(err.contains("not both"), "{err}");
        // Your own model and a bundled choice other than the default contradict each other.
        let mixed = DetectorConfig {
            model: Some("own.onnx".into()),
            bundled: super::Bundled::Both,
            ..DetectorConfig::default()
        };
        assert!(mixed.validate().expect_err("mixed").contains("bundled"));
    }
}
