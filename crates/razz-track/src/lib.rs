//! Per-camera multi-object tracking: ByteTrack over a constant-velocity Kalman filter.
//!
//! Pure by design: no I/O, no clocks. The caller passes each frame's time in seconds, so the
//! same tracker runs on a 5 FPS live camera, a 30 FPS recording, or a detection file, and
//! tests can drive time by hand. Lost tracks are kept for a span of *seconds*, and the
//! memory of ended tracks is bounded (the reference implementation grows a removed-tracks
//! list forever).

mod bytetrack;
mod kalman;

pub use bytetrack::{ByteTracker, TrackState, TrackView, TrackerConfig};
pub use kalman::{BoxKalman, KalmanParams};
