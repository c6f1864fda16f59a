//! Identity swaps inside one camera. When two people cross, their boxes overlap and the
//! tracker, which associates by box overlap, can come out of the crossing with each track
//! following the other person. Appearance can tell: each track's gallery from before the
//! crossing is kept, and once the boxes have parted, a few fresh embeddings of each are
//! compared with both. When each track now looks more like the other's past than its own,
//! the two swapped, and the caller exchanges their ids (tracker, galleries and fusion all
//! follow the id, so people keep their global identity).
//!
//! Pure and per camera, like the galleries that own it: no I/O, time is an argument.

use std::sync::Arc;

use crate::gallery::{Gallery, TrackBox, normalise};

/// When a pair counts as crossing and what decides a swap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossingPolicy {
    /// Two tracks whose boxes overlap at least this much (IoU) are crossing.
    pub min_iou: f32,
    /// Fresh embeddings per track, taken after the boxes part, before deciding.
    pub samples_after: usize,
    /// Swap when each track's fresh mean is closer to the other's past than to its own, and
    /// the cross-matched cosines beat the kept ones by more than this (mean of the two).
    pub min_gain: f32,
    /// A crossing not decided this long after the boxes parted is dropped.
    pub timeout_s: f64,
}

impl Default for CrossingPolicy {
    fn default() -> Self {
        Self {
            min_iou: 0.1,
            samples_after: 6,
            min_gain: 0.02,
            timeout_s: 3.0,
        }
    }
}

struct Crossing {
    a: u64,
    b: u64,
    before_a: Arc<Gallery>,
    before_b: Arc<Gallery>,
    /// When the boxes were last seen apart after overlapping; `None` while they overlap.
    parted_s: Option<f64>,
    /// Last time the pair overlapped.
    close_s: f64,
    after_a: Vec<Vec<f32>>,
    after_b: Vec<Vec<f32>>,
}

/// The crossings of one camera's tracks that are not decided yet.
pub(crate) struct Crossings {
    policy: CrossingPolicy,
    active: Vec<Crossing>,
}

/// Mean of unit vectors, normalised.
fn unit_mean(vs: &[Vec<f32>]) -> Vec<f32> {
    let n = vs.first().map_or(0, Vec::len);
    let mut m = vec![0.0f32; n];
    for v in vs.iter().filter(|v| v.len() == n) {
        m.iter_mut().zip(v).for_each(|(s, x)| *s += x);
    }
    normalise(&mut m);
    m
}

impl Crossings {
    pub(crate) fn new(policy: CrossingPolicy) -> Self {
        Self {
            policy,
            active: Vec::new(),
        }
    }

    /// Looks at this update's boxes: pairs that overlap start (or keep open) a crossing,
    /// pairs that were crossing and now lie apart start collecting samples. `gallery` gives
    /// a track's gallery so far (a crossing needs both tracks' pasts).
    pub(crate) fn observe(
        &mut self,
        t_s: f64,
        tracks: &[TrackBox],
        gallery: impl Fn(u64) -> Option<Arc<Gallery>>,
    ) {
        let fresh: Vec<&TrackBox> = tracks.iter().filter(|t| t.fresh).collect();
        let box_of = |id: u64| fresh.iter().find(|t| t.track == id).map(|t| t.bbox);
        for c in &mut self.active {
            if let (Some(a), Some(b)) = (box_of(c.a), box_of(c.b)) {
                if a.iou(&b) > 0.0 {
                    c.close_s = t_s;
                    c.parted_s = None;
                    c.after_a.clear();
                    c.after_b.clear();
                } else if c.parted_s.is_none() {
                    c.parted_s = Some(t_s);
                }
            }
        }
        for (i, p) in fresh.iter().enumerate() {
            for q in &fresh[i + 1..] {
                if p.bbox.iou(&q.bbox) < self.policy.min_iou {
                    continue;
                }
                let (a, b) = (p.track.min(q.track), p.track.max(q.track));
                if self.active.iter().any(|c| c.a == a && c.b == b) {
                    continue;
                }
                if let (Some(before_a), Some(before_b)) = (gallery(a), gallery(b)) {
                    self.active.push(Crossing {
                        a,
                        b,
                        before_a,
                        before_b,
                        parted_s: None,
                        close_s: t_s,
                        after_a: Vec::new(),
                        after_b: Vec::new(),
                    });
                }
            }
        }
        let timeout = self.policy.timeout_s;
        self.active.retain(|c| match c.parted_s {
            Some(p) => t_s - p <= timeout,
            // Still together (or one of them unseen) for long: give up.
            None => t_s - c.close_s <= timeout,
        });
    }

    /// True when `track` has parted from a crossing partner and still needs samples.
    pub(crate) fn wants_sample(&self, track: u64) -> bool {
        let n = self.policy.samples_after;
        self.active.iter().any(|c| {
            c.parted_s.is_some()
                && ((c.a == track && c.after_a.len() < n) || (c.b == track && c.after_b.len() < n))
        })
    }

    /// Records a fresh unit embedding of `track`.
    pub(crate) fn add(&mut self, track: u64, embedding: &[f32]) {
        let n = self.policy.samples_after;
        for c in self.active.iter_mut().filter(|c| c.parted_s.is_some()) {
            if c.a == track && c.after_a.len() < n {
                c.after_a.push(embedding.to_vec());
            }
            if c.b == track && c.after_b.len() < n {
                c.after_b.push(embedding.to_vec());
            }
        }
    }

    /// Decides the crossings that have their samples. Returns the swaps, each with the
    /// galleries the two ids should carry from now on (each id's own past: after the
    /// exchange, the id follows the person it followed before the crossing).
    pub(crate) fn decide(&mut self) -> Vec<Swap> {
        let n = self.policy.samples_after;
        let mut swaps: Vec<Swap> = Vec::new();
        let mut i = 0;
        while i < self.active.len() {
            let c = &self.active[i];
            if c.after_a.len() < n || c.after_b.len() < n {
                i += 1;
                continue;
            }
            let c = self.active.swap_remove(i);
            let (now_a, now_b) = (unit_mean(&c.after_a), unit_mean(&c.after_b));
            let cos = |g: &Gallery, v: &[f32]| g.mean_cos_vec(v);
            let (aa, ab) = (cos(&c.before_a, &now_a), cos(&c.before_b, &now_a));
            let (bb, ba) = (cos(&c.before_b, &now_b), cos(&c.before_a, &now_b));
            let gain = (ab + ba - aa - bb) / 2.0;
            // Each must look more like the other's past than its own, and clearly so overall.
            if ab > aa && ba > bb && gain > self.policy.min_gain {
                swaps.push(Swap {
                    a: c.a,
                    b: c.b,
                    gallery_a: c.before_a,
                    gallery_b: c.before_b,
                });
            }
        }
        // A track in two decided swaps (three people crossing) is left as it is, and other
        // open crossings of swapped tracks compared the wrong pasts: drop them.
        let ids: Vec<u64> = swaps.iter().flat_map(|s| [s.a, s.b]).collect();
        let twice = |id: u64| ids.iter().filter(|&&x| x == id).count() > 1;
        swaps.retain(|s| !twice(s.a) && !twice(s.b));
        self.active
            .retain(|c| !ids.contains(&c.a) && !ids.contains(&c.b));
        swaps
    }

    /// Forgets crossings of tracks that no longer exist.
    pub(crate) fn retain(&mut self, alive: impl Fn(u64) -> bool) {
        self.active.retain(|c| alive(c.a) && alive(c.b));
    }
}

/// Two tracks of one camera that came out of a crossing with each other's person.
pub(crate) struct Swap {
    pub(crate) a: u64,
    pub(crate) b: u64,
    /// The past of the person track `a` followed before the crossing.
    pub(crate) gallery_a: Arc<Gallery>,
    pub(crate) gallery_b: Arc<Gallery>,
}

#[cfg(test)]
mod tests {
    use razz_core::BoxXywh;

    use crate::gallery::{EmbedPolicy, TrackBox, TrackGalleries};

    fn tb(track: u64, x: f32) -> TrackBox {
        TrackBox {
            track,
            bbox: BoxXywh::new(x, 100.0, 20.0, 50.0),
            fresh: true,
        }
    }

    /// Tracks 1 (appearance `[1, 0, 0]`) and 2 (`[0, 1, 0]`) cross between t = 0.1 and 0.3,
    /// part at 0.4, and are then embedded 6 times as `after_1` and `after_2`.
    fn cross(after_1: [f32; 3], after_2: [f32; 3]) -> (TrackGalleries, Vec<(u64, u64)>) {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        g.observe(0.0, &[tb(1, 0.0), tb(2, 200.0)]);
        g.add(1, 0.0, vec![1.0, 0.0, 0.0]);
        g.add(2, 0.0, vec![0.0, 1.0, 0.0]);
        // 20 px wide boxes 5 px apart: IoU 15/25 = 0.6.
        for (k, t) in [0.1, 0.2, 0.3].into_iter().enumerate() {
            g.observe(t, &[tb(1, 100.0 + k as f32), tb(2, 105.0 + k as f32)]);
            assert!(!g.in_crossing(1), "no samples while they overlap");
        }
        g.observe(0.4, &[tb(1, 60.0), tb(2, 160.0)]);
        assert!(g.in_crossing(1) && g.in_crossing(2));
        let mut swaps = Vec::new();
        for k in 0..6 {
            let t = 0.5 + 0.1 * f64::from(k);
            g.observe(t, &[tb(1, 60.0), tb(2, 160.0)]);
            g.add(1, t, after_1.to_vec());
            g.add(2, t, after_2.to_vec());
            swaps.extend(g.take_swaps());
        }
        assert!(!g.in_crossing(1), "decided after 6 samples each");
        (g, swaps)
    }

    #[test]
    fn tracks_that_came_out_with_each_others_person_are_swapped() {
        // now_1 = (0.1, 1, 0)/|.| = (0.0995, 0.995, 0): cos with past 1 = 0.0995, with past 2
        // = 0.995; the same, mirrored, for track 2. Gain (2 x 0.995 - 2 x 0.0995) / 2 = 0.896.
        let (g, swaps) = cross([0.1, 1.0, 0.0], [1.0, 0.1, 0.0]);
        assert_eq!(swaps, vec![(1, 2)]);
        // Id 1 goes on with the past of the person it followed before the crossing.
        let past = g.get(1).expect("gallery 1");
        assert!((past.mean_cos_vec(&[1.0, 0.0, 0.0]) - 1.0).abs() < 1e-6);
        let past = g.get(2).expect("gallery 2");
        assert!((past.mean_cos_vec(&[0.0, 1.0, 0.0]) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn tracks_that_kept_their_person_are_not_swapped() {
        let (_, swaps) = cross([1.0, 0.1, 0.0], [0.1, 1.0, 0.0]);
        assert!(swaps.is_empty());
    }

    #[test]
    fn one_sided_evidence_is_not_a_swap() {
        // Both now look like person 2: track 1 moved (cos 0.0995 -> 0.995), track 2 did not
        // (0.995 with its own past against 0.0995 with 1's). Mean gain 0, and 2 fails alone.
        let (_, swaps) = cross([0.1, 1.0, 0.0], [0.1, 1.0, 0.0]);
        assert!(swaps.is_empty());
    }

    #[test]
    fn undecided_crossings_time_out_and_ended_tracks_are_forgotten() {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        g.add(1, 0.0, vec![1.0, 0.0]);
        g.add(2, 0.0, vec![0.0, 1.0]);
        g.observe(0.1, &[tb(1, 100.0), tb(2, 105.0)]);
        g.observe(0.2, &[tb(1, 60.0), tb(2, 160.0)]);
        assert!(g.in_crossing(1));
        // Parted at 0.2; nothing embedded for more than timeout_s (3 s).
        g.observe(3.3, &[tb(1, 60.0), tb(2, 160.0)]);
        assert!(!g.in_crossing(1));
        g.observe(3.4, &[tb(1, 100.0), tb(2, 105.0)]);
        g.observe(3.5, &[tb(1, 60.0), tb(2, 160.0)]);
        assert!(g.in_crossing(2));
        g.retain(|id| id != 1);
        assert!(!g.in_crossing(2));
    }
}
