//! The latest-frame slot: the ingest writes, the scheduler takes; a frame not taken before
//! the next one arrives is dropped and counted. This is the original system's one-frame
//! buffer, made explicit.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use razz_video::Frame;

/// A decoded frame and when it arrived.
#[derive(Clone, Debug)]
pub struct Arrived {
    pub frame: Arc<Frame>,
    pub at: Instant,
    /// Wall-clock arrival, ms since the Unix epoch: the timestamp clients see.
    pub at_ms: i64,
}

#[derive(Default)]
struct Inner {
    latest: Option<Arrived>,
    /// Frames overwritten before anyone took them.
    dropped: u64,
}

#[derive(Default)]
pub struct FrameSlot {
    inner: Mutex<Inner>,
}

impl FrameSlot {
    /// Puts a frame in, dropping the one not yet taken.
    pub fn put(&self, a: Arrived) {
        if let Ok(mut g) = self.inner.lock()
            && g.latest.replace(a).is_some()
        {
            g.dropped += 1;
        }
    }

    /// Takes the newest frame, leaving the slot empty.
    pub fn take(&self) -> Option<Arrived> {
        self.inner.lock().ok().and_then(|mut g| g.latest.take())
    }

    /// Whether a frame is waiting.
    pub fn has_frame(&self) -> bool {
        self.inner.lock().is_ok_and(|g| g.latest.is_some())
    }

    pub fn dropped(&self) -> u64 {
        self.inner.lock().map_or(0, |g| g.dropped)
    }

    /// Drops a waiting frame (when the scheduler decides not to detect on it).
    pub fn discard(&self) {
        self.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrived(i: u64) -> Arrived {
        Arrived {
            frame: Arc::new(Frame {
                index: i,
                pts_s: 0.0,
                width: 1,
                height: 1,
                bgr: vec![0; 3],
            }),
            at: Instant::now(),
            at_ms: 0,
        }
    }

    #[test]
    fn keeps_only_the_latest_and_counts_drops() {
        let s = FrameSlot::default();
        assert!(s.take().is_none());
        s.put(arrived(1));
        s.put(arrived(2));
        s.put(arrived(3));
        assert_eq!(s.dropped(), 2);
        assert_eq!(s.take().map(|a| a.frame.index), Some(3));
        assert!(!s.has_frame());
        s.put(arrived(4));
        assert_eq!(s.dropped(), 2, "an empty slot drops nothing");
    }
}
