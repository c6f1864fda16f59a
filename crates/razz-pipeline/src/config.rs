//! razz's configuration: one TOML file, one struct, unknown keys rejected.
//!
//! The same file drives `razz analyze` (cameras are video files) and the live service
//! (cameras are stream URLs). Every key is documented in `docs/config.md`.

use std::collections::HashSet;
use std::path::Path;

use razz_detect::DetectorConfig;
use razz_fusion::{Calibration, FloorArea, FusionConfig};
use razz_track::TrackerConfig;
use serde::{Deserialize, Serialize};

use crate::error::PipelineError;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub detector: DetectorConfig,
    #[serde(default)]
    pub tracker: TrackerConfig,
    #[serde(default)]
    pub fusion: FusionConfig,
    #[serde(default)]
    pub rooms: Vec<RoomConfig>,
    #[serde(default)]
    pub cameras: Vec<CameraConfig>,
}

/// `razz serve`: where it listens and keeps its data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port (the original system's port is 8003).
    pub listen: String,
    /// Holds `razz.db` and `secret.key`.
    pub data_dir: std::path::PathBuf,
    /// WebSocket updates per second.
    pub ws_rate_hz: f64,
    /// Live video for the web app: JPEG frames per second per viewer, at most.
    pub video_fps: f64,
    /// How long a login lasts, hours.
    pub session_ttl_h: f64,
    /// Occupancy history: one sample per room every this many seconds (plus every change).
    pub history_sample_s: u64,
    /// History older than this many days is deleted.
    pub history_keep_days: u64,
    /// Failed logins allowed per client address per minute.
    pub login_failures_per_min: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "0.0.0.0:8003".into(),
            data_dir: "razz-data".into(),
            ws_rate_hz: 5.0,
            video_fps: 10.0,
            session_ttl_h: 24.0 * 7.0,
            history_sample_s: 60,
            history_keep_days: 90,
            login_failures_per_min: 5,
        }
    }
}

/// A room: a space whose cameras count the same people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    pub id: String,
    /// Display name; the id when unset.
    #[serde(default)]
    pub name: Option<String>,
    /// The room's floor, corners `[x, y]` in metres in its cameras' calibration frame: only
    /// people whose feet are inside count. Unset: everyone its cameras see.
    #[serde(default)]
    pub floor_area_m: Option<FloorArea>,
}

/// A camera of a room.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CameraConfig {
    pub id: String,
    pub room: String,
    #[serde(default)]
    pub name: Option<String>,
    /// A video file or stream URL, anything ffmpeg opens.
    pub url: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Detector runs per second; unset: every frame offline, 5 per second live.
    #[serde(default)]
    pub detect_fps: Option<f64>,
    /// Overrides the stream's frame rate for timestamps (e.g. a file whose header is wrong).
    #[serde(default)]
    pub fps: Option<f64>,
    /// Floor calibration: at least 4 image points (pixels) and their floor positions (metres).
    #[serde(default)]
    pub calibration: Option<Calibration>,
}

fn yes() -> bool {
    true
}

impl Config {
    /// Reads and validates a config file; errors name the file and the problem on one line.
    pub fn load(path: &Path) -> Result<Self, PipelineError> {
        let text = std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|e| PipelineError::ConfigFile {
            path: path.to_path_buf(),
            message: match e {
                PipelineError::Config(m) => m,
                other => other.to_string(),
            },
        })
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Self, PipelineError> {
        let cfg: Config =
            toml::from_str(text).map_err(|e| PipelineError::Config(one_line(&e.to_string())))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks what serde cannot: unique ids, known rooms, sane numbers.
    pub fn validate(&self) -> Result<(), PipelineError> {
        let err = |m: String| Err(PipelineError::Config(m));
        let mut rooms = HashSet::new();
        for r in &self.rooms {
            check_id("room", &r.id)?;
            if !rooms.insert(r.id.as_str()) {
                return err(format!("room id {:?} appears twice", r.id));
            }
        }
        let mut cams = HashSet::new();
        for c in &self.cameras {
            check_id("camera", &c.id)?;
            if !cams.insert(c.id.as_str()) {
                return err(format!("camera id {:?} appears twice", c.id));
            }
            if !rooms.contains(c.room.as_str()) {
                return err(format!(
                    "camera {:?} names room {:?}, which is not defined",
                    c.id, c.room
                ));
            }
            if c.url.trim().is_empty() {
                return err(format!("camera {:?} has an empty url", c.id));
            }
            if let Some(cal) = &c.calibration
                && let Err(e) = cal.homography()
            {
                return err(format!("camera {:?}: {e}", c.id));
            }
            for (name, v) in [("detect_fps", c.detect_fps), ("fps", c.fps)] {
                if let Some(v) = v
                    && !(0.01..=1000.0).contains(&v)
                {
                    return err(format!(
                        "camera {:?}: {name} must be within 0.01..1000, got {v:?}",
                        c.id
                    ));
                }
            }
        }
        for r in &self.rooms {
            let calibrated = self
                .cameras
                .iter()
                .any(|c| c.room == r.id && c.calibration.is_some());
            if r.floor_area_m.is_some() && !calibrated {
                return err(format!(
                    "room {:?}: floor_area_m needs a calibrated camera in the room",
                    r.id
                ));
            }
        }
        let s = &self.server;
        // Bounded above and below: these become timer periods and time spans, which overflow
        // (and panic) long before a float does.
        let ranges = [
            ("ws_rate_hz", s.ws_rate_hz, 0.01, 60.0),
            ("video_fps", s.video_fps, 0.01, 30.0),
            ("session_ttl_h", s.session_ttl_h, 0.01, 87_600.0),
            ("history_sample_s", s.history_sample_s as f64, 1.0, 86_400.0),
            (
                "history_keep_days",
                s.history_keep_days as f64,
                1.0,
                36_500.0,
            ),
            (
                "login_failures_per_min",
                f64::from(s.login_failures_per_min),
                1.0,
                f64::from(u32::MAX),
            ),
        ];
        for (k, v, lo, hi) in ranges {
            if !(lo..=hi).contains(&v) {
                return err(format!("server: {k} must be within {lo}..{hi}, got {v:?}"));
            }
        }
        if s.listen.parse::<std::net::SocketAddr>().is_err() {
            return err(format!(
                "server: listen must be ADDRESS:PORT, got {:?}",
                s.listen
            ));
        }
        let d = &self.detector;
        if !(0.0..=1.0).contains(&d.score_threshold) || !(0.0..=1.0).contains(&d.nms_iou) {
            return err("detector: score_threshold and nms_iou must be within 0..1".into());
        }
        if d.threads == 0 || d.threads > 256 {
            return err(format!(
                "detector: threads must be 1..256, got {}",
                d.threads
            ));
        }
        d.validate().map_err(PipelineError::Config)?;
        self.fusion.validate().map_err(PipelineError::Config)?;
        for p in &self.fusion.pairs {
            for id in &p.cameras {
                if !cams.contains(id.as_str()) {
                    return err(format!(
                        "fusion.pairs names camera {id:?}, which is not defined"
                    ));
                }
            }
        }
        self.tracker.validate().map_err(PipelineError::Config)?;
        Ok(())
    }

    /// Display name of a room.
    pub fn room_name<'a>(&'a self, room: &'a RoomConfig) -> &'a str {
        room.name.as_deref().unwrap_or(&room.id)
    }
}

/// Whether `id` is a valid room or camera id: 1-64 letters, digits, `-` and `_` (ids
/// appear in URLs and file names).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_id(kind: &str, id: &str) -> Result<(), PipelineError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(PipelineError::Config(format!(
            "{kind} id {id:?} must be 1-64 characters of letters, digits, '-' and '_'"
        )))
    }
}

/// TOML errors span several lines with a source excerpt; keep the message, drop the excerpt
/// (`2 | text`, `|`, `^^^`).
fn one_line(s: &str) -> String {
    let excerpt = |l: &str| {
        let rest = l
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        rest.starts_with('|') || l.chars().all(|c| c == '^' || c == ' ')
    };
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !excerpt(l))
        .collect::<Vec<_>>()
        .join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[detector]
score_threshold = 0.4

[tracker]
lost_ttl_s = 3.0

[[rooms]]
id = "vault-1"
name = "Vault 1"

[[cameras]]
id = "cam-a"
room = "vault-1"
url = "rtsp://10.0.0.5/stream1"
detect_fps = 5
"#;

    #[test]
    fn parses_a_full_config() {
        let c = Config::parse(GOOD).expect("valid");
        assert_eq!(c.detector.score_threshold, 0.4);
        assert_eq!(c.detector.nms_iou, 0.5, "unset keys keep defaults");
        assert_eq!(c.tracker.lost_ttl_s, 3.0);
        assert_eq!(c.cameras[0].detect_fps, Some(5.0));
        assert!(c.cameras[0].enabled);
        assert_eq!(c.room_name(&c.rooms[0]), "Vault 1");
        assert_eq!(Config::parse("").expect("empty is fine"), Config::default());
    }

    /// Untrusted input: mutations of a valid file give a config or an error, never a panic.
    #[test]
    fn mutated_configs_never_panic() {
        let base = GOOD.as_bytes();
        let mut rng = razz_core::rng::XorShift64::new(0x2545f4914f6cdd1du64);
        let mut next = || rng.next_u64();
        const BYTES: &[u8] = b"[]=\"'.-0123456789 \nabcdefnaninf_#{},";
        for _ in 0..5_000 {
            let mut text = base.to_vec();
            for _ in 0..(1 + next() % 4) {
                let at = (next() as usize) % text.len();
                match next() % 3 {
                    0 => text[at] = BYTES[(next() as usize) % BYTES.len()],
                    1 => text.insert(at, BYTES[(next() as usize) % BYTES.len()]),
                    _ => {
                        text.remove(at);
                    }
                }
            }
            if let Ok(t) = std::str::from_utf8(&text)
                && let Err(e) = Config::parse(t)
            {
                assert!(!e.to_string().contains('\n'), "multi-line error: {e}");
            }
        }
    }

    #[test]
    fn rejects_bad_configs_with_one_line_messages() {
        for (text, want) in [
            ("[detector]\nscore = 1\n", "unknown field `score`"),
            (
                "[[rooms]]\nid = \"a\"\n[[rooms]]\nid = \"a\"\n",
                "appears twice",
            ),
            (
                "[[rooms]]\nid = \"a\"\n[[cameras]]\nid = \"c\"\nroom = \"b\"\nurl = \"x\"\n",
                "not defined",
            ),
            ("[[rooms]]\nid = \"a b\"\n", "must be 1-64 characters"),
            (
                "[[rooms]]\nid = \"a\"\n[[cameras]]\nid = \"c\"\nroom = \"a\"\nurl = \"x\"\ndetect_fps = -1\n",
                "detect_fps must be",
            ),
            ("[detector]\nthreads = 0\n", "threads must be"),
            ("[tracker]\nlost_ttl_s = nan\n", "lost_ttl_s"),
            (
                "[tracker]\nmatch_cost_high = inf\n",
                "match_cost_high must be within",
            ),
            // Timer periods and time spans: 1 / 1e-308 s and 1e308 h overflow a Duration.
            (
                "[server]\nws_rate_hz = 1e-308\n",
                "ws_rate_hz must be within",
            ),
            ("[server]\nvideo_fps = 1e-308\n", "video_fps must be within"),
            (
                "[server]\nsession_ttl_h = 1e308\n",
                "session_ttl_h must be within",
            ),
            // Days as milliseconds overflowed an i64: history pruned at a meaningless cutoff.
            (
                "[server]\nhistory_keep_days = 9223372036854775807\n",
                "history_keep_days must be within",
            ),
            (
                "[[rooms]]\nid = \"a\"\n[[cameras]]\nid = \"c\"\nroom = \"a\"\nurl = \"x\"\nfps = 1e-308\n",
                "fps must be within 0.01..1000, got 1e-308",
            ),
            ("[fusion]\ngrace_s = -1\n", "grace_s must be"),
            (
                "[[rooms]]\nid = \"a\"\n[[cameras]]\nid = \"c\"\nroom = \"a\"\nurl = \"x\"\n[cameras.calibration]\nimage_px = [[0,0],[1,1],[2,2],[3,3]]\nfloor_m = [[0,0],[1,0],[1,1],[0,1]]\n",
                "camera \"c\": calibration points are degenerate",
            ),
            (
                "[[rooms]]\nid = \"a\"\nfloor_area_m = [[0,0],[1,0]]\n",
                "3 to 64 corners",
            ),
            (
                "[[rooms]]\nid = \"a\"\nfloor_area_m = [[0,0],[1,0],[1,1]]\n[[cameras]]\nid = \"c\"\nroom = \"a\"\nurl = \"x\"\n",
                "room \"a\": floor_area_m needs a calibrated camera",
            ),
            ("this is not toml", "expected"),
        ] {
            let e = Config::parse(text).expect_err(text).to_string();
            assert!(e.contains(want), "{text:?} gave {e:?}");
            assert!(!e.contains('\n'), "multi-line error: {e:?}");
        }
    }
}
