//! `razz serve` against a real RTSP server on 127.0.0.1 playing real footage: counts appear
//! through the original endpoints; a camera whose server dies and comes back resumes within
//! 10 s, with new track ids, while another camera never stops; a wrong password and an
//! unreachable host show as camera status, not crashes.

mod common;

use std::time::{Duration, Instant};

use common::rtsp::{RtspServer, media};
use common::server::{ADMIN_PASSWORD, Server, login};
use reqwest::Client;
use serde_json::{Value, json};

async fn get(http: &Client, s: &Server, token: &str, path: &str) -> Value {
    http.get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

/// Polls `f` every 200 ms until it is true or `limit` passes; returns the time it took.
async fn wait_until<F, Fut>(limit: Duration, mut f: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if f().await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// The ids of camera `a`'s tracks among room `vault`'s people over 2 s (and until there are
/// some, at most 10 s): only those seen, or also those held.
async fn tracks_of_a(http: &Client, s: &Server, t: &str, seen_only: bool) -> Vec<u64> {
    let mut ids: Vec<u64> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10)
        && (ids.is_empty() || start.elapsed() < Duration::from_secs(2))
    {
        let v = get(http, s, t, "/vault-rooms/vault/people").await;
        ids.extend(
            v["people"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["members"].as_array())
                .flatten()
                .filter(|m| m["camera_id"] == "a" && (m["seen"] == true || !seen_only))
                .filter_map(|m| m["track_id"].as_u64()),
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_counts_reconnects_and_camera_errors() {
    let video = media();
    let mut a = RtspServer::start(0, &[("/cam", &video)], Some(("admin", "s3cret")));
    let b = RtspServer::start(0, &[("/cam", &video)], None);
    let port_a = a.port;
    let s = Server::start("", &[]);
    let http = Client::new();
    let t = login(&http, &s, "admin", ADMIN_PASSWORD).await;
    let post = |path: &'static str, body: Value| {
        let (http, t, url) = (http.clone(), t.clone(), s.url(path));
        async move {
            let r = http
                .post(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
        }
    };
    post("/api/rooms", json!({"id": "vault", "name": "Vault"})).await;
    post("/api/rooms", json!({"id": "lab", "name": "Lab"})).await;
    post("/api/cameras", json!({"id": "a", "room_id": "vault", "name": "A", "url": a.url("/cam"), "username": "admin", "password": "s3cret"})).await;
    post(
        "/api/cameras",
        json!({"id": "b", "room_id": "vault", "name": "B", "url": b.url("/cam")}),
    )
    .await;
    post("/api/cameras", json!({"id": "wrongpw", "room_id": "lab", "name": "W", "url": a.url("/cam"), "username": "admin", "password": "not-it"})).await;
    post(
        "/api/cameras",
        json!({"id": "nohost", "room_id": "lab", "name": "N", "url": "rtsp://127.0.0.1:1/cam"}),
    )
    .await;

    // Counts appear through the original endpoints, from both cameras.
    let took = wait_until(Duration::from_secs(40), || async {
        let v = get(&http, &s, &t, "/vault-rooms/vault/people").await;
        let cams = v["cameras"].as_array().cloned().unwrap_or_default();
        v["count"].as_u64().unwrap_or(0) > 0
            && cams
                .iter()
                .all(|c| c["online"] == true && c["count"].as_u64().unwrap_or(0) > 0)
    })
    .await;
    assert!(
        took.is_some(),
        "no counts: {}",
        get(&http, &s, &t, "/vault-rooms/vault/people").await
    );
    let all = get(&http, &s, &t, "/vault-rooms/all/people-counts").await;
    assert!(
        all["rooms"].as_array().is_some_and(|r| r.len() == 2),
        "{all}"
    );
    let people = get(&http, &s, &t, "/vault-rooms/vault/people").await;
    let p0 = &people["people"][0];
    assert!(
        p0["camera_id"].is_string()
            && p0["track_id"].is_u64()
            && p0["box"].as_array().is_some_and(|b| b.len() == 4),
        "{people}"
    );
    // Provenance: every person has a global id, a confidence and its member tracks.
    let members_ok = |p: &Value| {
        p["members"].as_array().is_some_and(|m| {
            !m.is_empty()
                && m.iter().all(|m| {
                    m["camera_id"].is_string()
                        && m["track_id"].is_u64()
                        && m["box"].as_array().is_some_and(|b| b.len() == 4)
                })
        })
    };
    for p in people["people"].as_array().into_iter().flatten() {
        assert!(
            p["id"].is_u64() && p["confidence"].is_f64() && members_ok(p),
            "{people}"
        );
    }

    // Floor calibration over the API: 4 points give an exact fit; points on one line are a
    // 400 with the reason, and the stored calibration stays.
    let frames = |v: &Value| v["frames_received"].as_u64().unwrap_or(0);
    let before = frames(&get(&http, &s, &t, "/api/cameras/a/status").await);
    let put = |body: Value| {
        let (http, t, url) = (http.clone(), t.clone(), s.url("/api/cameras/a/calibration"));
        async move {
            let r = http
                .put(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .expect("put");
            (r.status().as_u16(), r.json::<Value>().await.expect("json"))
        }
    };
    // Two uncalibrated cameras in one room: named, since their people are not de-duplicated.
    let named = |v: &Value| {
        let mut ids: Vec<String> = v["uncalibrated_cameras"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(String::from))
            .collect();
        ids.sort();
        ids
    };
    let vault = get(&http, &s, &t, "/vault-rooms/vault/people-count").await;
    assert_eq!(named(&vault), ["a", "b"], "{vault}");
    let (code, cal) = put(json!({
        "image_px": [[100, 300], [600, 300], [700, 560], [50, 560]],
        "floor_m": [[0, 10], [8, 10], [8, 0], [0, 0]]
    }))
    .await;
    assert_eq!(code, 200, "{cal}");
    assert!(
        cal["homography"].as_array().is_some_and(|h| h.len() == 9)
            && cal["mean_error_m"].as_f64().is_some_and(|e| e < 1e-6),
        "{cal}"
    );
    let (code, err) = put(json!({
        "image_px": [[0, 0], [1, 1], [2, 2], [3, 3]],
        "floor_m": [[0, 10], [8, 10], [8, 0], [0, 0]]
    }))
    .await;
    assert_eq!(code, 400, "{err}");
    assert!(err.to_string().contains("degenerate"), "{err}");
    let (code, err) = put(json!({"image_px": [[0, 0]], "floor_m": []})).await;
    assert_eq!(code, 400, "{err}");
    let stored = get(&http, &s, &t, "/api/cameras/a/calibration").await;
    assert_eq!(stored["homography"], cal["homography"], "{stored}");
    // Camera a calibrated: only b is left named (at the room's next update).
    let only_b = wait_until(Duration::from_secs(10), || async {
        named(&get(&http, &s, &t, "/vault-rooms/vault/people-count").await) == ["b"]
    })
    .await;
    let vault = get(&http, &s, &t, "/vault-rooms/vault/people-count").await;
    assert!(only_b.is_some(), "{vault}");
    for c in vault["cameras"].as_array().into_iter().flatten() {
        assert_eq!(c["calibrated"], c["camera_id"] == "a", "{vault}");
    }
    // Calibrating does not restart the camera: a restart would reset its frame counter (and
    // reconnecting takes longer than these requests).
    let a_status = get(&http, &s, &t, "/api/cameras/a/status").await;
    assert!(
        before > 0 && frames(&a_status) >= before,
        "{before} -> {a_status}"
    );

    // Wrong password and unreachable host: status, not crashes.
    let took = wait_until(Duration::from_secs(20), || async {
        let w = get(&http, &s, &t, "/api/cameras/wrongpw/status").await;
        let n = get(&http, &s, &t, "/api/cameras/nohost/status").await;
        w["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("401") || e.to_lowercase().contains("unauthorized"))
            && n["last_error"]
                .as_str()
                .is_some_and(|e| e.to_lowercase().contains("refused"))
    })
    .await;
    let w = get(&http, &s, &t, "/api/cameras/wrongpw/status").await;
    let n = get(&http, &s, &t, "/api/cameras/nohost/status").await;
    assert!(took.is_some(), "wrong password: {w}\nno host: {n}");
    assert!(
        !w.to_string().contains("not-it"),
        "status shows the password: {w}"
    );
    let lab = get(&http, &s, &t, "/vault-rooms/lab/people-count").await;
    assert_eq!(lab["degraded"], true, "{lab}");

    // Camera A's server dies for a few seconds; B never stops.
    let b_frames = |v: &Value| v["frames_received"].as_u64().unwrap_or(0);
    let mut b_last = b_frames(&get(&http, &s, &t, "/api/cameras/b/status").await);
    let a_before = tracks_of_a(&http, &s, &t, false).await;
    a.kill();
    let went_down = wait_until(Duration::from_secs(15), || async {
        let v = get(&http, &s, &t, "/vault-rooms/vault/people-count").await;
        v["degraded"] == true
            && v["offline_cameras"]
                .as_array()
                .is_some_and(|o| o.iter().any(|c| c == "a"))
    })
    .await;
    assert!(
        went_down.is_some(),
        "room not flagged degraded after camera a died"
    );
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let v = get(&http, &s, &t, "/api/cameras/b/status").await;
        assert_eq!(v["online"], true, "camera b stopped while a was down: {v}");
        assert!(b_frames(&v) > b_last, "camera b stalled while a was down");
        b_last = b_frames(&v);
    }
    let _a2 = RtspServer::start(port_a, &[("/cam", &video)], Some(("admin", "s3cret")));
    let resumed = wait_until(Duration::from_secs(10), || async {
        let v = get(&http, &s, &t, "/vault-rooms/vault/people").await;
        let a_count = v["cameras"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["camera_id"] == "a").cloned())
            .unwrap_or_default();
        a_count["online"] == true && a_count["count"].as_u64().unwrap_or(0) > 0
    })
    .await;
    assert!(
        resumed.is_some(),
        "camera a did not resume within 10 s: {}",
        get(&http, &s, &t, "/api/cameras/a/status").await
    );
    eprintln!(
        "camera a resumed {:?} after its server came back",
        resumed.unwrap_or_default()
    );
    let a_after = tracks_of_a(&http, &s, &t, true).await;
    let v = get(&http, &s, &t, "/api/cameras/b/status").await;
    assert!(
        b_frames(&v) > b_last && v["reconnects"] == 0,
        "camera b must never have stopped: {v}"
    );
    let a = get(&http, &s, &t, "/api/cameras/a/status").await;
    assert!(a["reconnects"].as_u64().unwrap_or(0) >= 1, "{a}");
    // Its tracker started again, but its track ids go on: the room's fusion still holds the
    // old ones, and a new track under an old id would take that person's identity.
    let before_max = a_before.iter().max().copied().unwrap_or(0);
    assert!(
        before_max > 0 && a_after.iter().all(|&id| id > before_max),
        "camera a's tracks before its outage {a_before:?}, after {a_after:?}"
    );

    // Metrics name each camera and the detector's latency.
    let m = http
        .get(s.url("/metrics"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for want in [
        "razz_camera_fps{camera=\"b\"}",
        "razz_camera_reconnects_total{camera=\"a\"}",
        "razz_camera_decode_errors_total{camera=\"nohost\"}",
        "razz_camera_frames_dropped_total{camera=\"b\"}",
        "razz_detector_latency_seconds_count",
        "razz_embedder_latency_seconds_count",
        "razz_camera_embeddings_total{camera=\"b\"}",
        "razz_process_resident_memory_bytes",
        "razz_ws_clients 0",
    ] {
        assert!(m.contains(want), "metrics lack {want}:\n{m}");
    }

    // A frozen camera (server stopped with its connection open) is noticed by the watchdog,
    // not left "online" forever, and comes back when the camera does.
    b.signal("-STOP");
    let frozen = wait_until(Duration::from_secs(20), || async {
        let v = get(&http, &s, &t, "/vault-rooms/vault/people-count").await;
        v["offline_cameras"]
            .as_array()
            .is_some_and(|o| o.iter().any(|c| c == "b"))
    })
    .await;
    b.signal("-CONT");
    assert!(
        frozen.is_some(),
        "frozen camera b still shown online: {}",
        get(&http, &s, &t, "/api/cameras/b/status").await
    );
    eprintln!(
        "frozen camera noticed after {:?}",
        frozen.unwrap_or_default()
    );
    let back = wait_until(Duration::from_secs(20), || async {
        get(&http, &s, &t, "/api/cameras/b/status").await["online"] == true
    })
    .await;
    assert!(back.is_some(), "camera b did not come back after thawing");

    // SIGTERM: clean exit, every ffmpeg child reaped.
    let pid = s.child.id();
    let mut s = s;
    assert!(s.stop(), "razz serve did not exit cleanly on SIGTERM");
    let left = std::process::Command::new("pgrep")
        .args(["-f", &format!("127.0.0.1:{port_a}/cam")])
        .output()
        .expect("pgrep");
    let left = String::from_utf8_lossy(&left.stdout).trim().to_owned();
    assert!(
        left.is_empty(),
        "ffmpeg children of {pid} still running: {left}"
    );
}
