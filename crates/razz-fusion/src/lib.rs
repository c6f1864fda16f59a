//! Room fusion: one room's cameras' tracks in, global identities and a de-duplicated count
//! out. Two tracks of the same person seen by two cameras are one identity; a person who
//! walks from one camera's view into another's keeps one identity; a person hidden for a
//! moment still counts.
//!
//! Pure, like the tracker: no I/O and no clock, time is an argument, so the same code runs
//! offline on recordings (`razz analyze`) and live (`razz serve`), and is benchmarked alone.
//!
//! - [`homography`]: floor calibration (image pixels to metres);
//! - [`area`]: a room's floor area, outside which people are not counted;
//! - [`gallery`]: which tracks to embed and when, and each track's appearance gallery;
//! - [`crossing`]: two tracks of one camera that swapped people while crossing;
//! - [`room`]: the fusion itself;
//! - [`baseline`]: the naive sum and the original system's rule, for comparison.

pub mod area;
pub mod baseline;
pub mod config;
pub mod crossing;
pub mod error;
pub mod gallery;
pub mod homography;
pub mod room;
mod stats;
mod tracks;

#[cfg(test)]
mod room_tests;

pub use area::FloorArea;
pub use config::{FusionConfig, PairConfig};
pub use error::FusionError;
pub use gallery::{EmbedPolicy, Gallery, TrackBox, TrackGalleries};
pub use homography::{Calibration, Homography};
pub use room::{
    CameraObs, CameraSetup, Member, Person, RoomFusion, RoomUpdate, TrackObs, uncalibrated_cameras,
};
pub use tracks::LookRequests;
