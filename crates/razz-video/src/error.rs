//! Errors of video input, each naming the input and, where it has one, the frame.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("{input}: no such file")]
    NotFound { input: String },
    #[error("{input}: is a directory, not a video")]
    IsDirectory { input: String },
    #[error("cannot run {program}: {source} (install ffmpeg: apt-get install ffmpeg)")]
    Spawn {
        program: &'static str,
        source: std::io::Error,
    },
    #[error("{input}: not a readable video: {detail}")]
    Probe { input: String, detail: String },
    #[error("{input}: contains no video stream")]
    NoVideoStream { input: String },
    #[error("{input}: unsupported video size {width}x{height}")]
    BadSize {
        input: String,
        width: u32,
        height: u32,
    },
    #[error("{input}: decoding failed after frame {frame}: {detail}")]
    Decode {
        input: String,
        frame: u64,
        detail: String,
    },
    #[error("{input}: truncated: decoding stopped at frame {frame} of {expected}{detail}")]
    Truncated {
        input: String,
        frame: u64,
        expected: u64,
        detail: String,
    },
    #[error("{input}: no frame decoded: {detail}")]
    Empty { input: String, detail: String },
    #[error("{input}: no frame within {timeout:?}")]
    Timeout { input: String, timeout: Duration },
    #[error("{input}: reading frames: {source}")]
    Io {
        input: String,
        source: std::io::Error,
    },
}
