//! Optimal assignment (the Hungarian problem) on rectangular cost matrices.
//!
//! The tracker uses it to pair tracks with detections, the metrics to pair ground truth with
//! tracker output. This is the shortest-augmenting-path form of the Hungarian algorithm with
//! potentials (Jonker-Volgenant style), O(n² m) for n rows <= m columns.

/// A dense row-major cost matrix.
#[derive(Clone, Debug)]
pub struct CostMatrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl CostMatrix {
    /// A `rows` x `cols` matrix filled with `fill`.
    pub fn new(rows: usize, cols: usize, fill: f64) -> Self {
        Self {
            rows,
            cols,
            data: vec![fill; rows * cols],
        }
    }

    /// Builds a matrix by calling `f(row, col)` for every cell.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            for c in 0..cols {
                data.push(f(r, c));
            }
        }
        Self { rows, cols, data }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    pub fn set(&mut self, r: usize, c: usize, v: f64) {
        self.data[r * self.cols + c] = v;
    }

    /// Adds `v` to cell `(r, c)`.
    pub fn add(&mut self, r: usize, c: usize, v: f64) {
        self.data[r * self.cols + c] += v;
    }
}

/// Minimum-cost assignment. Returns `(row, col)` pairs, one per row when there are at most as
/// many rows as columns, else one per column, sorted by row. Costs should be finite: a row
/// that reaches no column at a finite cost is left out (the search ends instead of spinning).
pub fn minimize(cost: &CostMatrix) -> Vec<(usize, usize)> {
    if cost.rows == 0 || cost.cols == 0 {
        return Vec::new();
    }
    if cost.rows <= cost.cols {
        solve(cost.rows, cost.cols, |r, c| cost.get(r, c))
    } else {
        let mut pairs: Vec<(usize, usize)> = solve(cost.cols, cost.rows, |r, c| cost.get(c, r))
            .into_iter()
            .map(|(c, r)| (r, c))
            .collect();
        pairs.sort_unstable();
        pairs
    }
}

/// Maximum-weight assignment: like [`minimize`] on the negated weights.
pub fn maximize(weight: &CostMatrix) -> Vec<(usize, usize)> {
    let neg = CostMatrix {
        rows: weight.rows,
        cols: weight.cols,
        data: weight.data.iter().map(|w| -w).collect(),
    };
    minimize(&neg)
}

/// Matching with a cost limit, as ByteTrack's `linear_assignment(cost, thresh)`: pairs whose
/// cost exceeds `limit` are never matched, and among the rest the total of `limit - cost` is
/// maximised (so leaving a row unmatched costs the same as matching it at the limit).
/// Cells that are not finite never match, and a NaN limit matches nothing.
/// Returns matched pairs plus the unmatched rows and columns, each sorted.
pub fn match_with_limit(cost: &CostMatrix, limit: f64) -> Matching {
    let usable = |v: f64| v.is_finite() && v <= limit;
    let (lo, hi) = cost
        .data
        .iter()
        .copied()
        .filter(|&v| usable(v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    // A limit more than `n (hi - lo)` above the dearest usable cost ranks matchings exactly as
    // an infinite one does (more pairs first, then less cost), so it is capped there: an
    // infinite or huge limit would overflow the solver's potentials.
    let n = cost.rows.min(cost.cols) as f64;
    let cap = hi + (n + 1.0) * (hi - lo + 1.0);
    let limit = if cap.is_finite() {
        limit.min(cap)
    } else {
        limit
    };
    let gain = CostMatrix::from_fn(cost.rows, cost.cols, |r, c| {
        let v = cost.get(r, c);
        if usable(v) { limit - v } else { 0.0 }
    });
    let mut matched = Vec::new();
    let mut row_used = vec![false; cost.rows];
    let mut col_used = vec![false; cost.cols];
    if hi >= lo {
        for (r, c) in maximize(&gain) {
            if usable(cost.get(r, c)) {
                matched.push((r, c));
                row_used[r] = true;
                col_used[c] = true;
            }
        }
    }
    Matching {
        matched,
        unmatched_rows: (0..cost.rows).filter(|&r| !row_used[r]).collect(),
        unmatched_cols: (0..cost.cols).filter(|&c| !col_used[c]).collect(),
    }
}

/// The result of [`match_with_limit`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matching {
    pub matched: Vec<(usize, usize)>,
    pub unmatched_rows: Vec<usize>,
    pub unmatched_cols: Vec<usize>,
}

/// Core solver for `n <= m`: returns, for every row, its column.
fn solve(n: usize, m: usize, a: impl Fn(usize, usize) -> f64) -> Vec<(usize, usize)> {
    // 1-based arrays as in the classic formulation; index 0 is the virtual start column.
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; m + 1];
    let mut p = vec![0usize; m + 1]; // p[j]: row assigned to column j
    let mut way = vec![0usize; m + 1];
    let mut minv = vec![0.0f64; m + 1];
    let mut used = vec![false; m + 1];
    'rows: for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        minv.iter_mut().for_each(|x| *x = f64::INFINITY);
        used.iter_mut().for_each(|x| *x = false);
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=m {
                if !used[j] {
                    let cur = a(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            if j1 == 0 {
                // No column is reachable at a finite cost (a cost that is not finite): this
                // row stays unassigned rather than searching forever.
                continue 'rows;
            }
            for j in 0..=m {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = (1..=m)
        .filter(|&j| p[j] != 0)
        .map(|j| (p[j] - 1, j - 1))
        .collect();
    pairs.sort_unstable();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(c: &CostMatrix, pairs: &[(usize, usize)]) -> f64 {
        pairs.iter().map(|&(r, col)| c.get(r, col)).sum()
    }

    #[test]
    fn square_hand_checked() {
        // Classic 3x3: optimum is (0,1) + (1,0) + (2,2) = 1 + 2 + 2 = 5.
        let rows = [[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]];
        let c = CostMatrix::from_fn(3, 3, |r, k| rows[r][k]);
        let p = minimize(&c);
        assert_eq!(p, vec![(0, 1), (1, 0), (2, 2)]);
        assert_eq!(total(&c, &p), 5.0);
    }

    #[test]
    fn rectangular_both_ways() {
        // 2 rows, 3 cols: best is row0->col2 (1) and row1->col0 (1).
        let rows = [[5.0, 9.0, 1.0], [1.0, 8.0, 7.0]];
        let c = CostMatrix::from_fn(2, 3, |r, k| rows[r][k]);
        assert_eq!(minimize(&c), vec![(0, 2), (1, 0)]);
        // Transposed: 3 rows, 2 cols.
        let t = CostMatrix::from_fn(3, 2, |r, k| rows[k][r]);
        assert_eq!(minimize(&t), vec![(0, 1), (2, 0)]);
    }

    #[test]
    fn matches_brute_force_on_small_matrices() {
        // Deterministic pseudo-random matrices, checked against all permutations.
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 100) as f64
        };
        for n in 1..=5 {
            for _ in 0..20 {
                let c = CostMatrix::from_fn(n, n, |_, _| next());
                let best = permutations(n)
                    .iter()
                    .map(|perm| {
                        perm.iter()
                            .enumerate()
                            .map(|(r, &k)| c.get(r, k))
                            .sum::<f64>()
                    })
                    .fold(f64::INFINITY, f64::min);
                assert_eq!(total(&c, &minimize(&c)), best);
            }
        }
    }

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![vec![]];
        }
        let mut out = Vec::new();
        for p in permutations(n - 1) {
            for i in 0..=p.len() {
                let mut q = p.clone();
                q.insert(i, n - 1);
                out.push(q);
            }
        }
        out
    }

    #[test]
    fn limit_leaves_expensive_pairs_unmatched() {
        let rows = [[0.1, 0.9], [0.95, 0.99]];
        let c = CostMatrix::from_fn(2, 2, |r, k| rows[r][k]);
        let m = match_with_limit(&c, 0.8);
        assert_eq!(m.matched, vec![(0, 0)]);
        assert_eq!(m.unmatched_rows, vec![1]);
        assert_eq!(m.unmatched_cols, vec![1]);
        let empty = match_with_limit(&CostMatrix::new(0, 3, 0.0), 0.8);
        assert_eq!(empty.unmatched_cols, vec![0, 1, 2]);
    }

    #[test]
    fn an_unbounded_limit_prefers_more_pairs_and_finishes() {
        // Two pairs (5.0 + 0.2) beat one cheap pair (0.1) once the limit allows them all.
        let rows = [[0.1, 5.0], [0.2, 100.0]];
        let c = CostMatrix::from_fn(2, 2, |r, k| rows[r][k]);
        for limit in [f64::INFINITY, 1e308, 1e6] {
            let m = match_with_limit(&c, limit);
            assert_eq!(m.matched, vec![(0, 1), (1, 0)], "limit {limit}");
        }
        // Under 5.0 only one of them can be taken: the cheaper total of limit - cost.
        assert_eq!(match_with_limit(&c, 1.0).matched, vec![(0, 0)]);
    }

    #[test]
    fn cells_that_are_not_finite_never_match() {
        let rows = [[f64::NAN, 0.3], [0.2, f64::INFINITY], [f64::NAN, f64::NAN]];
        let c = CostMatrix::from_fn(3, 2, |r, k| rows[r][k]);
        let m = match_with_limit(&c, 1.0);
        assert_eq!(m.matched, vec![(0, 1), (1, 0)]);
        assert_eq!(m.unmatched_rows, vec![2]);
        assert!(match_with_limit(&c, f64::NAN).matched.is_empty());
        // The solver itself leaves a row with no finite cost out instead of searching forever.
        let inf = CostMatrix::from_fn(2, 3, |r, k| if r == 0 { f64::INFINITY } else { k as f64 });
        assert_eq!(minimize(&inf), vec![(1, 0)]);
    }
}
