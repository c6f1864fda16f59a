//! Room lines for `analyze`: each frame, the room's cameras' tracks go through room fusion and
//! one JSON line is written: `{"room", "frame", "count", "people": [{"id", "members": [...]}]}`.
//! With baselines on, the naive sum and the original system's rule write their own lines from
//! the same tracks, so the three can be scored side by side.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use razz_fusion::baseline::{naive_sum, original_rule};
use razz_fusion::{
    CameraObs, CameraSetup, FloorArea, FusionConfig, LookRequests, RoomFusion, RoomUpdate,
};
use razz_track::TrackView;
use serde::Serialize;

use crate::error::PipelineError;

/// A camera's part of one frame, as `analyze` hands it over.
pub(crate) struct CameraFrame<'a> {
    pub id: &'a str,
    /// `None`: the camera's video has ended.
    pub views: Option<&'a [TrackView]>,
    pub frame_px: (u32, u32),
    pub galleries: Option<&'a razz_fusion::TrackGalleries>,
}

#[derive(Serialize)]
struct MemberLine<'a> {
    camera: &'a str,
    track: u64,
    #[serde(rename = "box")]
    bbox: [f32; 4],
    seen: bool,
}

#[derive(Serialize)]
struct PersonLine<'a> {
    id: u64,
    members: Vec<MemberLine<'a>>,
    confidence: f32,
    seen: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    floor_m: Option<[f64; 2]>,
}

#[derive(Serialize)]
struct RoomLine<'a> {
    room: &'a str,
    frame: u64,
    count: usize,
    people: Vec<PersonLine<'a>>,
}

struct Out {
    file: BufWriter<File>,
    path: PathBuf,
}

impl Out {
    fn create(path: PathBuf) -> Result<Self, PipelineError> {
        let file = File::create(&path)
            .map(BufWriter::new)
            .map_err(|source| PipelineError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Self { file, path })
    }

    fn write(&mut self, line: &RoomLine<'_>) -> Result<(), PipelineError> {
        let io = |source| PipelineError::Io {
            path: self.path.clone(),
            source,
        };
        serde_json::to_writer(&mut self.file, line).map_err(|e| io(e.into()))?;
        writeln!(self.file).map_err(io)
    }

    fn flush(&mut self) -> Result<(), PipelineError> {
        self.file.flush().map_err(|source| PipelineError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// One room's fusion and output files.
pub(crate) struct RoomRun {
    pub id: String,
    /// Indices of the room's cameras in `analyze`'s camera list.
    pub cameras: Vec<usize>,
    fusion: RoomFusion,
    out: Out,
    baselines: Option<(Out, Out)>,
    pub max_count: usize,
}

impl RoomRun {
    pub fn new(
        id: &str,
        cameras: Vec<(usize, CameraSetup)>,
        cfg: &FusionConfig,
        out_dir: &std::path::Path,
        baselines: bool,
    ) -> Result<Self, PipelineError> {
        let out = Out::create(out_dir.join(format!("{id}.jsonl")))?;
        let baselines = if baselines {
            Some((
                Out::create(out_dir.join(format!("{id}.sum.jsonl")))?,
                Out::create(out_dir.join(format!("{id}.original.jsonl")))?,
            ))
        } else {
            None
        };
        let (idx, setups): (Vec<usize>, Vec<CameraSetup>) = cameras.into_iter().unzip();
        Ok(Self {
            id: id.to_owned(),
            cameras: idx,
            fusion: RoomFusion::new(cfg.clone(), setups),
            out,
            baselines,
            max_count: 0,
        })
    }

    /// The room's cameras that fusion cannot de-duplicate (see
    /// `razz_fusion::uncalibrated_cameras`).
    pub fn uncalibrated_cameras(&self) -> Vec<String> {
        let cams: Vec<(&str, bool)> = self
            .fusion
            .cameras()
            .iter()
            .map(|c| (c.id.as_str(), c.homography.is_some()))
            .collect();
        razz_fusion::uncalibrated_cameras(&cams)
    }

    /// Counts only people inside this floor area (the baselines too: their tracks whose feet
    /// are outside are dropped).
    pub fn set_floor_area(&mut self, area: Option<FloorArea>) {
        self.fusion.set_floor_area(area);
    }

    /// The tracks whose feet are inside the floor area (or cannot be placed).
    fn inside_area(&self, mut obs: Vec<Option<CameraObs>>) -> Vec<Option<CameraObs>> {
        let Some(area) = self.fusion.floor_area() else {
            return obs;
        };
        for (o, cam) in obs.iter_mut().zip(self.fusion.cameras()) {
            let (Some(o), Some(h)) = (o, cam.homography) else {
                continue;
            };
            o.tracks.retain(|t| {
                let (x, y) = t.bbox.foot();
                h.apply([f64::from(x), f64::from(y)])
                    .is_none_or(|f| area.contains(f))
            });
        }
        obs
    }

    pub fn lines_file(&self) -> PathBuf {
        self.out.path.clone()
    }

    /// Fuses one frame and writes its lines. Returns what fusion asks of each camera's
    /// galleries (in the order of `frames`).
    pub fn step(
        &mut self,
        frame: u64,
        t_s: f64,
        frames: &[CameraFrame<'_>],
    ) -> Result<Vec<LookRequests>, PipelineError> {
        let obs: Vec<Option<CameraObs>> = frames
            .iter()
            .map(|f| {
                f.views
                    .map(|views| CameraObs::from_views(f.frame_px, views, f.galleries))
            })
            .collect();
        let u = self.fusion.update(t_s, &obs);
        self.max_count = self.max_count.max(u.count);
        let ids: Vec<&str> = frames.iter().map(|f| f.id).collect();
        self.out.write(&line(&self.id, frame, &u, &ids))?;
        let base_obs = self.baselines.is_some().then(|| self.inside_area(obs));
        if let (Some(obs), Some((sum, orig))) = (base_obs, &mut self.baselines) {
            sum.write(&line(&self.id, frame, &naive_sum(&obs), &ids))?;
            orig.write(&line(
                &self.id,
                frame,
                &original_rule(&obs, 0.5, 250.0),
                &ids,
            ))?;
        }
        Ok(u.look_requests(frames.len()))
    }

    pub fn finish(mut self) -> Result<(), PipelineError> {
        self.out.flush()?;
        if let Some((a, b)) = &mut self.baselines {
            a.flush()?;
            b.flush()?;
        }
        Ok(())
    }
}

fn line<'a>(room: &'a str, frame: u64, u: &RoomUpdate, cams: &[&'a str]) -> RoomLine<'a> {
    RoomLine {
        room,
        frame,
        count: u.count,
        people: u
            .people
            .iter()
            .map(|p| PersonLine {
                id: p.id,
                members: p
                    .members
                    .iter()
                    .map(|m| MemberLine {
                        camera: cams.get(m.camera).copied().unwrap_or("?"),
                        track: m.track,
                        bbox: [m.bbox.x, m.bbox.y, m.bbox.w, m.bbox.h],
                        seen: m.seen,
                    })
                    .collect(),
                confidence: p.confidence,
                seen: p.seen,
                floor_m: p.floor_m,
            })
            .collect(),
    }
}
