//! `razz analyze`: options to [`razz_pipeline::AnalyzeOptions`] and a config.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use razz_detect::{BackendChoice, Bundled, ModelFormat};
use razz_pipeline::Config;
use razz_pipeline::config::{CameraConfig, RoomConfig};

#[derive(Args)]
pub struct AnalyzeArgs {
    /// A video file (or URL). Omit when --config names the cameras, or with --detections.
    input: Option<String>,
    /// A razz config file naming rooms and their cameras (video files), plus settings.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Where results go.
    #[arg(long, short, default_value = "razz-out")]
    out: PathBuf,
    /// Detector runs per second (the tracker predicts in between); default: every frame.
    #[arg(long)]
    detect_fps: Option<f64>,
    /// With --detect-fps: spread a room's cameras' detector runs over the period, as in
    /// `razz serve`, instead of running them all on the same frames.
    #[arg(long, requires = "detect_fps")]
    stagger: bool,
    /// With --detect-fps: seconds after the video's start of the first detector run (0 up to
    /// one period). Live, where in the period a camera's runs fall is chance; running each
    /// phase shows how much the figures depend on it.
    #[arg(long, requires = "detect_fps", default_value_t = 0.0)]
    detect_phase_s: f64,
    /// Feed these MOTChallenge detections instead of running the detector.
    #[arg(long)]
    detections: Option<PathBuf>,
    /// Frame rate for timestamps, overriding the video's header.
    #[arg(long)]
    fps: Option<f64>,
    /// Inference backend: auto, ort or tract.
    #[arg(long)]
    backend: Option<BackendChoice>,
    /// Inference threads.
    #[arg(long)]
    threads: Option<usize>,
    /// Minimum detection score.
    #[arg(long)]
    score_threshold: Option<f32>,
    /// NMS IoU threshold.
    #[arg(long)]
    nms_iou: Option<f32>,
    /// Your own ONNX detector (e.g. an Ultralytics YOLO11 export) instead of the bundled one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Layout of --model's outputs: nanodet, yolo or centernet.
    #[arg(long, value_parser = parse_format)]
    model_format: Option<ModelFormat>,
    /// Which bundled detector(s) run without --model: nanodet, centernet or both.
    #[arg(long, conflicts_with = "model")]
    detector: Option<Bundled>,
    /// Model input size WIDTHxHEIGHT in pixels, multiples of 32 (e.g. 768x576).
    #[arg(long, value_parser = parse_size, conflicts_with = "input_long_side")]
    input_size: Option<[u32; 2]>,
    /// Model input at each frame's aspect ratio, its longer side this many pixels.
    #[arg(long)]
    input_long_side: Option<u32>,
    /// Tracker: seconds a lost track may be found again.
    #[arg(long)]
    lost_ttl_s: Option<f64>,
    /// Never draw a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Also write the detector's raw output per camera as CAMERA.det.txt (MOTChallenge).
    #[arg(long)]
    save_detections: bool,
    /// Also write each room's lines by the naive sum (ROOM.sum.jsonl) and by the original
    /// system's rule (ROOM.original.jsonl), to compare with fusion.
    #[arg(long)]
    baselines: bool,
    /// Turn appearance embeddings off (fusion by position and time only).
    #[arg(long)]
    no_embeddings: bool,
}

fn parse_size(s: &str) -> Result<[u32; 2], String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("expected WIDTHxHEIGHT, got {s:?}"))?;
    let num = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("expected WIDTHxHEIGHT, got {s:?}"))
    };
    Ok([num(w)?, num(h)?])
}

fn parse_format(s: &str) -> Result<ModelFormat, String> {
    match s {
        "nanodet" => Ok(ModelFormat::Nanodet),
        "yolo" => Ok(ModelFormat::Yolo),
        "centernet" => Ok(ModelFormat::Centernet),
        _ => Err(format!(
            "unknown model format {s:?} (expected nanodet, yolo or centernet)"
        )),
    }
}

pub fn run(a: AnalyzeArgs) -> anyhow::Result<()> {
    let mut cfg = match &a.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    match (&a.input, &a.config, &a.detections) {
        (Some(_), Some(_), _) => bail!("give either a video or --config, not both"),
        (Some(input), None, _) => single_camera(&mut cfg, input, camera_id(input), a.fps),
        (None, None, Some(det)) => {
            single_camera(&mut cfg, &det.to_string_lossy(), sequence_id(det), a.fps)
        }
        (None, None, None) => bail!(
            "nothing to analyze: give a video file, --config or --detections (see razz analyze --help)"
        ),
        (None, Some(_), Some(det)) if cfg.cameras.is_empty() => {
            single_camera(&mut cfg, &det.to_string_lossy(), sequence_id(det), a.fps)
        }
        (None, Some(_), _) => {}
    }
    if let Some(f) = a.fps {
        cfg.cameras.iter_mut().for_each(|c| c.fps = Some(f));
    }
    let d = &mut cfg.detector;
    d.backend = a.backend.unwrap_or(d.backend);
    d.threads = a.threads.unwrap_or(d.threads);
    d.score_threshold = a.score_threshold.unwrap_or(d.score_threshold);
    d.nms_iou = a.nms_iou.unwrap_or(d.nms_iou);
    if a.model.is_some() {
        d.model = a.model.clone();
    }
    d.format = a.model_format.unwrap_or(d.format);
    d.bundled = a.detector.unwrap_or(d.bundled);
    if a.input_size.is_some() || a.input_long_side.is_some() {
        d.input_size_px = a.input_size;
        d.input_long_side_px = a.input_long_side;
    }
    cfg.tracker.lost_ttl_s = a.lost_ttl_s.unwrap_or(cfg.tracker.lost_ttl_s);
    if a.no_embeddings {
        cfg.fusion.embeddings = false;
    }
    if let Some(f) = a.detect_fps {
        anyhow::ensure!(
            f.is_finite() && f > 0.0,
            "--detect-fps must be a positive number"
        );
        anyhow::ensure!(
            a.detect_phase_s.is_finite() && (0.0..1.0 / f).contains(&a.detect_phase_s),
            "--detect-phase-s must be at least 0 and less than one period (1 / --detect-fps = {} s)",
            1.0 / f
        );
    }
    cfg.validate()?;

    let opts = razz_pipeline::AnalyzeOptions {
        out_dir: a.out.clone(),
        detect_fps: a.detect_fps,
        stagger: a.stagger,
        detect_phase_s: a.detect_phase_s,
        detections: a.detections.clone(),
        progress: !a.no_progress && std::io::stderr().is_terminal(),
        save_detections: a.save_detections,
        baselines: a.baselines,
    };
    let r = razz_pipeline::analyze(&cfg, &opts)?;
    for c in &r.cameras {
        println!(
            "camera {}: {} frames, {} detector runs, {} track ids, {} crops embedded ({:.1} s) -> {}",
            c.id,
            c.frames,
            c.detector_runs,
            c.track_ids,
            c.embeddings,
            c.embed_s,
            c.tracks_file.display()
        );
    }
    for room in &r.rooms {
        println!(
            "room {}: max count {} -> {}",
            room.id,
            room.max_count,
            room.lines_file.display()
        );
        let uncal = &room.uncalibrated_cameras;
        if !uncal.is_empty() {
            let (s, verb) = if uncal.len() == 1 {
                ("", "is")
            } else {
                ("s", "are")
            };
            println!(
                "room {}: not de-duplicated: camera{s} {} {verb} not calibrated, so a person two \
                 cameras see may be counted twice (docs/config.md)",
                room.id,
                uncal.join(", ")
            );
        }
    }
    let mib = r.peak_rss_bytes.map_or_else(
        || "?".into(),
        |b| format!("{:.0} MiB", b as f64 / 1048576.0),
    );
    println!(
        "{} frames in {:.1} s ({:.1} frames/s, backend {}), peak RSS {mib}; summary: {}",
        r.frames,
        r.elapsed_s,
        r.frames_per_s,
        r.backend.as_deref().unwrap_or("none: detections file"),
        r.out_dir.join("summary.json").display()
    );
    Ok(())
}

/// Makes a one-room, one-camera config for a single input.
fn single_camera(cfg: &mut Config, input: &str, id: Option<String>, fps: Option<f64>) {
    let id = id.unwrap_or_else(|| "camera".into());
    cfg.rooms = vec![RoomConfig {
        id: "default".into(),
        name: None,
        floor_area_m: None,
    }];
    cfg.cameras = vec![CameraConfig {
        id,
        room: "default".into(),
        name: None,
        url: input.to_owned(),
        enabled: true,
        detect_fps: None,
        fps,
        calibration: None,
    }];
}

/// Names a detections-only camera after the sequence folder of `.../SEQ/det/det.txt`.
fn sequence_id(det: &std::path::Path) -> Option<String> {
    let seq = det
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "det"))
        .and_then(|p| p.parent())
        .unwrap_or(det);
    camera_id(&seq.to_string_lossy())
}

/// A config-safe id from a path's file stem.
fn camera_id(input: &str) -> Option<String> {
    let stem = std::path::Path::new(input)
        .file_stem()?
        .to_string_lossy()
        .into_owned();
    let id: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    (!id.is_empty()).then_some(id)
}
