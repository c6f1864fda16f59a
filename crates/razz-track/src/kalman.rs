//! Constant-velocity Kalman filter over a box `(cx, cy, aspect, h)`, with real time steps.
//!
//! ByteTrack's 8-dimensional filter has `F = [[I, dt·I], [0, I]]`, `H = [I, 0]` and diagonal
//! noise, so its covariance never couples different coordinates: it is exactly four
//! independent filters over `(position, velocity)`. We store it that way, which keeps every
//! step a handful of scalar operations that a test can check by hand.
//!
//! Noise follows ByteTrack (standard deviations proportional to the box height), but is
//! expressed per second: `ref_interval_s` is the frame interval at which the per-frame
//! weights apply, and process noise grows linearly with the elapsed time (a random walk),
//! so 5 FPS and 30 FPS streams see the same uncertainty per second.

use razz_core::BoxXywh;
use serde::{Deserialize, Serialize};

/// Noise weights (as in ByteTrack) and the frame interval they are meant for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KalmanParams {
    /// Position noise as a fraction of the box height per reference interval.
    pub std_weight_position: f64,
    /// Velocity noise as a fraction of the box height per reference interval.
    pub std_weight_velocity: f64,
    /// The frame interval, in seconds, at which the weights above apply.
    pub ref_interval_s: f64,
}

impl Default for KalmanParams {
    fn default() -> Self {
        Self {
            std_weight_position: 1.0 / 20.0,
            std_weight_velocity: 1.0 / 160.0,
            ref_interval_s: 0.06,
        }
    }
}

/// One coordinate's `(position, velocity)` state and its 2x2 covariance `[p00, p01, p11]`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Axis {
    x: f64,
    v: f64,
    p00: f64,
    p01: f64,
    p11: f64,
}

impl Axis {
    fn new(x: f64, std_x: f64, std_v: f64) -> Self {
        Self {
            x,
            v: 0.0,
            p00: std_x * std_x,
            p01: 0.0,
            p11: std_v * std_v,
        }
    }

    /// `x += v·dt`, `P = F P Fᵀ + Q` with `Q = diag(q_x, q_v)`.
    fn predict(self, dt: f64, q_x: f64, q_v: f64) -> Self {
        Self {
            x: self.x + self.v * dt,
            v: self.v,
            p00: self.p00 + 2.0 * dt * self.p01 + dt * dt * self.p11 + q_x,
            p01: self.p01 + dt * self.p11,
            p11: self.p11 + q_v,
        }
    }

    /// Standard update with measurement `z` of the position, variance `r`.
    fn update(self, z: f64, r: f64) -> Self {
        let s = self.p00 + r;
        let k0 = self.p00 / s;
        let k1 = self.p01 / s;
        let y = z - self.x;
        Self {
            x: self.x + k0 * y,
            v: self.v + k1 * y,
            p00: (1.0 - k0) * self.p00,
            p01: (1.0 - k0) * self.p01,
            p11: self.p11 - k1 * self.p01,
        }
    }
}

/// The filter state of one track: axes `cx`, `cy`, `aspect = w / h`, `h`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxKalman {
    axes: [Axis; 4],
}

impl BoxKalman {
    /// Starts a filter at a measured box, with zero velocity and ByteTrack's initial spread.
    pub fn initiate(bbox: &BoxXywh, params: &KalmanParams) -> Self {
        let m = measure(bbox);
        let h = m[3];
        let pos = 2.0 * params.std_weight_position * h;
        let vel = 10.0 * params.std_weight_velocity * h / params.ref_interval_s;
        Self {
            axes: [
                Axis::new(m[0], pos, vel),
                Axis::new(m[1], pos, vel),
                Axis::new(m[2], 1e-2, 1e-5 / params.ref_interval_s),
                Axis::new(m[3], pos, vel),
            ],
        }
    }

    /// The state `dt_s` seconds later. Negative steps are treated as zero.
    pub fn predict(&self, dt_s: f64, params: &KalmanParams) -> Self {
        let dt = dt_s.max(0.0);
        let steps = dt / params.ref_interval_s;
        let h = self.axes[3].x;
        let pos = params.std_weight_position * h;
        let vel = params.std_weight_velocity * h / params.ref_interval_s;
        let (qp, qv) = (pos * pos * steps, vel * vel * steps);
        let (qa, qav) = (1e-4 * steps, (1e-5 / params.ref_interval_s).powi(2) * steps);
        let [cx, cy, a, hh] = self.axes;
        Self {
            axes: [
                cx.predict(dt, qp, qv),
                cy.predict(dt, qp, qv),
                a.predict(dt, qa, qav),
                hh.predict(dt, qp, qv),
            ],
        }
    }

    /// Folds in a measured box.
    pub fn update(&self, bbox: &BoxXywh, params: &KalmanParams) -> Self {
        let m = measure(bbox);
        let h = self.axes[3].x;
        let r = (params.std_weight_position * h).powi(2);
        let ra = 1e-1 * 1e-1;
        let [cx, cy, a, hh] = self.axes;
        Self {
            axes: [
                cx.update(m[0], r),
                cy.update(m[1], r),
                a.update(m[2], ra),
                hh.update(m[3], r),
            ],
        }
    }

    /// Squared Mahalanobis distance of a measured box from this state's box, over centre x,
    /// centre y and height (the aspect is left out: the filter trusts it far more than one
    /// measurement of it). Each axis is scaled by its predicted variance plus the measurement
    /// noise `update` would use, so the same pixel gap is far after a short step and near
    /// after a long one. Chi-square with 3 degrees of freedom for a box of this track.
    pub fn mahalanobis_sq(&self, bbox: &BoxXywh, params: &KalmanParams) -> f64 {
        let m = measure(bbox);
        let r = (params.std_weight_position * self.axes[3].x).powi(2);
        [0, 1, 3]
            .iter()
            .map(|&i| {
                let ax = &self.axes[i];
                (m[i] - ax.x).powi(2) / (ax.p00 + r).max(1e-9)
            })
            .sum()
    }

    /// Drops the height velocity, as ByteTrack does for tracks that lost their detection.
    pub fn freeze_height(&self) -> Self {
        let mut s = *self;
        s.axes[3].v = 0.0;
        s
    }

    /// The current box estimate.
    /// A shape predicted past zero (aspect or height still shrinking while the track is lost)
    /// is an empty box, never a negative one.
    pub fn bbox(&self) -> BoxXywh {
        let [cx, cy, a, h] = self.axes.map(|ax| ax.x);
        let h = h.max(0.0);
        let w = (a * h).max(0.0);
        BoxXywh::new(
            (cx - w / 2.0) as f32,
            (cy - h / 2.0) as f32,
            w as f32,
            h as f32,
        )
    }

    /// Velocity of the box centre in pixels per second.
    pub fn velocity_px_per_s(&self) -> (f64, f64) {
        (self.axes[0].v, self.axes[1].v)
    }
}

fn measure(b: &BoxXywh) -> [f64; 4] {
    let (cx, cy) = b.center();
    let h = f64::from(b.h).max(1e-3);
    [f64::from(cx), f64::from(cy), f64::from(b.w) / h, h]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_matches_hand_computed_kalman_step() {
        // P0 = diag(4, 1), dt = 1, Q = diag(1, 1):
        //   predicted x = 10 + 2 = 12, P = [[4+1+1, 1], [1, 2]] = [[6, 1], [1, 2]].
        // Update with z = 13, r = 2: S = 8, K = [6/8, 1/8], y = 1:
        //   x = 12.75, v = 2.125, P00 = 0.25·6 = 1.5, P01 = 0.25·1 = 0.25, P11 = 2 - 1/8 = 1.875.
        let a = Axis {
            x: 10.0,
            v: 2.0,
            p00: 4.0,
            p01: 0.0,
            p11: 1.0,
        };
        let p = a.predict(1.0, 1.0, 1.0);
        assert_eq!((p.x, p.p00, p.p01, p.p11), (12.0, 6.0, 1.0, 2.0));
        let u = p.update(13.0, 2.0);
        assert_eq!(
            (u.x, u.v, u.p00, u.p01, u.p11),
            (12.75, 2.125, 1.5, 0.25, 1.875)
        );
    }

    #[test]
    fn mahalanobis_distance_matches_hand_computed_values() {
        // A 40x100 box centred at (100, 200). Initial position variance (2 x 0.05 x 100)^2 =
        // 100 per axis, measurement noise (0.05 x 100)^2 = 25, so each axis is scaled by 125.
        let params = KalmanParams::default();
        let kf = BoxKalman::initiate(&BoxXywh::new(80.0, 150.0, 40.0, 100.0), &params);
        // Centre 15 px to the right and 10 px taller, same centre height (the aspect is not
        // compared): 15^2 / 125 + 10^2 / 125 = 1.8 + 0.8.
        let d2 = kf.mahalanobis_sq(&BoxXywh::new(90.0, 145.0, 50.0, 110.0), &params);
        assert!((d2 - 2.6).abs() < 1e-9, "{d2}");
        // The same box after 0.5 s without a measurement: velocity variance (10 x 0.00625 x
        // 100 / 0.06)^2 = 10850.69 grows the position variance by 0.25 x that, plus the
        // random walk 25 x 0.5 / 0.06 = 208.33: 100 + 2712.67 + 208.33 + 25 = 3046.
        let later = kf.predict(0.5, &params);
        let d2 = later.mahalanobis_sq(&BoxXywh::new(90.0, 145.0, 50.0, 110.0), &params);
        assert!((d2 - 325.0 / 3046.0).abs() < 1e-3, "{d2}");
    }

    #[test]
    fn learns_constant_velocity_and_extrapolates() {
        let params = KalmanParams::default();
        // A box moving 50 px/s to the right, observed at 10 Hz for 3 s.
        let at = |t: f64| BoxXywh::new(100.0 + 50.0 * t as f32, 50.0, 40.0, 100.0);
        let mut kf = BoxKalman::initiate(&at(0.0), &params);
        for i in 1..=30 {
            let t = f64::from(i) * 0.1;
            kf = kf.predict(0.1, &params).update(&at(t), &params);
        }
        let (vx, vy) = kf.velocity_px_per_s();
        assert!((vx - 50.0).abs() < 1.0, "vx {vx}");
        assert!(vy.abs() < 1.0, "vy {vy}");
        // One second without measurements: about 50 px further.
        let ahead = kf.predict(1.0, &params).bbox();
        assert!((ahead.x - at(4.0).x).abs() < 2.0, "{ahead:?}");
        assert!((ahead.w - 40.0).abs() < 0.5 && (ahead.h - 100.0).abs() < 0.5);
    }

    #[test]
    fn a_shrinking_box_predicted_far_ahead_is_empty_not_negative() {
        // A box narrowing by 4 px and shortening by 10 px a frame: lost, its prediction
        // goes on shrinking (height frozen as for lost tracks, the aspect not).
        let params = KalmanParams::default();
        let at = |i: u32| BoxXywh::new(100.0, 50.0, 60.0 - 4.0 * i as f32, 200.0 - 10.0 * i as f32);
        let mut kf = BoxKalman::initiate(&at(0), &params);
        for i in 1..=10 {
            kf = kf.predict(0.1, &params).update(&at(i), &params);
        }
        for dt_s in [1.0, 10.0, 100.0] {
            let b = kf.predict(dt_s, &params).bbox();
            assert!(b.w >= 0.0 && b.h >= 0.0, "{dt_s} s: {b:?}");
            let b = kf.freeze_height().predict(dt_s, &params).bbox();
            assert!(b.w >= 0.0 && b.h >= 0.0, "frozen, {dt_s} s: {b:?}");
        }
    }

    #[test]
    fn same_motion_same_estimate_at_5_and_30_fps() {
        // Time-based noise: the estimate after 2 s depends little on the frame rate.
        let params = KalmanParams::default();
        let at = |t: f64| BoxXywh::new(200.0 + 30.0 * t as f32, 80.0 - 10.0 * t as f32, 30.0, 90.0);
        let run = |fps: u32| {
            let dt = 1.0 / f64::from(fps);
            let mut kf = BoxKalman::initiate(&at(0.0), &params);
            for i in 1..=(2 * fps) {
                kf = kf
                    .predict(dt, &params)
                    .update(&at(f64::from(i) * dt), &params);
            }
            kf.velocity_px_per_s()
        };
        let (a, b) = (run(5), run(30));
        assert!(
            (a.0 - b.0).abs() < 3.0 && (a.1 - b.1).abs() < 3.0,
            "{a:?} vs {b:?}"
        );
    }
}
