//! The MOTChallenge text format: one object per line,
//! `frame,id,x,y,w,h,conf,wx,wy,wz`, frames 1-based.
//!
//! The same layout carries detections (`id = -1`), tracker output and ground truth, so one
//! reader serves all three. Lines may be comma- or whitespace-separated (both occur in the
//! wild); blank lines are skipped; anything else malformed is an error naming the line.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use crate::geom::{BoxXywh, Detection};

/// One parsed line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MotRow {
    /// 1-based frame number.
    pub frame: u32,
    /// Object id; -1 for detections.
    pub id: i64,
    pub bbox: BoxXywh,
    /// Detection score, or the ground truth "consider" flag (0 = ignore).
    pub conf: f32,
    /// World coordinates when present (PETS09-S2L1 ground truth: floor position in metres).
    pub world: Option<[f32; 3]>,
}

#[derive(Debug, thiserror::Error)]
pub enum MotError {
    #[error("line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error("reading MOT file: {0}")]
    Io(#[from] std::io::Error),
}

/// Parses a whole MOTChallenge file.
pub fn read_rows(reader: impl BufRead) -> Result<Vec<MotRow>, MotError> {
    let mut rows = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        rows.push(parse_row(text).map_err(|message| MotError::Parse {
            line: i + 1,
            message,
        })?);
    }
    Ok(rows)
}

fn parse_row(text: &str) -> Result<MotRow, String> {
    let fields: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.len() < 6 {
        return Err(format!(
            "expected at least 6 fields (frame,id,x,y,w,h), found {}",
            fields.len()
        ));
    }
    let num = |i: usize, name: &str| -> Result<f64, String> {
        let v: f64 = fields[i]
            .parse()
            .map_err(|_| format!("{name} is not a number: {:?}", fields[i]))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("{name} is not finite"))
        }
    };
    let frame = num(0, "frame")?;
    if frame < 1.0 || frame.fract() != 0.0 || frame > u32::MAX as f64 {
        return Err(format!(
            "frame must be a positive integer, found {}",
            fields[0]
        ));
    }
    let id = num(1, "id")?;
    if id.fract() != 0.0 {
        return Err(format!("id must be an integer, found {}", fields[1]));
    }
    let (w, h) = (num(4, "w")?, num(5, "h")?);
    // A zero size is a degenerate box some tools write (kept, and ignored where boxes are
    // used); a negative one is a broken line, not a box.
    if w < 0.0 || h < 0.0 {
        return Err(format!(
            "w and h cannot be negative, found {} and {}",
            fields[4], fields[5]
        ));
    }
    let bbox = BoxXywh::new(num(2, "x")? as f32, num(3, "y")? as f32, w as f32, h as f32);
    let conf = if fields.len() > 6 {
        num(6, "conf")? as f32
    } else {
        1.0
    };
    let world = if fields.len() >= 10 {
        Some([
            num(7, "wx")? as f32,
            num(8, "wy")? as f32,
            num(9, "wz")? as f32,
        ])
    } else {
        None
    };
    Ok(MotRow {
        frame: frame as u32,
        id: id as i64,
        bbox,
        conf,
        world,
    })
}

/// Groups detection rows by 0-based video frame index (MOT frame N is video frame N - 1).
pub fn detections_by_frame(rows: &[MotRow]) -> BTreeMap<u64, Vec<Detection>> {
    let mut map: BTreeMap<u64, Vec<Detection>> = BTreeMap::new();
    for r in rows {
        map.entry(u64::from(r.frame) - 1)
            .or_default()
            .push(Detection::new(r.bbox, r.conf));
    }
    map
}

/// Writes one tracker output line: `frame,id,x,y,w,h,score,-1,-1,-1` with `frame` 1-based.
pub fn write_track_row(
    mut out: impl Write,
    frame: u32,
    id: u64,
    bbox: &BoxXywh,
    score: f32,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{frame},{id},{:.2},{:.2},{:.2},{:.2},{:.4},-1,-1,-1",
        bbox.x, bbox.y, bbox.w, bbox.h, score
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gt_det_and_whitespace_rows() {
        let text = "1,1,10,20,30,40,1,1.5,2.5,0\n\n2,-1,1.5,2,3,4,0.97,-1,-1,-1\n3 7 1 2 3 4\n";
        let rows = read_rows(text.as_bytes()).expect("valid");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].world, Some([1.5, 2.5, 0.0]));
        assert_eq!(rows[1].id, -1);
        assert!((rows[1].conf - 0.97).abs() < 1e-6);
        assert_eq!(rows[2].frame, 3);
        assert_eq!(rows[2].conf, 1.0);
        let by = detections_by_frame(&rows);
        assert_eq!(by.keys().copied().collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn rejects_bad_rows_with_line_numbers() {
        for (text, want) in [
            ("1,1,2,3\n", "line 1: expected at least 6"),
            (
                "1,1,1,1,1,1\n0,1,1,1,1,1\n",
                "line 2: frame must be a positive integer",
            ),
            ("1,x,1,1,1,1\n", "line 1: id is not a number"),
            ("1,1,nan,1,1,1\n", "line 1: x is not finite"),
            (
                "1,-1,5,5,-20,40,0.9\n",
                "line 1: w and h cannot be negative",
            ),
            (
                "1,-1,5,5,20,-1e-3,0.9\n",
                "line 1: w and h cannot be negative",
            ),
        ] {
            let err = read_rows(text.as_bytes()).expect_err(text).to_string();
            assert!(err.starts_with(want), "{err} vs {want}");
        }
    }

    /// Untrusted input: random lines built from the characters real files use must give a
    /// row or an error, never a panic.
    #[test]
    fn random_lines_never_panic() {
        const ALPHABET: &[u8] = b"0123456789,,,,.-+e \tnaNinfx";
        let mut rng = crate::rng::XorShift64::new(0x9e3779b97f4a7c15u64);
        let mut next = || rng.next_u64();
        for _ in 0..20_000 {
            let len = (next() % 60) as usize;
            let line: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let text = String::from_utf8_lossy(&line).into_owned();
            let _ = read_rows(text.as_bytes());
        }
        // Extremes that parse as numbers.
        for text in [
            "4294967296,1,1,1,1,1",
            "1,1e300,1,1,1,1",
            "1,1,1e39,1,1,1",
            "1,-9223372036854775809,1,1,1,1",
        ] {
            let _ = read_rows(text.as_bytes());
        }
    }

    #[test]
    fn writes_mot_track_rows() {
        let mut buf = Vec::new();
        write_track_row(&mut buf, 5, 3, &BoxXywh::new(1.0, 2.5, 3.0, 4.0), 0.5).expect("write");
        assert_eq!(
            String::from_utf8(buf).expect("utf8"),
            "5,3,1.00,2.50,3.00,4.00,0.5000,-1,-1,-1\n"
        );
    }
}
