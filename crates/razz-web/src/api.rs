//! REST handlers for rooms, cameras, camera status and snapshots, and occupancy history.
//! Input is validated here; every change is written to the store, then the engine is
//! brought in line without a restart.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use razz_store::{Camera, CameraPatch, Credentials, NewCamera, Room};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::sync::sync_engine;

fn check_id(kind: &str, id: &str) -> Result<(), ApiError> {
    if razz_pipeline::config::valid_id(id) {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "{kind} id must be 1-64 letters, digits, '-' or '_'"
        )))
    }
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "name must be 1-100 printable characters".into(),
        ));
    }
    Ok(())
}

/// A live camera's detection rate: at most a camera's frame rate, and no slower than the
/// config file allows (0.01, once in 100 s), so the API never stores what a file would refuse.
fn check_fps(fps: f64) -> Result<(), ApiError> {
    if fps.is_finite() && (0.01..=30.0).contains(&fps) {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "detect_fps must be within 0.01..30, got {fps}"
        )))
    }
}

/// Validates a stream URL; credentials written into it are moved out (returned separately).
pub(crate) fn check_url(raw: &str) -> Result<(String, Option<Credentials>), ApiError> {
    let mut u =
        url::Url::parse(raw.trim()).map_err(|e| ApiError::BadRequest(format!("url: {e}")))?;
    if !matches!(
        u.scheme(),
        "rtsp" | "rtsps" | "http" | "https" | "rtmp" | "file"
    ) {
        return Err(ApiError::BadRequest(format!(
            "url: unsupported scheme {:?} (rtsp, rtsps, http, https, rtmp, file)",
            u.scheme()
        )));
    }
    if u.scheme() != "file" && u.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::BadRequest("url: no host".into()));
    }
    let creds = if u.username().is_empty() {
        None
    } else {
        let dec = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Some(Credentials {
            username: dec(u.username()),
            password: dec(u.password().unwrap_or("")),
        })
    };
    let _ = u.set_username("");
    let _ = u.set_password(None);
    Ok((u.to_string(), creds))
}

// ---- rooms

#[utoipa::path(get, path = "/api/rooms", tag = "rooms", responses((status = 200, body = [razz_store::Room])))]
pub async fn list_rooms(
    State(st): State<AppState>,
    _u: AuthUser,
) -> Result<Json<Vec<Room>>, ApiError> {
    Ok(Json(st.store.list_rooms().await?))
}

#[utoipa::path(get, path = "/api/rooms/{id}", tag = "rooms", params(("id" = String, Path, description = "id")), responses((status = 200, body = razz_store::Room), (status = 404, body = ErrorBody)))]
pub async fn get_room(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Room>, ApiError> {
    Ok(Json(st.store.get_room(&id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoomBody {
    id: String,
    name: String,
}

#[utoipa::path(post, path = "/api/rooms", tag = "rooms", request_body = NewRoomBody, responses((status = 201, body = razz_store::Room), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_room(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(b): ApiJson<NewRoomBody>,
) -> Result<impl IntoResponse, ApiError> {
    check_id("room", &b.id)?;
    check_name(&b.name)?;
    let r = st.store.create_room(&b.id, b.name.trim()).await?;
    tracing::info!(by = %admin.username, room = %r.id, "room created");
    sync_engine(&st).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomPatchBody {
    name: String,
}

#[utoipa::path(patch, path = "/api/rooms/{id}", tag = "rooms", params(("id" = String, Path, description = "id")), request_body = RoomPatchBody, responses((status = 200, body = razz_store::Room), (status = 404, body = ErrorBody)))]
pub async fn patch_room(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RoomPatchBody>,
) -> Result<Json<Room>, ApiError> {
    check_name(&b.name)?;
    let r = st.store.rename_room(&id, b.name.trim()).await?;
    tracing::info!(by = %admin.username, room = %id, "room renamed");
    sync_engine(&st).await?;
    Ok(Json(r))
}

#[utoipa::path(delete, path = "/api/rooms/{id}", tag = "rooms", params(("id" = String, Path, description = "id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_room(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.store.delete_room(&id).await?;
    tracing::info!(by = %admin.username, room = %id, "room deleted");
    sync_engine(&st).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// ms since the epoch; default: one hour ago.
    from_ms: Option<i64>,
    /// ms since the epoch; default: now.
    to_ms: Option<i64>,
    limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct History {
    room_id: String,
    from_ms: i64,
    to_ms: i64,
    points: Vec<razz_store::OccupancyRow>,
}

#[utoipa::path(get, path = "/api/rooms/{id}/history", tag = "rooms", params(("id" = String, Path), HistoryQuery), responses((status = 200, body = History), (status = 400, body = ErrorBody)))]
pub async fn room_history(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<History>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    st.store.get_room(&id).await?;
    let to_ms = q.to_ms.unwrap_or_else(razz_live::now_ms);
    let from_ms = q.from_ms.unwrap_or(to_ms - 3_600_000);
    if from_ms > to_ms {
        return Err(ApiError::BadRequest(
            "from_ms must not be after to_ms".into(),
        ));
    }
    let limit = q.limit.unwrap_or(10_000).clamp(1, 100_000);
    let points = st.store.occupancy(&id, from_ms, to_ms, limit).await?;
    Ok(Json(History {
        room_id: id,
        from_ms,
        to_ms,
        points,
    }))
}

// ---- cameras

#[utoipa::path(get, path = "/api/cameras", tag = "cameras", responses((status = 200, body = [razz_store::Camera])))]
pub async fn list_cameras(
    State(st): State<AppState>,
    _u: AuthUser,
) -> Result<Json<Vec<Camera>>, ApiError> {
    Ok(Json(st.store.list_cameras().await?))
}

#[utoipa::path(get, path = "/api/cameras/{id}", tag = "cameras", params(("id" = String, Path, description = "id")), responses((status = 200, body = razz_store::Camera), (status = 404, body = ErrorBody)))]
pub async fn get_camera(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Camera>, ApiError> {
    Ok(Json(st.store.get_camera(&id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCameraBody {
    id: String,
    room_id: String,
    name: String,
    url: String,
    username: Option<String>,
    password: Option<String>,
    enabled: Option<bool>,
    detect_fps: Option<f64>,
}

#[utoipa::path(post, path = "/api/cameras", tag = "cameras", request_body = NewCameraBody, responses((status = 201, body = razz_store::Camera), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_camera(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(b): ApiJson<NewCameraBody>,
) -> Result<impl IntoResponse, ApiError> {
    check_id("camera", &b.id)?;
    check_name(&b.name)?;
    let (url, in_url) = check_url(&b.url)?;
    let detect_fps = b.detect_fps.unwrap_or(5.0);
    check_fps(detect_fps)?;
    let credentials = match (b.username, b.password) {
        (Some(username), password) => Some(Credentials {
            username,
            password: password.unwrap_or_default(),
        }),
        (None, Some(_)) => {
            return Err(ApiError::BadRequest(
                "password given without username".into(),
            ));
        }
        (None, None) => in_url,
    };
    st.store
        .get_room(&b.room_id)
        .await
        .map_err(|_| ApiError::BadRequest(format!("room {:?} does not exist", b.room_id)))?;
    let cam = st
        .store
        .create_camera(&NewCamera {
            id: b.id,
            room_id: b.room_id,
            name: b.name.trim().to_owned(),
            url,
            credentials,
            enabled: b.enabled.unwrap_or(true),
            detect_fps,
        })
        .await?;
    tracing::info!(by = %admin.username, camera = %cam.id, "camera created");
    sync_engine(&st).await?;
    Ok((StatusCode::CREATED, Json(cam)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraPatchBody {
    room_id: Option<String>,
    name: Option<String>,
    url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    /// true: remove the stored credentials.
    clear_credentials: Option<bool>,
    enabled: Option<bool>,
    detect_fps: Option<f64>,
}

#[utoipa::path(patch, path = "/api/cameras/{id}", tag = "cameras", params(("id" = String, Path, description = "id")), request_body = CameraPatchBody, responses((status = 200, body = razz_store::Camera), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn patch_camera(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CameraPatchBody>,
) -> Result<Json<Camera>, ApiError> {
    let mut p = CameraPatch::default();
    if let Some(n) = &b.name {
        check_name(n)?;
        p.name = Some(n.trim().to_owned());
    }
    if let Some(f) = b.detect_fps {
        check_fps(f)?;
        p.detect_fps = Some(f);
    }
    if let Some(r) = &b.room_id {
        st.store
            .get_room(r)
            .await
            .map_err(|_| ApiError::BadRequest(format!("room {r:?} does not exist")))?;
        p.room_id = Some(r.clone());
    }
    if let Some(u) = &b.url {
        let (url, in_url) = check_url(u)?;
        p.url = Some(url);
        if in_url.is_some() {
            p.credentials = Some(in_url);
        }
    }
    match (b.username, b.password, b.clear_credentials.unwrap_or(false)) {
        (Some(username), password, false) => {
            p.credentials = Some(Some(Credentials {
                username,
                password: password.unwrap_or_default(),
            }))
        }
        (None, Some(_), _) => {
            return Err(ApiError::BadRequest(
                "password given without username".into(),
            ));
        }
        (None, None, true) => p.credentials = Some(None),
        (Some(_), _, true) => {
            return Err(ApiError::BadRequest(
                "clear_credentials with new credentials".into(),
            ));
        }
        (None, None, false) => {}
    }
    p.enabled = b.enabled;
    let cam = st.store.update_camera(&id, &p).await?;
    tracing::info!(by = %admin.username, camera = %id, "camera changed");
    sync_engine(&st).await?;
    Ok(Json(cam))
}

#[utoipa::path(delete, path = "/api/cameras/{id}", tag = "cameras", params(("id" = String, Path, description = "id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_camera(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.store.delete_camera(&id).await?;
    tracing::info!(by = %admin.username, camera = %id, "camera deleted");
    sync_engine(&st).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusBody {
    camera_id: String,
    running: bool,
    #[serde(flatten)]
    status: razz_live::CameraStatus,
}

#[utoipa::path(get, path = "/api/cameras/{id}/status", tag = "cameras", params(("id" = String, Path, description = "id")), responses((status = 200, body = StatusBody), (status = 404, body = ErrorBody)))]
pub async fn camera_status(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<StatusBody>, ApiError> {
    st.store.get_camera(&id).await?;
    let status = st.engine.camera_status(&id);
    Ok(Json(StatusBody {
        camera_id: id,
        running: status.is_some(),
        status: status.unwrap_or_default(),
    }))
}

#[utoipa::path(get, path = "/api/cameras/{id}/snapshot.jpg", tag = "cameras", params(("id" = String, Path, description = "id")), responses((status = 200, content_type = "image/jpeg", description = "newest frame"), (status = 503, body = ErrorBody)))]
pub async fn camera_snapshot(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    st.store.get_camera(&id).await?;
    let engine = st.engine.clone();
    let jpeg = tokio::task::spawn_blocking(move || engine.snapshot_jpeg(&id))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let jpeg = jpeg.ok_or_else(|| ApiError::Unavailable("no frame from this camera yet".into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        jpeg,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_credentials_moved_out() {
        let (u, c) = check_url("rtsp://admin:p%40ss@10.0.0.5:554/stream1").expect("valid");
        assert_eq!(u, "rtsp://10.0.0.5:554/stream1");
        let c = c.expect("credentials");
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("admin", "p@ss")
        );
        assert!(check_url("ftp://x/y").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url("rtsp://").is_err());
        assert_eq!(check_url("rtsp://cam.local/s").expect("ok").1, None);
    }
}
