//! The live engine behind `razz serve`.
//!
//! - one **supervisor thread per camera** ([`supervisor`]): runs ffmpeg on the stream,
//!   reconnects with exponential backoff capped at 30 s, keeps only the latest frame
//!   ([`slot`]), and reports status; a failing camera never touches another;
//! - one **scheduler thread** ([`scheduler`]) owns the detector and the per-camera trackers,
//!   and serves cameras earliest-deadline-first at their configured rates; when it cannot keep
//!   up, frames are overwritten in their slots and counted as dropped, never queued;
//! - **state** ([`state`]): per room and per camera, the newest snapshot in a `watch` channel
//!   with a sequence number, so a slow reader skips ahead and knows how many it missed.
//!
//! No async runtime thread ever blocks on video or inference: all of it runs on the threads
//! above. Stopping is one `CancellationToken`.

pub mod engine;
pub mod error;
mod fuse;
pub mod live;
pub mod metrics;
pub mod probe;
pub mod rate;
pub mod scheduler;
pub mod slot;
pub mod state;
pub mod supervisor;

pub use engine::{CameraSpec, Engine, EngineConfig, RoomSpec};
pub use error::LiveError;
pub use metrics::EngineMetrics;
pub use state::{CameraSnapshot, CameraStatus, Member, Person, RoomPerson, RoomSnapshot};

/// Lowers the calling thread's priority (nice 19 on Linux; children it spawns inherit it).
/// Video and inference are throughput work: they must yield the CPU to the HTTP workers,
/// whose latency users feel, on small machines where they share two cores.
pub(crate) fn background_priority() {
    if let Err(e) =
        thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min)
    {
        tracing::debug!(error = ?e, "cannot lower thread priority");
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
