//! `POST /api/connection-test` (admin): tries a camera's stream before (or after) it is
//! saved and says what went wrong. A saved camera is tested with its stored credentials,
//! which never travel back to the browser.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use razz_live::CameraSpec;
use razz_live::probe::ProbeResult;
use serde::Deserialize;

use crate::AppState;
use crate::api::check_url;
use crate::auth::AdminUser;
use crate::error::{ApiError, ApiJson, ErrorBody};

/// How long a test waits for the first frame.
const PROBE_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeBody {
    /// A saved camera to test; `url`, `username` and `password` then override its own.
    camera_id: Option<String>,
    url: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

#[utoipa::path(post, path = "/api/connection-test", tag = "cameras", request_body = ProbeBody, responses((status = 200, body = razz_live::probe::ProbeResult, description = "the outcome, ok or not: {ok, kind: ok|auth|unreachable|not_found|no_video|error, message}"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn connection_test(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(b): ApiJson<ProbeBody>,
) -> Result<Json<ProbeResult>, ApiError> {
    let (mut url, mut username, mut password) = (None, None, None);
    if let Some(id) = &b.camera_id {
        let cam = st.store.get_camera(id).await?;
        if cam.has_credentials
            && let Some(c) = st.store.camera_credentials(id).await?
        {
            username = Some(c.username);
            password = Some(c.password);
        }
        url = Some(cam.url);
    }
    if let Some(raw) = &b.url {
        let (u, in_url) = check_url(raw)?;
        url = Some(u);
        if let Some(c) = in_url {
            username = Some(c.username);
            password = Some(c.password);
        }
    }
    if b.username.is_some() {
        username = b.username;
        password = b.password;
    } else if b.password.is_some() {
        return Err(ApiError::BadRequest(
            "password given without username".into(),
        ));
    }
    let url = url.ok_or_else(|| ApiError::BadRequest("give camera_id or url".into()))?;
    let url = crate::sync::stream_input(url);
    let spec = CameraSpec {
        id: b.camera_id.unwrap_or_else(|| "connection-test".into()),
        name: String::new(),
        room_id: String::new(),
        url,
        username,
        password,
        enabled: true,
        detect_fps: 1.0,
        homography: None,
    };
    let r = tokio::task::spawn_blocking(move || {
        razz_live::probe::test_connection(&spec, PROBE_TIMEOUT)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!(by = %admin.username, ok = r.ok, kind = ?r.kind, "connection test");
    Ok(Json(r))
}
