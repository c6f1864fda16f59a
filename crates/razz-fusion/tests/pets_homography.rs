//! A floor homography fitted on real data: PETS09-S2L1's ground truth gives each person's box
//! (feet = bottom centre) and floor position in metres (columns 8-9). Fit on even frames,
//! check on odd frames, and check that 4 well-spread points (what an operator clicks) give
//! nearly the same map.

use std::io::BufReader;

use razz_core::mot::read_rows;
use razz_fusion::{Calibration, Homography};

fn pairs() -> Vec<(u32, [f64; 2], [f64; 2])> {
    let path = razz_core::testdata::shared_data().join("mot15/PETS09-S2L1/gt/gt.txt");
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_rows(BufReader::new(f))
        .expect("gt parses")
        .into_iter()
        .filter_map(|r| {
            let w = r.world?;
            let (fx, fy) = r.bbox.foot();
            Some((
                r.frame,
                [f64::from(fx), f64::from(fy)],
                [f64::from(w[0]), f64::from(w[1])],
            ))
        })
        .collect()
}

fn mean_error(h: &Homography, pts: &[&(u32, [f64; 2], [f64; 2])]) -> f64 {
    pts.iter()
        .map(|(_, p, q)| {
            let m = h.apply(*p).expect("maps");
            ((m[0] - q[0]).powi(2) + (m[1] - q[1]).powi(2)).sqrt()
        })
        .sum::<f64>()
        / pts.len() as f64
}

#[test]
fn homography_from_pets_ground_truth() {
    let all = pairs();
    assert!(all.len() > 4000, "{} pairs", all.len());
    type Pair<'a> = &'a (u32, [f64; 2], [f64; 2]);
    let (fit, check): (Vec<Pair>, Vec<Pair>) = all.iter().partition(|(f, _, _)| f % 2 == 0);
    let cal = Calibration {
        image_px: fit.iter().map(|x| x.1).collect(),
        floor_m: fit.iter().map(|x| x.2).collect(),
    };
    let h = cal.homography().expect("fit");
    let fit_err = cal.mean_error_m(&h);
    let check_err = mean_error(&h, &check);
    eprintln!(
        "PETS09-S2L1 homography from {} gt feet: mean error {fit_err:.3} m on them, {check_err:.3} m on {} held-out; matrix {:?}",
        fit.len(),
        check.len(),
        h.matrix()
    );
    // 3 cm: the dataset's floor positions agree with its boxes almost exactly (they were
    // probably derived from them with the calibration the dataset ships).
    assert!(check_err < 0.1, "held-out mean error {check_err:.3} m");
    // Four points an operator would click: map 4 image corners of the walkable area with
    // the fitted map, refit from just those, and compare on all held-out feet.
    let corners = [
        [150.0, 300.0],
        [650.0, 300.0],
        [700.0, 560.0],
        [100.0, 560.0],
    ];
    let four = Calibration {
        image_px: corners.to_vec(),
        floor_m: corners.iter().map(|p| h.apply(*p).expect("maps")).collect(),
    };
    let h4 = four.homography().expect("4-point fit");
    let err4 = mean_error(&h4, &check);
    eprintln!("4-point calibration: mean error {err4:.3} m on held-out feet");
    assert!((err4 - check_err).abs() < 0.05, "{err4} vs {check_err}");
}
