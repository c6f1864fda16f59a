//! What can go wrong in fusion set-up: only calibration and floor-area input is untrusted
//! here.

/// A calibration that cannot be used, with the reason in words fit for an API error.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FusionError {
    #[error("calibration needs at least 4 point pairs, got {0}")]
    TooFewPoints(usize),
    #[error("calibration has {image} image points but {floor} floor points")]
    PointCountMismatch { image: usize, floor: usize },
    #[error("calibration point {0} is not a finite number")]
    NotFinite(usize),
    #[error("calibration point {0} is out of range: coordinates lie within -1e6..1e6")]
    OutOfRange(usize),
    #[error("calibration points are degenerate ({0}); pick 4 points with no 3 on one line")]
    Degenerate(&'static str),
    #[error("a floor area needs 3 to 64 corners, got {0}")]
    AreaCorners(usize),
    #[error("floor area corner {0} is not a finite number")]
    AreaNotFinite(usize),
    #[error("floor area corner {0} is out of range: coordinates lie within -1e6..1e6")]
    AreaOutOfRange(usize),
    #[error("the floor area's corners enclose no floor (all on one line?)")]
    AreaEmpty,
}
