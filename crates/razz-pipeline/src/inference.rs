//! The inference worker: one named thread that owns a [`Detector`] (and, when fusion uses
//! appearance, an [`Embedder`]) and serves every camera through a bounded request channel, so
//! inference never runs on a caller's thread (or an async worker) and never queues without
//! bound.

use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use razz_core::{BoxXywh, Detection};
use razz_detect::{DetectError, Detector, Embedder, ImageRef};

/// A frame shared between the caller (which may crop it later) and the worker.
pub type SharedFrame = Arc<Vec<u8>>;

enum Request {
    Detect {
        width: u32,
        height: u32,
        bgr: SharedFrame,
        reply: Sender<Result<Vec<Detection>, DetectError>>,
    },
    Embed {
        width: u32,
        height: u32,
        bgr: SharedFrame,
        boxes: Vec<BoxXywh>,
        reply: Sender<Result<Vec<Vec<f32>>, DetectError>>,
    },
}

/// Handle to the worker; cheap to clone, one per camera.
#[derive(Clone)]
pub struct InferenceHandle {
    tx: Sender<Request>,
    embeds: bool,
}

/// Owns the worker thread; dropping every handle and then this ends the thread.
pub struct InferenceWorker {
    handle: Option<InferenceHandle>,
    thread: Option<JoinHandle<()>>,
    backend: &'static str,
}

/// A pending result: wait on it with [`Pending::wait`].
pub struct Pending<T> {
    rx: Receiver<Result<T, DetectError>>,
}

impl InferenceWorker {
    /// Starts the thread. `queue` bounds how many requests may wait for it.
    pub fn spawn(
        mut detector: Detector,
        mut embedder: Option<Embedder>,
        queue: usize,
    ) -> std::io::Result<Self> {
        let backend = detector.backend_name();
        let embeds = embedder.is_some();
        let (tx, rx) = bounded::<Request>(queue.max(1));
        let thread = std::thread::Builder::new()
            .name("razz-inference".into())
            .spawn(move || {
                for req in rx {
                    // The requester may have gone away; nothing to do then.
                    match req {
                        Request::Detect {
                            width,
                            height,
                            bgr,
                            reply,
                        } => {
                            let r = ImageRef::new(width, height, &bgr)
                                .map_err(DetectError::Frame)
                                .and_then(|img| detector.detect(&img));
                            let _ = reply.send(r);
                        }
                        Request::Embed {
                            width,
                            height,
                            bgr,
                            boxes,
                            reply,
                        } => {
                            let r = match embedder.as_mut() {
                                Some(e) => ImageRef::new(width, height, &bgr)
                                    .map_err(DetectError::Frame)
                                    .and_then(|img| e.embed(&img, &boxes)),
                                None => Err(DetectError::BackendUnavailable("embedder")),
                            };
                            let _ = reply.send(r);
                        }
                    }
                }
            })?;
        Ok(Self {
            handle: Some(InferenceHandle { tx, embeds }),
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
    pub fn submit(
        &self,
        width: u32,
        height: u32,
        bgr: SharedFrame,
    ) -> Option<Pending<Vec<Detection>>> {
        let (reply, rx) = bounded(1);
        self.tx
            .send(Request::Detect {
                width,
                height,
                bgr,
                reply,
            })
            .ok()?;
        Some(Pending { rx })
    }

    /// Whether the worker has an embedder.
    pub fn embeds(&self) -> bool {
        self.embeds
    }

    /// Queues crops of a frame for embedding.
    pub fn embed(
        &self,
        width: u32,
        height: u32,
        bgr: SharedFrame,
        boxes: Vec<BoxXywh>,
    ) -> Option<Pending<Vec<Vec<f32>>>> {
        let (reply, rx) = bounded(1);
        self.tx
            .send(Request::Embed {
                width,
                height,
                bgr,
                boxes,
                reply,
            })
            .ok()?;
        Some(Pending { rx })
    }
}

impl<T> Pending<T> {
    /// Blocks until the worker answers; `None` if it stopped.
    pub fn wait(self) -> Option<Result<T, DetectError>> {
        self.rx.recv().ok()
    }
}
