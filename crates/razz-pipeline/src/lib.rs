//! The configuration of razz and the offline analysis pipeline built from its stages:
//! video in (`razz-video`) -> detection on a dedicated inference thread (`razz-detect`) ->
//! per-camera tracking (`razz-track`) -> per-camera MOTChallenge files and per-room lines.
//!
//! The live service reuses the same config, inference worker and trackers.

pub mod analyze;
pub mod config;
mod error;
mod feed;
pub mod inference;
mod rooms;
pub mod sys;

pub use analyze::{AnalyzeOptions, AnalyzeReport, analyze};
pub use config::Config;
pub use error::PipelineError;
