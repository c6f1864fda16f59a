//! The detection scheduler: one thread that owns the detector and every camera's tracker.
//! Each camera is due at its own rate; the scheduler serves the camera whose turn is oldest
//! (earliest deadline first), always on that camera's newest frame. A slow detector thus
//! lowers every camera's effective rate evenly, and the frames it cannot serve are dropped in
//! the slots, never queued.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use razz_detect::{Detector, ImageRef};
use razz_track::{ByteTracker, TrackerConfig};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::metrics::EngineMetrics;
use crate::slot::FrameSlot;
use crate::state::{
    CameraSnapshot, CameraStatus, Person, RoomCamera, RoomSnapshot, SharedCamera, SharedRoom,
};

/// How often rooms are recomputed even without new frames (to notice offline cameras).
const ROOM_REFRESH: Duration = Duration::from_millis(500);
/// Longest idle sleep between checks.
const IDLE_POLL: Duration = Duration::from_millis(5);

/// A camera as the scheduler sees it.
pub struct SchedCamera {
    pub id: String,
    pub name: String,
    pub room_id: String,
    pub period: Duration,
    pub slot: Arc<FrameSlot>,
    pub status: Arc<Mutex<CameraStatus>>,
    pub tx: watch::Sender<SharedCamera>,
}

/// Changes the engine sends.
pub enum Command {
    Add(SchedCamera),
    Remove(String),
}

/// Per-room channels, shared with the engine (which creates them).
pub type RoomChannels = Arc<RwLock<HashMap<String, (String, watch::Sender<SharedRoom>)>>>;

struct Live {
    cam: SchedCamera,
    tracker: ByteTracker,
    next_due: Instant,
    seq: u64,
    last_people: Vec<Person>,
    online: bool,
    last_dropped: u64,
}

pub fn run(
    mut detector: Detector,
    tracker_cfg: TrackerConfig,
    commands: Receiver<Command>,
    rooms: RoomChannels,
    metrics: EngineMetrics,
    cancel: CancellationToken,
) {
    let epoch = Instant::now();
    let mut cams: Vec<Live> = Vec::new();
    let mut room_seq: HashMap<String, u64> = HashMap::new();
    let mut last_refresh = Instant::now();
    while !cancel.is_cancelled() {
        loop {
            match commands.try_recv() {
                Ok(Command::Add(cam)) => {
                    cams.retain(|c| c.cam.id != cam.id);
                    cams.push(Live {
                        cam,
                        tracker: ByteTracker::new(tracker_cfg),
                        next_due: Instant::now(),
                        seq: 0,
                        last_people: Vec::new(),
                        online: false,
                        last_dropped: 0,
                    });
                }
                Ok(Command::Remove(id)) => cams.retain(|c| c.cam.id != id),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let now = Instant::now();
        // Earliest deadline first among cameras with a frame waiting.
        let pick = cams
            .iter()
            .enumerate()
            .filter(|(_, c)| c.cam.slot.has_frame() && c.next_due <= now)
            .min_by_key(|(_, c)| c.next_due)
            .map(|(i, _)| i);
        let mut touched_room = None;
        if let Some(i) = pick {
            let c = &mut cams[i];
            if let Some(arrived) = c.cam.slot.take() {
                let f = &arrived.frame;
                let started = Instant::now();
                let result = ImageRef::new(f.width, f.height, &f.bgr)
                    .map_err(razz_detect::DetectError::Frame)
                    .and_then(|img| detector.detect(&img));
                metrics
                    .detector_latency_s
                    .observe(started.elapsed().as_secs_f64());
                metrics.detector_runs.with_label_values(&[&c.cam.id]).inc();
                c.next_due = (c.next_due + c.cam.period).max(now);
                match result {
                    Ok(dets) => {
                        let t = arrived.at.duration_since(epoch).as_secs_f64();
                        let views = c.tracker.update(t, &dets);
                        c.last_people = views
                            .iter()
                            .map(|v| Person::new(&c.cam.id, v.id, &v.bbox, v.score))
                            .collect();
                        c.seq += 1;
                        c.cam.tx.send_replace(Arc::new(CameraSnapshot {
                            seq: c.seq,
                            camera_id: c.cam.id.clone(),
                            room_id: c.cam.room_id.clone(),
                            count: c.last_people.len(),
                            people: c.last_people.clone(),
                            frame_ts_ms: arrived.at_ms,
                            width: f.width,
                            height: f.height,
                        }));
                        let dropped = c.cam.slot.dropped();
                        metrics
                            .frames_dropped
                            .with_label_values(&[&c.cam.id])
                            .inc_by(dropped.saturating_sub(c.last_dropped));
                        c.last_dropped = dropped;
                        if let Ok(mut s) = c.cam.status.lock() {
                            s.frames_detected += 1;
                            s.frames_dropped = dropped;
                        }
                    }
                    Err(e) => tracing::warn!(camera = %c.cam.id, error = %e, "detection failed"),
                }
                touched_room = Some(c.cam.room_id.clone());
            }
        }
        // Cameras that went offline lose their people; rooms are refreshed periodically.
        let mut changed_offline = false;
        for c in &mut cams {
            let online = c.cam.status.lock().is_ok_and(|s| s.online);
            if online != c.online {
                c.online = online;
                changed_offline = true;
                if !online {
                    c.last_people.clear();
                    c.tracker = ByteTracker::new(tracker_cfg);
                }
            }
        }
        if changed_offline || last_refresh.elapsed() >= ROOM_REFRESH {
            publish_rooms(&cams, &rooms, &mut room_seq, None);
            last_refresh = Instant::now();
        } else if let Some(room) = touched_room {
            publish_rooms(&cams, &rooms, &mut room_seq, Some(&room));
        }
        if pick.is_none() {
            let wait = cams
                .iter()
                .filter(|c| c.cam.slot.has_frame())
                .map(|c| c.next_due.saturating_duration_since(Instant::now()))
                .min()
                .unwrap_or(IDLE_POLL);
            std::thread::sleep(wait.min(IDLE_POLL));
        }
    }
}

/// Recomputes and publishes rooms (all, or one), skipping unchanged ones.
fn publish_rooms(
    cams: &[Live],
    rooms: &RoomChannels,
    seqs: &mut HashMap<String, u64>,
    only: Option<&str>,
) {
    let Ok(rooms) = rooms.read() else { return };
    for (room_id, (name, tx)) in rooms.iter() {
        if only.is_some_and(|o| o != room_id) {
            continue;
        }
        let members: Vec<&Live> = cams.iter().filter(|c| &c.cam.room_id == room_id).collect();
        let people: Vec<Person> = members
            .iter()
            .flat_map(|c| c.last_people.iter().cloned())
            .collect();
        let cameras: Vec<RoomCamera> = members
            .iter()
            .map(|c| RoomCamera {
                camera_id: c.cam.id.clone(),
                name: c.cam.name.clone(),
                count: c.last_people.len(),
                online: c.online,
            })
            .collect();
        let offline: Vec<String> = cameras
            .iter()
            .filter(|c| !c.online)
            .map(|c| c.camera_id.clone())
            .collect();
        let prev = tx.borrow().clone();
        let same = prev.count == people.len()
            && prev.people == people
            && prev.cameras == cameras
            && prev.name == *name;
        if same && prev.seq > 0 {
            continue;
        }
        let seq = seqs.entry(room_id.clone()).or_insert(0);
        *seq += 1;
        tx.send_replace(Arc::new(RoomSnapshot {
            seq: *seq,
            room_id: room_id.clone(),
            name: name.clone(),
            count: people.len(),
            cameras,
            people,
            updated_at_ms: crate::now_ms(),
            degraded: !offline.is_empty(),
            offline_cameras: offline,
        }));
    }
}
