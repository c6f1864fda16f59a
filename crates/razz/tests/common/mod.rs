//! Helpers shared by the end-to-end tests: run the real `razz` binary, find the shared data.

#![allow(dead_code)]

pub mod fusion;
pub mod rtsp;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use razz_core::mot::{MotRow, read_rows};
use razz_eval::{Metrics, SequenceData};

pub fn shared() -> PathBuf {
    razz_core::testdata::shared_data()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn razz(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_razz"))
        .args(args)
        .output()
        .expect("run razz")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs razz and insists on success, showing its output otherwise.
pub fn razz_ok(args: &[&str]) -> String {
    let o = razz(args);
    assert!(
        o.status.success(),
        "razz {args:?} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

pub fn rows(path: &Path) -> Vec<MotRow> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_rows(std::io::BufReader::new(f)).expect("valid MOT file")
}

pub fn score(seq: &str, tracks: &Path) -> Metrics {
    let gt = rows(&shared().join(format!("mot15/{seq}/gt/gt.txt")));
    Metrics::evaluate(seq, &SequenceData::new(&gt, &rows(tracks)).expect("valid"))
}

pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}
