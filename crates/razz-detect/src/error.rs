//! Errors of detection, each saying which model, backend or frame they concern.

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("model {model}: {message}")]
    Model { model: String, message: String },
    #[error(
        "ONNX Runtime library not found (looked in: {searched}); install it or choose backend = \"tract\""
    )]
    OrtLibraryMissing { searched: String },
    #[error("ONNX Runtime: {0}")]
    Ort(String),
    #[error("tract: {0}")]
    Tract(String),
    #[error("backend {0} was not compiled into this build")]
    BackendUnavailable(&'static str),
    #[error("model output: {0}")]
    Output(String),
    #[error("embedder: a box with no pixels inside the frame")]
    EmptyCrop,
    #[error("frame: {0}")]
    Frame(String),
    #[error("reading model {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}
