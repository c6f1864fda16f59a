//! `razz analyze`: run the pipeline over recorded video (or precomputed detections) and write
//! per-camera MOTChallenge track files and per-room JSON Lines.
//!
//! Cameras of a room are read in lockstep (same frame index = same instant); each camera's
//! video is decoded by its own reader thread into a small bounded queue, and every frame
//! that is due for detection goes to the one inference thread.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Instant;

use crossbeam_channel::{Receiver, bounded};
use indicatif::{ProgressBar, ProgressStyle};
use razz_core::Detection;
use razz_core::mot::{detections_by_frame, read_rows, write_track_row};
use razz_detect::Detector;
use razz_track::{ByteTracker, TrackView};
use razz_video::{Frame, OpenOptions, VideoError, VideoSource};
use serde::Serialize;

use crate::config::Config;
use crate::error::PipelineError;
use crate::inference::{InferenceHandle, InferenceWorker, Pending};

/// Frames decoded ahead per camera.
const DECODE_AHEAD: usize = 2;

/// A stream URL that sends nothing for this long is an error, not a hang.
const URL_IO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How `analyze` runs.
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    pub out_dir: PathBuf,
    /// Detector runs per second for cameras that do not set their own; `None`: every frame.
    pub detect_fps: Option<f64>,
    /// Precomputed detections (MOTChallenge format) for a single camera, instead of the
    /// detector. With no video, frames and rate come from `seqinfo.ini` beside `det/`.
    pub detections: Option<PathBuf>,
    /// Show a progress bar on stderr (when it is a terminal).
    pub progress: bool,
    /// Also write each camera's raw detections as `<camera>.det.txt` (MOTChallenge).
    pub save_detections: bool,
}

/// What a run did, also written as `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyzeReport {
    pub out_dir: PathBuf,
    pub backend: Option<String>,
    pub cameras: Vec<CameraReport>,
    pub rooms: Vec<RoomReport>,
    pub frames: u64,
    pub elapsed_s: f64,
    pub frames_per_s: f64,
    pub detector_runs: u64,
    pub peak_rss_bytes: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CameraReport {
    pub id: String,
    pub frames: u64,
    pub fps: f64,
    pub detector_runs: u64,
    pub tracks_file: PathBuf,
    pub track_ids: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoomReport {
    pub id: String,
    pub lines_file: PathBuf,
    pub max_count: usize,
}

/// One person in a room line.
#[derive(Serialize)]
struct PersonLine<'a> {
    camera: &'a str,
    track: u64,
    #[serde(rename = "box")]
    bbox: [f32; 4],
    score: f32,
}

#[derive(Serialize)]
struct RoomLine<'a> {
    room: &'a str,
    frame: u64,
    count: usize,
    people: Vec<PersonLine<'a>>,
}

/// Where one camera's frames come from.
enum Feed {
    Video {
        rx: Receiver<Result<Frame, VideoError>>,
        reader: Option<JoinHandle<()>>,
    },
    /// Detections only: no pixels, `frames` frames at `fps`.
    Detections {
        by_frame: BTreeMap<u64, Vec<Detection>>,
        frames: u64,
    },
}

struct CameraRun {
    id: String,
    room: usize,
    fps: f64,
    schedule: Schedule,
    feed: Feed,
    tracker: ByteTracker,
    out: BufWriter<File>,
    tracks_file: PathBuf,
    det_out: Option<(BufWriter<File>, PathBuf)>,
    frames: u64,
    detector_runs: u64,
    max_id: u64,
    done: bool,
}

/// Runs the whole analysis.
pub fn analyze(cfg: &Config, opts: &AnalyzeOptions) -> Result<AnalyzeReport, PipelineError> {
    cfg.validate()?;
    let cams: Vec<_> = cfg.cameras.iter().filter(|c| c.enabled).collect();
    if cams.is_empty() {
        return Err(PipelineError::Usage("no enabled camera to analyze".into()));
    }
    if opts.detections.is_some() && cams.len() != 1 {
        return Err(PipelineError::Usage(
            "--detections works with exactly one camera".into(),
        ));
    }
    std::fs::create_dir_all(&opts.out_dir).map_err(|source| PipelineError::Io {
        path: opts.out_dir.clone(),
        source,
    })?;
    let started = Instant::now();

    let mut runs = Vec::with_capacity(cams.len());
    for cam in &cams {
        let room = cfg
            .rooms
            .iter()
            .position(|r| r.id == cam.room)
            .ok_or_else(|| PipelineError::Config(format!("unknown room {}", cam.room)))?;
        let (feed, fps, length) = match &opts.detections {
            Some(path) => open_detections(path, &cam.url, cam.fps)?,
            None => open_video(&cam.id, &cam.url, cam.fps)?,
        };
        let tracks_file = opts.out_dir.join(format!("{}.txt", cam.id));
        let out = create(&tracks_file)?;
        let det_out = if opts.save_detections && opts.detections.is_none() {
            let p = opts.out_dir.join(format!("{}.det.txt", cam.id));
            Some((create(&p)?, p))
        } else {
            None
        };
        let detect_fps = cam.detect_fps.or(opts.detect_fps);
        runs.push((
            CameraRun {
                id: cam.id.clone(),
                room,
                fps,
                schedule: Schedule {
                    period_s: detect_fps.map(|f| 1.0 / f),
                    next_s: 0.0,
                    half_frame_s: 0.5 / fps,
                },
                feed,
                tracker: ByteTracker::new(cfg.tracker),
                out,
                tracks_file,
                det_out,
                frames: 0,
                detector_runs: 0,
                max_id: 0,
                done: false,
            },
            length,
        ));
    }
    let total = runs.iter().map(|(_, l)| *l).max().flatten();
    let mut runs: Vec<CameraRun> = runs.into_iter().map(|(r, _)| r).collect();

    let worker = if opts.detections.is_none() {
        Some(
            InferenceWorker::spawn(Detector::new(&cfg.detector)?, runs.len()).map_err(
                |source| PipelineError::Io {
                    path: "inference thread".into(),
                    source,
                },
            )?,
        )
    } else {
        None
    };
    let handle = worker.as_ref().and_then(InferenceWorker::handle);

    let mut room_out = Vec::new();
    for r in &cfg.rooms {
        if runs.iter().any(|c| cfg.rooms[c.room].id == r.id) {
            let path = opts.out_dir.join(format!("{}.jsonl", r.id));
            room_out.push((r.id.clone(), create(&path)?, path, 0usize));
        }
    }

    let bar = progress_bar(opts.progress, total);
    let mut frame_index = 0u64;
    let mut per_frame: Vec<Vec<TrackView>> = vec![Vec::new(); runs.len()];
    loop {
        let any = step(&mut runs, frame_index, handle.as_ref(), &mut per_frame)?;
        if !any {
            break;
        }
        for (ri, (room_id, out, path, max_count)) in room_out.iter_mut().enumerate() {
            let mut people = Vec::new();
            for (ci, run) in runs.iter().enumerate() {
                if cfg.rooms[run.room].id != *room_id {
                    continue;
                }
                for v in &per_frame[ci] {
                    people.push(PersonLine {
                        camera: &run.id,
                        track: v.id,
                        bbox: [v.bbox.x, v.bbox.y, v.bbox.w, v.bbox.h],
                        score: v.score,
                    });
                }
            }
            let line = RoomLine {
                room: room_id,
                frame: frame_index + 1,
                count: people.len(),
                people,
            };
            *max_count = (*max_count).max(line.count);
            serde_json::to_writer(&mut *out, &line).map_err(|e| PipelineError::Io {
                path: path.clone(),
                source: e.into(),
            })?;
            writeln!(out).map_err(|source| PipelineError::Io {
                path: path.clone(),
                source,
            })?;
            let _ = ri;
        }
        frame_index += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    drop(handle);

    let mut cameras = Vec::new();
    for mut run in runs {
        run.out.flush().map_err(|source| PipelineError::Io {
            path: run.tracks_file.clone(),
            source,
        })?;
        if let Some((out, path)) = &mut run.det_out {
            out.flush().map_err(|source| PipelineError::Io {
                path: path.clone(),
                source,
            })?;
        }
        if let Feed::Video { reader, .. } = &mut run.feed
            && let Some(t) = reader.take()
        {
            let _ = t.join();
        }
        cameras.push(CameraReport {
            id: run.id,
            frames: run.frames,
            fps: run.fps,
            detector_runs: run.detector_runs,
            tracks_file: run.tracks_file,
            track_ids: run.max_id,
        });
    }
    let mut rooms = Vec::new();
    for (id, mut out, path, max_count) in room_out {
        out.flush().map_err(|source| PipelineError::Io {
            path: path.clone(),
            source,
        })?;
        rooms.push(RoomReport {
            id,
            lines_file: path,
            max_count,
        });
    }
    let elapsed_s = started.elapsed().as_secs_f64();
    let report = AnalyzeReport {
        out_dir: opts.out_dir.clone(),
        backend: worker.as_ref().map(|w| w.backend().to_owned()),
        detector_runs: cameras.iter().map(|c| c.detector_runs).sum(),
        cameras,
        rooms,
        frames: frame_index,
        elapsed_s,
        frames_per_s: if elapsed_s > 0.0 {
            frame_index as f64 / elapsed_s
        } else {
            0.0
        },
        peak_rss_bytes: crate::sys::peak_rss_bytes(),
    };
    let summary = opts.out_dir.join("summary.json");
    let text = serde_json::to_string_pretty(&report).map_err(|e| PipelineError::Io {
        path: summary.clone(),
        source: e.into(),
    })?;
    std::fs::write(&summary, text).map_err(|source| PipelineError::Io {
        path: summary,
        source,
    })?;
    Ok(report)
}

/// Advances every camera by one frame. Returns false once all cameras have ended.
fn step(
    runs: &mut [CameraRun],
    frame_index: u64,
    detector: Option<&InferenceHandle>,
    per_frame: &mut [Vec<TrackView>],
) -> Result<bool, PipelineError> {
    // Gather this instant's frames and send the due ones to the detector together.
    let mut pending: Vec<Option<Pending>> = Vec::with_capacity(runs.len());
    let mut any = false;
    for run in runs.iter_mut() {
        let mut ticket = None;
        if !run.done {
            match &mut run.feed {
                Feed::Video { rx, .. } => match rx.recv() {
                    Ok(Ok(frame)) => {
                        any = true;
                        let t = frame.index as f64 / run.fps;
                        if run.schedule.due(t) {
                            let det = detector.ok_or(PipelineError::InferenceStopped)?;
                            ticket = Some(
                                det.submit(frame.width, frame.height, frame.bgr)
                                    .ok_or(PipelineError::InferenceStopped)?,
                            );
                        }
                    }
                    Ok(Err(source)) => {
                        return Err(PipelineError::Video {
                            camera: run.id.clone(),
                            source,
                        });
                    }
                    Err(_) => run.done = true,
                },
                Feed::Detections { frames, .. } => {
                    if frame_index < *frames {
                        any = true;
                    } else {
                        run.done = true;
                    }
                }
            }
        }
        pending.push(ticket);
    }
    for ((run, ticket), out) in runs.iter_mut().zip(pending).zip(per_frame.iter_mut()) {
        out.clear();
        if run.done {
            continue;
        }
        let t = frame_index as f64 / run.fps;
        let views = match (ticket, &run.feed) {
            (Some(p), _) => {
                let result = p.wait().ok_or(PipelineError::InferenceStopped)?;
                let dets = result.map_err(|source| PipelineError::Detect {
                    camera: run.id.clone(),
                    frame: frame_index,
                    source,
                })?;
                run.detector_runs += 1;
                if let Some((out, path)) = &mut run.det_out {
                    for d in &dets {
                        write_detection_row(&mut *out, frame_index + 1, d).map_err(|source| {
                            PipelineError::Io {
                                path: path.clone(),
                                source,
                            }
                        })?;
                    }
                }
                run.tracker.update(t, &dets)
            }
            (None, Feed::Detections { by_frame, .. }) if run.schedule.due(t) => {
                run.detector_runs += 1;
                let dets = by_frame.get(&frame_index).map(Vec::as_slice).unwrap_or(&[]);
                run.tracker.update(t, dets)
            }
            (None, _) => run.tracker.predict(t),
        };
        let fno = u32::try_from(frame_index + 1).unwrap_or(u32::MAX);
        for v in &views {
            write_track_row(&mut run.out, fno, v.id, &v.bbox, v.score).map_err(|source| {
                PipelineError::Io {
                    path: run.tracks_file.clone(),
                    source,
                }
            })?;
            run.max_id = run.max_id.max(v.id);
        }
        run.frames += 1;
        *out = views;
    }
    Ok(any)
}

/// When the detector runs: every frame, or at a rate with the tracker predicting between.
struct Schedule {
    period_s: Option<f64>,
    next_s: f64,
    /// Slack so that 5 per second on a 10 FPS video hits exactly every second frame.
    half_frame_s: f64,
}

impl Schedule {
    /// Whether the detector should run at time `t`; advances the schedule when it should.
    fn due(&mut self, t: f64) -> bool {
        let Some(period) = self.period_s else {
            return true;
        };
        if t + self.half_frame_s >= self.next_s {
            self.next_s = (self.next_s + period).max(t + period - self.half_frame_s);
            true
        } else {
            false
        }
    }
}

fn open_video(
    camera: &str,
    url: &str,
    fps: Option<f64>,
) -> Result<(Feed, f64, Option<u64>), PipelineError> {
    let opts = OpenOptions {
        fps,
        io_timeout: Some(URL_IO_TIMEOUT),
        ..OpenOptions::default()
    };
    let source = VideoSource::open(url, &opts).map_err(|source| PipelineError::Video {
        camera: camera.to_owned(),
        source,
    })?;
    let (fps, length) = (source.fps(), source.info().frame_count);
    let (tx, rx) = bounded(DECODE_AHEAD);
    let name = format!("decode-{camera}");
    let reader = std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            for item in source {
                let stop = item.is_err();
                if tx.send(item).is_err() || stop {
                    break;
                }
            }
        })
        .map_err(|source| PipelineError::Io {
            path: "decoder thread".into(),
            source,
        })?;
    Ok((
        Feed::Video {
            rx,
            reader: Some(reader),
        },
        fps,
        length,
    ))
}

/// Detections from a MOTChallenge file. `url` may name the sequence's video (only its frame
/// count and rate are used) or the detections file itself; `seqinfo.ini` beside `det/` fills
/// in what is missing.
fn open_detections(
    path: &Path,
    url: &str,
    fps: Option<f64>,
) -> Result<(Feed, f64, Option<u64>), PipelineError> {
    let file = File::open(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let rows = read_rows(BufReader::new(file)).map_err(|source| PipelineError::Detections {
        path: path.to_path_buf(),
        source,
    })?;
    let by_frame = detections_by_frame(&rows);
    let seqinfo = path
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("seqinfo.ini"))
        .and_then(|p| std::fs::read_to_string(p).ok());
    let ini = |key: &str| {
        seqinfo.as_deref().and_then(|s| {
            s.lines().find_map(|l| {
                l.trim()
                    .strip_prefix(key)?
                    .trim()
                    .strip_prefix('=')
                    .map(|v| v.trim().to_owned())
            })
        })
    };
    let mut frames = ini("seqLength").and_then(|v| v.parse::<u64>().ok());
    let mut rate = fps.or_else(|| ini("frameRate").and_then(|v| v.parse::<f64>().ok()));
    if Path::new(url) != path && (frames.is_none() || rate.is_none()) {
        let info = razz_video::probe(url, &[]).map_err(|source| PipelineError::Video {
            camera: url.to_owned(),
            source,
        })?;
        frames = frames.or(info.frame_count);
        rate = rate.or(info.fps);
    }
    let last = by_frame.keys().next_back().map_or(0, |k| k + 1);
    let frames = frames.unwrap_or(last).max(last);
    let fps = rate.filter(|r| r.is_finite() && *r > 0.0).ok_or_else(|| {
        PipelineError::Usage(format!(
            "{}: frame rate unknown (no seqinfo.ini beside det/): pass --fps",
            path.display()
        ))
    })?;
    Ok((Feed::Detections { by_frame, frames }, fps, Some(frames)))
}

/// MOTChallenge detection line: `frame,-1,x,y,w,h,score,-1,-1,-1`.
fn write_detection_row(mut out: impl Write, frame: u64, d: &Detection) -> std::io::Result<()> {
    let b = d.bbox;
    writeln!(
        out,
        "{frame},-1,{:.2},{:.2},{:.2},{:.2},{:.4},-1,-1,-1",
        b.x, b.y, b.w, b.h, d.score
    )
}

fn create(path: &Path) -> Result<BufWriter<File>, PipelineError> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })
}

fn progress_bar(enabled: bool, total: Option<u64>) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = total.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {pos}/{len} frames [{elapsed_precise}] {per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
