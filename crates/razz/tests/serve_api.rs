//! `razz serve` from the outside, against a real SQLite file: authentication on every route,
//! roles, the camera password kept out of every response, log line and the database file,
//! and bad input refused with a 4xx JSON error while the database stays unchanged.

mod common;

use common::server::{ADMIN_PASSWORD, Server, login};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const SECRET: &str = "Cam-Pa55word-x9";

/// Every API route with a method and a body that would be valid for an admin.
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/api/me", None),
        (Method::POST, "/api/logout", None),
        (
            Method::POST,
            "/api/users",
            Some(json!({"username": "u2", "password": "password-2", "role": "viewer"})),
        ),
        (Method::GET, "/api/rooms", None),
        (
            Method::POST,
            "/api/rooms",
            Some(json!({"id": "r2", "name": "R2"})),
        ),
        (Method::GET, "/api/rooms/r1", None),
        (
            Method::PATCH,
            "/api/rooms/r1",
            Some(json!({"name": "Renamed"})),
        ),
        (Method::DELETE, "/api/rooms/r9", None),
        (Method::GET, "/api/rooms/r1/history", None),
        (Method::GET, "/api/rooms/r1/floor-area", None),
        (
            Method::PUT,
            "/api/rooms/r1/floor-area",
            Some(json!({"corners_m": [[0, 0], [4, 0], [4, 3], [0, 3]]})),
        ),
        (Method::DELETE, "/api/rooms/r1/floor-area", None),
        (Method::GET, "/api/cameras", None),
        (
            Method::POST,
            "/api/cameras",
            Some(json!({"id": "c2", "room_id": "r1", "name": "C2", "url": "rtsp://127.0.0.1:9/x"})),
        ),
        (Method::GET, "/api/cameras/c1", None),
        (
            Method::PATCH,
            "/api/cameras/c1",
            Some(json!({"name": "Cam one"})),
        ),
        (Method::DELETE, "/api/cameras/c9", None),
        (Method::GET, "/api/cameras/c1/status", None),
        (Method::GET, "/api/cameras/c1/snapshot.jpg", None),
        (Method::GET, "/vault-rooms/r1/people-count", None),
        (Method::GET, "/vault-rooms/r1/people", None),
        (Method::GET, "/vault-rooms/all/people-counts", None),
        (Method::GET, "/metrics", None),
        (Method::GET, "/api/openapi.json", None),
        (Method::GET, "/ws/rooms/r1", None),
        (Method::GET, "/ws/cameras/c1", None),
        (Method::GET, "/ws/cameras/c1/video", None),
        (
            Method::POST,
            "/api/connection-test",
            Some(json!({"url": "rtsp://127.0.0.1:9/x"})),
        ),
    ]
}

fn is_admin_route(m: &Method, path: &str) -> bool {
    *m != Method::GET && path != "/api/logout"
}

async fn call(
    http: &Client,
    s: &Server,
    m: &Method,
    path: &str,
    body: &Option<Value>,
    token: Option<&str>,
) -> reqwest::Response {
    let mut rb = http.request(m.clone(), s.url(path));
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(b);
    }
    rb.send().await.expect("request")
}

async fn setup(http: &Client, s: &Server) -> (String, String) {
    let admin = login(http, s, "admin", ADMIN_PASSWORD).await;
    let r = call(
        http,
        s,
        &Method::POST,
        "/api/rooms",
        &Some(json!({"id": "r1", "name": "Room 1"})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // A camera whose stream is unreachable, with credentials given once.
    let cam = json!({"id": "c1", "room_id": "r1", "name": "Door", "url": "rtsp://127.0.0.1:9/stream", "username": "cam-admin", "password": SECRET});
    let r = call(
        http,
        s,
        &Method::POST,
        "/api/cameras",
        &Some(cam),
        Some(&admin),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body = r.text().await.expect("body");
    assert!(
        !body.contains(SECRET) && !body.contains("cam-admin"),
        "{body}"
    );
    let r = call(
        http,
        s,
        &Method::POST,
        "/api/users",
        &Some(json!({"username": "viewer1", "password": "viewer-pass-1", "role": "viewer"})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let viewer = login(http, s, "viewer1", "viewer-pass-1").await;
    (admin, viewer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_needs_a_session_and_admin_routes_need_admin() {
    let mut s = Server::start("", &[]);
    let http = Client::new();
    let (admin, viewer) = setup(&http, &s).await;

    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            http.get(s.url(path)).send().await.expect("get").status(),
            StatusCode::OK,
            "{path}"
        );
    }
    for (m, path, body) in routes() {
        let r = call(&http, &s, &m, path, &body, None).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{m} {path} without a token"
        );
        let v: Value = r.json().await.expect("json error body");
        assert!(v["error"].is_string(), "{m} {path}: {v}");
        let r = call(&http, &s, &m, path, &body, Some("not-a-real-token")).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{m} {path} with a bad token"
        );
        if is_admin_route(&m, path) {
            let r = call(&http, &s, &m, path, &body, Some(&viewer)).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{m} {path} as viewer");
        }
    }
    // The cookie works like the bearer token; logout revokes it.
    let r = http
        .get(s.url("/api/me"))
        .header("cookie", format!("razz_session={viewer}"))
        .send()
        .await
        .expect("me");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        call(
            &http,
            &s,
            &Method::POST,
            "/api/logout",
            &None,
            Some(&viewer)
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        call(&http, &s, &Method::GET, "/api/me", &None, Some(&viewer))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // WebSocket: refused without a session, accepted with one.
    let refused = tokio_tungstenite::connect_async(s.ws_url("/ws/rooms/r1")).await;
    assert!(
        refused.is_err(),
        "WebSocket without a token must be refused"
    );
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        s.ws_url("/ws/rooms/r1"),
    )
    .expect("req");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {admin}").parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("ws with token");
    use futures_util::StreamExt;
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("an update")
        .expect("message")
        .expect("ok");
    let v: Value = serde_json::from_str(first.to_text().expect("text")).expect("json");
    assert_eq!(v["type"], "room");
    assert_eq!(v["data"]["room_id"], "r1");

    // The OpenAPI document covers every route (ids written as OpenAPI templates).
    let doc: Value = call(
        &http,
        &s,
        &Method::GET,
        "/api/openapi.json",
        &None,
        Some(&admin),
    )
    .await
    .json()
    .await
    .expect("openapi");
    let paths = doc["paths"].as_object().expect("paths");
    for (m, path, _) in routes().into_iter().chain([
        (Method::GET, "/healthz", None),
        (Method::GET, "/readyz", None),
        (Method::POST, "/api/login", None),
    ]) {
        if path == "/api/openapi.json" {
            continue;
        }
        let templ = path
            .replace("/r1", "/{id}")
            .replace("/r9", "/{id}")
            .replace("/c1", "/{id}")
            .replace("/c9", "/{id}");
        let op = paths
            .get(&templ)
            .and_then(|p| p.get(m.as_str().to_lowercase()));
        assert!(
            op.is_some(),
            "{m} {templ} missing from the OpenAPI document"
        );
    }
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "{}",
        doc["components"]
    );

    // Every admin-visible response, the log and the database file keep the password out.
    for (m, path, _) in routes()
        .into_iter()
        .filter(|(m, p, _)| *m == Method::GET && !p.starts_with("/ws/"))
    {
        let text = call(&http, &s, &m, path, &None, Some(&admin))
            .await
            .text()
            .await
            .unwrap_or_default();
        assert!(!text.contains(SECRET), "{path} shows the camera password");
    }
    // Let the camera fail to connect a few times so its errors are logged.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let status: Value = call(
        &http,
        &s,
        &Method::GET,
        "/api/cameras/c1/status",
        &None,
        Some(&admin),
    )
    .await
    .json()
    .await
    .expect("status");
    assert_eq!(status["online"], false);
    assert!(
        status["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("127.0.0.1:9")),
        "{status}"
    );
    assert!(s.stop(), "clean exit on SIGTERM");
    let log = s.log_text();
    assert!(
        log.contains("camera stream lost"),
        "errors are logged: {log}"
    );
    assert!(!log.contains(SECRET), "the log shows the camera password");
    for f in ["razz.db", "razz.db-wal"] {
        if let Ok(bytes) = std::fs::read(s.data.path().join(f)) {
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "{f} holds the password in clear"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_4xx_json_and_changes_nothing() {
    let s = Server::start("", &[]);
    let http = Client::new();
    let (admin, _) = setup(&http, &s).await;
    let before = listing(&http, &s, &admin).await;
    let big = "x".repeat(70 * 1024);
    let cases: Vec<(Method, &str, reqwest::Body, StatusCode, &str)> = vec![
        (
            Method::POST,
            "/api/rooms",
            "{not json".into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            Method::POST,
            "/api/rooms",
            r#"{"id":"r3","name":"R3","color":"red"}"#.into(),
            StatusCode::BAD_REQUEST,
            "unknown field",
        ),
        (
            Method::POST,
            "/api/rooms",
            r#"{"id":"r3"}"#.into(),
            StatusCode::BAD_REQUEST,
            "name",
        ),
        (
            Method::POST,
            "/api/rooms",
            format!(r#"{{"id":"r3","name":"{big}"}}"#).into(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too large",
        ),
        (
            Method::POST,
            "/api/rooms",
            r#"{"id":"bad id!","name":"R"}"#.into(),
            StatusCode::BAD_REQUEST,
            "room id",
        ),
        (
            Method::POST,
            "/api/rooms",
            r#"{"id":"r1","name":"Again"}"#.into(),
            StatusCode::CONFLICT,
            "already exists",
        ),
        (
            Method::POST,
            "/api/cameras",
            r#"{"id":"c3","room_id":"r1","name":"C","url":"not a url"}"#.into(),
            StatusCode::BAD_REQUEST,
            "url",
        ),
        (
            Method::POST,
            "/api/cameras",
            r#"{"id":"c3","room_id":"r1","name":"C","url":"ftp://10.0.0.1/x"}"#.into(),
            StatusCode::BAD_REQUEST,
            "scheme",
        ),
        (
            Method::POST,
            "/api/cameras",
            r#"{"id":"c3","room_id":"nope","name":"C","url":"rtsp://10.0.0.1/x"}"#.into(),
            StatusCode::BAD_REQUEST,
            "room",
        ),
        (
            Method::POST,
            "/api/cameras",
            r#"{"id":"c3","room_id":"r1","name":"C","url":"rtsp://10.0.0.1/x","detect_fps":0}"#
                .into(),
            StatusCode::BAD_REQUEST,
            "detect_fps",
        ),
        (
            Method::PATCH,
            "/api/cameras/c1",
            r#"{"detect_fps":0.001}"#.into(),
            StatusCode::BAD_REQUEST,
            "detect_fps must be within 0.01..30",
        ),
        (
            Method::PATCH,
            "/api/cameras/c1",
            r#"{"detect_fps":"fast"}"#.into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            Method::PATCH,
            "/api/cameras/nope",
            r#"{"name":"N"}"#.into(),
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            Method::DELETE,
            "/api/rooms/nope",
            "".into(),
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            Method::GET,
            "/api/cameras/nope/status",
            "".into(),
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            Method::GET,
            "/vault-rooms/nope/people-count",
            "".into(),
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            Method::GET,
            "/api/rooms/r1/history?from_ms=abc",
            "".into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            Method::PUT,
            "/api/rooms/r1/floor-area",
            r#"{"corners_m":[[0,0],[4,0]]}"#.into(),
            StatusCode::BAD_REQUEST,
            "3 to 64 corners",
        ),
        (
            Method::PUT,
            "/api/rooms/r1/floor-area",
            r#"{"corners_m":[[0,0],[1,1],[2,2]]}"#.into(),
            StatusCode::BAD_REQUEST,
            "enclose no floor",
        ),
        (
            Method::PUT,
            "/api/rooms/r1/floor-area",
            r#"{"corners_m":[[0,0],[4,0],["a",3]]}"#.into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            Method::PUT,
            "/api/rooms/nope/floor-area",
            r#"{"corners_m":[[0,0],[4,0],[4,3]]}"#.into(),
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            Method::GET,
            "/api/rooms/r1/floor-area",
            "".into(),
            StatusCode::NOT_FOUND,
            "no floor area",
        ),
        (
            Method::GET,
            "/no/such/route",
            "".into(),
            StatusCode::NOT_FOUND,
            "",
        ),
    ];
    for (m, path, body, want, msg) in cases {
        let r = http
            .request(m.clone(), s.url(path))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), want, "{m} {path}");
        let v: Value = r
            .json()
            .await
            .unwrap_or_else(|e| panic!("{m} {path}: not JSON: {e}"));
        let err = v["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{m} {path}: no error field: {v}"));
        assert!(err.contains(msg), "{m} {path}: {err:?} lacks {msg:?}");
    }
    let after = listing(&http, &s, &admin).await;
    assert_eq!(before, after, "bad requests changed the database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_floor_area_is_set_read_and_cleared() {
    let s = Server::start("", &[]);
    let http = Client::new();
    let (admin, _) = setup(&http, &s).await;
    let area = Some(json!({"corners_m": [[0, 0], [4, 0], [4, 2], [2, 2], [2, 4], [0, 4]]}));
    let path = "/api/rooms/r1/floor-area";
    let r = call(&http, &s, &Method::PUT, path, &area, Some(&admin)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    // An L of 4 x 2 m plus 2 x 2 m.
    assert_eq!(v["area_m2"], json!(12.0), "{v}");
    let r = call(&http, &s, &Method::GET, path, &None, Some(&admin)).await;
    let got: Value = r.json().await.expect("json");
    assert_eq!(got, v);
    let room: Value = call(
        &http,
        &s,
        &Method::GET,
        "/api/rooms/r1",
        &None,
        Some(&admin),
    )
    .await
    .json()
    .await
    .expect("json");
    assert!(
        room["floor_area"]
            .as_str()
            .is_some_and(|a| a.contains("[2.0,4.0]")),
        "{room}"
    );
    let r = call(&http, &s, &Method::DELETE, path, &None, Some(&admin)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = call(&http, &s, &Method::GET, path, &None, Some(&admin)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Everything the database holds that the API lists: rooms and cameras, as returned.
async fn listing(http: &Client, s: &Server, token: &str) -> (String, String) {
    let get = |path: &'static str| async move {
        http.get(s.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("text")
    };
    (get("/api/rooms").await, get("/api/cameras").await)
}
