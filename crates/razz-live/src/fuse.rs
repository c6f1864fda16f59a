//! Room fusion inside the live scheduler: keeps one [`RoomFusion`] per room (rebuilt when the
//! room's cameras change, recalibrated in place), feeds it each camera's latest tracks, and
//! turns its people into the API's [`RoomPerson`]s with their member tracks.
//!
//! A room's cameras run their detectors at different times, so fusion compares their tracks
//! as predicted to the fusion's time (what `razz analyze` does between detector runs), while
//! the API shows each seen member with the box its camera measured.

use std::collections::HashMap;

use razz_fusion::{
    CameraObs, CameraSetup, FloorArea, FusionConfig, Homography, LookRequests, RoomFusion,
    TrackGalleries,
};
use razz_track::TrackView;

use crate::state::{Member, RoomPerson};

/// One camera of a room, as the scheduler holds it.
pub(crate) struct CamInput<'a> {
    pub id: &'a str,
    pub online: bool,
    pub frame_px: (u32, u32),
    /// Its tracks as they stand at the fusion's time: what fusion compares.
    pub views: &'a [TrackView],
    /// Its tracks as its last detector run measured them: the boxes the API shows.
    pub measured: &'a [TrackView],
    pub galleries: Option<&'a TrackGalleries>,
    pub homography: Option<Homography>,
}

/// What fusing a room gives the scheduler.
#[derive(Default)]
pub(crate) struct Fused {
    pub people: Vec<RoomPerson>,
    /// Per camera id, `track -> global id`, for the camera snapshots.
    pub global_ids: HashMap<String, HashMap<u64, u64>>,
    /// What fusion asks of each camera's galleries, per camera id.
    pub looks: HashMap<String, LookRequests>,
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
        for (id, ask) in ids.iter().zip(u.look_requests(ids.len())) {
            if ask != LookRequests::default() {
                out.looks.insert(id.clone(), ask);
            }
        }
        for p in u.people {
            let members: Vec<Member> = p
                .members
                .iter()
                .filter_map(|m| {
                    let camera_id = ids.get(m.camera)?.clone();
                    let mut bbox = m.bbox;
                    if m.seen {
                        out.global_ids
                            .entry(camera_id.clone())
                            .or_default()
                            .insert(m.track, p.id);
                        let measured = cams.get(m.camera).map_or(&[][..], |c| c.measured);
                        if let Some(v) = measured.iter().find(|v| v.id == m.track) {
                            bbox = v.bbox;
                        }
                    }
                    Some(Member {
                        camera_id,
                        track_id: m.track,
                        bbox: [bbox.x, bbox.y, bbox.w, bbox.h],
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

#[cfg(test)]
mod tests {
    use super::*;
    use razz_core::BoxXywh;
    use razz_track::TrackState;

    fn view(id: u64, x: f32) -> TrackView {
        TrackView {
            id,
            bbox: BoxXywh::new(x, 100.0, 40.0, 100.0),
            score: 0.9,
            state: TrackState::Tracked,
            last_seen_s: 1.0,
            first_seen_s: 0.0,
        }
    }

    #[test]
    fn members_show_the_measured_box_while_fusion_compares_the_predicted_one() {
        let mut f = Fusions::new(FusionConfig::default());
        let (now, measured) = ([view(7, 130.0)], [view(7, 100.0)]);
        let cams = [CamInput {
            id: "a",
            online: true,
            frame_px: (640, 480),
            views: &now,
            measured: &measured,
            galleries: None,
            homography: None,
        }];
        let out = f.fuse("hall", &cams, None, 1.3);
        assert_eq!(out.people.len(), 1);
        let m = &out.people[0].members[0];
        assert_eq!((m.camera_id.as_str(), m.track_id), ("a", 7));
        assert_eq!(m.bbox, [100.0, 100.0, 40.0, 100.0]);
        assert_eq!(out.people[0].bbox, m.bbox);
    }
}
