//! The detection scheduler: one thread that owns the detector and every camera's tracker.
//! Each camera is due at its own rate; the scheduler serves the camera whose turn is oldest
//! (earliest deadline first), always on that camera's newest frame. A slow detector thus
//! lowers every camera's effective rate evenly, and the frames it cannot serve are dropped in
//! the slots, never queued. After each detection the camera's tracks that are due get an
//! appearance embedding (bounded per update; while other cameras wait past their turn, only
//! first and ambiguous ones), and the camera's room is fused again.

use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use razz_core::BoxXywh;
use razz_detect::{Detector, Embedder, ImageRef};
use razz_fusion::{FloorArea, FusionConfig, Homography, TrackGalleries};
use razz_track::{ByteTracker, TrackView, TrackerConfig};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::fuse::{CamInput, Fused, Fusions};
use crate::metrics::EngineMetrics;
use crate::rate::{RunRate, starved};
use crate::slot::FrameSlot;
use crate::state::{
    CameraSnapshot, CameraStatus, Person, RoomCamera, RoomSnapshot, SharedCamera, SharedRoom,
};

/// What the scheduler thread owns besides the cameras.
pub struct Models {
    pub detector: Detector,
    /// Present when fusion uses appearance.
    pub embedder: Option<Embedder>,
}

/// How often rooms are recomputed even without new frames (to notice offline cameras).
const ROOM_REFRESH: Duration = Duration::from_millis(500);
/// Longest idle sleep between checks.
const IDLE_POLL: Duration = Duration::from_millis(5);
/// How far past a camera's last detector run room fusion predicts its tracks (a stream that
/// stalls is not walked on for the seconds its watchdog takes).
const MAX_PREDICT_S: f64 = 1.0;

/// A camera as the scheduler sees it.
pub struct SchedCamera {
    pub id: String,
    pub name: String,
    pub room_id: String,
    pub period: Duration,
    pub slot: Arc<FrameSlot>,
    pub status: Arc<Mutex<CameraStatus>>,
    pub tx: watch::Sender<SharedCamera>,
    /// Image to floor, when calibrated.
    pub homography: Option<Homography>,
}

/// Changes the engine sends.
pub enum Command {
    Add(SchedCamera),
    Remove(String),
    /// New floor calibration for a running camera (no restart).
    Calibrate(String, Option<Homography>),
}

/// A room as the scheduler needs it: its settings and the channel its snapshots go to.
pub struct RoomEntry {
    pub name: String,
    pub floor_area: Option<FloorArea>,
    pub tx: watch::Sender<SharedRoom>,
}

/// Per-room channels, shared with the engine (which creates them).
pub type RoomChannels = Arc<RwLock<HashMap<String, RoomEntry>>>;

struct Live {
    cam: SchedCamera,
    tracker: ByteTracker,
    next_due: Instant,
    seq: u64,
    /// Tracks of the latest detection.
    views: Vec<TrackView>,
    /// When that detection's frame arrived, in seconds on the scheduler's clock.
    updated_s: f64,
    galleries: Option<TrackGalleries>,
    urgent: HashSet<u64>,
    frame_px: (u32, u32),
    frame_ts_ms: i64,
    /// Track id -> global id, from the latest fusion of the room.
    global_ids: HashMap<u64, u64>,
    online: bool,
    last_dropped: u64,
    /// How often its detector actually runs.
    rate: RunRate,
    /// Flagged as starved (see `rate`); kept to log each change once.
    starved: bool,
}

/// Settings the scheduler thread needs.
pub struct SchedConfig {
    pub tracker: TrackerConfig,
    pub fusion: FusionConfig,
}

pub fn run(
    mut models: Models,
    cfg: SchedConfig,
    commands: Receiver<Command>,
    rooms: RoomChannels,
    metrics: EngineMetrics,
    cancel: CancellationToken,
) {
    let epoch = Instant::now();
    let tracker_cfg = cfg.tracker;
    let policy = cfg.fusion.embed_policy();
    let mut fusions = Fusions::new(cfg.fusion);
    let mut cams: Vec<Live> = Vec::new();
    let mut room_seq: HashMap<String, u64> = HashMap::new();
    let mut last_refresh = Instant::now();
    while !cancel.is_cancelled() {
        loop {
            match commands.try_recv() {
                Ok(Command::Add(cam)) => {
                    // A changed camera starts tracking again, but its ids go on (see
                    // `ByteTracker::restart`).
                    let tracker = match cams.iter().position(|c| c.cam.id == cam.id) {
                        Some(i) => {
                            let mut old = cams.remove(i).tracker;
                            old.restart();
                            old
                        }
                        None => ByteTracker::new(tracker_cfg),
                    };
                    cams.push(Live {
                        cam,
                        tracker,
                        next_due: Instant::now(),
                        seq: 0,
                        views: Vec::new(),
                        updated_s: 0.0,
                        galleries: models
                            .embedder
                            .is_some()
                            .then(|| TrackGalleries::new(policy)),
                        urgent: HashSet::new(),
                        frame_px: (0, 0),
                        frame_ts_ms: 0,
                        global_ids: HashMap::new(),
                        online: false,
                        last_dropped: 0,
                        rate: RunRate::default(),
                        starved: false,
                    });
                }
                Ok(Command::Remove(id)) => cams.retain(|c| c.cam.id != id),
                Ok(Command::Calibrate(id, h)) => {
                    for c in cams.iter_mut().filter(|c| c.cam.id == id) {
                        c.cam.homography = h;
                    }
                }
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
            // Other cameras already waiting past their turn: the detector is the bottleneck,
            // so this update embeds only what fusion cannot do without.
            let behind = cams
                .iter()
                .enumerate()
                .any(|(j, o)| j != i && o.cam.slot.has_frame() && o.next_due <= now);
            let c = &mut cams[i];
            if let Some(arrived) = c.cam.slot.take() {
                let f = &arrived.frame;
                let started = Instant::now();
                let result = ImageRef::new(f.width, f.height, &f.bgr)
                    .map_err(razz_detect::DetectError::Frame)
                    .and_then(|img| models.detector.detect(&img));
                metrics
                    .detector_latency_s
                    .observe(started.elapsed().as_secs_f64());
                metrics.detector_runs.with_label_values(&[&c.cam.id]).inc();
                c.next_due = (c.next_due + c.cam.period).max(now);
                match result {
                    Ok(dets) => {
                        c.rate.run(epoch.elapsed().as_secs_f64());
                        let t = arrived.at.duration_since(epoch).as_secs_f64();
                        // Which frame ran when: what a live run's counts depend on
                        // (RAZZ_LOG=razz_live::scheduler=debug).
                        tracing::debug!(
                            camera = %c.cam.id,
                            frame = f.index,
                            arrived_s = t,
                            since_last_s = t - c.updated_s,
                            waited_ms = started.duration_since(arrived.at).as_secs_f64() * 1e3,
                            detect_ms = started.elapsed().as_secs_f64() * 1e3,
                            behind,
                            detections = dets.len(),
                            "detector run"
                        );
                        c.tracker.set_frame_px(f.width, f.height);
                        let birth = birth_area(&rooms, &c.cam.room_id, c.cam.homography);
                        c.views = c.tracker.update_in_area(t, &dets, &|b| {
                            birth.as_ref().is_some_and(|(h, a)| a.holds_feet(h, b))
                        });
                        c.updated_s = t;
                        c.frame_px = (f.width, f.height);
                        c.frame_ts_ms = arrived.at_ms;
                        if let Some(e) = models.embedder.as_mut() {
                            embed_due(c, e, &f.bgr, t, behind, &metrics);
                        }
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
                        touched_room = Some((c.cam.room_id.clone(), i));
                    }
                    Err(e) => tracing::warn!(camera = %c.cam.id, error = %e, "detection failed"),
                }
            }
        }
        // Cameras that went offline lose their people; rooms are refreshed periodically.
        // A camera whose detector runs too seldom is flagged too (see `rate`).
        let mut changed_flags = false;
        let t_s = epoch.elapsed().as_secs_f64();
        for c in &mut cams {
            let (online, frames_per_s) = c
                .cam
                .status
                .lock()
                .map_or((false, 0.0), |s| (s.online, s.fps));
            if online != c.online {
                c.online = online;
                changed_flags = true;
                if online {
                    c.rate.restart(t_s);
                } else {
                    c.rate.stop();
                    c.views.clear();
                    // Ids go on: fusion still links the old ones until they expire.
                    c.tracker.restart();
                    if let Some(g) = &mut c.galleries {
                        g.retain(|_| false);
                    }
                }
            }
            c.rate.roll(t_s);
            let set_per_s = 1.0 / c.cam.period.as_secs_f64().max(1e-3);
            let runs = c.rate.per_s();
            let was = c.starved;
            let now_starved =
                c.online && runs.is_some_and(|r| starved(r, set_per_s, frames_per_s, was));
            if now_starved != c.starved {
                c.starved = now_starved;
                changed_flags = true;
                let runs_per_s = runs.unwrap_or(0.0);
                if now_starved {
                    tracing::warn!(camera = %c.cam.id, runs_per_s, set_per_s, frames_per_s, "detector too slow for this camera: its room is flagged degraded");
                } else {
                    tracing::info!(camera = %c.cam.id, runs_per_s, "detector keeps up with this camera again");
                }
            }
        }
        if changed_flags || last_refresh.elapsed() >= ROOM_REFRESH {
            publish_rooms(&mut cams, &rooms, &mut room_seq, &mut fusions, None, t_s);
            last_refresh = Instant::now();
        } else if let Some((room, _)) = &touched_room {
            publish_rooms(
                &mut cams,
                &rooms,
                &mut room_seq,
                &mut fusions,
                Some(room),
                t_s,
            );
        }
        if let Some((_, i)) = touched_room {
            publish_camera(&mut cams[i]);
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

/// Embeds the camera's due tracks (new, ambiguous, or by interval; poor crops skipped) and
/// frees the galleries of tracks its tracker forgot. When the scheduler is `behind`, the
/// interval refreshes wait: detection comes first; a track's first embedding and the
/// ambiguous ones (which fusion asked for) still run.
fn embed_due(
    c: &mut Live,
    embedder: &mut Embedder,
    bgr: &[u8],
    t_s: f64,
    behind: bool,
    metrics: &EngineMetrics,
) {
    let Some(galleries) = &mut c.galleries else {
        return;
    };
    let mut due = galleries.due_views(t_s, &c.views, &c.urgent, c.frame_px);
    if behind {
        keep_essential(&mut due, galleries, &c.urgent);
    }
    let (w, h) = c.frame_px;
    if !due.is_empty() {
        let crops: Vec<_> = due.iter().map(|d| d.1).collect();
        let started = Instant::now();
        let result = ImageRef::new(w, h, bgr)
            .map_err(razz_detect::DetectError::Frame)
            .and_then(|img| embedder.embed(&img, &crops));
        metrics
            .embedder_latency_s
            .observe(started.elapsed().as_secs_f64());
        match result {
            Ok(es) => {
                metrics
                    .embeddings
                    .with_label_values(&[&c.cam.id])
                    .inc_by(es.len() as u64);
                for (&(track, _), e) in due.iter().zip(es) {
                    galleries.add(track, t_s, e);
                }
            }
            Err(e) => tracing::warn!(camera = %c.cam.id, error = %e, "embedding failed"),
        }
    }
    galleries.apply_swaps(&mut c.tracker, &mut c.views);
    galleries.forget_ended(&c.tracker);
}

/// A tracker last updated at `updated_s`, predicted to `t_s` but no further than
/// `MAX_PREDICT_S` past its update (nor before it).
fn predicted(tracker: &ByteTracker, updated_s: f64, t_s: f64) -> Vec<TrackView> {
    tracker.predict(t_s.min(updated_s + MAX_PREDICT_S).max(updated_s))
}

/// Keeps the embeddings fusion cannot do without: a track's first, and ambiguous tracks'.
/// (Samples that would decide whether two crossing tracks swapped people wait: a crossing
/// left undecided is dropped, as if it had not been seen.)
fn keep_essential(
    due: &mut Vec<(u64, BoxXywh)>,
    galleries: &TrackGalleries,
    urgent: &HashSet<u64>,
) {
    due.retain(|(track, _)| galleries.get(*track).is_none() || urgent.contains(track));
}

/// Sends a camera's latest tracks, each with the global id fusion gave it.
fn publish_camera(c: &mut Live) {
    c.seq += 1;
    let people: Vec<Person> = c
        .views
        .iter()
        .map(|v| {
            let mut p = Person::new(&c.cam.id, v.id, &v.bbox, v.score);
            p.global_id = c.global_ids.get(&v.id).copied();
            p
        })
        .collect();
    c.cam.tx.send_replace(Arc::new(CameraSnapshot {
        seq: c.seq,
        camera_id: c.cam.id.clone(),
        room_id: c.cam.room_id.clone(),
        count: people.len(),
        people,
        frame_ts_ms: c.frame_ts_ms,
        width: c.frame_px.0,
        height: c.frame_px.1,
    }));
}

/// Where a camera's boxes start tracks at the tracker's `area_new_track_score`: its room's
/// floor area as it is now (set or cleared over the API), seen through the camera's
/// calibration. `None` when the camera is not calibrated (without a copy of the area) or the
/// room has no area.
fn birth_area(
    rooms: &RoomChannels,
    room_id: &str,
    homography: Option<Homography>,
) -> Option<(Homography, FloorArea)> {
    let h = homography?;
    let rooms = rooms.read().ok()?;
    Some((h, rooms.get(room_id)?.floor_area.clone()?))
}

/// Fuses and publishes rooms (all, or one), skipping unchanged ones.
fn publish_rooms(
    cams: &mut [Live],
    rooms: &RoomChannels,
    seqs: &mut HashMap<String, u64>,
    fusions: &mut Fusions,
    only: Option<&str>,
    t_s: f64,
) {
    let Ok(rooms) = rooms.read() else { return };
    fusions.retain(|id| rooms.contains_key(id));
    for (room_id, entry) in rooms.iter() {
        let (name, tx) = (&entry.name, &entry.tx);
        if only.is_some_and(|o| o != room_id) {
            continue;
        }
        let idx: Vec<usize> = (0..cams.len())
            .filter(|&i| &cams[i].cam.room_id == room_id)
            .collect();
        let now: Vec<Vec<TrackView>> = idx
            .iter()
            .map(|&i| predicted(&cams[i].tracker, cams[i].updated_s, t_s))
            .collect();
        let inputs: Vec<CamInput<'_>> = idx
            .iter()
            .zip(&now)
            .map(|(&i, now)| {
                let c = &cams[i];
                CamInput {
                    id: &c.cam.id,
                    online: c.online,
                    frame_px: c.frame_px,
                    views: now,
                    measured: &c.views,
                    galleries: c.galleries.as_ref(),
                    homography: c.cam.homography,
                }
            })
            .collect();
        let Fused {
            people,
            mut global_ids,
            mut looks,
        } = fusions.fuse(room_id, &inputs, entry.floor_area.as_ref(), t_s);
        drop(inputs);
        for &i in &idx {
            let c = &mut cams[i];
            let ask = looks.remove(&c.cam.id).unwrap_or_default();
            c.urgent = ask.apply(c.galleries.as_mut());
            c.global_ids = global_ids.remove(&c.cam.id).unwrap_or_default();
        }
        let cameras: Vec<RoomCamera> = idx
            .iter()
            .map(|&i| {
                let c = &cams[i];
                RoomCamera {
                    camera_id: c.cam.id.clone(),
                    name: c.cam.name.clone(),
                    count: c.views.len(),
                    online: c.online,
                    starved: c.starved,
                    calibrated: c.cam.homography.is_some(),
                }
            })
            .collect();
        let offline: Vec<String> = cameras
            .iter()
            .filter(|c| !c.online)
            .map(|c| c.camera_id.clone())
            .collect();
        let starved: Vec<String> = cameras
            .iter()
            .filter(|c| c.starved)
            .map(|c| c.camera_id.clone())
            .collect();
        let calibrated: Vec<(&str, bool)> = cameras
            .iter()
            .map(|c| (c.camera_id.as_str(), c.calibrated))
            .collect();
        let uncalibrated = razz_fusion::uncalibrated_cameras(&calibrated);
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
            degraded: !offline.is_empty() || !starved.is_empty(),
            offline_cameras: offline,
            starved_cameras: starved,
            uncalibrated_cameras: uncalibrated,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use razz_fusion::EmbedPolicy;

    #[test]
    fn births_use_the_rooms_current_area_through_the_cameras_calibration() {
        let (tx, _rx) = watch::channel(SharedRoom::default());
        let rooms: RoomChannels = Arc::new(RwLock::new(HashMap::from([(
            "hall".to_string(),
            RoomEntry {
                name: "Hall".into(),
                floor_area: None,
                tx,
            },
        )])));
        // 100 pixels per metre; the area is the floor square 1..3 m x 1..3 m.
        let h = Homography::from_matrix([0.01, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0, 1.0])
            .expect("matrix");
        let area =
            FloorArea::new(vec![[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]]).expect("area");
        // Feet at (200, 200) px = (2, 2) m, inside; at (400, 200) px = (4, 2) m, outside.
        let inside = BoxXywh::new(180.0, 100.0, 40.0, 100.0);
        let outside = BoxXywh::new(380.0, 100.0, 40.0, 100.0);
        assert!(birth_area(&rooms, "hall", Some(h)).is_none(), "no area yet");
        rooms
            .write()
            .expect("lock")
            .get_mut("hall")
            .expect("room")
            .floor_area = Some(area);
        let (bh, ba) = birth_area(&rooms, "hall", Some(h)).expect("area set since");
        assert!(ba.holds_feet(&bh, &inside));
        assert!(!ba.holds_feet(&bh, &outside));
        assert!(birth_area(&rooms, "hall", None).is_none(), "uncalibrated");
        assert!(
            birth_area(&rooms, "yard", Some(h)).is_none(),
            "unknown room"
        );
    }

    #[test]
    fn fusion_sees_a_camera_predicted_to_its_time_but_not_far_past_its_last_run() {
        let mut t = ByteTracker::new(TrackerConfig::default());
        let det = |x: f32| razz_core::Detection::new(BoxXywh::new(x, 100.0, 40.0, 100.0), 0.9);
        // Walking right at 100 px/s, detected every 0.2 s until 1.8 s (x = 280).
        for k in 0..10 {
            t.update(0.2 * f64::from(k), &[det(100.0 + 20.0 * k as f32)]);
        }
        let x_at = |t_s: f64| predicted(&t, 1.8, t_s)[0].bbox.x;
        // Before and at its last run: the measured box.
        assert!((x_at(1.8) - 280.0).abs() < 0.5, "{}", x_at(1.8));
        assert!((x_at(1.7) - 280.0).abs() < 0.5, "{}", x_at(1.7));
        // 0.1 s later, 10 px on.
        assert!((x_at(1.9) - 290.0).abs() < 2.0, "{}", x_at(1.9));
        // A stalled stream: 1 s on (380 px) at most.
        assert!((x_at(9.0) - 380.0).abs() < 5.0, "{}", x_at(9.0));
        assert!((x_at(9.0) - x_at(2.8)).abs() < 1e-3);
    }

    #[test]
    fn behind_only_first_and_ambiguous_embeddings_run() {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        g.add(1, 0.0, vec![1.0, 0.0]);
        g.add(3, 0.0, vec![0.0, 1.0]);
        let b = BoxXywh::new(10.0, 10.0, 40.0, 100.0);
        // 2: never embedded; 3: embedded and ambiguous; 1: embedded, refresh due.
        let mut due = vec![(2, b), (3, b), (1, b)];
        keep_essential(&mut due, &g, &HashSet::from([3]));
        let kept: Vec<u64> = due.iter().map(|d| d.0).collect();
        assert_eq!(kept, vec![2, 3]);
    }
}
