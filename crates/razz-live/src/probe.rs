//! "Test connection": opens a camera's stream once, reads one frame, and says in plain words
//! what went wrong (wrong login, host unreachable, no such stream, no video) so an operator
//! can fix a camera before saving it. Blocking (it runs ffmpeg): call off async workers.

use std::time::{Duration, Instant};

use razz_video::{OpenOptions, VideoError, VideoSource};
use serde::Serialize;

use crate::engine::CameraSpec;

/// What went wrong, as a machine-readable kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// A frame was decoded.
    Ok,
    /// The camera refused the login (RTSP/HTTP 401 or 403).
    Auth,
    /// Nothing answered: refused, timed out, unknown host, no route.
    Unreachable,
    /// The server answered but has no such stream (404) or file.
    NotFound,
    /// Connected, but no video stream or no frame came.
    NoVideo,
    /// Anything else; the message says what.
    Error,
}

/// The outcome of a connection test.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProbeResult {
    pub ok: bool,
    pub kind: ProbeKind,
    /// One line for the operator, credentials removed.
    pub message: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fps: Option<f64>,
    pub elapsed_ms: u64,
}

/// Connects to `spec`'s stream and reads one frame, giving up after about `timeout`.
pub fn test_connection(spec: &CameraSpec, timeout: Duration) -> ProbeResult {
    let started = Instant::now();
    let target = spec.target();
    let opts = OpenOptions {
        io_timeout: Some(timeout),
        ..OpenOptions::default()
    };
    let outcome = VideoSource::open(&target.connect_url, &opts).and_then(|mut source| {
        let info = source.info().clone();
        // A stream that connects but never sends a frame: stop waiting at the deadline.
        let killer = source.killer();
        let watchdog = std::thread::spawn(move || {
            std::thread::sleep(timeout);
            killer.kill();
        });
        let frame = source.next_frame();
        drop(watchdog); // detached: it only kills a child that has finished anyway
        match frame {
            Ok(Some(f)) => Ok((f.width, f.height, info.fps)),
            Ok(None) => Err(VideoError::Empty {
                input: target.connect_url.clone(),
                detail: "the stream ended before its first frame".into(),
            }),
            Err(e) => Err(e),
        }
    });
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok((w, h, fps)) => ProbeResult {
            ok: true,
            kind: ProbeKind::Ok,
            message: format!("connected: {w}x{h} video"),
            width: Some(w),
            height: Some(h),
            fps,
            elapsed_ms,
        },
        Err(e) => {
            let text = match &e {
                VideoError::Probe { detail, .. } => detail.clone(),
                other => other.to_string(),
            };
            let detail = target.redact(text.trim());
            let kind = classify(&e, &detail);
            ProbeResult {
                ok: false,
                kind,
                message: format!("{}: {detail}", headline(kind)),
                width: None,
                height: None,
                fps: None,
                elapsed_ms,
            }
        }
    }
}

fn headline(kind: ProbeKind) -> &'static str {
    match kind {
        ProbeKind::Ok => "connected",
        ProbeKind::Auth => "login refused (check user name and password)",
        ProbeKind::Unreachable => "camera unreachable (check address, port and network)",
        ProbeKind::NotFound => "no such stream on the camera (check the path)",
        ProbeKind::NoVideo => "connected, but no video came",
        ProbeKind::Error => "cannot read the stream",
    }
}

/// Sorts an error into a kind, from its variant and ffmpeg's words.
fn classify(e: &VideoError, text: &str) -> ProbeKind {
    match e {
        VideoError::NotFound { .. } | VideoError::IsDirectory { .. } => {
            return ProbeKind::NotFound;
        }
        VideoError::NoVideoStream { .. }
        | VideoError::Empty { .. }
        | VideoError::Timeout { .. }
        | VideoError::Truncated { .. } => return ProbeKind::NoVideo,
        _ => {}
    }
    let t = text.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    // Status codes only as whole words: the text holds the URL, whose port may be 40181.
    let tokens: Vec<&str> = t.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let code = |codes: &[&str]| tokens.iter().any(|w| codes.contains(w));
    if code(&["401", "403"]) || any(&["unauthorized", "forbidden", "authorization"]) {
        ProbeKind::Auth
    } else if code(&["404"]) || any(&["not found", "no such file"]) {
        ProbeKind::NotFound
    } else if any(&[
        "connection refused",
        "timed out",
        "timeout",
        "no route to host",
        "network is unreachable",
        "name or service not known",
        "failed to resolve",
        "temporary failure in name resolution",
        "host is unreachable",
    ]) {
        ProbeKind::Unreachable
    } else if any(&["no video", "invalid data found"]) {
        ProbeKind::NoVideo
    } else {
        ProbeKind::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe_err(detail: &str) -> (VideoError, String) {
        let e = VideoError::Probe {
            input: "rtsp://cam/x".into(),
            detail: detail.into(),
        };
        let t = e.to_string();
        (e, t)
    }

    #[test]
    fn ffmpeg_messages_sort_into_kinds() {
        for (detail, kind) in [
            (
                "[rtsp] method DESCRIBE failed: 401 Unauthorized",
                ProbeKind::Auth,
            ),
            (
                "[rtsp] method DESCRIBE failed: 404 Not Found",
                ProbeKind::NotFound,
            ),
            (
                "rtsp://127.0.0.1:9/x: Connection refused",
                ProbeKind::Unreachable,
            ),
            ("Connection timed out", ProbeKind::Unreachable),
            (
                "Failed to resolve hostname nowhere.invalid",
                ProbeKind::Unreachable,
            ),
            (
                "Invalid data found when processing input",
                ProbeKind::NoVideo,
            ),
            ("something odd", ProbeKind::Error),
            // A port that holds a status code's digits is not that code (a CI run drew
            // port 40181 and called a missing mount a refused login).
            (
                "rtsp://127.0.0.1:40181/no-such-mount: Server returned 404 Not Found",
                ProbeKind::NotFound,
            ),
            (
                "rtsp://127.0.0.1:40412/cam: Connection refused",
                ProbeKind::Unreachable,
            ),
            (
                "Server returned 403 Forbidden (access denied)",
                ProbeKind::Auth,
            ),
        ] {
            let (e, t) = probe_err(detail);
            assert_eq!(classify(&e, &t), kind, "{detail}");
        }
        let e = VideoError::NoVideoStream {
            input: "a.wav".into(),
        };
        assert_eq!(classify(&e, &e.to_string()), ProbeKind::NoVideo);
    }

    #[test]
    fn a_missing_file_is_not_found_and_keeps_no_secret() {
        let spec = CameraSpec {
            id: "c".into(),
            name: "c".into(),
            room_id: "r".into(),
            url: "/nonexistent/razz-probe-test.mp4".into(),
            username: None,
            password: None,
            enabled: true,
            detect_fps: 5.0,
            homography: None,
        };
        let r = test_connection(&spec, Duration::from_secs(2));
        assert!(!r.ok);
        assert_eq!(r.kind, ProbeKind::NotFound, "{}", r.message);
    }
}
