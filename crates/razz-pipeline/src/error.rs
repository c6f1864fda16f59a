//! Errors of the pipeline, naming the camera, frame or file they concern.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("config: {0}")]
    Config(String),
    #[error("{path}: {message}")]
    ConfigFile { path: PathBuf, message: String },
    #[error("camera {camera}: {source}")]
    Video {
        camera: String,
        source: razz_video::VideoError,
    },
    #[error("camera {camera}, frame {frame}: {source}")]
    Detect {
        camera: String,
        frame: u64,
        source: razz_detect::DetectError,
    },
    #[error("detector: {0}")]
    DetectorInit(#[from] razz_detect::DetectError),
    #[error("{path}: {source}")]
    Detections {
        path: PathBuf,
        source: razz_core::mot::MotError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("inference thread stopped")]
    InferenceStopped,
}
