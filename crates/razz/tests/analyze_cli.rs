//! `razz analyze` and `razz eval` from the outside: detection rate, rooms of several
//! cameras, the eval table, and what bad input gets (one line, non-zero exit, no panic).

mod common;

use common::*;

fn assert_clean_error(args: &[&str], want: &str) {
    let o = razz(args);
    let err = stderr(&o);
    assert!(!o.status.success(), "razz {args:?} should fail");
    assert!(!err.contains("panicked"), "panic for {args:?}: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "want one line for {args:?}, got: {err}");
    assert!(lines[0].starts_with("razz: error: "), "{err}");
    assert!(
        lines[0].contains(want),
        "{args:?}: {:?} lacks {want:?}",
        lines[0]
    );
}

#[test]
fn bad_inputs_get_one_line_errors() {
    let dir = tmp();
    let d = dir.path();
    let out = d.join("out").to_string_lossy().into_owned();
    let pets = shared().join("mot15/PETS09-S2L1/vtest.avi");
    let campus = shared().join("mot15/TUD-Campus/TUD-Campus.mp4");
    let write = |name: &str, bytes: &[u8]| {
        let p = d.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_string_lossy().into_owned()
    };
    let pets_bytes = std::fs::read(&pets).expect("pets");
    let campus_bytes = std::fs::read(&campus).expect("campus");
    let text = write("notes.avi", b"hello, not a video\n");
    let trunc_avi = write("cut.avi", &pets_bytes[..3_000_000]);
    let trunc_mp4 = write("cut.mp4", &campus_bytes[..campus_bytes.len() / 3]);
    let empty = write("empty.mp4", b"");
    let bad_cfg = write("bad.toml", b"[detector]\nscore = 0.5\n");
    let bad_room = write(
        "room.toml",
        b"[[rooms]]\nid = \"a\"\n[[cameras]]\nid = \"c\"\nroom = \"b\"\nurl = \"x.mp4\"\n",
    );
    let bad_det = write(
        "det.txt",
        b"1,-1,10,10,20,40,0.9,-1,-1,-1\n2,-1,10,ten,20,40,0.9,-1,-1,-1\n",
    );
    let missing = d.join("missing.avi").to_string_lossy().into_owned();
    let dir_input = d.to_string_lossy().into_owned();

    assert_clean_error(
        &["analyze", &missing, "--out", &out],
        "missing.avi: no such file",
    );
    assert_clean_error(&["analyze", &dir_input, "--out", &out], "is a directory");
    assert_clean_error(&["analyze", &text, "--out", &out], "not a readable video");
    assert_clean_error(&["analyze", &empty, "--out", &out], "not a readable video");
    assert_clean_error(
        &["analyze", &trunc_avi, "--out", &out, "--backend", "ort"],
        "truncated: decoding stopped at frame 287 of 795",
    );
    assert_clean_error(&["analyze", &trunc_mp4, "--out", &out], "cut.mp4");
    assert_clean_error(
        &["analyze", "--config", &bad_cfg, "--out", &out],
        "unknown field `score`",
    );
    assert_clean_error(
        &["analyze", "--config", &bad_room, "--out", &out],
        "not defined",
    );
    assert_clean_error(
        &[
            "analyze",
            "--detections",
            &bad_det,
            "--fps",
            "10",
            "--out",
            &out,
        ],
        "line 2: y is not a number",
    );
    assert_clean_error(
        &[
            "analyze",
            "--detections",
            &missing,
            "--fps",
            "10",
            "--out",
            &out,
        ],
        "missing.avi",
    );
    assert_clean_error(
        &[
            "analyze",
            &pets.to_string_lossy(),
            "--detect-fps",
            "0",
            "--out",
            &out,
        ],
        "--detect-fps",
    );
    assert_clean_error(
        &[
            "analyze",
            &pets.to_string_lossy(),
            "--stagger",
            "--out",
            &out,
        ],
        "--detect-fps",
    );
    assert_clean_error(
        &[
            "analyze",
            &pets.to_string_lossy(),
            "--detect-fps",
            "5",
            "--detect-phase-s",
            "0.2",
            "--out",
            &out,
        ],
        "--detect-phase-s must be at least 0 and less than one period",
    );
    assert_clean_error(&["analyze", "--out", &out], "nothing to analyze");
    assert_clean_error(
        &["eval", "--gt", &missing, "--tracks", &bad_det],
        "missing.avi",
    );
    assert_clean_error(&["eval", "--gt", &bad_det, "--tracks", &bad_det], "line 2");
    // A read-only output location fails cleanly too.
    assert_clean_error(
        &[
            "analyze",
            &pets.to_string_lossy(),
            "--out",
            "/proc/razz-out",
        ],
        "/proc/razz-out",
    );
}

#[test]
fn detection_rate_runs_the_detector_less_and_still_tracks_every_frame() {
    let dir = tmp();
    let out = dir.path().to_string_lossy().into_owned();
    let video = shared().join("mot15/TUD-Campus/TUD-Campus.mp4");
    // 25 FPS video, detector 5 times per second: every 5th frame.
    let text = razz_ok(&[
        "analyze",
        &video.to_string_lossy(),
        "--out",
        &out,
        "--detect-fps",
        "5",
    ]);
    assert!(text.contains("71 frames, 15 detector runs"), "{text}");
    let tracks = rows(&dir.path().join("TUD-Campus.txt"));
    let frames: std::collections::BTreeSet<u32> = tracks.iter().map(|r| r.frame).collect();
    // Frames between detector runs carry predicted boxes, not gaps.
    assert!(
        frames.len() >= 60,
        "only {} frames have tracks",
        frames.len()
    );
    let m = score("TUD-Campus", &dir.path().join("TUD-Campus.txt"));
    assert!(m.clear.tp > 0);
}

#[test]
fn stagger_spreads_a_rooms_detector_runs_over_the_period() {
    let dir = tmp();
    let campus = shared().join("mot15/TUD-Campus/TUD-Campus.mp4");
    let cfg = dir.path().join("razz.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[rooms]]\nid = \"hall\"\n\n[[cameras]]\nid = \"a\"\nroom = \"hall\"\nurl = {0:?}\n\n[[cameras]]\nid = \"b\"\nroom = \"hall\"\nurl = {0:?}\n",
            campus.to_string_lossy()
        ),
    )
    .expect("config");
    // The frames (1-based) on which a camera's detector ran: every row of its saved boxes.
    let run_frames = |extra: &[&str], runs: u32| {
        let out = dir.path().join(format!("out-{}", extra.join("")));
        let (cfg_arg, out_arg) = (cfg.to_string_lossy(), out.to_string_lossy());
        let mut args = vec!["analyze", "--config", &cfg_arg, "--out", &out_arg];
        args.extend(["--detect-fps", "5", "--save-detections"]);
        args.extend(extra);
        let text = razz_ok(&args);
        assert!(
            text.contains(&format!("camera a: 71 frames, {runs} detector runs")),
            "{text}"
        );
        ["a", "b"].map(|c| {
            rows(&out.join(format!("{c}.det.txt")))
                .iter()
                .map(|r| r.frame)
                .collect::<std::collections::BTreeSet<u32>>()
        })
    };
    // 25 frames a second, 5 runs a second: every 5th frame. Together, both cameras run on
    // frames 1, 6, 11, ...; staggered, b runs half a period (2.5 frames) after a. A phase of
    // 0.08 s (2 frames) moves both.
    let [a, b] = run_frames(&[], 15);
    assert_eq!(a, b);
    assert!(a.iter().all(|f| f % 5 == 1), "{a:?}");
    let [a, b] = run_frames(&["--stagger"], 15);
    assert!(a.iter().all(|f| f % 5 == 1), "{a:?}");
    assert!(b.iter().all(|f| [3, 4].contains(&(f % 5))), "{b:?}");
    let [a, b] = run_frames(&["--detect-phase-s", "0.08"], 14);
    assert_eq!(a, b);
    assert!(a.iter().all(|f| f % 5 == 3), "{a:?}");
    let [a, b] = run_frames(&["--stagger", "--detect-phase-s", "0.08"], 14);
    assert!(a.iter().all(|f| f % 5 == 3), "{a:?}");
    assert!(b.iter().all(|f| [0, 1].contains(&(f % 5))), "{b:?}");
}

#[test]
fn a_room_of_two_cameras_writes_fused_and_baseline_lines() {
    let dir = tmp();
    let campus = shared().join("mot15/TUD-Campus/TUD-Campus.mp4");
    let stadt = shared().join("mot15/TUD-Stadtmitte/TUD-Stadtmitte.mp4");
    let cfg = dir.path().join("razz.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[rooms]]\nid = \"hall\"\nname = \"Hall\"\n\n[[cameras]]\nid = \"campus\"\nroom = \"hall\"\nurl = {:?}\n\n[[cameras]]\nid = \"stadt\"\nroom = \"hall\"\nurl = {:?}\n",
            campus.to_string_lossy(),
            stadt.to_string_lossy()
        ),
    )
    .expect("config");
    let out = dir.path().join("out");
    let text = razz_ok(&[
        "analyze",
        "--config",
        &cfg.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
        "--baselines",
    ]);
    assert!(
        text.contains("camera campus: 71 frames") && text.contains("camera stadt: 179 frames"),
        "{text}"
    );
    let per_cam = |name: &str| -> std::collections::HashMap<u32, Vec<i64>> {
        let mut m: std::collections::HashMap<u32, Vec<i64>> = std::collections::HashMap::new();
        for r in rows(&out.join(format!("{name}.txt"))) {
            m.entry(r.frame).or_default().push(r.id);
        }
        m
    };
    let (a, b) = (per_cam("campus"), per_cam("stadt"));
    let read = |file: &str| std::fs::read_to_string(out.join(file)).expect("room file");
    let (fused, sum) = (read("hall.jsonl"), read("hall.sum.jsonl"));
    assert_eq!(
        fused.lines().count(),
        179,
        "one line per frame of the longest camera"
    );
    assert!(read("hall.original.jsonl").lines().count() == 179);
    for (line, sum_line) in fused.lines().zip(sum.lines()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let f = v["frame"].as_u64().expect("frame") as u32;
        assert_eq!(v["room"], "hall");
        let tracks =
            |m: &std::collections::HashMap<u32, Vec<i64>>| m.get(&f).cloned().unwrap_or_default();
        // The naive sum counts every track.
        let s: serde_json::Value = serde_json::from_str(sum_line).expect("json");
        let want = tracks(&a).len() + tracks(&b).len();
        assert_eq!(s["count"].as_u64(), Some(want as u64), "frame {f}");
        // Fusion: every track of the frame is a seen member of exactly one person.
        let people = v["people"].as_array().expect("people");
        assert_eq!(v["count"].as_u64(), Some(people.len() as u64));
        for (cam, want) in [("campus", tracks(&a)), ("stadt", tracks(&b))] {
            let mut seen: Vec<i64> = people
                .iter()
                .flat_map(|p| p["members"].as_array().expect("members").iter())
                .filter(|m| m["camera"] == cam && m["seen"] == true)
                .map(|m| m["track"].as_i64().expect("track"))
                .collect();
            seen.sort_unstable();
            let mut want = want;
            want.sort_unstable();
            assert_eq!(seen, want, "frame {f} camera {cam}");
        }
    }
    // Neither camera is calibrated: the room is said not to be de-duplicated, on the command
    // line and in the summary.
    assert!(
        text.contains("room hall: not de-duplicated: cameras campus, stadt are not calibrated"),
        "{text}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read("summary.json")).expect("summary json");
    assert_eq!(
        summary["rooms"][0]["uncalibrated_cameras"],
        serde_json::json!(["campus", "stadt"]),
        "{summary}"
    );
}

#[test]
fn eval_prints_a_table_and_json() {
    let dir = tmp();
    let json = dir.path().join("m.json");
    let gt = shared().join("mot15/TUD-Campus/gt/gt.txt");
    let tr = shared().join("motmetrics/TUD-Campus/test.txt");
    let text = razz_ok(&[
        "eval",
        "--gt",
        &gt.to_string_lossy(),
        "--tracks",
        &tr.to_string_lossy(),
        "--json",
        &json.to_string_lossy(),
    ]);
    assert!(text.contains("HOTA") && text.contains("MOTA"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parse");
    let mota = v["sequences"][0]["clear"]["mota"].as_f64().expect("mota");
    assert!((mota - 0.526).abs() < 0.001, "{mota}");
}

#[test]
fn eval_scores_room_lines_by_count_and_on_the_floor() {
    let dir = tmp();
    let d = dir.path();
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).expect("write");
        p.to_string_lossy().into_owned()
    };
    // Ground truth with floor positions (columns 8-9): A at x 0 m on frames 1-4, B at 5 m on
    // frames 3-4.
    let mut gt = String::new();
    for f in 1..=4 {
        gt += &format!("{f},1,10,10,20,40,1,0,0,0\n");
    }
    for f in 3..=4 {
        gt += &format!("{f},2,50,10,20,40,1,5,0,0\n");
    }
    let gt = write("gt.txt", &gt);
    // Frame 2 holds a ghost (not seen), frame 3 misses B, frame 4 switches A to id 8 and finds
    // B 0.7 m off: exact 2 of 4, MAE 0.5; seen floor rows 5, IDTP 4 (A-7 x3, B-9) within 1 m,
    // so IDF1 2·4/(6+5) = 72.7; within 0.5 m B-9 no longer matches: 2·3/11 = 54.5.
    let p = |id: u64, x: f64, seen: bool| {
        format!(r#"{{"id":{id},"members":[],"confidence":1,"seen":{seen},"floor_m":[{x},0]}}"#)
    };
    let lines = [
        (1, 1, vec![p(7, 0.1, true)]),
        (2, 2, vec![p(7, 0.0, true), p(9, 3.0, false)]),
        (3, 1, vec![p(7, 0.0, true)]),
        (4, 2, vec![p(8, 0.4, true), p(9, 5.7, true)]),
    ]
    .iter()
    .map(|(f, c, ps)| {
        format!(
            r#"{{"room":"hall","frame":{f},"count":{c},"people":[{}]}}"#,
            ps.join(",")
        )
    })
    .collect::<Vec<_>>()
    .join("\n");
    let lines = write("hall.jsonl", &lines);
    let json = d.join("room.json");
    let eval = |extra: &[&str]| {
        let base = ["eval", "--gt", gt.as_str(), "--room-lines", lines.as_str()];
        razz_ok(&[base.as_slice(), extra].concat())
    };
    let text = eval(&["--json", &json.to_string_lossy()]);
    assert!(text.contains("count: exact 50.0 %, MAE 0.500"), "{text}");
    assert!(text.contains("(within 1 m): IDF1 72.7"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parse");
    assert_eq!(v["room_lines"]["floor"]["identity"]["idtp"], 4);
    let text = eval(&["--floor-radius-m", "0.5"]);
    assert!(text.contains("(within 0.5 m): IDF1 54.5"), "{text}");

    // Bad input: one line each, naming what is wrong.
    let two_rooms = write(
        "two.jsonl",
        "{\"room\":\"a\",\"frame\":1,\"count\":0,\"people\":[]}\n\
         {\"room\":\"b\",\"frame\":2,\"count\":0,\"people\":[]}\n",
    );
    let bad_floor = write(
        "floor.jsonl",
        r#"{"room":"a","frame":1,"count":1,"people":[{"id":3,"floor_m":[1,"x"]}]}"#,
    );
    let not_json = write("text.jsonl", "hello\n");
    let no_world = write("gt_bare.txt", "1,1,10,10,20,40,1,-1,-1\n");
    let ok_lines = write(
        "one.jsonl",
        r#"{"room":"a","frame":1,"count":1,"people":[{"id":3,"seen":true,"floor_m":[0,0]}]}"#,
    );
    let dup = write(
        "dup.jsonl",
        r#"{"room":"a","frame":1,"count":2,"people":[{"id":3,"floor_m":[0,0]},{"id":3,"floor_m":[1,0]}]}"#,
    );
    let cases: [(&[&str], &str); 9] = [
        (
            &["eval", "--gt", &gt, "--room-lines", &two_rooms],
            "line 2: rooms \"a\" and \"b\"",
        ),
        (
            &["eval", "--gt", &gt, "--room-lines", &bad_floor],
            "person 3: floor_m",
        ),
        (
            &["eval", "--gt", &gt, "--room-lines", &not_json],
            "text.jsonl: line 1",
        ),
        (
            &["eval", "--gt", &no_world, "--room-lines", &ok_lines],
            "has no world position",
        ),
        (
            &[
                "eval",
                "--gt",
                &gt,
                "--room-lines",
                &lines,
                "--floor-radius-m=-1",
            ],
            "--floor-radius-m must be a positive number of metres, got -1",
        ),
        (&["eval", "--room-lines", &lines], "--gt"),
        (
            &["eval", "--gt", &gt, "--room-lines", &dup],
            "dup.jsonl against",
        ),
        (
            &[
                "eval",
                "--gt",
                &gt,
                "--tracks",
                &gt,
                "--floor-radius-m",
                "2",
            ],
            "--floor-radius-m scores room lines",
        ),
        (
            &["eval", "--gt", &gt, "--room-lines", &lines, "--tracks", &gt],
            "cannot be used with",
        ),
    ];
    for (args, want) in cases {
        assert_clean_error(args, want);
    }
}
