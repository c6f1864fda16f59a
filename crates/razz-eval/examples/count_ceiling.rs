//! Prints the count ceiling of a ground truth (see `razz_eval::ceiling`): the best share of
//! frames that a counter with perfect vision and a margin rule gets exactly right, the frames
//! it misses, and, for each room-lines file given (`razz analyze` output), that file's exact
//! share and how many of its wrong frames the ceiling misses too.
//!
//! ```sh
//! cargo run --release -p razz-eval --example count_ceiling -- \
//!     ../shared/data/mot15/PETS09-S2L1/gt/gt.txt 768x576 razz-out/hall.jsonl
//! ```

use std::collections::BTreeSet;
use std::process::ExitCode;

use razz_eval::ceiling::count_ceiling;
use razz_eval::room::{parse_room_lines, people_per_frame};

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
    let truth = people_per_frame(&gt);
    for path in lines {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let frames = parse_room_lines(&text).map_err(|e| format!("{path}: {e}"))?;
        let wrong: Vec<u32> = frames
            .iter()
            .filter(|l| l.count != truth.get(&l.frame).copied().unwrap_or(0))
            .map(|l| l.frame)
            .collect();
        let n = frames.len();
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
