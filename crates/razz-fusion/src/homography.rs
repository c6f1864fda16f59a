//! Floor calibration: a plane homography from image pixels to floor metres.
//!
//! Fitted by the normalised direct linear transform (Hartley & Zisserman, alg. 4.2): both point
//! sets are centred and scaled, the 9 entries are the eigenvector of AᵀA with the smallest
//! eigenvalue (Jacobi iteration on the 9x9 symmetric matrix), then the normalisation is undone.

use serde::{Deserialize, Serialize};

use crate::error::FusionError;

/// Largest calibration coordinate accepted, pixels or metres.
pub const MAX_COORD: f64 = 1e6;

/// A 3x3 projective map, row-major, taking `(x, y, 1)` in image pixels to floor metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Homography {
    m: [f64; 9],
}

/// What an operator enters: image points (pixels) and where they are on the floor (metres).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// At least 4 points in the camera image, pixels `[x, y]`.
    pub image_px: Vec<[f64; 2]>,
    /// The same points on the floor, metres `[x, y]`, in one frame shared by the room.
    pub floor_m: Vec<[f64; 2]>,
}

impl Calibration {
    /// The fitted homography, or why these points cannot give one.
    pub fn homography(&self) -> Result<Homography, FusionError> {
        Homography::fit(&self.image_px, &self.floor_m)
    }

    /// Mean distance, metres, between each floor point and its image point mapped to the floor.
    pub fn mean_error_m(&self, h: &Homography) -> f64 {
        let n = self.image_px.len().max(1) as f64;
        self.image_px
            .iter()
            .zip(&self.floor_m)
            .map(|(p, f)| h.apply(*p).map_or(f64::INFINITY, |q| dist(q, *f)))
            .sum::<f64>()
            / n
    }
}

pub(crate) fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

impl Homography {
    /// A homography from its 9 entries (row-major); fails when they are not finite or the
    /// matrix is singular.
    pub fn from_matrix(m: [f64; 9]) -> Result<Self, FusionError> {
        if m.iter().any(|v| !v.is_finite()) {
            return Err(FusionError::NotFinite(0));
        }
        if equilibrated_det(&m) < 1e-12 {
            return Err(FusionError::Degenerate("singular matrix"));
        }
        Ok(Self { m })
    }

    /// Fits the map taking `image_px[i]` to `floor_m[i]` (least squares for more than 4).
    pub fn fit(image_px: &[[f64; 2]], floor_m: &[[f64; 2]]) -> Result<Self, FusionError> {
        if image_px.len() != floor_m.len() {
            return Err(FusionError::PointCountMismatch {
                image: image_px.len(),
                floor: floor_m.len(),
            });
        }
        if image_px.len() < 4 {
            return Err(FusionError::TooFewPoints(image_px.len()));
        }
        for (i, (p, q)) in image_px.iter().zip(floor_m).enumerate() {
            if !(p.iter().chain(q).all(|v| v.is_finite())) {
                return Err(FusionError::NotFinite(i));
            }
            // A million pixels or metres is beyond any camera or floor; far larger values
            // overflow the fit's squares and would be refused with a misleading reason.
            if !(p.iter().chain(q).all(|v| v.abs() <= MAX_COORD)) {
                return Err(FusionError::OutOfRange(i));
            }
        }
        let ti = normaliser(image_px).ok_or(FusionError::Degenerate("image points coincide"))?;
        let tf = normaliser(floor_m).ok_or(FusionError::Degenerate("floor points coincide"))?;
        if collinear(image_px) {
            return Err(FusionError::Degenerate("image points on one line"));
        }
        if collinear(floor_m) {
            return Err(FusionError::Degenerate("floor points on one line"));
        }
        let mut ata = [[0.0f64; 9]; 9];
        for (p, q) in image_px.iter().zip(floor_m) {
            let [x, y] = apply_affine(&ti, *p);
            let [u, v] = apply_affine(&tf, *q);
            let rows = [
                [-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u],
                [0.0, 0.0, 0.0, -x, -y, -1.0, v * x, v * y, v],
            ];
            for r in &rows {
                for i in 0..9 {
                    for j in 0..9 {
                        ata[i][j] += r[i] * r[j];
                    }
                }
            }
        }
        let (values, vectors) = jacobi_eigen(ata);
        let mut order: Vec<usize> = (0..9).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        let largest = values[order[8]].abs().max(1e-300);
        // A unique solution needs exactly one (near) zero eigenvalue.
        if values[order[1]].abs() < 1e-9 * largest {
            return Err(FusionError::Degenerate(
                "points do not fix a unique mapping",
            ));
        }
        let h: [f64; 9] = std::array::from_fn(|i| vectors[i][order[0]]);
        // H = Tf⁻¹ · Hn · Ti
        let m = mul3(&mul3(&affine_inverse(&tf), &h), &ti);
        let scale = if m[8].abs() > 1e-12 { m[8] } else { norm(&m) };
        Self::from_matrix(m.map(|v| v / scale))
    }

    /// Maps an image point to the floor; `None` on the horizon line.
    pub fn apply(&self, p: [f64; 2]) -> Option<[f64; 2]> {
        let m = &self.m;
        let w = m[6] * p[0] + m[7] * p[1] + m[8];
        if w.abs() < 1e-12 {
            return None;
        }
        let out = [
            (m[0] * p[0] + m[1] * p[1] + m[2]) / w,
            (m[3] * p[0] + m[4] * p[1] + m[5]) / w,
        ];
        out.iter().all(|v| v.is_finite()).then_some(out)
    }

    /// Whether two image points map to the same side of the horizon (a point beyond it maps
    /// to the floor behind the camera, which no probe should trust).
    pub fn same_side_of_horizon(&self, a: [f64; 2], b: [f64; 2]) -> bool {
        let m = &self.m;
        let w = |p: [f64; 2]| m[6] * p[0] + m[7] * p[1] + m[8];
        w(a) * w(b) > 0.0
    }

    /// The map back from floor to image.
    pub fn inverse(&self) -> Option<Self> {
        let m = &self.m;
        let d = det3(m);
        if d.abs() < 1e-300 {
            return None;
        }
        let inv = [
            (m[4] * m[8] - m[5] * m[7]) / d,
            (m[2] * m[7] - m[1] * m[8]) / d,
            (m[1] * m[5] - m[2] * m[4]) / d,
            (m[5] * m[6] - m[3] * m[8]) / d,
            (m[0] * m[8] - m[2] * m[6]) / d,
            (m[2] * m[3] - m[0] * m[5]) / d,
            (m[3] * m[7] - m[4] * m[6]) / d,
            (m[1] * m[6] - m[0] * m[7]) / d,
            (m[0] * m[4] - m[1] * m[3]) / d,
        ];
        inv.iter().all(|v| v.is_finite()).then_some(Self { m: inv })
    }

    /// The 9 entries, row-major, scaled so the last is 1 where possible.
    pub fn matrix(&self) -> [f64; 9] {
        self.m
    }

    /// This map after another applied first: `p -> self(first(p))`.
    pub fn after(&self, first: &Homography) -> Homography {
        Homography {
            m: mul3(&self.m, &first.m),
        }
    }
}

/// Similarity transform (as a 3x3) moving the centroid to 0 and the mean distance to √2.
fn normaliser(pts: &[[f64; 2]]) -> Option<[f64; 9]> {
    let n = pts.len() as f64;
    let cx = pts.iter().map(|p| p[0]).sum::<f64>() / n;
    let cy = pts.iter().map(|p| p[1]).sum::<f64>() / n;
    let mean = pts.iter().map(|p| dist(*p, [cx, cy])).sum::<f64>() / n;
    if mean < 1e-9 {
        return None;
    }
    let s = std::f64::consts::SQRT_2 / mean;
    Some([s, 0.0, -s * cx, 0.0, s, -s * cy, 0.0, 0.0, 1.0])
}

/// True when all points lie (nearly) on one line: the smaller principal axis is tiny.
fn collinear(pts: &[[f64; 2]]) -> bool {
    let n = pts.len() as f64;
    let cx = pts.iter().map(|p| p[0]).sum::<f64>() / n;
    let cy = pts.iter().map(|p| p[1]).sum::<f64>() / n;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = (p[0] - cx, p[1] - cy);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let tr = sxx + syy;
    let det = sxx * syy - sxy * sxy;
    let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
    let small = tr / 2.0 - disc;
    let big = tr / 2.0 + disc;
    small <= 1e-6 * big
}

fn apply_affine(t: &[f64; 9], p: [f64; 2]) -> [f64; 2] {
    [
        t[0] * p[0] + t[1] * p[1] + t[2],
        t[3] * p[0] + t[4] * p[1] + t[5],
    ]
}

fn affine_inverse(t: &[f64; 9]) -> [f64; 9] {
    // t = [s 0 a; 0 s b; 0 0 1]  ->  [1/s 0 -a/s; 0 1/s -b/s; 0 0 1]
    let s = t[0];
    [
        1.0 / s,
        0.0,
        -t[2] / s,
        0.0,
        1.0 / s,
        -t[5] / s,
        0.0,
        0.0,
        1.0,
    ]
}

fn mul3(a: &[f64; 9], b: &[f64; 9]) -> [f64; 9] {
    std::array::from_fn(|k| {
        let (i, j) = (k / 3, k % 3);
        (0..3).map(|t| a[i * 3 + t] * b[t * 3 + j]).sum()
    })
}

fn det3(m: &[f64; 9]) -> f64 {
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6])
        + m[2] * (m[3] * m[7] - m[4] * m[6])
}

/// `|det|` after scaling each column, then each row, to unit length: 1 for an orthogonal
/// matrix, 0 for a singular one, and blind to units and offsets. (A plain `det` against the
/// norm cubed called a pixels-to-metres map singular once its floor frame lay a few hundred
/// metres from the origin: the translation column outweighs the 0.01 m per pixel ones.)
/// Entries under 1e-12 of the largest are rounding noise and count as 0, or scaling would
/// blow a column of noise up to a real one.
fn equilibrated_det(m: &[f64; 9]) -> f64 {
    let big = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let m = m.map(|v| if v.abs() <= 1e-12 * big { 0.0 } else { v });
    let col: [f64; 3] =
        std::array::from_fn(|j| (0..3).map(|i| m[i * 3 + j].powi(2)).sum::<f64>().sqrt());
    if col.contains(&0.0) {
        return 0.0;
    }
    let s: [f64; 9] = std::array::from_fn(|k| m[k] / col[k % 3]);
    let rows: f64 = (0..3)
        .map(|i| (0..3).map(|j| s[i * 3 + j].powi(2)).sum::<f64>().sqrt())
        .product();
    if rows == 0.0 {
        return 0.0;
    }
    det3(&s).abs() / rows
}

fn norm(m: &[f64; 9]) -> f64 {
    m.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// Eigen-decomposition of a symmetric 9x9 matrix by cyclic Jacobi rotations.
/// Returns the eigenvalues and the eigenvectors as columns.
#[allow(clippy::needless_range_loop)] // index form mirrors the textbook rotation
fn jacobi_eigen(mut a: [[f64; 9]; 9]) -> ([f64; 9], [[f64; 9]; 9]) {
    let mut v = [[0.0f64; 9]; 9];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..9)
            .flat_map(|i| (0..9).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let scale: f64 = (0..9).map(|i| a[i][i] * a[i][i]).sum::<f64>().max(1e-300);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..9 {
            for q in p + 1..9 {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..9 {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..9 {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    (std::array::from_fn(|i| a[i][i]), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 2], b: [f64; 2], tol: f64) -> bool {
        dist(a, b) <= tol
    }

    #[test]
    fn four_points_of_a_scaled_shift_give_that_map() {
        // floor = (x / 100 + 1, y / 50 - 2): hand-checked at every corner of a 200x100 image.
        let img = [[0.0, 0.0], [200.0, 0.0], [200.0, 100.0], [0.0, 100.0]];
        let floor = [[1.0, -2.0], [3.0, -2.0], [3.0, 0.0], [1.0, 0.0]];
        let h = Homography::fit(&img, &floor).expect("fit");
        let p = h.apply([50.0, 25.0]).expect("maps");
        assert!(close(p, [1.5, -1.5], 1e-9), "{p:?}");
        let m = h.matrix();
        for (got, want) in m
            .iter()
            .zip([0.01, 0.0, 1.0, 0.0, 0.02, -2.0, 0.0, 0.0, 1.0])
        {
            assert!((got - want).abs() < 1e-9, "{m:?}");
        }
    }

    #[test]
    fn recovers_a_projective_map_and_its_inverse() {
        let truth =
            Homography::from_matrix([0.02, 0.001, -3.0, 0.0005, 0.05, -8.0, 0.0, 0.002, 1.0])
                .expect("matrix");
        let img: Vec<[f64; 2]> = [
            [10.0, 300.0],
            [700.0, 310.0],
            [650.0, 560.0],
            [40.0, 550.0],
            [380.0, 420.0],
        ]
        .to_vec();
        let floor: Vec<[f64; 2]> = img.iter().map(|p| truth.apply(*p).expect("maps")).collect();
        let h = Homography::fit(&img, &floor).expect("fit");
        for p in [[100.0, 400.0], [500.0, 350.0]] {
            let a = h.apply(p).expect("maps");
            let b = truth.apply(p).expect("maps");
            assert!(close(a, b, 1e-6), "{a:?} vs {b:?}");
            let back = h.inverse().expect("invertible").apply(a).expect("maps");
            assert!(close(back, p, 1e-6), "{back:?}");
        }
        let cal = Calibration {
            image_px: img,
            floor_m: floor,
        };
        assert!(cal.mean_error_m(&h) < 1e-9);
    }

    #[test]
    fn bad_point_sets_are_errors() {
        let line = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
        let sq = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(
            Homography::fit(&line, &sq),
            Err(FusionError::Degenerate("image points on one line"))
        );
        assert_eq!(
            Homography::fit(&sq[..3], &sq[..3]),
            Err(FusionError::TooFewPoints(3))
        );
        assert!(matches!(
            Homography::fit(&sq, &sq[..3]),
            Err(FusionError::PointCountMismatch { .. })
        ));
        let nan = [[f64::NAN, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(Homography::fit(&nan, &sq), Err(FusionError::NotFinite(0)));
        // Three of four on one line: no unique projective map.
        let three = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.0]];
        assert!(Homography::fit(&three, &sq).is_err());
    }

    /// Untrusted input (the calibration API): point sets of any size and spread, from 1e-300
    /// to 1e300, with repeats, give a usable map or an error, never a panic or a map that is
    /// not finite.
    #[test]
    fn random_point_sets_give_a_finite_map_or_an_error() {
        let mut rng = razz_core::rng::XorShift64::new(0x853c49e6748fea9bu64);
        let mut next = || rng.next_u64();
        let mut errors = std::collections::BTreeMap::new();
        let mut fitted = 0;
        for round in 0..4_000 {
            let n = 4 + (next() % 9) as usize;
            // Mostly plausible spreads (1e-12 to 1e12), now and then an absurd one.
            let exp = if next() % 10 == 0 {
                (next() % 601) as i32 - 300
            } else {
                (next() % 25) as i32 - 12
            };
            let mut point = |k: usize, pts: &[[f64; 2]]| -> [f64; 2] {
                if k > 0 && next() % 8 == 0 {
                    return pts[(next() as usize) % k];
                }
                let v = |r: u64| ((r % 2001) as f64 - 1000.0) * 10f64.powi(exp) / 1000.0;
                [v(next()), v(next())]
            };
            let mut img = Vec::new();
            let mut flo = Vec::new();
            for k in 0..n {
                let p = point(k, &img);
                img.push(p);
                let q = point(k, &flo);
                flo.push(q);
            }
            match Homography::fit(&img, &flo) {
                Ok(h) => {
                    fitted += 1;
                    assert!(h.matrix().iter().all(|v| v.is_finite()), "round {round}");
                    for p in &img {
                        if let Some(q) = h.apply(*p) {
                            assert!(q.iter().all(|v| v.is_finite()), "round {round}");
                        }
                    }
                }
                Err(e) => *errors.entry(e.to_string()).or_insert(0) += 1,
            }
        }
        println!("fitted {fitted}; errors {errors:#?}");
        assert!(fitted > 0);
    }

    #[test]
    fn a_floor_frame_far_from_its_origin_still_fits() {
        // Site coordinates: the room lies 1 km (or 100 km) from the plan's origin, 1 cm per
        // pixel. This used to be refused as a singular matrix from a few hundred metres on.
        let img = [[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]];
        for off in [10.0, 1_000.0, 100_000.0] {
            let floor = img.map(|[x, y]| [off + 0.01 * x, off + 0.01 * y]);
            let cal = Calibration {
                image_px: img.to_vec(),
                floor_m: floor.to_vec(),
            };
            let h = cal.homography().expect("offset floor fits");
            assert!(cal.mean_error_m(&h) < 1e-6, "offset {off}");
            assert!(h.inverse().is_some(), "offset {off}");
        }
        // A matrix that is singular stays refused whatever its scale.
        let flat = [1.0, 2.0, 3.0, 2.0, 4.0, 6.0, 0.0, 0.0, 1.0];
        for k in [1e-6, 1.0, 1e6] {
            assert_eq!(
                Homography::from_matrix(flat.map(|v| v * k)),
                Err(FusionError::Degenerate("singular matrix"))
            );
        }
    }
}
