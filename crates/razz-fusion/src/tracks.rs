//! The glue between a camera's tracker and fusion, shared by `analyze` and the live
//! scheduler: which of the tracker's views to embed now, a camera's fusion input, and what
//! fusion asks back of each camera's galleries.

use std::collections::HashSet;

use razz_core::BoxXywh;
use razz_track::{ByteTracker, TrackState, TrackView};

use crate::gallery::{TrackBox, TrackGalleries};
use crate::room::{CameraObs, RoomUpdate, TrackObs};

/// What an update asks of one camera's galleries (see [`RoomUpdate::look_requests`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LookRequests {
    /// Tracks whose association was ambiguous: embed them sooner.
    pub urgent: HashSet<u64>,
    /// Tracks now on another person than their samples show: start their galleries again.
    pub restart: Vec<u64>,
}

impl LookRequests {
    /// Starts the named galleries again in `galleries` (when the camera embeds at all) and
    /// returns the tracks to embed sooner.
    pub fn apply(self, galleries: Option<&mut TrackGalleries>) -> HashSet<u64> {
        if let Some(g) = galleries {
            for track in self.restart {
                g.forget(track);
            }
        }
        self.urgent
    }
}

impl RoomUpdate {
    /// [`RoomUpdate::urgent`] and [`RoomUpdate::restart_look`] split by camera index, for a
    /// room of `cameras` cameras.
    pub fn look_requests(&self, cameras: usize) -> Vec<LookRequests> {
        let mut out = vec![LookRequests::default(); cameras];
        for &(c, track) in &self.urgent {
            if let Some(r) = out.get_mut(c) {
                r.urgent.insert(track);
            }
        }
        for &(c, track) in &self.restart_look {
            if let Some(r) = out.get_mut(c) {
                r.restart.push(track);
            }
        }
        out
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gallery::EmbedPolicy;

    #[test]
    fn requests_restart_the_named_galleries_and_hand_back_the_urgent_tracks() {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        g.add(1, 0.0, vec![1.0, 0.0]);
        g.add(2, 0.0, vec![0.0, 1.0]);
        let ask = LookRequests {
            urgent: HashSet::from([1]),
            restart: vec![2, 99],
        };
        assert_eq!(ask.clone().apply(Some(&mut g)), HashSet::from([1]));
        assert!(g.get(1).is_some());
        assert!(g.get(2).is_none());
        // A camera that does not embed still gets its urgent tracks.
        assert_eq!(ask.apply(None), HashSet::from([1]));
    }
}
