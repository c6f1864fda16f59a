//! Operations endpoints: liveness, readiness, Prometheus metrics (process RSS, WebSocket
//! clients, per-camera rates, plus the engine's own counters).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use prometheus::{Encoder, GaugeVec, IntGauge, Opts, Registry, TextEncoder};

use crate::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};

pub struct OpsMetrics {
    pub ws_clients: IntGauge,
    pub rss_bytes: IntGauge,
    pub camera_fps: GaugeVec,
}

impl OpsMetrics {
    pub fn new(r: &Registry) -> Result<Self, prometheus::Error> {
        let ws_clients = IntGauge::new("razz_ws_clients", "Open WebSocket connections")?;
        let rss_bytes = IntGauge::new(
            "razz_process_resident_memory_bytes",
            "Resident memory of the razz process",
        )?;
        let camera_fps = GaugeVec::new(
            Opts::new("razz_camera_fps", "Frames received per second"),
            &["camera"],
        )?;
        r.register(Box::new(ws_clients.clone()))?;
        r.register(Box::new(rss_bytes.clone()))?;
        r.register(Box::new(camera_fps.clone()))?;
        Ok(Self {
            ws_clients,
            rss_bytes,
            camera_fps,
        })
    }
}

#[utoipa::path(get, path = "/healthz", tag = "ops", security(), responses((status = 200)))]
pub async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", security(), responses((status = 200), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(st): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    st.store
        .schema_versions()
        .await
        .map_err(|e| ApiError::Unavailable(format!("database: {e}")))?;
    Ok((
        StatusCode::OK,
        axum::Json(serde_json::json!({ "status": "ready", "backend": st.engine.backend() })),
    ))
}

#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, content_type = "text/plain", description = "Prometheus text format")))]
pub async fn metrics(
    State(st): State<AppState>,
    _u: AuthUser,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(rss) = rss_bytes() {
        st.ops.rss_bytes.set(rss as i64);
    }
    for c in st.store.list_cameras().await? {
        let fps = st.engine.camera_status(&c.id).map_or(0.0, |s| s.fps);
        st.ops.camera_fps.with_label_values(&[&c.id]).set(fps);
    }
    let mut buf = Vec::new();
    TextEncoder::new()
        .encode(&st.registry.gather(), &mut buf)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], buf))
}

fn rss_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|k| k * 1024)
}

/// `GET /api/openapi.json`: the API's OpenAPI 3 document (needs a session, like the API).
pub async fn openapi(_u: AuthUser) -> impl IntoResponse {
    axum::Json(<crate::openapi::ApiDoc as utoipa::OpenApi>::openapi())
}
