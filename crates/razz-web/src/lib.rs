//! razz's HTTP side: the REST API (rooms, cameras, counts, history), the original system's
//! `/vault-rooms` endpoints, WebSocket streams, login sessions, and operations endpoints
//! (`/healthz`, `/readyz`, `/metrics`), and the embedded web app (`/`). Every route but
//! health, login and the app's static files needs a session.

mod api;
mod app;
mod auth;
mod calibration;
mod error;
mod floor_area;
mod history;
mod openapi;
mod ops;
mod probe;
mod seed;
mod sync;
mod time;
mod ws;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use razz_live::Engine;
use razz_pipeline::config::ServerConfig;
use razz_store::Store;
use tokio_util::sync::CancellationToken;

pub use error::ApiError;
pub use history::run_history;
pub use openapi::ApiDoc;
pub use sync::sync_engine;

/// Request bodies larger than this are refused (413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub engine: Arc<Engine>,
    pub config: Arc<ServerConfig>,
    pub registry: prometheus::Registry,
    pub(crate) ops: Arc<ops::OpsMetrics>,
    pub(crate) limiter: Arc<auth::LoginLimiter>,
    pub(crate) sessions: Arc<auth::SessionCache>,
    pub cancel: CancellationToken,
}

impl AppState {
    pub fn new(
        store: Store,
        engine: Arc<Engine>,
        config: ServerConfig,
        registry: prometheus::Registry,
        cancel: CancellationToken,
    ) -> Result<Self, prometheus::Error> {
        let ops = Arc::new(ops::OpsMetrics::new(&registry)?);
        let limiter = Arc::new(auth::LoginLimiter::new(config.login_failures_per_min));
        Ok(Self {
            store,
            engine,
            config: Arc::new(config),
            registry,
            ops,
            limiter,
            sessions: Arc::new(auth::SessionCache::new()),
            cancel,
        })
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(app::index))
        .route("/assets/{file}", get(app::asset))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/users", post(auth::create_user))
        .route("/api/rooms", get(api::list_rooms).post(api::create_room))
        .route(
            "/api/rooms/{id}",
            get(api::get_room)
                .patch(api::patch_room)
                .delete(api::delete_room),
        )
        .route("/api/rooms/{id}/history", get(api::room_history))
        .route(
            "/api/cameras",
            get(api::list_cameras).post(api::create_camera),
        )
        .route(
            "/api/cameras/{id}",
            get(api::get_camera)
                .patch(api::patch_camera)
                .delete(api::delete_camera),
        )
        .route("/api/cameras/{id}/status", get(api::camera_status))
        .route(
            "/api/cameras/{id}/calibration",
            get(calibration::get_calibration)
                .put(calibration::put_calibration)
                .delete(calibration::delete_calibration),
        )
        .route(
            "/api/rooms/{id}/floor-area",
            get(floor_area::get_floor_area)
                .put(floor_area::put_floor_area)
                .delete(floor_area::delete_floor_area),
        )
        .route("/api/cameras/{id}/snapshot.jpg", get(api::camera_snapshot))
        .route("/api/connection-test", post(probe::connection_test))
        .route("/api/openapi.json", get(ops::openapi))
        .route("/vault-rooms/all/people-counts", get(seed::all_counts))
        .route("/vault-rooms/{id}/people-count", get(seed::room_count))
        .route("/vault-rooms/{id}/people", get(seed::room_people))
        .route("/ws/rooms/{id}", get(ws::room))
        .route("/ws/cameras/{id}", get(ws::camera))
        .route("/ws/cameras/{id}/video", get(ws::camera_video))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
