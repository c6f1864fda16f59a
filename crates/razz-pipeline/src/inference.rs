//! The inference worker: one named thread that owns a [`Detector`] and serves every camera
//! through a bounded request channel, so inference never runs on a caller's thread (or an
//! async worker) and never queues without bound.

use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use razz_core::Detection;
use razz_detect::{DetectError, Detector, ImageRef};

/// A frame to detect people in.
struct Request {
    width: u32,
    height: u32,
    bgr: Vec<u8>,
    reply: Sender<Result<Vec<Detection>, DetectError>>,
}

/// Handle to the worker; cheap to clone, one per camera.
#[derive(Clone)]
pub struct InferenceHandle {
    tx: Sender<Request>,
}

/// Owns the worker thread; dropping every handle and then this ends the thread.
pub struct InferenceWorker {
    handle: Option<InferenceHandle>,
    thread: Option<JoinHandle<()>>,
    backend: &'static str,
}

/// A pending detection: wait on it with [`Pending::wait`].
pub struct Pending {
    rx: Receiver<Result<Vec<Detection>, DetectError>>,
}

impl InferenceWorker {
    /// Starts the thread. `queue` bounds how many frames may wait for it.
    pub fn spawn(mut detector: Detector, queue: usize) -> std::io::Result<Self> {
        let backend = detector.backend_name();
        let (tx, rx) = bounded::<Request>(queue.max(1));
        let thread = std::thread::Builder::new()
            .name("razz-inference".into())
            .spawn(move || {
                for req in rx {
                    let result = ImageRef::new(req.width, req.height, &req.bgr)
                        .map_err(DetectError::Frame)
                        .and_then(|img| detector.detect(&img));
                    // The requester may have gone away; nothing to do then.
                    let _ = req.reply.send(result);
                }
            })?;
        Ok(Self {
            handle: Some(InferenceHandle { tx }),
            thread: Some(thread),
            backend,
        })
    }

    pub fn handle(&self) -> Option<InferenceHandle> {
        self.handle.clone()
    }

    pub fn backend(&self) -> &'static str {
        self.backend
    }
}

impl Drop for InferenceWorker {
    fn drop(&mut self) {
        self.handle = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl InferenceHandle {
    /// Queues a frame (blocking while the queue is full) and returns a ticket for the result.
    pub fn submit(&self, width: u32, height: u32, bgr: Vec<u8>) -> Option<Pending> {
        let (reply, rx) = bounded(1);
        self.tx
            .send(Request {
                width,
                height,
                bgr,
                reply,
            })
            .ok()?;
        Some(Pending { rx })
    }
}

impl Pending {
    /// Blocks until the worker answers; `None` if it stopped.
    pub fn wait(self) -> Option<Result<Vec<Detection>, DetectError>> {
        self.rx.recv().ok()
    }
}
