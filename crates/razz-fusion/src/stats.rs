//! What a camera pair has seen together, and the thresholds learned from it.

/// Running mean and variance (Welford), with a cap on the count so that old evidence fades.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Running {
    pub n: u32,
    pub mean: f64,
    m2: f64,
}

/// Evidence older than about this many samples fades.
const MEMORY: u32 = 500;

impl Running {
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if self.n >= MEMORY {
            // Forget proportionally: keep mean, scale the sum of squares.
            self.m2 *= f64::from(MEMORY - 1) / f64::from(MEMORY);
            self.n = MEMORY - 1;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / f64::from(self.n);
        self.m2 += d * (x - self.mean);
    }

    pub fn std(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / f64::from(self.n - 1)).sqrt()
        }
    }
}

/// Thresholds of one ordered camera pair (kept symmetric by the caller).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairStats {
    pub base_gate_m: f64,
    pub base_min_cos: f32,
    /// Floor distance between co-visible members of one identity.
    pub dist_m: Running,
    /// Appearance similarity of co-visible members of one identity.
    pub same_cos: Running,
    /// Appearance similarity of co-visible tracks of different identities.
    pub other_cos: Running,
}

/// Samples needed before a learned threshold replaces the configured one.
const MIN_SAMPLES: u32 = 30;

impl PairStats {
    pub fn new(gate_m: f64, min_cos: f32) -> Self {
        Self {
            base_gate_m: gate_m,
            base_min_cos: min_cos,
            dist_m: Running::default(),
            same_cos: Running::default(),
            other_cos: Running::default(),
        }
    }

    /// Floor gate: the configured one, or (adapted) three deviations above the mean distance
    /// of linked pairs, kept within half to one and a half times the configured gate.
    pub fn gate_m(&self, adapt: bool) -> f64 {
        if !adapt || self.dist_m.n < MIN_SAMPLES {
            return self.base_gate_m;
        }
        (self.dist_m.mean + 3.0 * self.dist_m.std())
            .clamp(0.5 * self.base_gate_m, 1.5 * self.base_gate_m)
    }

    /// The cosine that different people seen by this pair rarely reach (their mean plus two
    /// standard deviations), once learned.
    pub fn unlike_above(&self, adapt: bool) -> Option<f32> {
        (adapt && self.other_cos.n >= MIN_SAMPLES)
            .then(|| (self.other_cos.mean + 2.0 * self.other_cos.std()).min(0.99) as f32)
    }

    /// Appearance threshold: the configured one, or (adapted) halfway between what the pair
    /// sees of one person and of two, never below one deviation above "two people"; when the
    /// two overlap, appearance cannot decide alone (0.99).
    pub fn min_cos(&self, adapt: bool) -> f32 {
        if !adapt || self.same_cos.n < MIN_SAMPLES || self.other_cos.n < MIN_SAMPLES {
            return self.base_min_cos;
        }
        let (s, o) = (self.same_cos.mean, self.other_cos.mean);
        if s <= o + self.other_cos.std() {
            return 0.99;
        }
        (0.5 * (s + o))
            .max(o + self.other_cos.std())
            .clamp(0.5, 0.99) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_mean_and_std_hand_checked() {
        let mut r = Running::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            r.push(x);
        }
        assert!((r.mean - 5.0).abs() < 1e-12);
        // Sample variance 32 / 7.
        assert!((r.std() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn thresholds_adapt_only_with_evidence() {
        let mut p = PairStats::new(1.0, 0.85);
        assert_eq!(p.gate_m(true), 1.0);
        for i in 0..40 {
            p.dist_m.push(0.2 + 0.01 * f64::from(i % 2));
            p.same_cos.push(0.9);
            p.other_cos.push(0.7 + 0.02 * f64::from(i % 2));
        }
        // mean 0.205, std ~0.005 -> 0.22, clamped up to half the configured gate.
        assert_eq!(p.gate_m(true), 0.5);
        assert_eq!(p.gate_m(false), 1.0);
        // Halfway between 0.9 and 0.71.
        assert!(
            (p.min_cos(true) - 0.805).abs() < 1e-3,
            "{}",
            p.min_cos(true)
        );
        for _ in 0..1000 {
            p.same_cos.push(0.7);
        }
        assert_eq!(p.min_cos(true), 0.99);
    }

    #[test]
    fn unlike_above_is_mean_plus_two_std_once_learned() {
        let mut p = PairStats::new(1.0, 0.85);
        for k in 0..30 {
            assert_eq!(p.unlike_above(true), None);
            p.other_cos.push(if k % 2 == 0 { 0.5 } else { 0.7 });
        }
        // mean 0.6, std sqrt(30 x 0.01 / 29) = 0.10171
        let u = p.unlike_above(true).expect("learned");
        assert!((u - 0.80342).abs() < 1e-4, "{u}");
        assert_eq!(p.unlike_above(false), None);
    }
}
