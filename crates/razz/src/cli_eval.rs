//! `razz eval`: score MOTChallenge tracker files against ground truth, or a room's lines
//! (`razz analyze` output) by their counts and their global ids on the floor.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use razz_core::mot::{MotRow, read_rows};
use razz_eval::room::{RoomFrame, RoomScore, parse_room_lines, score_room};
use razz_eval::{Metrics, SequenceData};

#[derive(Args)]
pub struct EvalArgs {
    /// Ground truth file (with --tracks or --room-lines).
    #[arg(long)]
    gt: Option<PathBuf>,
    /// Tracker output file (with --gt).
    #[arg(long, requires = "gt")]
    tracks: Option<PathBuf>,
    /// Folder of sequences laid out as MOTChallenge: SEQ/gt/gt.txt (with --tracks-dir).
    #[arg(long, requires = "tracks_dir", conflicts_with = "gt")]
    gt_dir: Option<PathBuf>,
    /// Folder of tracker files named SEQ.txt; every one is scored (with --gt-dir).
    #[arg(long, requires = "gt_dir")]
    tracks_dir: Option<PathBuf>,
    /// A room's lines (ROOM.jsonl from `razz analyze`), scored against --gt by count per frame
    /// and, where cameras are calibrated, by global ids on the floor (ground truth's world
    /// positions, columns 8-9, metres).
    #[arg(long, requires = "gt", conflicts_with_all = ["tracks", "gt_dir"])]
    room_lines: Option<PathBuf>,
    /// With --room-lines: a person's floor position matches a ground-truth one within this
    /// distance, metres [default: 1].
    #[arg(long, requires = "room_lines")]
    floor_radius_m: Option<f64>,
    /// Write all results as JSON here too.
    #[arg(long)]
    json: Option<PathBuf>,
}

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    if a.floor_radius_m.is_some() && a.room_lines.is_none() {
        bail!("--floor-radius-m scores room lines: give it with --gt FILE --room-lines FILE");
    }
    if let (Some(gt), Some(lines)) = (&a.gt, &a.room_lines) {
        let radius_m = a.floor_radius_m.unwrap_or(1.0);
        return eval_room(gt, lines, radius_m, a.json.as_deref());
    }
    let mut results = Vec::new();
    match (&a.gt, &a.tracks, &a.gt_dir, &a.tracks_dir) {
        (Some(gt), Some(tr), _, _) => {
            let name = tr
                .file_stem()
                .map_or_else(|| "sequence".into(), |s| s.to_string_lossy().into_owned());
            results.push(score(&name, gt, tr)?);
        }
        (_, _, Some(gt_dir), Some(tr_dir)) => {
            let mut files: Vec<PathBuf> = std::fs::read_dir(tr_dir)
                .with_context(|| tr_dir.display().to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            files.sort();
            if files.is_empty() {
                bail!("{}: no SEQ.txt tracker files", tr_dir.display());
            }
            for tr in files {
                let seq = tr
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                results.push(score(&seq, &gt_dir.join(&seq).join("gt/gt.txt"), &tr)?);
            }
        }
        _ => bail!(
            "give --gt FILE --tracks FILE, --gt FILE --room-lines FILE, or --gt-dir DIR --tracks-dir DIR"
        ),
    }
    println!("{}", Metrics::header());
    for m in &results {
        println!("{}", m.row());
    }
    let combined = (results.len() > 1).then(|| Metrics::combine("COMBINED", &results));
    if let Some(c) = &combined {
        println!("{}", c.row());
    }
    if let Some(path) = &a.json {
        let doc = serde_json::json!({ "sequences": results, "combined": combined });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| path.display().to_string())?;
    }
    Ok(())
}

fn rows(path: &Path) -> anyhow::Result<Vec<MotRow>> {
    let f = File::open(path).with_context(|| path.display().to_string())?;
    read_rows(BufReader::new(f)).with_context(|| path.display().to_string())
}

fn score(name: &str, gt: &Path, tracks: &Path) -> anyhow::Result<Metrics> {
    let data = SequenceData::new(&rows(gt)?, &rows(tracks)?)
        .with_context(|| tracks.display().to_string())?;
    Ok(Metrics::evaluate(name, &data))
}

fn eval_room(gt: &Path, lines: &Path, radius_m: f64, json: Option<&Path>) -> anyhow::Result<()> {
    if !(radius_m.is_finite() && radius_m > 0.0) {
        bail!("--floor-radius-m must be a positive number of metres, got {radius_m}");
    }
    let frames = room_lines(lines)?;
    let score = score_room(&rows(gt)?, &frames, radius_m)
        .with_context(|| format!("{} against {}", lines.display(), gt.display()))?;
    print_room(lines, &score);
    if let Some(path) = json {
        let doc = serde_json::json!({ "room_lines": score });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| path.display().to_string())?;
    }
    Ok(())
}

fn print_room(lines: &Path, s: &RoomScore) {
    println!("{}: {} frames", lines.display(), s.frames);
    println!("count: exact {:.1} %, MAE {:.3}", 100.0 * s.exact, s.mae);
    match &s.floor {
        Some(f) => println!(
            "global ids on the floor (within {} m): IDF1 {:.1}, IDP {:.1}, IDR {:.1}",
            f.radius_m,
            100.0 * f.identity.idf1,
            100.0 * f.identity.idp,
            100.0 * f.identity.idr
        ),
        None => println!(
            "global ids on the floor: not scored (no person has a floor position; calibrate the cameras)"
        ),
    }
}

/// Reads one room's lines (see `parse_room_lines`); at least one.
fn room_lines(path: &Path) -> anyhow::Result<Vec<RoomFrame>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let lines = parse_room_lines(&text).with_context(|| path.display().to_string())?;
    if lines.is_empty() {
        bail!("{}: no room lines", path.display());
    }
    Ok(lines)
}
