//! `razz analyze`: run the pipeline over recorded video (or precomputed detections) and write
//! per-camera MOTChallenge track files and per-room JSON Lines of fused people.
//!
//! Cameras of a room are read in lockstep (same frame index = same instant); each camera's
//! video is decoded by its own reader thread into a small bounded queue, and every frame
//! that is due for detection goes to the one inference thread, as do the crops that fusion
//! wants embedded (at a bounded rate per track, see `razz_fusion::gallery`).

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use razz_core::mot::write_track_row;
use razz_core::{BoxXywh, Detection};
use razz_detect::{Detector, Embedder};
use razz_fusion::{CameraSetup, FloorArea, Homography, TrackGalleries};
use razz_track::{ByteTracker, TrackView};
use serde::Serialize;

use crate::config::Config;
use crate::error::PipelineError;
use crate::feed::{Feed, Schedule, open_detections, open_video};
use crate::inference::{InferenceHandle, InferenceWorker, Pending, SharedFrame};
use crate::rooms::{CameraFrame, RoomRun};

/// How `analyze` runs.
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    pub out_dir: PathBuf,
    /// Detector runs per second for cameras that do not set their own; `None`: every frame.
    pub detect_fps: Option<f64>,
    /// With `detect_fps`: spread the detector runs of a room's cameras over the period, as
    /// the live scheduler's fall (camera k of n in a room starts k/n of a period later).
    /// Without it they all run on the same frames.
    pub stagger: bool,
    /// With `detect_fps`: seconds from the start to every camera's first detector run (before
    /// any stagger). Live, the phase is chance.
    pub detect_phase_s: f64,
    /// Precomputed detections (MOTChallenge format) for a single camera, instead of the
    /// detector. With no video, frames and rate come from `seqinfo.ini` beside `det/`.
    pub detections: Option<PathBuf>,
    /// Show a progress bar on stderr (when it is a terminal).
    pub progress: bool,
    /// Also write each camera's raw detections as `<camera>.det.txt` (MOTChallenge).
    pub save_detections: bool,
    /// Also write each room's lines by the naive sum (`<room>.sum.jsonl`) and by the original
    /// system's rule (`<room>.original.jsonl`), from the same tracks.
    pub baselines: bool,
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
    /// Crops embedded for fusion.
    pub embeddings: u64,
    /// Time the inference thread spent embedding, seconds.
    pub embed_s: f64,
    pub tracks_file: PathBuf,
    pub track_ids: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoomReport {
    pub id: String,
    pub lines_file: PathBuf,
    pub max_count: usize,
    /// In a room of more than one camera, those without a calibration: not de-duplicated
    /// (see `razz_fusion::uncalibrated_cameras`).
    pub uncalibrated_cameras: Vec<String>,
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
    /// Appearance per track, when fusion embeds.
    galleries: Option<TrackGalleries>,
    /// Tracks fusion found ambiguous in the last frame.
    urgent: HashSet<u64>,
    frame_px: (u32, u32),
    /// The camera's floor calibration and its room's floor area, when both are set: boxes
    /// whose feet are inside start tracks at `area_new_track_score`.
    birth_area: Option<(Homography, FloorArea)>,
    embeddings: u64,
    embed_s: f64,
    frames: u64,
    detector_runs: u64,
    max_id: u64,
    done: bool,
}

/// Whether a box's feet stand inside its room's floor area (`false` without one).
fn in_area(area: &Option<(Homography, FloorArea)>, b: &BoxXywh) -> bool {
    area.as_ref().is_some_and(|(h, a)| a.holds_feet(h, b))
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
    for (i, cam) in cams.iter().enumerate() {
        let room = cfg
            .rooms
            .iter()
            .position(|r| r.id == cam.room)
            .ok_or_else(|| PipelineError::Config(format!("unknown room {}", cam.room)))?;
        let (feed, fps, length) = match &opts.detections {
            Some(path) => open_detections(path, &cam.url, cam.fps)?,
            None => open_video(&cam.id, &cam.url, cam.fps)?,
        };
        let frame_px = feed.size();
        let tracks_file = opts.out_dir.join(format!("{}.txt", cam.id));
        let out = create(&tracks_file)?;
        let det_out = if opts.save_detections && opts.detections.is_none() {
            let p = opts.out_dir.join(format!("{}.det.txt", cam.id));
            Some((create(&p)?, p))
        } else {
            None
        };
        let detect_fps = cam.detect_fps.or(opts.detect_fps);
        let period_s = detect_fps.map(|f| 1.0 / f);
        let phase_s = match period_s {
            Some(p) if opts.stagger => {
                let before = cams[..i].iter().filter(|c| c.room == cam.room).count();
                let of = cams.iter().filter(|c| c.room == cam.room).count();
                opts.detect_phase_s + p * before as f64 / of as f64
            }
            Some(_) => opts.detect_phase_s,
            None => 0.0,
        };
        runs.push((
            CameraRun {
                id: cam.id.clone(),
                room,
                fps,
                schedule: Schedule {
                    period_s,
                    next_s: phase_s,
                    half_frame_s: 0.5 / fps,
                },
                feed,
                tracker: ByteTracker::new(cfg.tracker),
                out,
                tracks_file,
                det_out,
                galleries: (cfg.fusion.embeddings && opts.detections.is_none())
                    .then(|| TrackGalleries::new(cfg.fusion.embed_policy())),
                urgent: HashSet::new(),
                frame_px,
                birth_area: None,
                embeddings: 0,
                embed_s: 0.0,
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
        let embedder = if cfg.fusion.embeddings {
            Some(Embedder::new(&cfg.detector)?)
        } else {
            None
        };
        Some(
            InferenceWorker::spawn(Detector::new(&cfg.detector)?, embedder, runs.len()).map_err(
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

    let mut rooms_run = Vec::new();
    for (ri, r) in cfg.rooms.iter().enumerate() {
        let members: Vec<(usize, CameraSetup)> = runs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.room == ri)
            .map(|(i, c)| {
                let cam = cams.iter().find(|k| k.id == c.id);
                let homography = cam
                    .and_then(|k| k.calibration.as_ref())
                    .and_then(|cal| cal.homography().ok());
                (
                    i,
                    CameraSetup {
                        id: c.id.clone(),
                        homography,
                    },
                )
            })
            .collect();
        for (i, setup) in &members {
            if let (Some(h), Some(area)) = (setup.homography, &r.floor_area_m) {
                runs[*i].birth_area = Some((h, area.clone()));
            }
        }
        if !members.is_empty() {
            let mut run = RoomRun::new(&r.id, members, &cfg.fusion, &opts.out_dir, opts.baselines)?;
            run.set_floor_area(r.floor_area_m.clone());
            rooms_run.push(run);
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
        for room in &mut rooms_run {
            let frames: Vec<CameraFrame<'_>> = room
                .cameras
                .iter()
                .map(|&ci| {
                    let run = &runs[ci];
                    CameraFrame {
                        id: &run.id,
                        views: (!run.done).then_some(per_frame[ci].as_slice()),
                        frame_px: run.frame_px,
                        galleries: run.galleries.as_ref(),
                    }
                })
                .collect();
            // Same frame index = same instant; the room's first camera gives the clock.
            let fps = room.cameras.first().map_or(1.0, |&ci| runs[ci].fps);
            let asks = room.step(frame_index + 1, frame_index as f64 / fps, &frames)?;
            for (&ci, ask) in room.cameras.iter().zip(asks) {
                let run = &mut runs[ci];
                run.urgent = ask.apply(run.galleries.as_mut());
            }
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
            embeddings: run.embeddings,
            embed_s: run.embed_s,
            tracks_file: run.tracks_file,
            track_ids: run.max_id,
        });
    }
    let mut rooms = Vec::new();
    for room in rooms_run {
        rooms.push(RoomReport {
            id: room.id.clone(),
            lines_file: room.lines_file(),
            max_count: room.max_count,
            uncalibrated_cameras: room.uncalibrated_cameras(),
        });
        room.finish()?;
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
    type Ticket = (Pending<Vec<Detection>>, SharedFrame);
    let mut pending: Vec<Option<Ticket>> = Vec::with_capacity(runs.len());
    let mut any = false;
    for run in runs.iter_mut() {
        let mut ticket = None;
        if !run.done {
            match &mut run.feed {
                Feed::Video { rx, .. } => match rx.recv() {
                    Ok(Ok(frame)) => {
                        any = true;
                        let t = frame.index as f64 / run.fps;
                        run.frame_px = (frame.width, frame.height);
                        if run.schedule.due(t) {
                            let det = detector.ok_or(PipelineError::InferenceStopped)?;
                            let bgr: SharedFrame = Arc::new(frame.bgr);
                            let p = det
                                .submit(frame.width, frame.height, Arc::clone(&bgr))
                                .ok_or(PipelineError::InferenceStopped)?;
                            ticket = Some((p, bgr));
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
        let mut shown = None;
        let mut views = match (ticket, &run.feed) {
            (Some((p, bgr)), _) => {
                shown = Some(bgr);
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
                run.tracker.set_frame_px(run.frame_px.0, run.frame_px.1);
                run.tracker
                    .update_in_area(t, &dets, &|b| in_area(&run.birth_area, b))
            }
            (None, Feed::Detections { by_frame, .. }) if run.schedule.due(t) => {
                run.detector_runs += 1;
                let dets = by_frame.get(&frame_index).map(Vec::as_slice).unwrap_or(&[]);
                run.tracker.set_frame_px(run.frame_px.0, run.frame_px.1);
                run.tracker
                    .update_in_area(t, dets, &|b| in_area(&run.birth_area, b))
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
        if let (Some(bgr), Some(det)) = (shown, detector) {
            embed_due(run, t, &mut views, bgr, det, frame_index)?;
        }
        run.frames += 1;
        *out = views;
    }
    Ok(any)
}

/// Embeds the tracks whose turn it is (new, ambiguous, just out of a crossing, or due by
/// interval), exchanges the ids of tracks that swapped people while crossing, and frees the
/// galleries of tracks the tracker has forgotten.
fn embed_due(
    run: &mut CameraRun,
    t_s: f64,
    views: &mut [TrackView],
    bgr: SharedFrame,
    det: &InferenceHandle,
    frame_index: u64,
) -> Result<(), PipelineError> {
    let Some(galleries) = &mut run.galleries else {
        return Ok(());
    };
    let due = galleries.due_views(t_s, views, &run.urgent, run.frame_px);
    let (w, h) = run.frame_px;
    if !due.is_empty() && det.embeds() {
        let crops = due.iter().map(|d| d.1).collect();
        let started = Instant::now();
        let result = det
            .embed(w, h, bgr, crops)
            .and_then(|p| p.wait())
            .ok_or(PipelineError::InferenceStopped)?;
        let embeddings = result.map_err(|source| PipelineError::Detect {
            camera: run.id.clone(),
            frame: frame_index,
            source,
        })?;
        run.embed_s += started.elapsed().as_secs_f64();
        run.embeddings += embeddings.len() as u64;
        for (&(track, _), e) in due.iter().zip(embeddings) {
            galleries.add(track, t_s, e);
        }
    }
    galleries.apply_swaps(&mut run.tracker, views);
    galleries.forget_ended(&run.tracker);
    Ok(())
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
