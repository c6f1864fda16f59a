//! Accounts from the outside: failed logins are rate limited, and `razz user add` creates a
//! user the service then signs in (and no admin is generated beside it).

mod common;

use common::server::{ADMIN_PASSWORD, Server, login, try_login};
use reqwest::{Client, StatusCode};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_rate_limited() {
    let s = Server::start("[server]\nlogin_failures_per_min = 3\n", &[]);
    let http = Client::new();
    for _ in 0..3 {
        let r = try_login(&http, &s, "admin", "wrong-password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = try_login(&http, &s, "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits out the window"
    );
    assert!(r.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_add_from_the_command_line_then_login() {
    let data = tempfile::tempdir().expect("dir");
    let dir = data.path().to_string_lossy().into_owned();
    let out = user_add(
        &["bob", "--role", "viewer", "--data-dir", &dir],
        "bobs-password-1",
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("created viewer user bob"));
    // A too-short password is refused with one line and exit 1.
    let out = user_add(&["eve", "--data-dir", &dir], "short");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("password must be 8"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The service on the same data directory: bob can sign in, and no admin was generated
    // because a user already exists.
    let s = Server::start_in(data, "", &[]);
    let http = Client::new();
    let t = login(&http, &s, "bob", "bobs-password-1").await;
    let me: Value = http
        .get(s.url("/api/me"))
        .bearer_auth(&t)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "viewer");
    let r = try_login(&http, &s, "admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

/// Runs `razz user add ARGS` with `password` on standard input.
fn user_add(args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_razz"))
        .args(["user", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("razz user add");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("write");
    child.wait_with_output().expect("wait")
}
