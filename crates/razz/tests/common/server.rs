//! A real `razz serve` process for tests: its own data directory, a free port on 127.0.0.1,
//! its output captured to a file, stopped with SIGTERM when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN_PASSWORD: &str = "test-admin-pass-1";

pub struct Server {
    pub child: Child,
    pub base: String,
    pub data: tempfile::TempDir,
    pub log: PathBuf,
}

impl Server {
    /// Starts razz serve with `config` (TOML text, may be empty) and extra arguments.
    pub fn start(config: &str, extra: &[&str]) -> Server {
        let data = tempfile::tempdir().expect("data dir");
        Self::start_in(data, config, extra)
    }

    pub fn start_in(data: tempfile::TempDir, config: &str, extra: &[&str]) -> Server {
        Self::start_at(data, config, extra, "127.0.0.1:0")
    }

    /// Stops this server (SIGTERM) and starts a new one on the same address and data.
    pub fn restart(&mut self) {
        assert!(self.stop(), "razz serve did not stop cleanly");
        let data = std::mem::replace(&mut self.data, tempfile::tempdir().expect("tmp"));
        let config = std::fs::read_to_string(data.path().join("razz.toml")).unwrap_or_default();
        let listen = self.base.trim_start_matches("http://").to_owned();
        let old_log = self.log_text();
        *self = Self::start_at(data, &config, &[], &listen);
        let _ = std::fs::write(
            self.log.with_extension("before-restart.log"),
            old_log.as_bytes(),
        );
    }

    pub fn start_at(data: tempfile::TempDir, config: &str, extra: &[&str], listen: &str) -> Server {
        let cfg = data.path().join("razz.toml");
        std::fs::write(&cfg, config).expect("config");
        let log = data.path().join("razz.log");
        let logf = std::fs::File::create(&log).expect("log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_razz"))
            .args([
                "serve",
                "--config",
                &cfg.to_string_lossy(),
                "--listen",
                listen,
                "--data-dir",
                &data.path().to_string_lossy(),
            ])
            .args(extra)
            .env("RAZZ_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("RAZZ_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(logf)
            .spawn()
            .expect("start razz serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut base = None;
        let mut seen = String::new();
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            seen.push_str(&line);
            seen.push('\n');
            if let Some(rest) = line.strip_prefix("razz: serving on ") {
                base = rest.split_whitespace().next().map(str::to_owned);
                break;
            }
        }
        let base = base.unwrap_or_else(|| {
            panic!(
                "razz serve did not start:\n{seen}\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        // Keep draining stdout into the log so the child never blocks on a full pipe.
        let log2 = log.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(log2)
                .expect("log");
            for l in lines.map_while(Result::ok) {
                let _ = writeln!(f, "{l}");
            }
        });
        Server {
            child,
            base,
            data,
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("{}{}", self.base.replacen("http://", "ws://", 1), path)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then wait; returns whether it exited successfully within 20 s.
    pub fn stop(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// Logs in and returns the bearer token.
pub async fn login(http: &reqwest::Client, s: &Server, user: &str, password: &str) -> String {
    let r = try_login(http, s, user, password).await;
    assert_eq!(r.status(), 200, "login as {user}");
    let v: serde_json::Value = r.json().await.expect("json");
    v["token"].as_str().expect("token").to_owned()
}

/// `POST /api/login` as `user`, whatever the answer.
pub async fn try_login(
    http: &reqwest::Client,
    s: &Server,
    user: &str,
    password: &str,
) -> reqwest::Response {
    http.post(s.url("/api/login"))
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .expect("login")
}
