//! Shared vocabulary of razz: the types every pipeline stage speaks (boxes, detections),
//! the MOTChallenge text format used for detections, tracks and ground truth, and the
//! optimal assignment solver used by both the tracker and the metrics.
//!
//! Nothing here does I/O except the MOTChallenge reader and writer, which take
//! `Read`/`Write` values from their caller.

pub mod assign;
pub mod geom;
pub mod mot;
pub mod rng;
pub mod testdata;

pub use geom::{BoxXywh, Detection};
