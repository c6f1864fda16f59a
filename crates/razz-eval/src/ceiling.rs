//! How well could any counter agree with a ground truth's people per frame, if it saw everyone?
//!
//! A ground truth starts a person walking in through a frame side when its annotator judged
//! them in view, and that judgement is not one fixed rule: on PETS09-S2L1 the first annotated
//! box of someone entering at the right lies 2 to 41 px from the side. A count that is right on
//! every frame would have to reproduce each of those moments. This module measures the best
//! agreement that a counter with perfect vision reaches: every person's box is known on every
//! frame (the ground truth's own boxes, continued at constant velocity for a few frames before
//! the ground truth starts them and after it ends them, where they are still walking), and a
//! person counts while the whole box is at least a margin inside the left and right sides
//! (one margin walking in, another walking out) and its bottom not far below the frame. The
//! margins are searched on the ground truth itself, so the result is a ceiling for this family
//! of rules, not an estimate of a real counter.

use std::collections::BTreeMap;

use razz_core::mot::MotRow;

/// Frames before a ground truth starts a person (and after it ends one) that they are assumed
/// to walk on at their first (last) velocity.
pub const EXTRAPOLATE_FRAMES: u32 = 10;
/// Rows over which the first and last velocities are measured.
const VELOCITY_ROWS: usize = 5;
/// Margins searched, pixels (a negative margin counts a box already partly outside).
const MARGINS_PX: std::ops::RangeInclusive<i32> = -10..=40;
const MARGIN_STEP_PX: usize = 2;
/// How far below the frame a box bottom may reach and still count, pixels.
const BOTTOM_SLACK_PX: [f32; 4] = [0.0, 5.0, 10.0, 20.0];

/// A counting rule on whole boxes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarginRule {
    /// Margin from the left and right sides for a person walking away from the nearer one.
    pub enter_margin_px: f32,
    /// Margin for a person walking towards the nearer side.
    pub leave_margin_px: f32,
    /// How far below the frame's bottom the box may reach.
    pub bottom_slack_px: f32,
}

/// The best rule found and how it agrees with the ground truth.
#[derive(Clone, Debug, PartialEq)]
pub struct Ceiling {
    pub rule: MarginRule,
    /// Frames scored: every frame from the ground truth's first to its last.
    pub frames: usize,
    /// Frames where the rule's count equals the ground truth's.
    pub exact: usize,
    /// `(frame, rule count - ground truth count)` where they differ.
    pub wrong: Vec<(u32, i64)>,
}

impl Ceiling {
    /// Share of frames counted exactly.
    pub fn exact_share(&self) -> f64 {
        self.exact as f64 / self.frames.max(1) as f64
    }
}

/// One person on one frame: box `[x, y, w, h]` and centre velocity in x (px per frame).
#[derive(Clone, Copy, Debug)]
struct Seen {
    bbox: [f32; 4],
    vx: f32,
}

/// Searches the margins for the best agreement with `gt` on frames `frame_px = (width,
/// height)`. Every row is a person present, whatever its `conf` (a 0 there tells box scoring
/// to ignore the row; PETS09-S2L1 flags 174 rows of people so, and the fusion cases count
/// them). `None` without rows.
pub fn count_ceiling(gt: &[MotRow], frame_px: (f32, f32)) -> Option<Ceiling> {
    let first = gt.iter().map(|r| r.frame).min()?;
    let last = gt.iter().map(|r| r.frame).max()?;
    // Every frame from the first to the last is scored. A frame with no annotated or walking
    // person is right under every rule (0 = 0), so only frames with someone are looked at.
    let frames = (last - first) as usize + 1;
    let truth = crate::room::people_per_frame(gt);
    let mut by_id: BTreeMap<i64, Vec<&MotRow>> = BTreeMap::new();
    for r in gt {
        by_id.entry(r.id).or_default().push(r);
    }
    let mut people: BTreeMap<u32, Vec<Seen>> = BTreeMap::new();
    for rows in by_id.values_mut() {
        rows.sort_by_key(|r| r.frame);
        walk(rows, first, last, &mut people);
    }
    let mut busy: Vec<(u32, i64)> = truth.iter().map(|(&f, &n)| (f, n as i64)).collect();
    busy.extend(
        people
            .keys()
            .filter(|f| !truth.contains_key(f))
            .map(|&f| (f, 0)),
    );
    busy.sort_unstable();
    let mut best: Option<Ceiling> = None;
    let margins = || MARGINS_PX.step_by(MARGIN_STEP_PX).map(|m| m as f32);
    for enter in margins() {
        for leave in margins() {
            for bottom in BOTTOM_SLACK_PX {
                let rule = MarginRule {
                    enter_margin_px: enter,
                    leave_margin_px: leave,
                    bottom_slack_px: bottom,
                };
                let wrong = busy
                    .iter()
                    .filter(|&&(f, want)| count(&rule, people.get(&f), frame_px) != want)
                    .count();
                let exact = frames - wrong;
                if best.as_ref().is_none_or(|b| exact > b.exact) {
                    best = Some(Ceiling {
                        rule,
                        frames,
                        exact,
                        wrong: Vec::new(),
                    });
                }
            }
        }
    }
    let mut best = best?;
    best.wrong = busy
        .iter()
        .filter_map(|&(f, want)| {
            let got = count(&best.rule, people.get(&f), frame_px);
            (got != want).then_some((f, got - want))
        })
        .collect();
    Some(best)
}

/// Adds one person's annotated boxes, and their walk before and after, to `people`.
fn walk(rows: &[&MotRow], first: u32, last: u32, people: &mut BTreeMap<u32, Vec<Seen>>) {
    let b = |r: &MotRow| [r.bbox.x, r.bbox.y, r.bbox.w, r.bbox.h];
    let cx = |r: &MotRow| r.bbox.x + r.bbox.w / 2.0;
    let n = rows.len();
    for (k, r) in rows.iter().enumerate() {
        let (a, z) = (rows[k.saturating_sub(3)], rows[(k + 3).min(n - 1)]);
        let vx = (cx(z) - cx(a)) / (z.frame - a.frame).max(1) as f32;
        people
            .entry(r.frame)
            .or_default()
            .push(Seen { bbox: b(r), vx });
    }
    // Velocity of every box coordinate between two rows, per frame.
    let velocity = |a: &MotRow, z: &MotRow| -> Option<[f32; 4]> {
        let df = z.frame.abs_diff(a.frame) as f32;
        (df > 0.0).then(|| {
            let (ba, bz) = (b(a), b(z));
            let sign = if z.frame > a.frame { 1.0 } else { -1.0 };
            [0, 1, 2, 3].map(|i| sign * (bz[i] - ba[i]) / df)
        })
    };
    let ends = [
        (rows[0], rows[VELOCITY_ROWS.min(n - 1)], -1.0f32),
        (rows[n - 1], rows[n - 1 - VELOCITY_ROWS.min(n - 1)], 1.0),
    ];
    for (end, other, dir) in ends {
        let Some(v) = velocity(other, end) else {
            continue;
        };
        for k in 1..=EXTRAPOLATE_FRAMES {
            let f = i64::from(end.frame) + (dir as i64) * i64::from(k);
            if f < i64::from(first) || f > i64::from(last) {
                break;
            }
            let s = k as f32;
            let bbox = [0, 1, 2, 3].map(|i| b(end)[i] + dir * v[i] * s);
            let vx = v[0] + v[2] / 2.0;
            people.entry(f as u32).or_default().push(Seen { bbox, vx });
        }
    }
}

/// People `rule` counts among `seen` on a frame of `(width, height)` pixels.
fn count(rule: &MarginRule, seen: Option<&Vec<Seen>>, (w_px, h_px): (f32, f32)) -> i64 {
    seen.map_or(0, |seen| {
        seen.iter()
            .filter(|p| {
                let [x, y, w, h] = p.bbox;
                let (left, right) = (x, w_px - (x + w));
                let towards = if left < right { p.vx < 0.0 } else { p.vx > 0.0 };
                let m = if towards {
                    rule.leave_margin_px
                } else {
                    rule.enter_margin_px
                };
                left >= m && right >= m && y + h <= h_px + rule.bottom_slack_px
            })
            .count() as i64
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use razz_core::BoxXywh;

    fn row(frame: u32, id: i64, x: f32) -> MotRow {
        MotRow {
            frame,
            id,
            bbox: BoxXywh::new(x, 100.0, 20.0, 50.0),
            conf: 1.0,
            world: None,
        }
    }

    /// Two people walk in from the right of a 200 px frame at 5 px per frame, one behind
    /// the other. The annotator starts the first when its box is 0 px from the side (x 180)
    /// and the second when it is 15 px in (x 165). One margin cannot start both on time.
    fn two_walkers() -> Vec<MotRow> {
        let mut gt = Vec::new();
        // A stays in view for all 30 frames and is annotated on all of them: the anchor that
        // makes frames 1..30 scored. B is annotated from frame 11 at x 165.
        for f in 1..=30u32 {
            gt.push(row(f, 1, 90.0));
        }
        // C starts at frame 5, 0 px from the side: x = 180, walking left.
        for f in 5..=30u32 {
            gt.push(row(f, 2, 180.0 - 5.0 * (f - 5) as f32));
        }
        // D starts at frame 11, 15 px in: x = 165, walking left (it was at 180 on frame 8).
        for f in 11..=30u32 {
            gt.push(row(f, 3, 165.0 - 5.0 * (f - 11) as f32));
        }
        gt
    }

    #[test]
    fn inconsistent_starts_cap_every_margin_rule() {
        let c = count_ceiling(&two_walkers(), (200.0, 576.0)).expect("rows");
        assert_eq!(c.frames, 30);
        // Walking in (vx = -5), a person counts once their right gap reaches the entering
        // margin. C's gap on frame 5 is 0 and before it negative: an entering margin of 0
        // (or below, down to -5) starts C exactly on frame 5, but then D (gap 0 on frame 8)
        // counts on frames 8, 9, 10: 3 wrong. A margin of 15 starts D on time, but C on frame
        // 8: frames 5, 6, 7 wrong. In between, 3 wrong as well (e.g. 6: C from 7, D from 10).
        // So the best rule misses 3 of the 30 frames.
        assert_eq!(c.exact, 27, "{c:?}");
        assert_eq!(c.wrong.len(), 3);
        assert!((c.exact_share() - 0.9).abs() < 1e-12);
    }

    #[test]
    fn a_consistent_annotator_is_matched_on_every_frame() {
        // Both walkers started 0 px from the side: one margin fits both.
        let mut gt = two_walkers();
        gt.retain(|r| r.id != 3);
        for f in 8..=30u32 {
            gt.push(row(f, 3, 180.0 - 5.0 * (f - 8) as f32));
        }
        let c = count_ceiling(&gt, (200.0, 576.0)).expect("rows");
        assert_eq!((c.exact, c.frames), (30, 30), "{c:?}");
        assert!(c.wrong.is_empty());
    }

    #[test]
    fn frames_far_apart_are_counted_without_listing_them() {
        // One person on frame 1 and one on frame 4,000,000,000: every frame between is empty
        // and right (0 = 0); both people are counted by the best rule.
        let c = count_ceiling(
            &[row(1, 1, 90.0), row(4_000_000_000, 2, 90.0)],
            (200.0, 576.0),
        )
        .expect("rows");
        assert_eq!(c.frames, 4_000_000_000);
        assert_eq!(c.exact, 4_000_000_000, "{:?}", c.wrong);
    }

    #[test]
    fn rows_flagged_ignore_are_people_too_and_no_rows_is_none() {
        assert_eq!(count_ceiling(&[], (200.0, 100.0)), None);
        let mut r = row(1, 1, 50.0);
        r.conf = 0.0;
        let c = count_ceiling(&[r], (200.0, 576.0)).expect("a row");
        assert_eq!((c.exact, c.frames), (1, 1), "{c:?}");
    }
}
