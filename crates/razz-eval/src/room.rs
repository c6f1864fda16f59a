//! Scores one room's output over a recording: its people count per frame against the ground
//! truth's, and its global ids on the floor (each seen person's floor position against the
//! ground truth's world position), so that fusion of several cameras can be judged on one
//! floor whatever the cameras' pixels.

use std::collections::BTreeMap;

use razz_core::BoxXywh;
use razz_core::mot::MotRow;
use serde::Serialize;

use crate::identity::Identity;
use crate::sequence::{EvalError, SequenceData};

/// One room line, as `razz analyze` writes it (`ROOM.jsonl`), reduced to what is scored.
#[derive(Clone, Debug, PartialEq)]
pub struct RoomFrame {
    pub frame: u32,
    pub count: usize,
    pub people: Vec<RoomPerson>,
}

/// A person of a room line.
#[derive(Clone, Debug, PartialEq)]
pub struct RoomPerson {
    pub id: u64,
    /// Seen by a camera now (false: held while hidden).
    pub seen: bool,
    /// Feet on the floor, metres (calibrated cameras only).
    pub floor_m: Option<[f64; 2]>,
}

/// Parses one room's lines (JSON, one per line; blank lines skipped). Every line must name
/// the same room; a person's `floor_m`, when present, must be two finite numbers.
pub fn parse_room_lines(text: &str) -> Result<Vec<RoomFrame>, EvalError> {
    let mut room: Option<String> = None;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| EvalError::RoomLine {
            line: i + 1,
            message,
        };
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let name = v["room"].as_str().unwrap_or_default();
        match &room {
            None => room = Some(name.to_owned()),
            Some(r) if r != name => {
                return Err(bad(format!(
                    "rooms {r:?} and {name:?} in one file; score one room at a time"
                )));
            }
            Some(_) => {}
        }
        let frame = v["frame"].as_u64().and_then(|f| u32::try_from(f).ok());
        let count = v["count"].as_u64().and_then(|c| usize::try_from(c).ok());
        let (Some(frame), Some(count), Some(people)) = (frame, count, v["people"].as_array())
        else {
            return Err(bad("needs a frame, a count and people".into()));
        };
        let mut ps = Vec::with_capacity(people.len());
        for p in people {
            let Some(id) = p["id"].as_u64() else {
                return Err(bad("a person without an id".into()));
            };
            let floor_m = match &p["floor_m"] {
                serde_json::Value::Null => None,
                f => match (f[0].as_f64(), f[1].as_f64()) {
                    (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Some([x, y]),
                    _ => return Err(bad(format!("person {id}: floor_m is not two numbers"))),
                },
            };
            ps.push(RoomPerson {
                id,
                seen: p["seen"].as_bool().unwrap_or(true),
                floor_m,
            });
        }
        out.push(RoomFrame {
            frame,
            count,
            people: ps,
        });
    }
    Ok(out)
}

/// The ground truth's people per frame: every row is a person present, whatever its `conf`
/// (a 0 there tells box scoring to ignore the row, not that nobody is there).
pub fn people_per_frame(gt: &[MotRow]) -> BTreeMap<u32, usize> {
    let mut truth = BTreeMap::new();
    for r in gt {
        *truth.entry(r.frame).or_default() += 1;
    }
    truth
}

/// Counts and floor identities of one room.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoomScore {
    /// Room lines scored.
    pub frames: usize,
    /// Frames whose count differs from the ground truth's.
    pub wrong_frames: Vec<u32>,
    /// Share of them whose count equals the ground truth's people in that frame.
    pub exact: f64,
    /// Mean absolute count error.
    pub mae: f64,
    /// Identity metrics of the seen people's floor positions within `radius_m`; `None` when no
    /// person has a floor position (no camera calibrated).
    pub floor: Option<FloorScore>,
}

/// Identity metrics on the floor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FloorScore {
    pub radius_m: f64,
    pub identity: Identity,
}

/// Scores `lines` against `gt`: every ground-truth row is a person present in its frame
/// (whatever its `conf`, as the count is about presence); frames without a line are not
/// scored, for counts or identities. Floor identities need a world position on every scored ground-truth row.
pub fn score_room(
    gt: &[MotRow],
    lines: &[RoomFrame],
    radius_m: f64,
) -> Result<RoomScore, EvalError> {
    let truth = people_per_frame(gt);
    let (mut wrong_frames, mut abs) = (Vec::new(), 0usize);
    let mut rows = Vec::new();
    for l in lines {
        let want = truth.get(&l.frame).copied().unwrap_or(0);
        if l.count != want {
            wrong_frames.push(l.frame);
        }
        abs += l.count.abs_diff(want);
        for p in l.people.iter().filter(|p| p.seen) {
            if let Some(f) = p.floor_m {
                rows.push(MotRow {
                    frame: l.frame,
                    id: i64::try_from(p.id).unwrap_or(i64::MAX),
                    bbox: BoxXywh::new(0.0, 0.0, 1.0, 1.0),
                    conf: 1.0,
                    world: Some([f[0] as f32, f[1] as f32, 0.0]),
                });
            }
        }
    }
    let n = lines.len().max(1) as f64;
    let floor = if rows.is_empty() {
        None
    } else {
        // Only the frames the lines cover: people outside them are not missed.
        let covered: std::collections::BTreeSet<u32> = lines.iter().map(|l| l.frame).collect();
        let gt: Vec<MotRow> = gt
            .iter()
            .filter(|r| covered.contains(&r.frame))
            .copied()
            .collect();
        let data = SequenceData::on_floor(&gt, &rows, radius_m)?;
        Some(FloorScore {
            radius_m,
            identity: Identity::evaluate(&data),
        })
    };
    Ok(RoomScore {
        frames: lines.len(),
        exact: (lines.len() - wrong_frames.len()) as f64 / n,
        wrong_frames,
        mae: abs as f64 / n,
        floor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gt_row(frame: u32, id: i64, x_m: f32) -> MotRow {
        MotRow {
            frame,
            id,
            bbox: BoxXywh::new(0.0, 0.0, 10.0, 20.0),
            conf: 1.0,
            world: Some([x_m, 0.0, 0.0]),
        }
    }

    fn person(id: u64, x_m: f64, seen: bool) -> RoomPerson {
        RoomPerson {
            id,
            seen,
            floor_m: Some([x_m, 0.0]),
        }
    }

    #[test]
    fn counts_and_floor_identities_by_hand() {
        // Ground truth: A at x 0 on frames 1-4, B at x 5 on frames 3-4 (6 rows).
        let mut gt: Vec<MotRow> = (1..=4).map(|f| gt_row(f, 1, 0.0)).collect();
        gt.extend((3..=4).map(|f| gt_row(f, 2, 5.0)));
        // The room: frame 1 right (A as 7); frame 2 counts 2 (A as 7, plus a held ghost 9);
        // frame 3 misses B (count 1); frame 4 right, but A comes as 8 (a switch) 0.4 m off and
        // B as 9 at 5.7 m (0.7 m off).
        let lines = vec![
            RoomFrame {
                frame: 1,
                count: 1,
                people: vec![person(7, 0.1, true)],
            },
            RoomFrame {
                frame: 2,
                count: 2,
                people: vec![person(7, 0.0, true), person(9, 3.0, false)],
            },
            RoomFrame {
                frame: 3,
                count: 1,
                people: vec![person(7, 0.0, true)],
            },
            RoomFrame {
                frame: 4,
                count: 2,
                people: vec![person(8, 0.4, true), person(9, 5.7, true)],
            },
        ];
        let s = score_room(&gt, &lines, 1.0).expect("score");
        // Exact on frames 1 and 4; errors 0, 1, 1, 0.
        assert_eq!(s.frames, 4);
        assert!((s.exact - 0.5).abs() < 1e-12);
        assert_eq!(s.wrong_frames, [2, 3]);
        assert!((s.mae - 0.5).abs() < 1e-12);
        // Seen rows: 7 x3, 8, 9 = 5 (the held ghost is not scored). Best pairing: A-7 (3
        // frames), B-9 (1 frame, 0.7 m <= 1 m): IDTP 4. IDF1 = 2·4 / (6 + 5) = 8/11.
        let f = s.floor.clone().expect("floor positions");
        assert_eq!(f.identity.idtp, 4);
        assert!((f.identity.idf1 - 8.0 / 11.0).abs() < 1e-12, "{f:?}");
        // Within 0.5 m, B's 0.7 m miss no longer matches: IDTP 3, IDF1 6/11.
        let tight = score_room(&gt, &lines, 0.5)
            .expect("score")
            .floor
            .expect("floor");
        assert_eq!(tight.identity.idtp, 3);
        // Ground truth past the last line (frame 9) is not scored: the same figures.
        let mut longer = gt.clone();
        longer.push(gt_row(9, 1, 0.0));
        assert_eq!(score_room(&longer, &lines, 1.0).expect("score"), s);
    }

    #[test]
    fn uncalibrated_rooms_score_counts_only_and_bad_ground_truth_is_an_error() {
        let gt = vec![gt_row(1, 1, 0.0)];
        let lines = vec![RoomFrame {
            frame: 1,
            count: 1,
            people: vec![RoomPerson {
                id: 1,
                seen: true,
                floor_m: None,
            }],
        }];
        let s = score_room(&gt, &lines, 1.0).expect("score");
        assert_eq!((s.exact, s.floor), (1.0, None));
        // Floor positions in the lines but none in the ground truth: an error naming the row.
        let mut bare = gt.clone();
        bare[0].world = None;
        let lines = vec![RoomFrame {
            frame: 1,
            count: 1,
            people: vec![person(1, 0.0, true)],
        }];
        let e = score_room(&bare, &lines, 1.0).expect_err("no world");
        assert!(e.to_string().contains("frame 1"), "{e}");
    }

    #[test]
    fn room_lines_parse_and_name_the_bad_line() {
        let text = "{\"room\":\"a\",\"frame\":1,\"count\":1,\"people\":[{\"id\":3,\"seen\":false,\"floor_m\":[1.5,-2]}]}\n\n\
                    {\"room\":\"a\",\"frame\":2,\"count\":0,\"people\":[]}\n";
        let lines = parse_room_lines(text).expect("valid");
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0].people,
            [RoomPerson {
                id: 3,
                seen: false,
                floor_m: Some([1.5, -2.0])
            }]
        );
        let bad = [
            (
                "{\"room\":\"a\",\"frame\":1,\"count\":0,\"people\":[]}\n{\"room\":\"b\",\"frame\":2,\"count\":0,\"people\":[]}",
                "line 2: rooms \"a\" and \"b\"",
            ),
            (
                "{\"room\":\"a\",\"frame\":1,\"count\":1,\"people\":[{\"id\":3,\"floor_m\":[1,\"x\"]}]}",
                "line 1: person 3: floor_m",
            ),
            (
                "{\"room\":\"a\",\"frame\":-1,\"count\":1,\"people\":[]}",
                "line 1: needs a frame",
            ),
            (
                "{\"room\":\"a\",\"frame\":1,\"count\":1,\"people\":[{}]}",
                "line 1: a person without an id",
            ),
            ("hello", "line 1: "),
        ];
        for (text, want) in bad {
            let e = parse_room_lines(text).expect_err(text).to_string();
            assert!(e.starts_with(want), "{e:?} lacks {want:?}");
        }
    }
}
