//! Where the evaluation footage lives, for tests, benchmarks and evaluations: the
//! `shared/data` folder beside the checkout (see its README), or `RAZZ_SHARED_DATA`.
//! The data is never copied into the repository.

use std::path::PathBuf;

/// The shared data folder. Panics with a clear message when it is missing: a test that
/// needs real footage must not pass without it.
pub fn shared_data() -> PathBuf {
    let p = std::env::var_os("RAZZ_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    assert!(
        p.is_dir(),
        "shared data not found at {} (set RAZZ_SHARED_DATA)",
        p.display()
    );
    p
}
