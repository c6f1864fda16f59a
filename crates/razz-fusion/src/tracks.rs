//! The glue between a camera's tracker and fusion, shared by `analyze` and the live
//! scheduler: which of the tracker's views to embed now, and a camera's fusion input.

use std::collections::HashSet;

use razz_core::BoxXywh;
use razz_track::{ByteTracker, TrackState, TrackView};

use crate::gallery::{TrackBox, TrackGalleries};
use crate::room::{CameraObs, TrackObs};

impl TrackGalleries {
    /// The `(track, box)` pairs to embed at `t_s` among a tracker's views (only boxes matched
    /// to a detection at `t_s` are worth a crop); watches the views for crossings first.
    pub fn due_views(
        &mut self,
        t_s: f64,
        views: &[TrackView],
        urgent: &HashSet<u64>,
        frame_px: (u32, u32),
    ) -> Vec<(u64, BoxXywh)> {
        let boxes: Vec<TrackBox> = views
            .iter()
            .map(|v| TrackBox {
                track: v.id,
                bbox: v.bbox,
                fresh: v.state == TrackState::Tracked && v.last_seen_s == t_s,
            })
            .collect();
        self.observe(t_s, &boxes);
        self.due(t_s, &boxes, urgent, frame_px.0, frame_px.1)
            .into_iter()
            .map(|i| (boxes[i].track, boxes[i].bbox))
            .collect()
    }

    /// Applies the swaps that crossings decided: exchanges the two ids in the tracker and in
    /// this update's views, so everything downstream follows the people.
    pub fn apply_swaps(&mut self, tracker: &mut ByteTracker, views: &mut [TrackView]) {
        for (a, b) in self.take_swaps() {
            tracker.swap_ids(a, b);
            for v in views.iter_mut() {
                if v.id == a {
                    v.id = b;
                } else if v.id == b {
                    v.id = a;
                }
            }
        }
    }

    /// Frees the galleries of tracks the tracker no longer remembers.
    pub fn forget_ended(&mut self, tracker: &ByteTracker) {
        let alive: HashSet<u64> = tracker.confirmed().iter().map(|v| v.id).collect();
        self.retain(|id| alive.contains(&id));
    }
}

impl CameraObs {
    /// A camera's fusion input from its tracker's views and (optional) galleries.
    pub fn from_views(
        frame_px: (u32, u32),
        views: &[TrackView],
        galleries: Option<&TrackGalleries>,
    ) -> Self {
        Self {
            frame_w_px: frame_px.0,
            frame_h_px: frame_px.1,
            tracks: views
                .iter()
                .map(|v| TrackObs {
                    track: v.id,
                    bbox: v.bbox,
                    score: v.score,
                    gallery: galleries.and_then(|g| g.get(v.id)),
                    measured_s: Some(v.last_seen_s),
                })
                .collect(),
        }
    }
}
