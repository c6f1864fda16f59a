//! Where `analyze` gets a camera's frames: a video decoded on its own thread into a small
//! bounded queue, or precomputed MOTChallenge detections with no pixels; and when the detector
//! runs on them.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, bounded};
use razz_core::Detection;
use razz_core::mot::{detections_by_frame, read_rows};
use razz_video::{Frame, OpenOptions, VideoError, VideoSource};

use crate::error::PipelineError;

/// Frames decoded ahead per camera.
const DECODE_AHEAD: usize = 2;

/// A stream URL that sends nothing for this long is an error, not a hang.
const URL_IO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Where one camera's frames come from.
pub(crate) enum Feed {
    Video {
        size: (u32, u32),
        rx: Receiver<Result<Frame, VideoError>>,
        reader: Option<JoinHandle<()>>,
    },
    /// Detections only: no pixels, `frames` frames at `fps`.
    Detections {
        /// Frame size from `seqinfo.ini`, when it says.
        size: (u32, u32),
        by_frame: BTreeMap<u64, Vec<Detection>>,
        frames: u64,
    },
}

impl Feed {
    /// Frame size in pixels, `(0, 0)` when unknown (detections with no `seqinfo.ini`).
    pub(crate) fn size(&self) -> (u32, u32) {
        match self {
            Feed::Video { size, .. } | Feed::Detections { size, .. } => *size,
        }
    }
}

/// When the detector runs: every frame, or at a rate with the tracker predicting between.
pub(crate) struct Schedule {
    pub(crate) period_s: Option<f64>,
    pub(crate) next_s: f64,
    /// Slack so that 5 per second on a 10 FPS video hits exactly every second frame.
    pub(crate) half_frame_s: f64,
}

impl Schedule {
    /// Whether the detector should run at time `t`; advances the schedule when it should.
    pub(crate) fn due(&mut self, t: f64) -> bool {
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

pub(crate) fn open_video(
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
    let size = (source.info().width, source.info().height);
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
            size,
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
pub(crate) fn open_detections(
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
    let dim = |k: &str| ini(k).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
    let size = (dim("imWidth"), dim("imHeight"));
    Ok((
        Feed::Detections {
            size,
            by_frame,
            frames,
        },
        fps,
        Some(frames),
    ))
}
