//! The web app end to end: a real `razz serve` fed by a real RTSP server (GStreamer, PETS
//! footage, one mount behind a login), checked first at the protocol level (live JPEG frames
//! stamped on the tracking clock, "test connection" naming what went wrong), then in Debian's
//! chromium driven by Playwright (`e2e/web.test.mjs`): login, live counts, overlay pixels,
//! camera management, calibration by clicking, history chart, phone size, viewer role,
//! logout, reconnection after a restart of the service, and no request to any other host.
//! Screenshots go to target/e2e-screenshots.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::rtsp::{RtspServer, media};
use common::server::{ADMIN_PASSWORD, Server, login};
use futures_util::StreamExt;
use reqwest::Client;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const RTSP_USER: &str = "admin";
const RTSP_PASSWORD: &str = "s3cret-cam";

async fn post(http: &Client, s: &Server, token: &str, path: &str, body: Value) -> Value {
    let r = http
        .post(s.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("post");
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn ws(
    s: &Server,
    token: &str,
    path: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = s.ws_url(path).into_client_request().expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    tokio_tungstenite::connect_async(req)
        .await
        .unwrap_or_else(|e| panic!("connect {path}: {e}"))
        .0
}

/// Splits a live video message: `(header, jpeg)`.
fn video_frame(bytes: &[u8]) -> (Value, &[u8]) {
    let len = u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes")) as usize;
    let head = serde_json::from_slice(&bytes[4..4 + len]).expect("header json");
    (head, &bytes[4 + len..])
}

/// The app's pure parts (overlay interpolation, chart steps, colours, the degraded text) under
/// `node --test`.
#[test]
fn web_app_unit_tests() {
    let out = Command::new("node")
        .args(["--test", "unit.test.mjs"])
        .current_dir(common::repo().join("e2e"))
        .output()
        .expect("run node --test e2e/unit.test.mjs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("# pass 7"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_app_in_a_real_browser() {
    let video = media();
    let rtsp = RtspServer::start(
        0,
        &[("/cam", &video), ("/cam2", &video)],
        Some((RTSP_USER, RTSP_PASSWORD)),
    );
    let mut s = Server::start("", &[]);
    let http = Client::new();
    let t = login(&http, &s, "admin", ADMIN_PASSWORD).await;
    post(
        &http,
        &s,
        &t,
        "/api/rooms",
        json!({"id": "vault", "name": "Vault room"}),
    )
    .await;
    for (id, mount) in [("left", "/cam"), ("right", "/cam2")] {
        post(&http, &s, &t, "/api/cameras", json!({"id": id, "room_id": "vault", "name": format!("Camera {id}"), "url": rtsp.url(mount), "username": RTSP_USER, "password": RTSP_PASSWORD})).await;
    }
    // A second room whose only camera is unreachable: the dashboard must name it.
    post(
        &http,
        &s,
        &t,
        "/api/rooms",
        json!({"id": "lobby", "name": "Lobby"}),
    )
    .await;
    post(&http, &s, &t, "/api/cameras", json!({"id": "lobby-door", "room_id": "lobby", "name": "Lobby door", "url": "rtsp://127.0.0.1:9/cam"})).await;
    post(
        &http,
        &s,
        &t,
        "/api/users",
        json!({"username": "viewer1", "password": "viewer-pass-1", "role": "viewer"}),
    )
    .await;

    // "Test connection" names what went wrong, and tries a saved camera with its stored
    // login without ever returning it.
    let probe = |body: Value| {
        let (http, t, url) = (http.clone(), t.clone(), s.url("/api/connection-test"));
        async move {
            let r = http
                .post(url)
                .bearer_auth(t)
                .json(&body)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.expect("json")
        }
    };
    let ok = probe(json!({"camera_id": "left"})).await;
    assert_eq!(ok["kind"], "ok", "{ok}");
    assert_eq!(
        (ok["width"].as_u64(), ok["height"].as_u64()),
        (Some(768), Some(576))
    );
    let not_video = std::fs::canonicalize(common::repo().join("README.md")).expect("README");
    let cases = [
        (
            json!({"url": format!("file://{}", not_video.display())}),
            "no_video",
        ),
        (
            json!({"camera_id": "left", "username": RTSP_USER, "password": "wrong"}),
            "auth",
        ),
        (json!({"url": rtsp.url("/cam")}), "auth"),
        (
            json!({"camera_id": "left", "url": rtsp.url("/no-such-mount")}),
            "not_found",
        ),
        (json!({"url": "rtsp://127.0.0.1:9/cam"}), "unreachable"),
    ];
    for (body, kind) in cases {
        let r = probe(body.clone()).await;
        assert_eq!(r["kind"], kind, "{body} -> {r}");
        assert_eq!(r["ok"], false);
        let text = r.to_string();
        assert!(!text.contains(RTSP_PASSWORD), "{text}");
    }

    // Live video: JPEG frames, at least 5 per second, stamped on the clock of the tracking
    // results, so that boxes can be drawn on the frame they belong to.
    let mut tracks = ws(&s, &t, "/ws/cameras/left").await;
    let mut frames = ws(&s, &t, "/ws/cameras/left/video").await;
    let mut frame_ts = Vec::new();
    let mut track_ts = std::collections::HashSet::new();
    let start = Instant::now();
    let mut counted_from: Option<(Instant, usize)> = None;
    while start.elapsed() < Duration::from_secs(40) {
        tokio::select! {
            m = frames.next() => {
                let Some(Ok(Message::Binary(b))) = m else { panic!("video stream ended: {m:?}") };
                let (head, jpeg) = video_frame(&b);
                assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
                assert_eq!((head["width"].as_u64(), head["height"].as_u64()), (Some(768), Some(576)));
                let ts = head["ts_ms"].as_i64().expect("ts_ms");
                assert!(frame_ts.last().is_none_or(|&l| ts > l), "frames out of order");
                frame_ts.push(ts);
                if counted_from.is_none() && frame_ts.len() >= 5 {
                    counted_from = Some((Instant::now(), frame_ts.len()));
                }
            }
            m = tracks.next() => {
                let Some(Ok(Message::Text(txt))) = m else { panic!("track stream ended: {m:?}") };
                let v: Value = serde_json::from_str(&txt).expect("json");
                if let Some(ts) = v["data"]["frame_ts_ms"].as_i64() { track_ts.insert(ts); }
            }
        }
        if let Some((at, n)) = counted_from
            && at.elapsed() >= Duration::from_secs(5)
        {
            let fps = (frame_ts.len() - n) as f64 / at.elapsed().as_secs_f64();
            println!("live video: {fps:.1} frames/s");
            assert!(fps >= 5.0, "only {fps:.1} frames per second");
            break;
        }
    }
    let shared = frame_ts.iter().filter(|ts| track_ts.contains(ts)).count();
    println!(
        "{} frames, {} tracking results, {shared} of them for a frame that was sent",
        frame_ts.len(),
        track_ts.len()
    );
    assert!(
        shared > 0,
        "no tracking result is stamped with a sent frame's time"
    );
    drop((frames, tracks));

    // The browser.
    let repo = common::repo();
    let e2e = repo.join("e2e");
    assert!(
        e2e.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in e2e/ (scripts/install.sh does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        PathBuf::from(&chromium).is_file(),
        "{chromium} missing: apt-get install chromium (scripts/install.sh does)"
    );
    let shots = repo.join("target/e2e-screenshots");
    let mut node = Command::new("node")
        .arg("web.test.mjs")
        .current_dir(&e2e)
        .env("RAZZ_URL", &s.base)
        .env("RAZZ_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RAZZ_VIEWER_PASSWORD", "viewer-pass-1")
        .env("RAZZ_ROOM", "vault")
        .env("RAZZ_CAMERA", "left")
        .env("RAZZ_RTSP_URL", rtsp.url("/cam"))
        .env("RAZZ_RTSP_USER", RTSP_USER)
        .env("RAZZ_RTSP_PASSWORD", RTSP_PASSWORD)
        .env("SCREENSHOT_DIR", &shots)
        .env("CHROMIUM", &chromium)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node e2e/web.test.mjs");
    let mut to_node = node.stdin.take().expect("stdin");
    let stderr = node.stderr.take().expect("stderr");
    let err_thread = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let mut text = String::new();
    let mut restarted = false;
    for line in BufReader::new(node.stdout.take().expect("stdout")).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        text.push_str(&line);
        text.push('\n');
        // The script asks for the service to go away and come back (same address, same
        // database, so the session survives), to see the open pages reconnect by themselves.
        if line.ends_with("RESTART-NOW") {
            std::thread::sleep(Duration::from_secs(1));
            s.restart();
            restarted = true;
            writeln!(to_node, "restarted").expect("tell node");
        }
    }
    let status = node.wait().expect("node");
    text.push_str(&err_thread.join().unwrap_or_default());
    assert!(
        status.success(),
        "browser test failed ({status}):\n{text}\nrazz log:\n{}",
        s.log_text()
            .lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(restarted, "the script never asked for the restart");
    assert!(shots.join("room-1280.png").is_file());
    assert!(
        !s.log_text().contains(RTSP_PASSWORD),
        "the camera password reached the log"
    );
}
