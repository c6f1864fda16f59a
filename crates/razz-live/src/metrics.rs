//! Prometheus metrics of the engine, registered in a registry the caller owns.

use prometheus::{Histogram, HistogramOpts, IntCounterVec, IntGaugeVec, Opts, Registry};

#[derive(Clone)]
pub struct EngineMetrics {
    pub detector_latency_s: Histogram,
    pub detector_runs: IntCounterVec,
    pub embedder_latency_s: Histogram,
    pub embeddings: IntCounterVec,
    pub frames_dropped: IntCounterVec,
    pub reconnects: IntCounterVec,
    pub decode_errors: IntCounterVec,
    pub camera_online: IntGaugeVec,
}

impl EngineMetrics {
    pub fn new(registry: &Registry) -> Result<Self, prometheus::Error> {
        let detector_latency_s = Histogram::with_opts(
            HistogramOpts::new(
                "razz_detector_latency_seconds",
                "Time of one detector run (preprocess + inference + decode)",
            )
            .buckets(vec![
                0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0,
            ]),
        )?;
        let embedder_latency_s = Histogram::with_opts(
            HistogramOpts::new(
                "razz_embedder_latency_seconds",
                "Time to embed one camera update's due crops",
            )
            .buckets(vec![0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5]),
        )?;
        let cam = |name: &str, help: &str| IntCounterVec::new(Opts::new(name, help), &["camera"]);
        let detector_runs = cam(
            "razz_camera_detector_runs_total",
            "Detector runs per camera",
        )?;
        let embeddings = cam(
            "razz_camera_embeddings_total",
            "Person crops embedded for cross-camera fusion",
        )?;
        let frames_dropped = cam(
            "razz_camera_frames_dropped_total",
            "Frames skipped because the detector was busy or not due",
        )?;
        let reconnects = cam(
            "razz_camera_reconnects_total",
            "Stream reconnects per camera",
        )?;
        let decode_errors = cam(
            "razz_camera_decode_errors_total",
            "Stream failures per camera",
        )?;
        let camera_online = IntGaugeVec::new(
            Opts::new("razz_camera_online", "1 when the camera delivers frames"),
            &["camera"],
        )?;
        registry.register(Box::new(detector_latency_s.clone()))?;
        registry.register(Box::new(detector_runs.clone()))?;
        registry.register(Box::new(embedder_latency_s.clone()))?;
        registry.register(Box::new(embeddings.clone()))?;
        registry.register(Box::new(frames_dropped.clone()))?;
        registry.register(Box::new(reconnects.clone()))?;
        registry.register(Box::new(decode_errors.clone()))?;
        registry.register(Box::new(camera_online.clone()))?;
        Ok(Self {
            detector_latency_s,
            detector_runs,
            embedder_latency_s,
            embeddings,
            frames_dropped,
            reconnects,
            decode_errors,
            camera_online,
        })
    }
}
