//! Stream facts (size, frame rate, frame count) from `ffprobe`.

use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::VideoError;
use crate::is_url;

/// What `ffprobe` says of the first video stream.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoInfo {
    pub width: u32,
    pub height: u32,
    /// Frames per second from the container (average rate, else nominal rate).
    pub fps: Option<f64>,
    /// Number of frames when the container records it.
    pub frame_count: Option<u64>,
}

#[derive(Deserialize)]
struct ProbeOut {
    #[serde(default)]
    streams: Vec<ProbeStream>,
}

#[derive(Deserialize)]
struct ProbeStream {
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    nb_frames: Option<String>,
}

/// Probes `input` (a path or URL). Local paths are checked first so a missing file gives a
/// plain message rather than ffprobe's.
pub fn probe(input: &str, extra_args: &[String]) -> Result<VideoInfo, VideoError> {
    check_local(input)?;
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(extra_args)
        .args([
            "-show_entries",
            "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames",
            "-of",
            "json",
            "--",
            input,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|source| VideoError::Spawn {
            program: "ffprobe",
            source,
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(VideoError::Probe {
            input: input.to_owned(),
            detail: last_line(&stderr, "ffprobe failed"),
        });
    }
    let parsed: ProbeOut = serde_json::from_slice(&out.stdout).map_err(|e| VideoError::Probe {
        input: input.to_owned(),
        detail: format!("unexpected ffprobe output: {e}"),
    })?;
    let Some(s) = parsed.streams.into_iter().next() else {
        return Err(VideoError::NoVideoStream {
            input: input.to_owned(),
        });
    };
    let (width, height) = (s.width.unwrap_or(0), s.height.unwrap_or(0));
    if width == 0 || height == 0 || width > 16384 || height > 16384 {
        return Err(VideoError::BadSize {
            input: input.to_owned(),
            width,
            height,
        });
    }
    let fps = s
        .avg_frame_rate
        .as_deref()
        .and_then(parse_rate)
        .or_else(|| s.r_frame_rate.as_deref().and_then(parse_rate));
    let frame_count = s
        .nb_frames
        .as_deref()
        .and_then(|n| n.parse().ok())
        .filter(|&n: &u64| n > 0);
    Ok(VideoInfo {
        width,
        height,
        fps,
        frame_count,
    })
}

pub(crate) fn check_local(input: &str) -> Result<(), VideoError> {
    if is_url(input) {
        return Ok(());
    }
    let p = std::path::Path::new(input);
    if p.is_dir() {
        return Err(VideoError::IsDirectory {
            input: input.to_owned(),
        });
    }
    if !p.exists() {
        return Err(VideoError::NotFound {
            input: input.to_owned(),
        });
    }
    Ok(())
}

/// `"30000/1001"` -> 29.97; `None` for `0/0` and nonsense.
fn parse_rate(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/').unwrap_or((s, "1"));
    let (n, d): (f64, f64) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
    let r = n / d;
    (r.is_finite() && r > 0.0 && r < 1000.0).then_some(r)
}

/// The last non-empty line of ffmpeg's stderr, or `fallback`.
pub(crate) fn last_line(stderr: &str, fallback: &str) -> String {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(fallback)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("10/1"), Some(10.0));
        assert!((parse_rate("30000/1001").expect("ntsc") - 29.97).abs() < 0.01);
        assert_eq!(parse_rate("0/0"), None);
        assert_eq!(parse_rate("25"), Some(25.0));
        assert_eq!(parse_rate("x"), None);
    }

    #[test]
    fn last_line_skips_blanks() {
        assert_eq!(last_line("a\nb: bad\n\n", "f"), "b: bad");
        assert_eq!(last_line("", "f"), "f");
    }
}
