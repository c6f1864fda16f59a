//! Step 2 of an update, the evidence on existing links: co-visible members of one identity
//! whose feet disagree, or one of which stands where another identity is seen, are split
//! (hysteresis: only after the evidence has held for a while, or at once when both hold).
//! Also what co-visible tracks teach each camera pair about appearance.

use std::collections::HashSet;

use super::{Ob, RoomFusion};

/// A member stands where another identity is seen when it is closer to it than this share of
/// its distance to its own identity's other members (both relative to the pair's gate) ...
const PREFER_FACTOR: f64 = 0.5;
/// ... and its own distance is at least this share of the gate (people side by side are not
/// re-sorted on noise).
const PREFER_MIN_RATIO: f64 = 0.3;
/// Members further apart than this many times their pair's gate contradict each other.
const CONTRARY_RATIO: f64 = 2.0;
use crate::homography::dist;

impl RoomFusion {
    /// Step 2: co-visible members whose feet disagree accumulate contrary time; past
    /// `unlink_after_s` the newer one is detached (at once when it also stands where another
    /// identity is seen: a swap). Agreeing pairs teach the pair's statistics.
    /// Returns the observations detached, and of those the swapped ones.
    pub(super) fn check_evidence(&mut self, dt: f64, obs: &[Ob]) -> (Vec<usize>, Vec<usize>) {
        let mut detach = Vec::new();
        // Members standing where another identity is seen: that identity's id, and for how
        // long.
        let mut preferring: Vec<(usize, u64, f64)> = Vec::new();
        let mut learn: Vec<(usize, usize, f64)> = Vec::new();
        for (k, ident) in self.identities.iter().enumerate() {
            if ident.now.len() < 2 {
                if let Some(&i) = ident.now.first()
                    && let Some(l) = self.links.get_mut(&(obs[i].cam, obs[i].track))
                {
                    l.contra_s = 0.0;
                    l.prefer_s = 0.0;
                }
                continue;
            }
            for &i in &ident.now {
                let a = &obs[i];
                let mut worst: Option<f64> = None;
                let mut own: Option<f64> = None;
                for &j in &ident.now {
                    let b = &obs[j];
                    if i == j {
                        continue;
                    }
                    if let (Some(fa), Some(fb)) = (a.foot_m, b.foot_m) {
                        let d = dist(fa, fb);
                        let gate = self.gate_m(a, b);
                        let ratio = d / gate;
                        worst = Some(worst.map_or(ratio, |w: f64| w.max(ratio)));
                        own = Some(own.map_or(ratio, |w: f64| w.min(ratio)));
                        if i < j && ratio <= 1.0 {
                            learn.push((a.cam, b.cam, d));
                        }
                    }
                }
                // Standing where another identity is seen, much closer than to its own.
                let prefers = own.and_then(|own| {
                    if own <= PREFER_MIN_RATIO {
                        return None;
                    }
                    self.closest_other(k, a, obs)
                        .filter(|&(alt, _)| alt < PREFER_FACTOR * own)
                        .map(|(_, other)| other)
                });
                let merge_after_s = self.cfg.merge_after_s;
                let contrary = worst.is_some_and(|r| r > CONTRARY_RATIO);
                if let Some(l) = self.links.get_mut(&(a.cam, a.track)) {
                    l.contra_s = if contrary { l.contra_s + dt } else { 0.0 };
                    l.prefer_s = if prefers.is_some() {
                        l.prefer_s + dt
                    } else {
                        0.0
                    };
                    if let Some(other) = prefers {
                        preferring.push((i, other, l.prefer_s));
                    }
                    // Both at once are a swap: the member's feet are far from its own
                    // identity's and on another identity seen now, as when a tracker moves a
                    // track onto the person beside. Each clock alone waits out a bad box or
                    // noise; together, waiting only miscounts.
                    let swapped = contrary && prefers.is_some();
                    if swapped
                        || l.contra_s > self.cfg.unlink_after_s
                        || l.prefer_s >= merge_after_s
                    {
                        detach.push((l.since_s, a.cam, a.track, i, swapped));
                    }
                }
            }
        }
        for (a, b, d) in learn {
            for (x, y) in [(a, b), (b, a)] {
                self.pair_mut(x, y).dist_m.push(d);
            }
        }
        // Detach the newest contradicting member of each identity first.
        detach.sort_by(|x, y| y.0.total_cmp(&x.0));
        let mut done = HashSet::new();
        let (mut out, mut swaps) = (Vec::new(), Vec::new());
        for (_, cam, track, i, swapped) in detach {
            let Some(id) = self.links.get(&(cam, track)).map(|l| l.identity) else {
                continue;
            };
            if !done.insert(id) {
                continue;
            }
            self.detach((cam, track));
            let left = self.identity_mut(id).map(|ident| {
                ident.now.retain(|&j| j != i);
                ident.now.clone()
            });
            // A member left alone that stands where another identity is seen too: the two
            // identities' merge clock (step 4) could not run while the detached member was of
            // a camera both saw, so it starts from when this member began to stand there.
            if let Some(&[j]) = left.as_deref()
                && let Some(&(_, other, stood_s)) = preferring.iter().find(|&&(p, ..)| p == j)
            {
                self.merge_timers.insert((id, other), stood_s);
                self.merge_timers.insert((other, id), stood_s);
            }
            out.push(i);
            if swapped {
                swaps.push(i);
            }
        }
        (out, swaps)
    }

    /// The smallest gate-relative floor distance from `a` to a member seen now of another
    /// identity than `k` that `a`'s camera does not see now (one `a` could join), and that
    /// identity's id.
    fn closest_other(&self, k: usize, a: &Ob, obs: &[Ob]) -> Option<(f64, u64)> {
        let fa = a.foot_m?;
        let mut best: Option<(f64, u64)> = None;
        for (k2, other) in self.identities.iter().enumerate() {
            if k2 == k || other.now.iter().any(|&j| obs[j].cam == a.cam) {
                continue;
            }
            for &j in &other.now {
                if let Some(fb) = obs[j].foot_m {
                    let r = dist(fa, fb) / self.gate_m(a, &obs[j]);
                    if best.is_none_or(|(b, _)| r < b) {
                        best = Some((r, other.id));
                    }
                }
            }
        }
        best
    }

    /// Tracks seen at the same time by two cameras teach the pair's appearance threshold:
    /// linked ones what one person looks like across the pair, the others what two people do.
    /// Only computed when one side has a new gallery sample, to keep updates cheap.
    pub(super) fn learn_appearance(&mut self, obs: &[Ob]) {
        if !self.cfg.adapt {
            return;
        }
        let mut fresh = Vec::new();
        for (i, ob) in obs.iter().enumerate() {
            if let (Some(g), Some(l)) = (&ob.gallery, self.links.get_mut(&(ob.cam, ob.track)))
                && g.version != l.gallery_version
            {
                l.gallery_version = g.version;
                fresh.push(i);
            }
        }
        for &i in &fresh {
            let a = &obs[i];
            let (Some(ga), Some(la)) = (&a.gallery, self.links.get(&(a.cam, a.track))) else {
                continue;
            };
            let id_a = la.identity;
            let mut learned = Vec::new();
            for b in obs {
                if b.cam == a.cam && b.track == a.track {
                    continue;
                }
                let (Some(gb), Some(lb)) = (&b.gallery, self.links.get(&(b.cam, b.track))) else {
                    continue;
                };
                // Two tracks of one camera seen together are two people: how alike people
                // of this camera look.
                let same = b.cam != a.cam && lb.identity == id_a;
                learned.push((b.cam, same, f64::from(ga.mean_cos(gb))));
            }
            for (cam, same, c) in learned {
                // Both orders of the pair (once for a camera with itself).
                let orders = if cam == a.cam { 1 } else { 2 };
                for (x, y) in [(a.cam, cam), (cam, a.cam)].into_iter().take(orders) {
                    let p = self.pair_mut(x, y);
                    if same {
                        p.same_cos.push(c);
                    } else {
                        p.other_cos.push(c);
                    }
                }
            }
        }
    }
}
