//! Appearance per track at a bounded rate: which tracks need an embedding now, and each
//! track's gallery (a running mean plus at most K samples), freed when the track ends.
//!
//! The embedder itself lives in `razz-detect`; this module only decides and remembers, so the
//! policy is testable without a model and memory is bounded by the number of live tracks.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use razz_core::BoxXywh;

use crate::crossing::{CrossingPolicy, Crossings, Swap};

/// One track's appearance: a running mean of its L2-normalised samples, kept in `f32`, and at
/// most K of the samples themselves, kept as 8-bit codes (a quarter of the memory; the cosine
/// moves by about 1e-3, far below what separates people).
#[derive(Clone, Debug, PartialEq)]
pub struct Gallery {
    /// Unnormalised running mean of the normalised samples (capped count, so it follows slow
    /// changes of light and pose).
    sum: Vec<f32>,
    /// `1 / |sum|`, so `sum * inv_norm` is the unit mean that is compared.
    inv_norm: f32,
    weight: f32,
    samples: VecDeque<Sample>,
    /// Bumped on every new sample; lets callers skip work when nothing changed.
    pub version: u64,
}

/// A unit vector as `scale * code`, with codes in -127..=127.
#[derive(Clone, Debug, PartialEq)]
struct Sample {
    scale: f32,
    code: Box<[i8]>,
}

impl Sample {
    fn encode(v: &[f32]) -> Self {
        let max = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 && max.is_finite() {
            max / 127.0
        } else {
            1.0
        };
        let code = v
            .iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        Self { scale, code }
    }

    /// Dot product with an `f32` vector of the same length (0 when the lengths differ).
    fn dot(&self, v: &[f32]) -> f32 {
        if v.len() != self.code.len() {
            return 0.0;
        }
        self.scale
            * v.iter()
                .zip(&self.code[..])
                .map(|(x, &c)| x * f32::from(c))
                .sum::<f32>()
    }
}

/// A running mean forgets samples older than about this many.
const MEAN_MEMORY: f32 = 20.0;

fn inv_norm(v: &[f32]) -> f32 {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 && n.is_finite() {
        1.0 / n
    } else {
        0.0
    }
}

impl Gallery {
    fn new(first: Vec<f32>) -> Self {
        Self {
            inv_norm: inv_norm(&first),
            samples: VecDeque::from([Sample::encode(&first)]),
            sum: first,
            weight: 1.0,
            version: 1,
        }
    }

    fn add(&mut self, sample: Vec<f32>, max_samples: usize) {
        if sample.len() != self.sum.len() {
            *self = Self::new(sample);
            return;
        }
        let w = self.weight.min(MEAN_MEMORY);
        for (s, v) in self.sum.iter_mut().zip(&sample) {
            *s = (*s * w + v) / (w + 1.0);
        }
        self.weight = w + 1.0;
        self.inv_norm = inv_norm(&self.sum);
        if self.samples.len() >= max_samples.max(1) {
            self.samples.pop_front();
        }
        self.samples.push_back(Sample::encode(&sample));
        self.version += 1;
    }

    /// The unit mean (comparisons use [`Gallery::similarity`] and [`Gallery::mean_cos`]).
    #[cfg(test)]
    fn mean(&self) -> Vec<f32> {
        self.sum.iter().map(|x| x * self.inv_norm).collect()
    }

    /// Number of samples held (at most K).
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// Similarity of two galleries: the best of this mean against the other's mean and each
    /// of its samples (a view from another angle may match one stored pose better than the
    /// mean), in `[-1, 1]`. 1 + K dot products.
    pub fn similarity(&self, other: &Gallery) -> f32 {
        let best = other
            .samples
            .iter()
            .map(|s| s.dot(&self.sum))
            .fold(dot(&self.sum, &other.sum) * other.inv_norm, f32::max);
        best * self.inv_norm
    }

    /// Cosine of the running mean with a unit vector.
    pub(crate) fn mean_cos_vec(&self, v: &[f32]) -> f32 {
        dot(&self.sum, v) * self.inv_norm
    }

    /// Cosine of the two running means alone (cheaper than [`Gallery::similarity`]).
    pub fn mean_cos(&self, other: &Gallery) -> f32 {
        dot(&self.sum, &other.sum) * self.inv_norm * other.inv_norm
    }

    /// Bytes held, for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.sum.len() * 4 + self.samples.iter().map(|s| s.code.len()).sum::<usize>()
    }
}

/// Dot product of two unit vectors (their cosine); 0 when the lengths differ.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scales `v` to unit length (leaves zero vectors alone).
pub fn normalise(v: &mut [f32]) {
    let k = inv_norm(v);
    if k > 0.0 {
        v.iter_mut().for_each(|x| *x *= k);
    }
}

/// When to embed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EmbedPolicy {
    /// At most one embedding per track this often (the original system: 2 per second).
    pub interval_s: f64,
    /// Sooner, but not more often than this, when fusion finds the track ambiguous.
    pub urgent_interval_s: f64,
    /// At most this many crops per camera update (a bound on CPU whatever the crowd).
    pub max_per_update: usize,
    /// Samples kept per track besides the running mean.
    pub samples: usize,
    /// A crop this close to the frame edge is cut: skipped.
    pub edge_margin_px: f32,
    /// A crop whose area is covered more than this fraction by a box in front of it is skipped.
    pub max_covered: f32,
}

impl Default for EmbedPolicy {
    fn default() -> Self {
        Self {
            interval_s: 0.5,
            urgent_interval_s: 0.1,
            max_per_update: 8,
            samples: 8,
            edge_margin_px: 2.0,
            max_covered: 0.3,
        }
    }
}

/// Why a crop is not worth embedding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CropQuality {
    Good,
    /// Cut by the frame edge.
    Cut,
    /// Heavily covered by a person in front (whose feet are lower in the image).
    Covered,
    /// Too small to say anything (under 8 pixels across or 16 high).
    Tiny,
}

/// Judges a crop against the frame and the other people's boxes.
pub fn crop_quality(
    bbox: &BoxXywh,
    others: &[BoxXywh],
    frame_w_px: u32,
    frame_h_px: u32,
    policy: &EmbedPolicy,
) -> CropQuality {
    let m = policy.edge_margin_px;
    if bbox.w < 8.0 || bbox.h < 16.0 {
        return CropQuality::Tiny;
    }
    if bbox.x <= m
        || bbox.y <= m
        || bbox.x2() >= frame_w_px as f32 - m
        || bbox.y2() >= frame_h_px as f32 - m
    {
        return CropQuality::Cut;
    }
    let area = bbox.area().max(1.0);
    for o in others {
        if o == bbox || o.y2() <= bbox.y2() {
            continue;
        }
        if bbox.intersection(o) / area > policy.max_covered {
            return CropQuality::Covered;
        }
    }
    CropQuality::Good
}

/// A track as the policy sees it.
#[derive(Clone, Copy, Debug)]
pub struct TrackBox {
    pub track: u64,
    pub bbox: BoxXywh,
    /// Matched to a detection in this update (a predicted box is not worth a crop).
    pub fresh: bool,
}

struct Entry {
    gallery: Arc<Gallery>,
    last_s: f64,
}

/// The galleries of one camera's tracks, and the crossings between them not decided yet.
pub struct TrackGalleries {
    policy: EmbedPolicy,
    by_track: HashMap<u64, Entry>,
    crossings: Crossings,
}

impl TrackGalleries {
    pub fn new(policy: EmbedPolicy) -> Self {
        Self {
            policy,
            by_track: HashMap::new(),
            crossings: Crossings::new(CrossingPolicy::default()),
        }
    }

    /// Watches this update's boxes for tracks crossing each other (see [`crate::crossing`]).
    pub fn observe(&mut self, t_s: f64, tracks: &[TrackBox]) {
        let by_track = &self.by_track;
        self.crossings.observe(t_s, tracks, |id| {
            by_track.get(&id).map(|e| Arc::clone(&e.gallery))
        });
    }

    /// True when `track` left a crossing and its embedding decides who it follows now.
    pub fn in_crossing(&self, track: u64) -> bool {
        self.crossings.wants_sample(track)
    }

    /// The crossings decided since the last call that swapped their people. The galleries
    /// are already exchanged; the caller exchanges the two ids in its tracker and views.
    pub fn take_swaps(&mut self) -> Vec<(u64, u64)> {
        let swaps: Vec<Swap> = self.crossings.decide();
        let mut out = Vec::with_capacity(swaps.len());
        for s in swaps {
            for (id, past) in [(s.a, s.gallery_a), (s.b, s.gallery_b)] {
                if let Some(e) = self.by_track.get_mut(&id) {
                    e.gallery = past;
                }
            }
            out.push((s.a, s.b));
        }
        out
    }

    /// Indices into `tracks` that should be embedded at `t_s`: tracks with no gallery first,
    /// then `urgent` ones, then the stalest; poor crops skipped; at most `max_per_update`.
    pub fn due(
        &self,
        t_s: f64,
        tracks: &[TrackBox],
        urgent: &HashSet<u64>,
        frame_w_px: u32,
        frame_h_px: u32,
    ) -> Vec<usize> {
        let boxes: Vec<BoxXywh> = tracks.iter().map(|t| t.bbox).collect();
        let mut due: Vec<(u8, f64, usize)> = Vec::new();
        for (i, t) in tracks.iter().enumerate() {
            if !t.fresh {
                continue;
            }
            let (rank, since) = match self.by_track.get(&t.track) {
                None => (0, f64::INFINITY),
                Some(e) => {
                    let since = t_s - e.last_s;
                    let urgent = urgent.contains(&t.track) || self.crossings.wants_sample(t.track);
                    if urgent && since >= self.policy.urgent_interval_s {
                        (1, since)
                    } else if since >= self.policy.interval_s {
                        (2, since)
                    } else {
                        continue;
                    }
                }
            };
            if crop_quality(&t.bbox, &boxes, frame_w_px, frame_h_px, &self.policy)
                != CropQuality::Good
            {
                continue;
            }
            due.push((rank, since, i));
        }
        due.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        due.truncate(self.policy.max_per_update);
        due.into_iter().map(|(_, _, i)| i).collect()
    }

    /// Adds an embedding (any scale; it is normalised here) to a track's gallery.
    pub fn add(&mut self, track: u64, t_s: f64, mut embedding: Vec<f32>) {
        normalise(&mut embedding);
        self.crossings.add(track, &embedding);
        let samples = self.policy.samples;
        match self.by_track.get_mut(&track) {
            Some(e) => {
                Arc::make_mut(&mut e.gallery).add(embedding, samples);
                e.last_s = t_s;
            }
            None => {
                self.by_track.insert(
                    track,
                    Entry {
                        gallery: Arc::new(Gallery::new(embedding)),
                        last_s: t_s,
                    },
                );
            }
        }
    }

    /// A track's gallery, shared (cheap to clone into fusion input).
    pub fn get(&self, track: u64) -> Option<Arc<Gallery>> {
        self.by_track.get(&track).map(|e| Arc::clone(&e.gallery))
    }

    /// Drops a track's gallery (fusion found it on another person than its samples show); the
    /// track counts as new to [`TrackGalleries::due`], so its next good crop starts it again.
    pub fn forget(&mut self, track: u64) {
        if self.by_track.remove(&track).is_some() {
            self.crossings.retain(|id| id != track);
        }
    }

    /// Frees the galleries of tracks that ended (`alive` says which still exist).
    pub fn retain(&mut self, mut alive: impl FnMut(u64) -> bool) {
        self.by_track.retain(|id, _| alive(*id));
        let by_track = &self.by_track;
        self.crossings.retain(|id| by_track.contains_key(&id));
    }

    pub fn len(&self) -> usize {
        self.by_track.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_track.is_empty()
    }

    /// Bytes held by the galleries.
    pub fn heap_bytes(&self) -> usize {
        self.by_track.values().map(|e| e.gallery.heap_bytes()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tb(track: u64, x: f32, y: f32) -> TrackBox {
        TrackBox {
            track,
            bbox: BoxXywh::new(x, y, 20.0, 50.0),
            fresh: true,
        }
    }

    #[test]
    fn gallery_cosines_hand_checked() {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        g.add(1, 0.0, vec![1.0, 0.0]);
        g.add(2, 0.0, vec![2.0, 2.0]);
        g.add(3, 0.0, vec![0.0, 0.0, 1.0]);
        let get = |t| g.get(t).expect("gallery");
        let (a, b, c) = (get(1), get(2), get(3));
        assert!((a.mean_cos(&b) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!((a.mean_cos(&a) - 1.0).abs() < 1e-6);
        // Different lengths compare as 0.
        assert_eq!(a.mean_cos(&c), 0.0);
        assert_eq!(a.similarity(&c), 0.0);
    }

    #[test]
    fn new_tracks_first_then_every_interval_then_urgent() {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        let tracks = [tb(1, 100.0, 100.0), tb(2, 200.0, 100.0)];
        let none = HashSet::new();
        assert_eq!(g.due(0.0, &tracks, &none, 640, 480), vec![0, 1]);
        g.add(1, 0.0, vec![1.0, 0.0]);
        g.add(2, 0.0, vec![0.0, 1.0]);
        assert!(g.due(0.2, &tracks, &none, 640, 480).is_empty());
        // Ambiguous track 2: sooner, but not sooner than urgent_interval_s.
        let urgent = HashSet::from([2]);
        assert!(g.due(0.05, &tracks, &urgent, 640, 480).is_empty());
        assert_eq!(g.due(0.2, &tracks, &urgent, 640, 480), vec![1]);
        assert_eq!(g.due(0.5, &tracks, &none, 640, 480), vec![0, 1]);
        // Predicted boxes are never cropped.
        let stale = [TrackBox {
            fresh: false,
            ..tracks[0]
        }];
        assert!(g.due(5.0, &stale, &none, 640, 480).is_empty());
    }

    #[test]
    fn a_forgotten_gallery_starts_again_from_the_next_sample() {
        let mut g = TrackGalleries::new(EmbedPolicy::default());
        let tracks = [tb(1, 100.0, 100.0), tb(2, 200.0, 100.0)];
        let none = HashSet::new();
        g.add(1, 0.0, vec![1.0, 0.0]);
        g.add(2, 0.0, vec![0.0, 1.0]);
        assert!(g.due(0.1, &tracks, &none, 640, 480).is_empty());
        // Fusion found track 2 on another person: it is due at once, as a new track.
        g.forget(2);
        assert!(g.get(2).is_none());
        assert_eq!(g.due(0.1, &tracks, &none, 640, 480), vec![1]);
        g.add(2, 0.1, vec![1.0, 1.0]);
        let gal = g.get(2).expect("gallery");
        assert_eq!(gal.sample_count(), 1);
        let m = gal.mean();
        assert!((m[0] - m[1]).abs() < 1e-6, "{m:?}");
        assert!(g.get(1).is_some());
    }

    #[test]
    fn poor_crops_are_skipped() {
        let p = EmbedPolicy::default();
        let b = BoxXywh::new(100.0, 100.0, 20.0, 50.0);
        assert_eq!(crop_quality(&b, &[], 640, 480, &p), CropQuality::Good);
        let cut = BoxXywh::new(0.0, 100.0, 20.0, 50.0);
        assert_eq!(crop_quality(&cut, &[], 640, 480, &p), CropQuality::Cut);
        // A person in front (feet lower) covering 50 %: covered. The same box behind: fine.
        let front = BoxXywh::new(110.0, 110.0, 20.0, 50.0);
        assert_eq!(
            crop_quality(&b, &[front], 640, 480, &p),
            CropQuality::Covered
        );
        let behind = BoxXywh::new(110.0, 90.0, 20.0, 50.0);
        assert_eq!(crop_quality(&b, &[behind], 640, 480, &p), CropQuality::Good);
        let tiny = BoxXywh::new(100.0, 100.0, 4.0, 10.0);
        assert_eq!(crop_quality(&tiny, &[], 640, 480, &p), CropQuality::Tiny);
    }

    #[test]
    fn gallery_is_bounded_and_freed() {
        let p = EmbedPolicy {
            samples: 3,
            ..EmbedPolicy::default()
        };
        let mut g = TrackGalleries::new(p);
        for i in 0..100 {
            g.add(7, i as f64, vec![1.0, i as f32 * 0.01]);
        }
        let gal = g.get(7).expect("gallery");
        assert_eq!(gal.sample_count(), 3);
        assert_eq!(gal.version, 100);
        let m = gal.mean();
        assert!(((m[0] * m[0] + m[1] * m[1]).sqrt() - 1.0).abs() < 1e-5);
        g.add(8, 0.0, vec![3.0, 4.0]);
        // Normalised on the way in: (0.6, 0.8).
        let m = g.get(8).expect("gallery").mean();
        assert!(
            (m[0] - 0.6).abs() < 1e-6 && (m[1] - 0.8).abs() < 1e-6,
            "{m:?}"
        );
        // The 2-d sum (4 bytes each) plus three 2-byte codes.
        assert_eq!(gal.heap_bytes(), 2 * 4 + 3 * 2);
        g.retain(|id| id == 8);
        assert_eq!(g.len(), 1);
        assert!(g.get(7).is_none());
    }

    #[test]
    fn eight_bit_samples_keep_the_cosine() {
        // (0.6, 0.8) encodes as scale 0.8/127 and codes (95, 127): 95*0.8/127 = 0.59843.
        let s = Sample::encode(&[0.6, 0.8]);
        assert_eq!(&s.code[..], &[95, 127]);
        assert!((s.dot(&[1.0, 0.0]) - 0.598_425).abs() < 1e-5);
        // 1280-d pseudo-random non-negative unit vectors, like the embedder's: the 8-bit
        // dot product stays within 2e-3 of the exact cosine.
        let v = |seed: u32| {
            let mut x = seed;
            let mut v: Vec<f32> = (0..1280)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (x >> 8) as f32 / (1u32 << 24) as f32
                })
                .collect();
            normalise(&mut v);
            v
        };
        for (a, b) in [(1, 2), (3, 4), (5, 5)] {
            let (va, vb) = (v(a), v(b));
            let exact = dot(&va, &vb);
            let approx = Sample::encode(&vb).dot(&va);
            assert!((exact - approx).abs() < 2e-3, "{exact} vs {approx}");
        }
    }
}
