//! One supervisor per camera, on a named thread with a tracing span: `run` loops over
//! `run_once` (connect, then read frames into the latest-frame slot) with exponential backoff
//! capped at 30 s. Errors become the camera's status, with credentials removed; they never
//! reach another camera.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use razz_video::{Killer, OpenOptions, VideoSource};
use tokio_util::sync::CancellationToken;

use crate::metrics::EngineMetrics;
use crate::slot::{Arrived, FrameSlot};
use crate::state::CameraStatus;

const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A connection that lasted this long resets the backoff.
const HEALTHY_AFTER: Duration = Duration::from_secs(30);
/// A stream silent this long is dropped and reconnected.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Everything a supervisor thread shares with the engine.
pub struct Shared {
    pub camera_id: String,
    pub slot: Arc<FrameSlot>,
    pub status: Arc<Mutex<CameraStatus>>,
    /// The newest frame and its arrival time, for snapshots and live video (kept apart from
    /// the slot, which the scheduler empties).
    pub last_frame: Arc<Mutex<Option<Arrived>>>,
    /// The newest frame encoded as JPEG, shared by every viewer (see [`crate::live`]).
    pub jpeg_cache: Mutex<Option<crate::live::LiveFrame>>,
    pub killer: Mutex<Option<Killer>>,
    /// When the current connection was opened (ms since the epoch), 0 when not connected.
    pub connected_ms: std::sync::atomic::AtomicI64,
    /// The watchdog's samples of `(time ms, frames received)`.
    pub stall_window: Mutex<std::collections::VecDeque<(i64, u64)>>,
    pub cancel: CancellationToken,
    pub metrics: EngineMetrics,
}

/// How to reach the stream. `Debug` hides the connect URL (it may hold credentials).
pub struct Target {
    /// URL with credentials, given to ffmpeg only.
    pub connect_url: String,
    /// Strings to scrub from any message: the connect URL and the password.
    pub secrets: Vec<(String, String)>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Target(<redacted>)")
    }
}

impl Target {
    /// Removes every secret from `msg`.
    pub fn redact(&self, msg: &str) -> String {
        let mut out = msg.to_owned();
        for (secret, replacement) in &self.secrets {
            if !secret.is_empty() {
                out = out.replace(secret.as_str(), replacement);
            }
        }
        out
    }
}

/// Starts the supervisor thread of one camera.
pub fn spawn(shared: Arc<Shared>, target: Target) -> std::io::Result<JoinHandle<()>> {
    let name = format!("camera-{}", shared.camera_id);
    std::thread::Builder::new().name(name).spawn(move || {
        crate::background_priority();
        let span = tracing::info_span!("camera", id = %shared.camera_id);
        let _g = span.enter();
        run(&shared, &target);
    })
}

fn run(shared: &Shared, target: &Target) {
    let mut backoff = BACKOFF_START;
    let mut first = true;
    while !shared.cancel.is_cancelled() {
        if !first {
            update(shared, |s| s.reconnects += 1);
            shared
                .metrics
                .reconnects
                .with_label_values(&[&shared.camera_id])
                .inc();
        }
        first = false;
        let started = Instant::now();
        let result = run_once(shared, target);
        set_offline(shared);
        if shared.cancel.is_cancelled() {
            break;
        }
        let msg = match result {
            Ok(()) => "stream ended".to_owned(),
            Err(e) => target.redact(&e),
        };
        tracing::warn!(error = %msg, "camera stream lost; retrying in {:?}", backoff);
        update(shared, |s| {
            s.last_error = Some(msg);
            s.decode_errors += 1;
        });
        shared
            .metrics
            .decode_errors
            .with_label_values(&[&shared.camera_id])
            .inc();
        if started.elapsed() >= HEALTHY_AFTER {
            backoff = BACKOFF_START;
        }
        sleep_unless_cancelled(&shared.cancel, backoff);
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
    set_offline(shared);
    tracing::info!("camera supervisor stopped");
}

/// One connection: open the stream and move frames into the slot until it fails or we stop.
fn run_once(shared: &Shared, target: &Target) -> Result<(), String> {
    let opts = OpenOptions {
        io_timeout: Some(IO_TIMEOUT),
        live_file: true,
        ..OpenOptions::default()
    };
    let mut source = VideoSource::open(&target.connect_url, &opts).map_err(|e| e.to_string())?;
    if let Ok(mut k) = shared.killer.lock() {
        *k = Some(source.killer());
    }
    shared
        .connected_ms
        .store(crate::now_ms(), std::sync::atomic::Ordering::Relaxed);
    if shared.cancel.is_cancelled() {
        return Ok(());
    }
    tracing::info!(
        width = source.info().width,
        height = source.info().height,
        "camera connected"
    );
    let mut last: Option<Instant> = None;
    loop {
        let frame = match source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(()),
            Err(e) => {
                return if shared.cancel.is_cancelled() {
                    Ok(())
                } else {
                    Err(e.to_string())
                };
            }
        };
        if shared.cancel.is_cancelled() {
            return Ok(());
        }
        let now = Instant::now();
        let at_ms = crate::now_ms();
        let arrived = Arrived {
            frame: Arc::new(frame),
            at: now,
            at_ms,
        };
        if let Ok(mut l) = shared.last_frame.lock() {
            *l = Some(arrived.clone());
        }
        shared.slot.put(arrived);
        let inst_fps = last.map(|l| 1.0 / now.duration_since(l).as_secs_f64().max(1e-3));
        last = Some(now);
        update(shared, |s| {
            if !s.online {
                s.last_error = None;
            }
            s.online = true;
            s.frames_received += 1;
            s.last_frame_ms = Some(at_ms);
            if let Some(f) = inst_fps {
                s.fps = if s.fps == 0.0 {
                    f
                } else {
                    0.9 * s.fps + 0.1 * f
                };
            }
        });
        shared
            .metrics
            .camera_online
            .with_label_values(&[&shared.camera_id])
            .set(1);
    }
}

fn set_offline(shared: &Shared) {
    update(shared, |s| {
        s.online = false;
        s.fps = 0.0;
    });
    shared
        .metrics
        .camera_online
        .with_label_values(&[&shared.camera_id])
        .set(0);
    shared
        .connected_ms
        .store(0, std::sync::atomic::Ordering::Relaxed);
    if let Ok(mut k) = shared.killer.lock() {
        *k = None;
    }
}

fn update(shared: &Shared, f: impl FnOnce(&mut CameraStatus)) {
    if let Ok(mut s) = shared.status.lock() {
        f(&mut s);
    }
}

fn sleep_unless_cancelled(cancel: &CancellationToken, total: Duration) {
    let end = Instant::now() + total;
    while !cancel.is_cancelled() {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// The watchdog's window: a connected stream that delivered fewer than
/// `STALL_MIN_FRAMES` frames in this long is killed and reconnected. A frozen camera keeps
/// its connection open, ffmpeg's own timeout takes ~20 s, and ffmpeg may still emit a frame
/// every few seconds meanwhile, so "no frame at all" would never fire. Cameras are assumed
/// to send at least 1 frame per second.
pub const STALL_WINDOW_MS: i64 = 10_000;
pub const STALL_MIN_FRAMES: u64 = 10;

/// Kills the decoder if the stream is connected but stalled; returns whether it did.
/// Call about once a second.
pub fn kill_if_stalled(shared: &Shared, now_ms: i64) -> bool {
    let connected = shared
        .connected_ms
        .load(std::sync::atomic::Ordering::Relaxed);
    let frames = shared.status.lock().map_or(0, |s| s.frames_received);
    let Ok(mut window) = shared.stall_window.lock() else {
        return false;
    };
    if connected == 0 {
        window.clear();
        return false;
    }
    window.push_back((now_ms, frames));
    while window
        .front()
        .is_some_and(|(t, _)| now_ms - t > STALL_WINDOW_MS)
    {
        window.pop_front();
    }
    let Some(&(oldest_ms, oldest_frames)) = window.front() else {
        return false;
    };
    // Judge only a full window that lies wholly inside this connection.
    if now_ms - oldest_ms < STALL_WINDOW_MS - 1500
        || oldest_ms < connected
        || frames - oldest_frames >= STALL_MIN_FRAMES
    {
        return false;
    }
    window.clear();
    if let Ok(k) = shared.killer.lock()
        && let Some(k) = k.as_ref()
    {
        tracing::warn!(camera = %shared.camera_id, frames = frames - oldest_frames, "stream stalled; reconnecting");
        k.kill();
        return true;
    }
    false
}

/// Stops a supervisor: cancels it and kills its decoder so a blocked read ends now.
pub fn stop(shared: &Shared) {
    shared.cancel.cancel();
    if let Ok(k) = shared.killer.lock()
        && let Some(k) = k.as_ref()
    {
        k.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_url_and_password() {
        let t = Target {
            connect_url: "rtsp://admin:p%40ss@10.0.0.1/s".into(),
            secrets: vec![
                (
                    "rtsp://admin:p%40ss@10.0.0.1/s".into(),
                    "rtsp://10.0.0.1/s".into(),
                ),
                ("p%40ss".into(), "***".into()),
                ("p@ss".into(), "***".into()),
            ],
        };
        let msg = "rtsp://admin:p%40ss@10.0.0.1/s: 401 Unauthorized (tried p@ss)";
        assert_eq!(
            t.redact(msg),
            "rtsp://10.0.0.1/s: 401 Unauthorized (tried ***)"
        );
        assert_eq!(format!("{t:?}"), "Target(<redacted>)");
    }
}
