//! What the engine publishes: per camera its status and latest tracks, per room its count
//! and people. Snapshots are immutable and shared (`Arc`); each carries a sequence number so
//! readers that skip ahead can tell how many updates they missed.

use std::sync::Arc;

use razz_core::BoxXywh;
use serde::Serialize;

/// One track of one camera as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub camera_id: String,
    pub track_id: u64,
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    pub score: f32,
    /// The room-level identity this track belongs to (same person, same id, every camera).
    pub global_id: Option<u64>,
}

impl Person {
    pub fn new(camera_id: &str, track_id: u64, b: &BoxXywh, score: f32) -> Self {
        Self {
            camera_id: camera_id.to_owned(),
            track_id,
            bbox: [b.x, b.y, b.w, b.h],
            score,
            global_id: None,
        }
    }
}

/// A member track of a room person: which camera, which track, where.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub camera_id: String,
    pub track_id: u64,
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// Seen in the camera's latest detection (false: remembered through an occlusion).
    pub seen: bool,
}

/// One de-duplicated person of a room. `camera_id`, `track_id`, `box` and `score` repeat the
/// first member's, as the original system's clients read them.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoomPerson {
    /// Global id, stable while the person stays in the room.
    pub id: u64,
    pub camera_id: String,
    pub track_id: u64,
    #[serde(rename = "box")]
    pub bbox: [f32; 4],
    /// Same as `confidence`.
    pub score: f32,
    /// 0..1: detector score, lowered by weak cross-camera links and by time unseen.
    pub confidence: f32,
    /// Seen by some camera now; false while held through a short occlusion.
    pub seen: bool,
    pub members: Vec<Member>,
    /// Feet on the floor, metres, when a member camera is calibrated.
    pub floor_m: Option<[f64; 2]>,
}

/// A camera's connection state and counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CameraStatus {
    pub online: bool,
    /// Frames received per second (smoothed).
    pub fps: f64,
    pub last_frame_ms: Option<i64>,
    /// The last error, with any credentials removed.
    pub last_error: Option<String>,
    pub reconnects: u64,
    pub decode_errors: u64,
    pub frames_received: u64,
    pub frames_detected: u64,
    /// Frames that arrived while the detector was busy or not yet due, and were skipped.
    pub frames_dropped: u64,
}

/// A camera's latest tracking result.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CameraSnapshot {
    pub seq: u64,
    pub camera_id: String,
    pub room_id: String,
    pub count: usize,
    pub people: Vec<Person>,
    /// Wall-clock time of the frame these boxes belong to (ms since the epoch).
    pub frame_ts_ms: i64,
    pub width: u32,
    pub height: u32,
}

/// Per camera inside a room snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoomCamera {
    pub camera_id: String,
    pub name: String,
    pub count: usize,
    pub online: bool,
    /// Its detector ran under half the rate it could have over a 5 s window (the machine
    /// cannot keep up), and has not since reached 0.6 of it: its tracks break up and its count
    /// is not to be trusted (see `rate`).
    pub starved: bool,
    /// It has a floor calibration (image to floor homography).
    pub calibrated: bool,
}

/// A room's current occupancy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoomSnapshot {
    pub seq: u64,
    pub room_id: String,
    pub name: String,
    pub count: usize,
    pub cameras: Vec<RoomCamera>,
    /// De-duplicated people with their member tracks (provenance).
    pub people: Vec<RoomPerson>,
    /// When the count was last computed (ms since the epoch).
    pub updated_at_ms: i64,
    /// True when a camera of the room is offline (the count may be low: people only that
    /// camera sees are missing) or starved (its detector runs too seldom to track people), so
    /// it is flagged instead of silently counting wrong.
    pub degraded: bool,
    /// The offline cameras.
    pub offline_cameras: Vec<String>,
    /// The online cameras whose detector is starved.
    pub starved_cameras: Vec<String>,
    /// In a room of more than one camera, those without a floor calibration (empty in a
    /// room of one). Their people are linked to the other cameras' by look alone, which the
    /// bundled embedder does too weakly, so a person two of its cameras see may be counted
    /// twice: the count is not de-duplicated there. Not a fault of the moment, so not
    /// `degraded`.
    pub uncalibrated_cameras: Vec<String>,
}

pub type SharedRoom = Arc<RoomSnapshot>;
pub type SharedCamera = Arc<CameraSnapshot>;
