//! `razz eval`: score MOTChallenge tracker files against ground truth.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use razz_core::mot::{MotRow, read_rows};
use razz_eval::{Metrics, SequenceData};

#[derive(Args)]
pub struct EvalArgs {
    /// Ground truth file (with --tracks).
    #[arg(long, requires = "tracks")]
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
    /// Write all results as JSON here too.
    #[arg(long)]
    json: Option<PathBuf>,
}

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
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
        _ => bail!("give --gt FILE --tracks FILE, or --gt-dir DIR --tracks-dir DIR"),
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
