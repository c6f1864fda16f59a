//! A room's floor area: the polygon, in floor metres, inside which people count.
//!
//! Cameras often see more than their room: a corridor through a glass door, a path behind a
//! fence. People whose feet are outside the area are still tracked and fused (someone walking
//! in keeps their identity) but are neither counted nor listed. Needs calibrated cameras: a
//! person seen only by uncalibrated ones has no floor position and counts as before.

use razz_core::BoxXywh;
use serde::{Deserialize, Serialize};

use crate::error::FusionError;
use crate::homography::{Homography, MAX_COORD};

/// Most corners an area may have (an API input: bounded).
pub const MAX_CORNERS: usize = 64;

/// A simple polygon on the floor, metres, corners in order (either direction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<[f64; 2]>", into = "Vec<[f64; 2]>")]
pub struct FloorArea {
    corners_m: Vec<[f64; 2]>,
}

impl FloorArea {
    /// Checks the corners: 3 to [`MAX_CORNERS`], finite, enclosing some floor.
    pub fn new(corners_m: Vec<[f64; 2]>) -> Result<Self, FusionError> {
        let n = corners_m.len();
        if !(3..=MAX_CORNERS).contains(&n) {
            return Err(FusionError::AreaCorners(n));
        }
        if let Some(i) = corners_m
            .iter()
            .position(|p| !(p[0].is_finite() && p[1].is_finite()))
        {
            return Err(FusionError::AreaNotFinite(i));
        }
        if let Some(i) = corners_m
            .iter()
            .position(|p| p.iter().any(|v| v.abs() > MAX_COORD))
        {
            return Err(FusionError::AreaOutOfRange(i));
        }
        let area = Self { corners_m };
        if area.area_m2() < 1e-6 {
            return Err(FusionError::AreaEmpty);
        }
        Ok(area)
    }

    pub fn corners_m(&self) -> &[[f64; 2]] {
        &self.corners_m
    }

    /// Enclosed floor, square metres (shoelace formula).
    pub fn area_m2(&self) -> f64 {
        let c = &self.corners_m;
        let twice: f64 = (0..c.len())
            .map(|i| {
                let (a, b) = (c[i], c[(i + 1) % c.len()]);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum();
        0.5 * twice.abs()
    }

    /// Whether a floor point is inside (even-odd rule: a ray from the point crosses the
    /// border an odd number of times).
    pub fn contains(&self, p: [f64; 2]) -> bool {
        let c = &self.corners_m;
        let mut inside = false;
        let mut j = c.len() - 1;
        for i in 0..c.len() {
            let (a, b) = (c[i], c[j]);
            if (a[1] > p[1]) != (b[1] > p[1]) {
                let x = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
                if p[0] < x {
                    inside = !inside;
                }
            }
            j = i;
        }
        inside
    }

    /// Whether the feet of `bbox` (its bottom centre, in the image that `h` maps to the
    /// floor) stand inside the area. Feet that map to no floor point are not inside.
    pub fn holds_feet(&self, h: &Homography, bbox: &BoxXywh) -> bool {
        let (x, y) = bbox.foot();
        h.apply([f64::from(x), f64::from(y)])
            .is_some_and(|f| self.contains(f))
    }
}

impl TryFrom<Vec<[f64; 2]>> for FloorArea {
    type Error = FusionError;
    fn try_from(v: Vec<[f64; 2]>) -> Result<Self, FusionError> {
        Self::new(v)
    }
}

impl From<FloorArea> for Vec<[f64; 2]> {
    fn from(a: FloorArea) -> Self {
        a.corners_m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An L-shaped room: 4 m x 2 m with a 2 m x 2 m wing on top of its left half.
    fn l_room() -> FloorArea {
        FloorArea::new(vec![
            [0.0, 0.0],
            [4.0, 0.0],
            [4.0, 2.0],
            [2.0, 2.0],
            [2.0, 4.0],
            [0.0, 4.0],
        ])
        .expect("an L")
    }

    #[test]
    fn l_shaped_room_contains_its_floor_only() {
        let a = l_room();
        // 8 m² + 4 m².
        assert!((a.area_m2() - 12.0).abs() < 1e-12);
        assert!(a.contains([1.0, 1.0]));
        assert!(a.contains([3.0, 1.0]));
        assert!(a.contains([1.0, 3.0]));
        // The missing corner of the L, and outside all round.
        assert!(!a.contains([3.0, 3.0]));
        assert!(!a.contains([-0.1, 1.0]));
        assert!(!a.contains([1.0, 4.1]));
        assert!(!a.contains([5.0, 1.0]));
    }

    #[test]
    fn feet_are_placed_on_the_floor_before_the_area_is_asked() {
        // Image pixels to floor metres: 100 px per metre, floor y grows down the image.
        let h = Homography::from_matrix([0.01, 0.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0, 1.0])
            .expect("a scale");
        let a = l_room();
        // Feet at (150, 150) px = (1.5, 1.5) m: inside. Feet at (300, 300) px = (3, 3) m:
        // the L's missing corner.
        assert!(a.holds_feet(&h, &BoxXywh::new(130.0, 50.0, 40.0, 100.0)));
        assert!(!a.holds_feet(&h, &BoxXywh::new(280.0, 200.0, 40.0, 100.0)));
    }

    #[test]
    fn corners_in_either_direction_are_the_same_area() {
        let mut c = l_room().corners_m().to_vec();
        c.reverse();
        let b = FloorArea::new(c).expect("reversed L");
        assert!((b.area_m2() - 12.0).abs() < 1e-12);
        assert!(b.contains([1.0, 3.0]) && !b.contains([3.0, 3.0]));
    }

    #[test]
    fn bad_corners_are_refused_with_a_reason() {
        assert_eq!(
            FloorArea::new(vec![[0.0, 0.0], [1.0, 0.0]]),
            Err(FusionError::AreaCorners(2))
        );
        assert_eq!(
            FloorArea::new(vec![[0.0, 0.0], [1.0, f64::NAN], [0.0, 1.0]]),
            Err(FusionError::AreaNotFinite(1))
        );
        // Three points on one line enclose nothing.
        assert_eq!(
            FloorArea::new(vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]),
            Err(FusionError::AreaEmpty)
        );
        assert_eq!(
            FloorArea::new(vec![[0.0, 0.0], [1e300, 0.0], [0.0, 1.0]]),
            Err(FusionError::AreaOutOfRange(1))
        );
        assert_eq!(
            FloorArea::new(vec![[0.0, 0.0]; MAX_CORNERS + 1]),
            Err(FusionError::AreaCorners(MAX_CORNERS + 1))
        );
        // Through serde too (config files and the API).
        let e = serde_json::from_str::<FloorArea>("[[0,0],[1,0]]").expect_err("two corners");
        assert!(e.to_string().contains("3 to 64 corners"), "{e}");
    }

    /// Untrusted input (config files and the API): random corners, up to the largest
    /// accepted, with repeats, give an area or an error, and an area answers every point.
    #[test]
    fn random_corners_give_an_area_or_an_error_and_never_panic() {
        let mut rng = razz_core::rng::XorShift64::new(0x9e3779b97f4a7c15u64);
        let mut next = || rng.next_u64();
        let mut made = 0;
        for _ in 0..3_000 {
            let n = 1 + (next() % 12) as usize;
            let scale = 10f64.powi((next() % 13) as i32 - 6);
            let mut v = || ((next() % 2001) as f64 - 1000.0) * scale;
            let corners: Vec<[f64; 2]> = (0..n).map(|_| [v(), v()]).collect();
            if let Ok(a) = FloorArea::new(corners) {
                made += 1;
                assert!(a.area_m2().is_finite() && a.area_m2() > 0.0);
                for p in [
                    [0.0, 0.0],
                    [v(), v()],
                    [f64::NAN, 0.0],
                    [f64::INFINITY, 1.0],
                ] {
                    let _ = a.contains(p);
                }
            }
        }
        assert!(made > 1_000, "only {made} areas");
    }
}
