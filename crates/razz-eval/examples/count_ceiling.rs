//! Prints the count ceiling of a ground truth (see `razz_eval::ceiling`): the best share of
//! frames that a counter with perfect vision and a margin rule gets exactly right, the frames
//! it misses, and, for each room-lines file given (`razz analyze` output), that file's exact
//! share and how many of its wrong frames the ceiling misses too.
//!
//! ```sh
//! cargo run --release -p razz-eval --example count_ceiling -- \
//!     ../shared/data/mot15/PETS09-S2L1/gt/gt.txt 768x576 razz-out/hall.jsonl
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use razz_eval::ceiling::count_ceiling;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("count_ceiling: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [gt_path, size, lines @ ..] = args.as_slice() else {
        return Err("usage: count_ceiling GT.txt WIDTHxHEIGHT [ROOM_LINES.jsonl ...]".into());
    };
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<f32>().ok()?, h.parse::<f32>().ok()?)))
        .filter(|&(w, h)| w > 0.0 && h > 0.0)
        .ok_or_else(|| format!("frame size {size:?} is not WIDTHxHEIGHT"))?;
    let file = std::fs::File::open(gt_path).map_err(|e| format!("{gt_path}: {e}"))?;
    let gt = razz_core::mot::read_rows(std::io::BufReader::new(file))
        .map_err(|e| format!("{gt_path}: {e}"))?;
    let c = count_ceiling(&gt, (w, h)).ok_or_else(|| format!("{gt_path}: no rows"))?;
    println!(
        "ceiling: {:.1} % exact ({} of {} frames wrong); entering margin {} px, leaving {} px, \
         bottom slack {} px",
        100.0 * c.exact_share(),
        c.frames - c.exact,
        c.frames,
        c.rule.enter_margin_px,
        c.rule.leave_margin_px,
        c.rule.bottom_slack_px
    );
    println!("ceiling misses: {:?}", c.wrong);
    let missed: BTreeSet<u32> = c.wrong.iter().map(|w| w.0).collect();
    let mut truth: BTreeMap<u32, i64> = BTreeMap::new();
    for r in &gt {
        *truth.entry(r.frame).or_default() += 1;
    }
    for path in lines {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let (mut n, mut wrong) = (0usize, Vec::new());
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| format!("{path}: line {}: {e}", i + 1))?;
            let (Some(frame), Some(count)) = (v["frame"].as_u64(), v["count"].as_i64()) else {
                return Err(format!("{path}: line {}: no frame or count", i + 1));
            };
            let frame = u32::try_from(frame).map_err(|_| format!("{path}: line {}", i + 1))?;
            n += 1;
            let want = truth.get(&frame).copied().unwrap_or(0);
            if count != want {
                wrong.push(frame);
            }
        }
        let shared = wrong.iter().filter(|f| missed.contains(f)).count();
        println!(
            "{path}: {:.1} % exact ({} of {n} frames wrong; {shared} of them missed by the \
             ceiling too)",
            100.0 * (n - wrong.len()) as f64 / n.max(1) as f64,
            wrong.len()
        );
    }
    Ok(())
}
