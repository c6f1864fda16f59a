//! Multi-camera cases cut from one real recording (PETS09-S2L1), and their scoring.
//!
//! Each case is two views cropped from the same video with ffmpeg, so every view pixel maps
//! back to an original pixel, where the ground truth lives. Views differ in scale and
//! brightness. Each view is calibrated the way an operator would do it: 4 points clicked in
//! the view whose floor positions are known (here: from the homography fitted to the ground
//! truth's floor coordinates).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use razz_core::BoxXywh;
use razz_core::mot::MotRow;
use razz_eval::room::{RoomFrame, RoomPerson, RoomScore, score_room};
use razz_eval::{Metrics, SequenceData};
use razz_fusion::{Calibration, Homography};

use super::{rows, shared};

/// A view: crop of the original at `x_px` (full height), then scaled and re-lit.
#[derive(Clone, Copy, Debug)]
pub struct View {
    pub id: &'static str,
    pub x_px: u32,
    pub w_px: u32,
    pub scale: f32,
    /// ffmpeg `eq` brightness, -1..1.
    pub brightness: f32,
}

impl View {
    /// View pixel to original pixel.
    pub fn to_original(self, b: &BoxXywh) -> BoxXywh {
        BoxXywh::new(
            b.x / self.scale + self.x_px as f32,
            b.y / self.scale,
            b.w / self.scale,
            b.h / self.scale,
        )
    }

    fn size(&self) -> (u32, u32) {
        (
            (self.w_px as f32 * self.scale).round() as u32,
            (576.0 * self.scale).round() as u32,
        )
    }
}

pub fn pets_video() -> std::path::PathBuf {
    shared().join("mot15/PETS09-S2L1/vtest.avi")
}

pub fn pets_gt() -> Vec<MotRow> {
    rows(&shared().join("mot15/PETS09-S2L1/gt/gt.txt"))
}

/// Image feet to floor metres, fitted to every ground-truth row.
pub fn pets_floor() -> Homography {
    let gt = pets_gt();
    let (img, floor): (Vec<[f64; 2]>, Vec<[f64; 2]>) = gt
        .iter()
        .filter_map(|r| {
            let w = r.world?;
            let (fx, fy) = r.bbox.foot();
            Some((
                [f64::from(fx), f64::from(fy)],
                [f64::from(w[0]), f64::from(w[1])],
            ))
        })
        .unzip();
    Homography::fit(&img, &floor).expect("homography from gt")
}

/// The original view itself (the single-view reference).
pub const WHOLE: View = View {
    id: "vtest",
    x_px: 0,
    w_px: 768,
    scale: 1.0,
    brightness: 0.0,
};

/// The room the cases count: the floor the ground truth covers. PETS's ground truth annotates
/// nobody on the far footpath and car park (no annotated feet above row 153), though people
/// walk there, and starts and ends people only while their whole box is inside the frame (no
/// annotated box crosses a frame side; annotated feet lie at x 14.7-752.7 of 768). So the room
/// is the floor whose people are wholly in view: feet below row 150 and between columns 14
/// and 753 of the original view (a quadrilateral, deeper than the frame, mapped to the floor).
pub fn pets_room_area(floor: &Homography) -> Vec<[f64; 2]> {
    [[14.0, 150.0], [753.0, 150.0], [753.0, 700.0], [14.0, 700.0]]
        .iter()
        .map(|&p| floor.apply(p).expect("corner maps to the floor"))
        .collect()
}

/// How a view's video is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// MJPEG at high quality, close to the recording; the whole view is the original file.
    Mjpeg,
    /// H.264 as an IP camera streams it (and as `scripts/rtsp/make_media.sh` serves it):
    /// libx264 `veryfast` at its default quality (CRF 23), no B-frames, a keyframe a second.
    H264,
}

/// Writes the view's video into `dir` (every frame kept).
pub fn make_view(dir: &Path, v: &View, codec: Codec) -> std::path::PathBuf {
    let whole = v.x_px == 0 && v.w_px == 768 && v.scale == 1.0 && v.brightness == 0.0;
    if whole && codec == Codec::Mjpeg {
        return pets_video();
    }
    let (w, h) = v.size();
    let filter = format!(
        "crop={}:576:{}:0,scale={w}:{h},eq=brightness={}",
        v.w_px, v.x_px, v.brightness
    );
    let (out, codec_args) = match codec {
        Codec::Mjpeg => (
            dir.join(format!("{}.avi", v.id)),
            &["-c:v", "mjpeg", "-q:v", "3"][..],
        ),
        Codec::H264 => (
            dir.join(format!("{}.mp4", v.id)),
            &[
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "10", "-bf",
                "0",
            ][..],
        ),
    };
    let st = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(pets_video())
        .args(["-vf", &filter, "-fps_mode", "passthrough"])
        .args(codec_args)
        .arg(&out)
        .status()
        .expect("run ffmpeg");
    assert!(st.success(), "ffmpeg failed for {}", v.id);
    out
}

/// The view's calibration: 4 points spread over its lower part, with their floor positions.
pub fn calibration(v: &View, floor: &Homography) -> Calibration {
    let (w, h) = v.size();
    let (w, h) = (f64::from(w), f64::from(h));
    let image_px = vec![
        [0.1 * w, 0.5 * h],
        [0.9 * w, 0.5 * h],
        [0.9 * w, 0.95 * h],
        [0.1 * w, 0.95 * h],
    ];
    let floor_m = image_px
        .iter()
        .map(|p| {
            let o = [
                p[0] / f64::from(v.scale) + f64::from(v.x_px),
                p[1] / f64::from(v.scale),
            ];
            floor.apply(o).expect("point maps to the floor")
        })
        .collect();
    Calibration { image_px, floor_m }
}

/// A config with one room of the given views, each calibrated, and the room's floor area
/// ([`pets_room_area`]) when `area`.
pub fn config(dir: &Path, views: &[View], area: bool, codec: Codec) -> std::path::PathBuf {
    let floor = pets_floor();
    let mut text = String::from("[[rooms]]\nid = \"hall\"\n");
    if area {
        text += &format!("floor_area_m = {:?}\n", pets_room_area(&floor));
    }
    for v in views {
        let video = make_view(dir, v, codec);
        text += &format!(
            "\n[[cameras]]\nid = \"{}\"\nroom = \"hall\"\nurl = \"{}\"\n",
            v.id,
            video.display()
        );
        let c = calibration(v, &floor);
        text += &format!(
            "[cameras.calibration]\nimage_px = {:?}\nfloor_m = {:?}\n",
            c.image_px, c.floor_m
        );
    }
    let path = dir.join("room.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// Scores of one method on one case.
#[derive(Clone, Debug)]
pub struct CountScore {
    pub name: String,
    pub frames: usize,
    pub exact: f64,
    pub mae: f64,
    pub idf1: f64,
    /// IDF1 on the floor: seen people's floor positions against the ground truth's, matched
    /// within each of `FLOOR_RADII_M`.
    pub floor_idf1: [f64; 2],
}

/// A person's floor position matches a ground-truth one within this distance, metres: a
/// stride, and a tighter half of it.
pub const FLOOR_RADII_M: [f64; 2] = [1.0, 0.5];

impl CountScore {
    pub fn row(&self) -> String {
        format!(
            "{:<42} {:>6} {:>8.1}% {:>7.3} {:>7.1} {:>7.1} {:>7.1}",
            self.name,
            self.frames,
            100.0 * self.exact,
            self.mae,
            100.0 * self.idf1,
            100.0 * self.floor_idf1[0],
            100.0 * self.floor_idf1[1]
        )
    }

    pub fn header() -> String {
        format!(
            "{:<42} {:>6} {:>9} {:>7} {:>7} {:>7} {:>7}",
            "method", "frames", "exact", "MAE", "IDF1", "floor1m", "0.5m"
        )
    }
}

/// Scores a room-lines file: counts against the ground truth's people per frame, and global
/// ids (each person's largest seen member box, mapped back to original pixels) by IDF1, and
/// again on the floor (each seen person's floor position against the ground truth's).
pub fn score_lines(name: &str, lines: &Path, views: &HashMap<String, View>) -> CountScore {
    let gt = pets_gt();
    let text = std::fs::read_to_string(lines).expect("room lines");
    let mut tracks = Vec::new();
    let mut frames = Vec::new();
    let floor = pets_floor();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let frame = v["frame"].as_u64().expect("frame") as u32;
        let count = v["count"].as_u64().expect("count") as usize;
        let mut people = Vec::new();
        for p in v["people"].as_array().expect("people") {
            let id = p["id"].as_u64().expect("id");
            let seen: Vec<BoxXywh> = p["members"]
                .as_array()
                .expect("members")
                .iter()
                .filter(|m| m["seen"].as_bool().unwrap_or(true))
                .filter_map(|m| {
                    let cam = m["camera"].as_str()?;
                    let b: Vec<f32> = m["box"]
                        .as_array()?
                        .iter()
                        .filter_map(|x| x.as_f64().map(|x| x as f32))
                        .collect();
                    let bx = BoxXywh::new(b[0], b[1], b[2], b[3]);
                    Some(views.get(cam).map_or(bx, |view| view.to_original(&bx)))
                })
                .collect();
            // On the floor: where the method puts the person, or (the baselines keep no floor
            // position) the mean of its seen boxes' bottom centres through the fitted floor.
            let at = p["floor_m"]
                .as_array()
                .and_then(|f| Some([f.first()?.as_f64()?, f.get(1)?.as_f64()?]))
                .or_else(|| {
                    let feet: Vec<[f64; 2]> = seen
                        .iter()
                        .filter_map(|b| {
                            let (x, y) = b.foot();
                            floor.apply([f64::from(x), f64::from(y)])
                        })
                        .collect();
                    let k = feet.len() as f64;
                    (k > 0.0).then(|| {
                        [
                            feet.iter().map(|f| f[0]).sum::<f64>() / k,
                            feet.iter().map(|f| f[1]).sum::<f64>() / k,
                        ]
                    })
                });
            people.push(RoomPerson {
                id,
                seen: p["seen"].as_bool().unwrap_or(true),
                floor_m: at,
            });
            let best = seen
                .into_iter()
                .max_by(|a, b| a.area().total_cmp(&b.area()));
            if let Some(b) = best {
                tracks.push(MotRow {
                    frame,
                    id: id as i64,
                    bbox: b,
                    conf: 1.0,
                    world: None,
                });
            }
        }
        frames.push(RoomFrame {
            frame,
            count,
            people,
        });
    }
    let m = Metrics::evaluate(
        name,
        &SequenceData::new(&gt, &tracks).expect("valid tracks"),
    );
    let [near, tight] = FLOOR_RADII_M.map(|r| score_room(&gt, &frames, r).expect("room score"));
    let floor_idf1 = |s: &RoomScore| s.floor.as_ref().map_or(0.0, |f| f.identity.idf1);
    CountScore {
        name: name.to_owned(),
        frames: near.frames,
        exact: near.exact,
        mae: near.mae,
        idf1: m.identity.idf1,
        floor_idf1: [floor_idf1(&near), floor_idf1(&tight)],
    }
}

/// IDF1 of a case's own per-camera tracks (`CAMERA.txt` in `out`) linked across cameras by the
/// ground truth: each track goes whole to the person its boxes match most often (IoU >= 0.5),
/// a track that matches nobody stays its own person, and each person shows, frame by frame, its
/// largest box (as `score_lines` does). A fusion that links whole tracks and knows who everyone
/// is scores this; what razz scores under it is fusion's own error on these tracks, and what
/// this scores under the single view is the tracking lost to the views' cuts. (razz can also
/// score above it: fusion re-links a track that swapped people part of the way.)
pub fn whole_track_oracle(out: &Path, views: &[View]) -> f64 {
    let gt = pets_gt();
    let mut gt_by_frame: HashMap<u32, Vec<&MotRow>> = HashMap::new();
    for g in &gt {
        gt_by_frame.entry(g.frame).or_default().push(g);
    }
    // (view index, track id) -> rows in original pixels.
    let mut tracks: HashMap<(usize, i64), Vec<(u32, BoxXywh)>> = HashMap::new();
    for (k, v) in views.iter().enumerate() {
        for r in rows(&out.join(format!("{}.txt", v.id))) {
            tracks
                .entry((k, r.id))
                .or_default()
                .push((r.frame, v.to_original(&r.bbox)));
        }
    }
    let mut people: HashMap<(u32, i64), BoxXywh> = HashMap::new();
    // Ids for tracks that match nobody, above any ground-truth id.
    let mut loners = 1_000_000i64;
    for rows in tracks.values() {
        let mut votes: HashMap<i64, usize> = HashMap::new();
        for (frame, b) in rows {
            let best = gt_by_frame
                .get(frame)
                .into_iter()
                .flatten()
                .map(|g| (g.bbox.iou(b), g.id))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, id)) = best.filter(|(iou, _)| *iou >= 0.5) {
                *votes.entry(id).or_default() += 1;
            }
        }
        let person = votes
            .into_iter()
            .max_by_key(|&(id, n)| (n, -id))
            .map_or_else(
                || {
                    loners += 1;
                    loners
                },
                |(id, _)| id,
            );
        for &(frame, b) in rows {
            let slot = people.entry((frame, person)).or_insert(b);
            if b.area() > slot.area() {
                *slot = b;
            }
        }
    }
    let mut linked: Vec<MotRow> = people
        .into_iter()
        .map(|((frame, id), bbox)| MotRow {
            frame,
            id,
            bbox,
            conf: 1.0,
            world: None,
        })
        .collect();
    linked.sort_by_key(|r| (r.frame, r.id));
    let data = SequenceData::new(&gt, &linked).expect("valid tracks");
    Metrics::evaluate("whole-track oracle", &data).identity.idf1
}
