//! A real RTSP server for tests: GStreamer's, from Debian's packages, driven by
//! `scripts/rtsp/rtsp_server.py`, serving the PETS footage as H.264 on 127.0.0.1.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Makes (once) the H.264 files the server plays; returns the looped one.
pub fn media() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rtsp-media");
    let script = super::repo().join("scripts/rtsp/make_media.sh");
    let st = Command::new("bash")
        .arg(&script)
        .arg(&dir)
        .stdout(Stdio::null())
        .status()
        .expect("run make_media.sh");
    assert!(st.success(), "make_media.sh failed");
    let f = dir.join("pets-loop.mp4");
    assert!(f.is_file(), "{} missing", f.display());
    f
}

pub struct RtspServer {
    child: Child,
    pub port: u16,
}

impl RtspServer {
    /// Serves `mounts` (`/path`, file) on `port` (0: any free one), optionally with a login.
    pub fn start(
        port: u16,
        mounts: &[(&str, &PathBuf)],
        login: Option<(&str, &str)>,
    ) -> RtspServer {
        let script = super::repo().join("scripts/rtsp/rtsp_server.py");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(script)
            .args(["--port", &port.to_string(), "--loop"]);
        for (m, f) in mounts {
            cmd.args(["--mount", &format!("{m}={}", f.display())]);
        }
        if let Some((u, p)) = login {
            cmd.args(["--user", u, "--password", p]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start rtsp_server.py");
        let out = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(out).lines();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            match lines.next() {
                Some(Ok(l)) => {
                    if let Some(url) = l.strip_prefix("READY ") {
                        let port = url
                            .rsplit(':')
                            .next()
                            .and_then(|p| p.trim_end_matches('/').parse().ok())
                            .expect("port in READY line");
                        std::thread::spawn(move || for _ in lines.by_ref() {});
                        return RtspServer { child, port };
                    }
                }
                _ => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("RTSP server did not start");
    }

    pub fn url(&self, mount: &str) -> String {
        format!("rtsp://127.0.0.1:{}{mount}", self.port)
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) the server: a camera that hangs with its
    /// connections open.
    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status();
    }

    /// Stops the server like a camera losing power: SIGKILL.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RtspServer {
    fn drop(&mut self) {
        self.kill();
    }
}
