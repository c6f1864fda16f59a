//! What can stop the live engine from starting. Once it runs, a camera's failures are that
//! camera's status (see `supervisor`), not errors: one camera never stops the others.

use razz_detect::DetectError;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The detector or the embedder could not be loaded.
    #[error("loading the models: {0}")]
    Models(#[from] DetectError),
    #[error("cannot start the {thread} thread: {source}")]
    Thread {
        thread: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("the scheduler thread stopped while loading the models")]
    SchedulerDied,
}
