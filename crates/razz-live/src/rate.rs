//! How often a camera's detector actually runs, and when that is too slow to trust its count.
//!
//! The scheduler shares one detector among all cameras; on a machine that cannot keep up each
//! camera's rate falls below what it was set to. The tracker needs boxes close together in time:
//! on PETS09-S2L1 a detector at 2 runs a second counts 19 % of frames exactly, against 93 % at
//! 5 (docs/decisions.md, "Counts at the live default detection rate"). A room with such a
//! camera is flagged, as it is for an offline one, instead of silently counting wrong.

/// Runs are counted over windows this long, seconds.
pub const WINDOW_S: f64 = 5.0;
/// A camera is starved below this share of the rate it could have ...
pub const STARVED_SHARE: f64 = 0.5;
/// ... and stays so until it gets this share again (a detector near the line would otherwise
/// flag and clear the room every window).
pub const RECOVERED_SHARE: f64 = 0.6;

/// Detector runs of one camera, counted in consecutive windows of `WINDOW_S` (constant memory).
#[derive(Clone, Debug, Default)]
pub struct RunRate {
    /// Start of the current window, seconds; `None` until the camera is watched.
    start_s: Option<f64>,
    runs: u32,
    /// Runs per second over the last complete window.
    per_s: Option<f64>,
}

impl RunRate {
    /// Starts watching at `t_s` (the camera came online), forgetting what came before.
    pub fn restart(&mut self, t_s: f64) {
        *self = Self {
            start_s: Some(t_s),
            ..Self::default()
        };
    }

    /// Stops watching (the camera went offline).
    pub fn stop(&mut self) {
        *self = Self::default();
    }

    /// A detector run at `t_s`.
    pub fn run(&mut self, t_s: f64) {
        self.roll(t_s);
        if self.start_s.is_none() {
            self.start_s = Some(t_s);
        }
        self.runs = self.runs.saturating_add(1);
    }

    /// Closes the current window if `t_s` is past its end (call it even when nothing runs:
    /// a detector that never gets to a camera must still show as 0 a second).
    pub fn roll(&mut self, t_s: f64) {
        if let Some(s) = self.start_s
            && t_s - s >= WINDOW_S
        {
            self.per_s = Some(f64::from(self.runs) / (t_s - s));
            self.start_s = Some(t_s);
            self.runs = 0;
        }
    }

    /// Runs per second over the last complete window; `None` before one has passed.
    pub fn per_s(&self) -> Option<f64> {
        self.per_s
    }
}

/// True when the detector ran under `STARVED_SHARE` of what this camera could have had (under
/// `RECOVERED_SHARE` if it `was` starved): its set rate, or the stream's frame rate when that
/// is lower (the detector cannot run on frames that never came).
pub fn starved(runs_per_s: f64, set_per_s: f64, frames_per_s: f64, was: bool) -> bool {
    let could = set_per_s.min(frames_per_s);
    let share = if was { RECOVERED_SHARE } else { STARVED_SHARE };
    could > 0.0 && runs_per_s < share * could
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_counted_per_whole_window() {
        let mut r = RunRate::default();
        assert_eq!(r.per_s(), None);
        r.restart(100.0);
        // 12 runs in the first 5 s (2.4 a second), seen when the window closes.
        for k in 0..12 {
            r.run(100.0 + f64::from(k) * 0.4);
        }
        assert_eq!(r.per_s(), None, "window not over");
        r.roll(105.0);
        assert_eq!(r.per_s(), Some(12.0 / 5.0));
        // Then nothing for 6 s: 0 a second, without any run to trigger it.
        r.roll(111.0);
        assert_eq!(r.per_s(), Some(0.0));
        r.stop();
        assert_eq!(r.per_s(), None);
        // Not watched (offline): a late roll starts nothing.
        r.roll(200.0);
        assert_eq!(r.per_s(), None);
    }

    #[test]
    fn starved_against_the_rate_it_could_have() {
        // Set to 5 a second on a 25 fps stream: 2.4 is starved, 2.5 is not.
        assert!(starved(2.4, 5.0, 25.0, false));
        assert!(!starved(2.5, 5.0, 25.0, false));
        // Once starved, it needs 3 (0.6 x 5) to clear: 2.9 stays starved.
        assert!(starved(2.9, 5.0, 25.0, true));
        assert!(!starved(3.0, 5.0, 25.0, true));
        // A 2 fps stream allows only 2: 1.2 a second is what it can get.
        assert!(!starved(1.2, 5.0, 2.0, false));
        assert!(starved(0.9, 5.0, 2.0, false));
        // No frames at all is the offline flag's business, not this one.
        assert!(!starved(0.0, 5.0, 0.0, false));
    }
}
