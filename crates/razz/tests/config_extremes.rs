//! Every number in the config file, set to what a typo or a fuzzer gives (NaN, infinities,
//! negatives, zero, the smallest and largest floats, the largest integers): `razz analyze`
//! either runs to the end or refuses the file with one line that points at the key. It never
//! panics and never hangs. The keys are read from the defaults themselves, so a new setting is
//! covered without editing this file. The run feeds synthetic detections (two people crossing,
//! one standing at a low score) through the tracker into a calibrated room with a floor area,
//! so the values reach the tracker and room fusion.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use razz_pipeline::Config;

const FRAMES: u32 = 40;
/// A run of 40 frames takes milliseconds; this only catches a hang.
const TIMEOUT: Duration = Duration::from_secs(60);

const FLOATS: &[&str] = &[
    "nan", "inf", "-inf", "-1.0", "0.0", "1e-308", "1e308", "0.5", "2.0",
];
const INTS: &[&str] = &["0", "-1", "1", "4294967296", "9223372036854775807"];

/// MOTChallenge detections: A walks right, B walks left through A at frame 20, C stands and
/// scores 0.9 for 5 frames, then 0.45 (the low-score association).
fn detections() -> String {
    let mut s = String::new();
    for f in 1..=FRAMES {
        let k = f as f32;
        let c_score = if f <= 5 { 0.9 } else { 0.45 };
        for (x, y, score) in [
            (100.0 + 10.0 * k, 150.0, 0.9),
            (500.0 - 10.0 * k, 160.0, 0.8),
            (300.0, 300.0, c_score),
        ] {
            s += &format!("{f},-1,{x},{y},40,100,{score},-1,-1,-1\n");
        }
    }
    s
}

/// The sequence's frame size and rate, as MOTChallenge keeps them beside `det/`.
const SEQINFO: &str = "[Sequence]\nframeRate=10\nseqLength=40\nimWidth=640\nimHeight=480\n";

/// A room whose one 640x480 camera maps 1 px to 1 cm of floor; `camera` adds lines to the
/// camera's table.
fn room(det: &str, camera: &str) -> String {
    format!(
        r#"
[[rooms]]
id = "hall"
floor_area_m = [[0.0, 0.0], [6.4, 0.0], [6.4, 4.8], [0.0, 4.8]]

[[cameras]]
id = "cam"
room = "hall"
url = {det:?}
{camera}
[cameras.calibration]
image_px = [[0.0, 0.0], [640.0, 0.0], [640.0, 480.0], [0.0, 480.0]]
floor_m = [[0.0, 0.0], [6.4, 0.0], [6.4, 4.8], [0.0, 4.8]]
"#
    )
}

/// `(section, key, is_float)` for every number in the default config.
fn numeric_keys() -> Vec<(String, String, bool)> {
    fn walk(section: &str, v: &serde_json::Value, out: &mut Vec<(String, String, bool)>) {
        let Some(map) = v.as_object() else { return };
        for (k, v) in map {
            match v {
                serde_json::Value::Number(n) => {
                    out.push((section.to_owned(), k.clone(), n.is_f64()));
                }
                serde_json::Value::Object(_) => walk(&format!("{section}.{k}"), v, out),
                _ => {}
            }
        }
    }
    let all = serde_json::to_value(Config::default()).expect("defaults serialize");
    let mut out = Vec::new();
    for section in ["server", "detector", "tracker", "fusion"] {
        walk(section, &all[section], &mut out);
    }
    out
}

/// Runs razz with a deadline; `(exit code, stderr)`, or `None` when it had to be killed.
fn run_with_deadline(args: &[&str]) -> Option<(Option<i32>, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_razz"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn razz");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                e.read_to_string(&mut err).expect("stderr");
            }
            return Some((status.code(), err));
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn room_lines(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("room lines");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        assert!(v["count"].is_u64(), "{line}");
    }
    text.lines().count()
}

#[test]
fn every_number_in_the_config_at_its_extremes_runs_or_is_refused_by_name() {
    let dir = common::tmp();
    let d = dir.path();
    std::fs::create_dir_all(d.join("cam/det")).expect("mkdir");
    std::fs::write(d.join("cam/seqinfo.ini"), SEQINFO).expect("write seqinfo");
    let det = d.join("cam/det/det.txt");
    std::fs::write(&det, detections()).expect("write detections");
    let det = det.to_string_lossy().into_owned();
    let cfg_path = d.join("razz.toml");
    let cfg = cfg_path.to_string_lossy().into_owned();
    let out_dir = d.join("out");
    let out = out_dir.to_string_lossy().into_owned();

    let mut keys = numeric_keys();
    assert!(keys.len() >= 40, "only {} numeric keys found", keys.len());
    // A camera's own numbers (no camera in the defaults to read them from).
    for key in ["fps", "detect_fps"] {
        keys.push(("cameras".into(), key.into(), true));
    }
    let (mut ran, mut refused) = (0, 0);
    let mut failures = Vec::new();
    for (section, key, is_float) in &keys {
        for value in if *is_float { FLOATS } else { INTS } {
            let line = format!("{key} = {value}");
            let text = if section == "cameras" {
                room(&det, &line)
            } else {
                format!("[{section}]\n{line}\n{}", room(&det, ""))
            };
            std::fs::write(&cfg_path, &text).expect("write config");
            let _ = std::fs::remove_dir_all(&out_dir);
            let args = [
                "analyze",
                "--detections",
                &det,
                "--config",
                &cfg,
                "--out",
                &out,
                "--no-progress",
            ];
            let what = format!("{section}.{key} = {value}");
            let Some((code, err)) = run_with_deadline(&args) else {
                failures.push(format!("{what}: still running after {TIMEOUT:?}"));
                continue;
            };
            let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
            match code {
                Some(0) => {
                    ran += 1;
                    let n = room_lines(&out_dir.join("hall.jsonl"));
                    if n != FRAMES as usize {
                        failures.push(format!("{what}: {n} room lines, want {FRAMES}"));
                    }
                }
                Some(1) => {
                    refused += 1;
                    let points_at_key = lines.len() == 1
                        && lines[0].starts_with("razz: error: ")
                        && (lines[0].contains(key.as_str())
                            || lines[0].contains(&format!(
                                "parse error at line {},",
                                text.lines().position(|l| l == line).map_or(0, |i| i + 1)
                            )));
                    if !points_at_key {
                        failures.push(format!("{what}: refused without naming it: {err}"));
                    }
                }
                other => failures.push(format!("{what}: exit {other:?}: {err}")),
            }
        }
    }
    println!(
        "{} keys: {ran} runs to the end, {refused} files refused",
        keys.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ran > 0 && refused > 0);
}
