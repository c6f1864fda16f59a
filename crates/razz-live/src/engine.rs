//! The engine: owns the supervisors and the scheduler, applies camera and room changes
//! while running (no restart), and hands out state to readers.

use std::collections::HashMap;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use razz_detect::{Detector, DetectorConfig, Embedder};
use razz_fusion::{FloorArea, FusionConfig, Homography};
use razz_track::TrackerConfig;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::error::LiveError;
use crate::metrics::EngineMetrics;
use crate::scheduler::{self, Command, Models, RoomChannels, RoomEntry, SchedCamera, SchedConfig};
use crate::slot::FrameSlot;
use crate::state::{CameraSnapshot, CameraStatus, RoomSnapshot, SharedCamera, SharedRoom};
use crate::supervisor::{self, Shared, Target};

#[derive(Clone, Debug, Default)]
pub struct EngineConfig {
    pub detector: DetectorConfig,
    pub tracker: TrackerConfig,
    pub fusion: FusionConfig,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RoomSpec {
    pub id: String,
    pub name: String,
    /// Only people inside count, when set. Changing it keeps the room's identities.
    pub floor_area: Option<FloorArea>,
}

/// A camera to run. `Debug` hides the password.
#[derive(Clone, PartialEq)]
pub struct CameraSpec {
    pub id: String,
    pub name: String,
    pub room_id: String,
    /// Stream URL without credentials (or a local file, played live in a loop).
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub enabled: bool,
    pub detect_fps: f64,
    /// Image to floor, when calibrated. Changing it does not restart the camera.
    pub homography: Option<Homography>,
}

impl std::fmt::Debug for CameraSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraSpec")
            .field("id", &self.id)
            .field("room_id", &self.room_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl CameraSpec {
    /// The URL ffmpeg connects to, with credentials, and the strings to scrub from messages.
    pub(crate) fn target(&self) -> Target {
        let mut secrets = Vec::new();
        let mut connect = self.url.clone();
        if let (Some(user), Ok(mut u)) = (&self.username, url::Url::parse(&self.url))
            && u.set_username(user).is_ok()
            && u.set_password(self.password.as_deref()).is_ok()
        {
            connect = u.to_string();
            secrets.push((connect.clone(), self.url.clone()));
            if let Some(p) = u.password() {
                secrets.push((p.to_owned(), "***".into()));
            }
        }
        if let Some(p) = self.password.as_deref().filter(|p| !p.is_empty()) {
            secrets.push((p.to_owned(), "***".into()));
        }
        Target {
            connect_url: connect,
            secrets,
        }
    }
}

/// Whether two specs differ at most in calibration.
fn same_stream(a: &CameraSpec, b: &CameraSpec) -> bool {
    CameraSpec {
        homography: None,
        ..a.clone()
    } == CameraSpec {
        homography: None,
        ..b.clone()
    }
}

struct Running {
    spec: CameraSpec,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    tx: watch::Sender<SharedCamera>,
}

/// The live engine. Dropping it without [`Engine::shutdown`] still stops every thread.
pub struct Engine {
    cancel: CancellationToken,
    metrics: EngineMetrics,
    commands: SyncSender<Command>,
    rooms: RoomChannels,
    cameras: Arc<Mutex<HashMap<String, Running>>>,
    scheduler: Mutex<Option<JoinHandle<()>>>,
    backend: &'static str,
}

impl Engine {
    /// Loads the detector and starts the scheduler. No camera runs until [`Engine::apply`].
    pub fn start(
        cfg: &EngineConfig,
        metrics: EngineMetrics,
        cancel: CancellationToken,
    ) -> Result<Self, LiveError> {
        let (commands, rx) = sync_channel(64);
        let rooms: RoomChannels = Arc::new(RwLock::new(HashMap::new()));
        let (r, m, c) = (Arc::clone(&rooms), metrics.clone(), cancel.clone());
        let sched_cfg = SchedConfig {
            tracker: cfg.tracker,
            fusion: cfg.fusion.clone(),
        };
        let embeds = cfg.fusion.embeddings;
        let detector_cfg = cfg.detector.clone();
        let (loaded_tx, loaded_rx) = sync_channel(1);
        // The detector is loaded on the scheduler thread after it lowered its priority, so
        // the inference threads ONNX Runtime creates inherit the lower priority too.
        let thread = std::thread::Builder::new()
            .name("razz-scheduler".into())
            .spawn(move || {
                crate::background_priority();
                let models = Detector::new(&detector_cfg).and_then(|detector| {
                    let embedder = if embeds {
                        Some(Embedder::new(&detector_cfg)?)
                    } else {
                        None
                    };
                    Ok(Models { detector, embedder })
                });
                match models {
                    Ok(models) => {
                        let _ = loaded_tx.send(Ok(models.detector.backend_name()));
                        scheduler::run(models, sched_cfg, rx, r, m, c);
                    }
                    Err(e) => {
                        let _ = loaded_tx.send(Err(e));
                    }
                }
            })
            .map_err(|source| LiveError::Thread {
                thread: "scheduler",
                source,
            })?;
        let backend = loaded_rx.recv().map_err(|_| LiveError::SchedulerDied)??;
        let cameras: Arc<Mutex<HashMap<String, Running>>> = Arc::new(Mutex::new(HashMap::new()));
        let (cams, c) = (Arc::clone(&cameras), cancel.clone());
        std::thread::Builder::new()
            .name("razz-watchdog".into())
            .spawn(move || watchdog(&cams, &c))
            .map_err(|source| LiveError::Thread {
                thread: "watchdog",
                source,
            })?;
        Ok(Self {
            cancel,
            metrics,
            commands,
            rooms,
            cameras,
            scheduler: Mutex::new(Some(thread)),
            backend,
        })
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Makes the running set match `rooms` and `cameras`: starts new or changed cameras,
    /// stops removed or disabled ones, leaves the others running untouched. Blocks for as
    /// long as stopping a camera takes (its decoder is killed, so well under a second).
    pub fn apply(&self, rooms: &[RoomSpec], cameras: &[CameraSpec]) {
        if let Ok(mut r) = self.rooms.write() {
            r.retain(|id, _| rooms.iter().any(|x| &x.id == id));
            for room in rooms {
                match r.get_mut(&room.id) {
                    Some(e) => {
                        e.name = room.name.clone();
                        e.floor_area = room.floor_area.clone();
                    }
                    None => {
                        let (tx, _) = watch::channel(Arc::new(RoomSnapshot {
                            room_id: room.id.clone(),
                            name: room.name.clone(),
                            ..Default::default()
                        }));
                        r.insert(
                            room.id.clone(),
                            RoomEntry {
                                name: room.name.clone(),
                                floor_area: room.floor_area.clone(),
                                tx,
                            },
                        );
                    }
                }
            }
        }
        let Ok(mut running) = self.cameras.lock() else {
            return;
        };
        let wanted: HashMap<&str, &CameraSpec> = cameras
            .iter()
            .filter(|c| c.enabled)
            .map(|c| (c.id.as_str(), c))
            .collect();
        // A new calibration alone is applied in place; any other change restarts the camera.
        for (id, r) in running.iter_mut() {
            if let Some(w) = wanted.get(id.as_str())
                && w.homography != r.spec.homography
                && same_stream(w, &r.spec)
            {
                r.spec.homography = w.homography;
                let _ = self
                    .commands
                    .send(Command::Calibrate(id.clone(), w.homography));
            }
        }
        let stale: Vec<String> = running
            .keys()
            .filter(|id| {
                wanted
                    .get(id.as_str())
                    .is_none_or(|w| **w != running[*id].spec)
            })
            .cloned()
            .collect();
        for id in stale {
            if let Some(mut r) = running.remove(&id) {
                let _ = self.commands.send(Command::Remove(id.clone()));
                supervisor::stop(&r.shared);
                if let Some(t) = r.thread.take() {
                    let _ = t.join();
                }
                tracing::info!(camera = %id, "camera stopped");
            }
        }
        for (id, spec) in wanted {
            if running.contains_key(id) {
                continue;
            }
            match self.start_camera(spec) {
                Ok(r) => {
                    running.insert(id.to_owned(), r);
                }
                Err(e) => tracing::error!(camera = %id, error = %e, "cannot start camera"),
            }
        }
    }

    fn start_camera(&self, spec: &CameraSpec) -> std::io::Result<Running> {
        let slot = Arc::new(FrameSlot::default());
        let status = Arc::new(Mutex::new(CameraStatus::default()));
        let shared = Arc::new(Shared {
            camera_id: spec.id.clone(),
            slot: Arc::clone(&slot),
            status: Arc::clone(&status),
            last_frame: Arc::new(Mutex::new(None)),
            jpeg_cache: Mutex::new(None),
            killer: Mutex::new(None),
            connected_ms: std::sync::atomic::AtomicI64::new(0),
            stall_window: Mutex::new(std::collections::VecDeque::new()),
            cancel: self.cancel.child_token(),
            metrics: self.metrics.clone(),
        });
        let (tx, _) = watch::channel(Arc::new(CameraSnapshot {
            camera_id: spec.id.clone(),
            room_id: spec.room_id.clone(),
            ..Default::default()
        }));
        let period = Duration::from_secs_f64(1.0 / spec.detect_fps.clamp(0.01, 1000.0));
        let cmd = Command::Add(SchedCamera {
            id: spec.id.clone(),
            name: spec.name.clone(),
            room_id: spec.room_id.clone(),
            period,
            slot,
            status,
            tx: tx.clone(),
            homography: spec.homography,
        });
        if self.commands.send(cmd).is_err() {
            return Err(std::io::Error::other("scheduler stopped"));
        }
        let thread = supervisor::spawn(Arc::clone(&shared), spec.target())?;
        Ok(Running {
            spec: spec.clone(),
            shared,
            thread: Some(thread),
            tx,
        })
    }

    /// Every room's latest snapshot, by id.
    pub fn rooms(&self) -> Vec<SharedRoom> {
        let mut v: Vec<SharedRoom> = self
            .rooms
            .read()
            .map(|r| r.values().map(|e| e.tx.borrow().clone()).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.room_id.cmp(&b.room_id));
        v
    }

    pub fn room(&self, id: &str) -> Option<watch::Receiver<SharedRoom>> {
        self.rooms.read().ok()?.get(id).map(|e| e.tx.subscribe())
    }

    pub fn camera(&self, id: &str) -> Option<watch::Receiver<SharedCamera>> {
        self.cameras.lock().ok()?.get(id).map(|r| r.tx.subscribe())
    }

    /// Status of a running camera; `None` if it is not running (disabled or unknown).
    pub fn camera_status(&self, id: &str) -> Option<CameraStatus> {
        let cams = self.cameras.lock().ok()?;
        let r = cams.get(id)?;
        r.shared.status.lock().ok().map(|s| s.clone())
    }

    /// The newest frame of a camera as JPEG if it arrived after `newer_than_ms`; `None` when
    /// the camera is not running, has no frame yet, or has none newer. CPU-bound (encodes at
    /// most once per frame, whatever the number of viewers): call off async workers.
    pub fn live_jpeg(&self, id: &str, newer_than_ms: i64) -> Option<crate::live::LiveFrame> {
        let shared = {
            let cams = self.cameras.lock().ok()?;
            Arc::clone(&cams.get(id)?.shared)
        };
        crate::live::newest_jpeg(&shared, newer_than_ms)
    }

    /// The newest frame of a camera as JPEG. CPU-bound: call off async workers.
    pub fn snapshot_jpeg(&self, id: &str) -> Option<Vec<u8>> {
        self.live_jpeg(id, i64::MIN).map(|f| f.jpeg.to_vec())
    }

    /// Stops every camera (decoders killed and reaped) and the scheduler, in that order.
    pub fn shutdown(&self) {
        self.cancel.cancel();
        if let Ok(mut cams) = self.cameras.lock() {
            for r in cams.values() {
                supervisor::stop(&r.shared);
            }
            for (_, mut r) in cams.drain() {
                if let Some(t) = r.thread.take() {
                    let _ = t.join();
                }
            }
        }
        if let Some(t) = self.scheduler.lock().ok().and_then(|mut s| s.take()) {
            let _ = t.join();
        }
    }
}

/// Once a second, kills streams that stalled (see [`supervisor::STALL_MS`]).
fn watchdog(cameras: &Mutex<HashMap<String, Running>>, cancel: &CancellationToken) {
    while !cancel.is_cancelled() {
        std::thread::sleep(Duration::from_millis(1000));
        let now = crate::now_ms();
        if let Ok(cams) = cameras.lock() {
            for r in cams.values() {
                supervisor::kill_if_stalled(&r.shared, now);
            }
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_into_the_connect_url_and_out_of_messages() {
        let spec = CameraSpec {
            id: "c".into(),
            name: "C".into(),
            room_id: "r".into(),
            url: "rtsp://127.0.0.1:8554/cam".into(),
            username: Some("admin".into()),
            password: Some("p@ss word".into()),
            enabled: true,
            detect_fps: 5.0,
            homography: None,
        };
        let t = spec.target();
        assert_eq!(
            t.connect_url,
            "rtsp://admin:p%40ss%20word@127.0.0.1:8554/cam"
        );
        let msg = format!("{}: 401 Unauthorized; password p@ss word", t.connect_url);
        let clean = t.redact(&msg);
        assert!(
            !clean.contains("p%40ss") && !clean.contains("p@ss"),
            "{clean}"
        );
        assert!(
            clean.starts_with("rtsp://127.0.0.1:8554/cam: 401"),
            "{clean}"
        );
        assert!(!format!("{spec:?}").contains("p@ss"));
    }
}
