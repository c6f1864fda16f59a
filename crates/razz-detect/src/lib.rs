//! Person detection: turns a BGR frame into person boxes with scores.
//!
//! Three model families are decoded: NanoDet (bundled, the default), CenterNet (bundled; can
//! run beside NanoDet, one box per person from both) and Ultralytics YOLOv8/YOLO11 exports
//! (`[1, 4 + classes, N]`, what the original system ran). Two inference
//! backends run them: ONNX Runtime loaded at run time (`ort`, `load-dynamic`; fastest) and
//! pure-Rust `tract` (no native library; the fallback). A [`Detector`] is synchronous and
//! owns its backend: callers put it on a thread of its own. The [`Embedder`] (bundled
//! MobileNetV2) turns person crops into appearance vectors the same way.

mod backend;
mod config;
mod decode;
mod detector;
mod embedder;
mod error;
mod preprocess;

pub use backend::{Backend, OutputTensor};
pub use config::{BackendChoice, Bundled, DetectorConfig, ModelFormat};
pub use decode::{decode_centernet, decode_nanodet, decode_yolo, merge_detectors, nms};
pub use detector::{
    BUNDLED_CENTERNET, BUNDLED_NANODET, CENTERNET_SCORE_OFFSET, Detector, InputSize, ort_available,
};
pub use embedder::{BUNDLED_EMBEDDER, EMBEDDING_DIM, Embedder};
pub use error::DetectError;
pub use preprocess::{ImageRef, InputSpec, Letterbox, preprocess};
