//! Room fusion inside the live scheduler: keeps one [`RoomFusion`] per room (rebuilt when the
//! room's cameras change, recalibrated in place), feeds it each camera's latest tracks, and
//! turns its people into the API's [`RoomPerson`]s with their member tracks.

use std::collections::{HashMap, HashSet};

use razz_fusion::{
    CameraObs, CameraSetup, FloorArea, FusionConfig, Homography, RoomFusion, TrackGalleries,
};
use razz_track::TrackView;

use crate::state::{Member, RoomPerson};

/// One camera of a room, as the scheduler holds it.
pub(crate) struct CamInput<'a> {
    pub id: &'a str,
    pub online: bool,
    pub frame_px: (u32, u32),
    pub views: &'a [TrackView],
    pub galleries: Option<&'a TrackGalleries>,
    pub homography: Option<Homography>,
}

/// What fusing a room gives the scheduler.
#[derive(Default)]
pub(crate) struct Fused {
    pub people: Vec<RoomPerson>,
    /// Per camera id, `track -> global id`, for the camera snapshots.
    pub global_ids: HashMap<String, HashMap<u64, u64>>,
    /// Tracks to embed sooner, per camera id.
    pub urgent: HashMap<String, HashSet<u64>>,
}

struct RoomState {
    cameras: Vec<String>,
    homographies: Vec<Option<Homography>>,
    fusion: RoomFusion,
}

/// The fusions of every room.
pub(crate) struct Fusions {
    cfg: FusionConfig,
    rooms: HashMap<String, RoomState>,
}

impl Fusions {
    pub fn new(cfg: FusionConfig) -> Self {
        Self {
            cfg,
            rooms: HashMap::new(),
        }
    }

    /// Drops the fusion of rooms no longer present.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.rooms.retain(|id, _| keep(id));
    }

    /// One fusion step for a room at `t_s` (seconds on the scheduler's clock), counting only
    /// people inside `area` when it is set.
    pub fn fuse(
        &mut self,
        room_id: &str,
        cams: &[CamInput<'_>],
        area: Option<&FloorArea>,
        t_s: f64,
    ) -> Fused {
        let ids: Vec<String> = cams.iter().map(|c| c.id.to_owned()).collect();
        let hs: Vec<Option<Homography>> = cams.iter().map(|c| c.homography).collect();
        let state = self
            .rooms
            .entry(room_id.to_owned())
            .or_insert_with(|| new_state(&self.cfg, cams));
        if state.cameras != ids {
            *state = new_state(&self.cfg, cams);
        }
        for (i, h) in hs.iter().enumerate() {
            if state.homographies[i] != *h {
                state.fusion.set_homography(i, *h);
                state.homographies[i] = *h;
            }
        }
        if state.fusion.floor_area() != area {
            state.fusion.set_floor_area(area.cloned());
        }
        let obs: Vec<Option<CameraObs>> = cams
            .iter()
            .map(|c| {
                c.online
                    .then(|| CameraObs::from_views(c.frame_px, c.views, c.galleries))
            })
            .collect();
        let u = state.fusion.update(t_s, &obs);
        let mut out = Fused::default();
        for (cam, track) in u.urgent {
            if let Some(id) = ids.get(cam) {
                out.urgent.entry(id.clone()).or_default().insert(track);
            }
        }
        for p in u.people {
            let members: Vec<Member> = p
                .members
                .iter()
                .filter_map(|m| {
                    let camera_id = ids.get(m.camera)?.clone();
                    if m.seen {
                        out.global_ids
                            .entry(camera_id.clone())
                            .or_default()
                            .insert(m.track, p.id);
                    }
                    Some(Member {
                        camera_id,
                        track_id: m.track,
                        bbox: [m.bbox.x, m.bbox.y, m.bbox.w, m.bbox.h],
                        seen: m.seen,
                    })
                })
                .collect();
            let Some(first) = members.first() else {
                continue;
            };
            out.people.push(RoomPerson {
                id: p.id,
                camera_id: first.camera_id.clone(),
                track_id: first.track_id,
                bbox: first.bbox,
                score: p.confidence,
                confidence: p.confidence,
                seen: p.seen,
                floor_m: p.floor_m,
                members,
            });
        }
        out
    }
}

fn new_state(cfg: &FusionConfig, cams: &[CamInput<'_>]) -> RoomState {
    RoomState {
        cameras: cams.iter().map(|c| c.id.to_owned()).collect(),
        homographies: cams.iter().map(|c| c.homography).collect(),
        fusion: RoomFusion::new(
            cfg.clone(),
            cams.iter()
                .map(|c| CameraSetup {
                    id: c.id.to_owned(),
                    homography: c.homography,
                })
                .collect(),
        ),
    }
}
