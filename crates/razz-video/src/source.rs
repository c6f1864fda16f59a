//! A running ffmpeg child and the frames it writes.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::error::VideoError;
use crate::is_url;
use crate::probe::{VideoInfo, check_local, last_line, probe};

/// How many of ffmpeg's last stderr lines are kept for error messages.
const STDERR_TAIL_LINES: usize = 20;

/// One decoded frame in packed BGR, 3 bytes per pixel, rows top to bottom.
#[derive(Clone, Debug)]
pub struct Frame {
    /// 0-based index in the stream.
    pub index: u64,
    /// Seconds since the stream's first frame (index / fps).
    pub pts_s: f64,
    pub width: u32,
    pub height: u32,
    pub bgr: Vec<u8>,
}

/// Options for [`VideoSource::open`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Overrides the container's frame rate for timestamps.
    pub fps: Option<f64>,
    /// Network inputs: use RTSP over TCP and give up on a silent socket after this long.
    pub io_timeout: Option<std::time::Duration>,
    /// Options placed before `-i` (both for ffprobe and ffmpeg).
    pub input_args: Vec<String>,
    /// Live mode for local files: play at the file's own rate, looping forever (a demo
    /// camera). Timestamps then come from the caller's clock, not from the file.
    pub live_file: bool,
}

/// Kills a source's ffmpeg child from another thread, which ends a blocked read at once.
#[derive(Clone)]
pub struct Killer {
    child: Arc<Mutex<Child>>,
}

impl Killer {
    pub fn kill(&self) {
        if let Ok(mut c) = self.child.lock() {
            let _ = c.kill();
        }
    }
}

/// Frames from one input, read from an ffmpeg child.
pub struct VideoSource {
    input: String,
    info: VideoInfo,
    fps: f64,
    child: Arc<Mutex<Child>>,
    stdout: ChildStdout,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    stderr_thread: Option<JoinHandle<()>>,
    next_index: u64,
    done: bool,
}

impl VideoSource {
    /// Probes `input` and starts decoding it.
    pub fn open(input: &str, opts: &OpenOptions) -> Result<Self, VideoError> {
        check_local(input)?;
        let mut input_args = opts.input_args.clone();
        if is_url(input) {
            // Streams repeat their parameters often; probing the default 5 s of one delays
            // every (re)connect by seconds, twice (ffprobe, then ffmpeg).
            input_args.extend([
                "-analyzeduration".into(),
                "500000".into(),
                "-probesize".into(),
                "500000".into(),
            ]);
            if input.starts_with("rtsp") {
                input_args.extend(["-rtsp_transport".into(), "tcp".into()]);
            }
            if let Some(t) = opts.io_timeout {
                let key = if input.starts_with("rtsp") {
                    "-timeout"
                } else {
                    "-rw_timeout"
                };
                input_args.extend([key.into(), t.as_micros().to_string()]);
            }
        }
        let info = probe(input, &input_args)?;
        let mut decode_args = input_args.clone();
        if opts.live_file && !is_url(input) {
            decode_args.extend(["-re".into(), "-stream_loop".into(), "-1".into()]);
        }
        let fps = opts.fps.or(info.fps).unwrap_or(25.0);
        let mut child = Command::new("ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "error"])
            .args(&decode_args)
            .args([
                "-i",
                input,
                "-map",
                "0:v:0",
                "-an",
                "-sn",
                "-fps_mode",
                "passthrough",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "bgr24",
            ])
            .args(["-s", &format!("{}x{}", info.width, info.height), "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| VideoError::Spawn {
                program: "ffmpeg",
                source,
            })?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(VideoError::Io {
                input: input.to_owned(),
                source: std::io::Error::other("ffmpeg pipes missing"),
            });
        };
        let stderr_tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL_LINES)));
        let tail = Arc::clone(&stderr_tail);
        let stderr_thread = std::thread::Builder::new()
            .name("ffmpeg-stderr".into())
            .spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(mut t) = tail.lock() {
                        if t.len() == STDERR_TAIL_LINES {
                            t.pop_front();
                        }
                        t.push_back(line);
                    }
                }
            })
            .map_err(|e| VideoError::Io {
                input: input.to_owned(),
                source: e,
            })?;
        Ok(Self {
            input: input.to_owned(),
            info,
            fps,
            child: Arc::new(Mutex::new(child)),
            stdout,
            stderr_tail,
            stderr_thread: Some(stderr_thread),
            next_index: 0,
            done: false,
        })
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// Frames per second used for timestamps.
    pub fn fps(&self) -> f64 {
        self.fps
    }

    pub fn input(&self) -> &str {
        &self.input
    }

    /// A handle that kills the decoder from another thread.
    pub fn killer(&self) -> Killer {
        Killer {
            child: Arc::clone(&self.child),
        }
    }

    /// The next frame, `Ok(None)` at a clean end of stream, or an error that says what
    /// ffmpeg reported. Blocks until a frame arrives.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, VideoError> {
        if self.done {
            return Ok(None);
        }
        let size = self.info.width as usize * self.info.height as usize * 3;
        let mut bgr = vec![0u8; size];
        let mut filled = 0;
        while filled < size {
            match self.stdout.read(&mut bgr[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    self.done = true;
                    return Err(VideoError::Io {
                        input: self.input.clone(),
                        source,
                    });
                }
            }
        }
        if filled == size {
            let index = self.next_index;
            self.next_index += 1;
            return Ok(Some(Frame {
                index,
                pts_s: index as f64 / self.fps,
                width: self.info.width,
                height: self.info.height,
                bgr,
            }));
        }
        self.done = true;
        self.finish(filled > 0).map(|()| None)
    }

    /// Reaps the child at end of output and turns what it said into an error if needed.
    fn finish(&mut self, partial_frame: bool) -> Result<(), VideoError> {
        let io = |source| VideoError::Io {
            input: self.input.clone(),
            source,
        };
        let status = self
            .child
            .lock()
            .map_err(|_| io(std::io::Error::other("decoder lock poisoned")))?
            .wait()
            .map_err(io)?;
        if let Some(t) = self.stderr_thread.take() {
            let _ = t.join();
        }
        let stderr = self.stderr_text();
        let frames = self.next_index;
        let detail = last_line(&stderr, "");
        if !status.success() {
            let detail = if detail.is_empty() {
                format!("ffmpeg exited with {status}")
            } else {
                detail
            };
            return Err(if frames == 0 {
                VideoError::Empty {
                    input: self.input.clone(),
                    detail,
                }
            } else {
                VideoError::Decode {
                    input: self.input.clone(),
                    frame: frames,
                    detail,
                }
            });
        }
        if frames == 0 {
            let detail = if detail.is_empty() {
                "the stream ended before its first frame".into()
            } else {
                detail
            };
            return Err(VideoError::Empty {
                input: self.input.clone(),
                detail,
            });
        }
        // A file that ends well short of the frame count in its header lost its tail.
        if let Some(expected) = self.info.frame_count {
            let short = frames + 1 < expected;
            if short || partial_frame {
                let detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({detail})")
                };
                return Err(VideoError::Truncated {
                    input: self.input.clone(),
                    frame: frames,
                    expected,
                    detail,
                });
            }
        } else if partial_frame {
            return Err(VideoError::Decode {
                input: self.input.clone(),
                frame: frames,
                detail: "last frame incomplete".into(),
            });
        }
        Ok(())
    }

    fn stderr_text(&self) -> String {
        self.stderr_tail
            .lock()
            .map(|t| t.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    }
}

impl Iterator for VideoSource {
    type Item = Result<Frame, VideoError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame().transpose()
    }
}

impl Drop for VideoSource {
    fn drop(&mut self) {
        if let Ok(mut c) = self.child.lock() {
            if !self.done {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
        if let Some(t) = self.stderr_thread.take() {
            let _ = t.join();
        }
    }
}
