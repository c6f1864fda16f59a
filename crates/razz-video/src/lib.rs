//! Video input: any file or URL that the `ffmpeg` program opens, decoded by an ffmpeg child
//! process that writes raw BGR frames to a pipe (as Frigate does).
//!
//! Running the decoder as a child keeps codec crashes and leaks out of our process, lets us
//! kill a stuck stream, and supports every container and codec the system ffmpeg has. Each
//! frame comes with its index and timestamp; the child's stderr is kept (last lines only) so
//! errors say what ffmpeg said.

mod error;
mod probe;
mod source;

pub use error::VideoError;
pub use probe::{VideoInfo, probe};
pub use source::{Frame, Killer, OpenOptions, VideoSource};

/// True when `input` names a URL (`scheme://...`) rather than a local file.
pub fn is_url(input: &str) -> bool {
    input.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
    })
}
