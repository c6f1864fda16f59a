//! The original system's endpoints, kept for its clients:
//! `/vault-rooms/{id}/people-count`, `/vault-rooms/{id}/people`,
//! `/vault-rooms/all/people-counts`. Same data as the WebSocket, as plain JSON.

use axum::Json;
use axum::extract::{Path, State};
use razz_live::RoomSnapshot;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::time::rfc3339_ms;

fn room_json(r: &RoomSnapshot, with_people: bool) -> Value {
    let mut v = json!({
        "room_id": r.room_id,
        "name": r.name,
        "count": r.count,
        "cameras": r.cameras,
        "updated_at": if r.updated_at_ms > 0 { Value::from(rfc3339_ms(r.updated_at_ms)) } else { Value::Null },
        "updated_at_ms": r.updated_at_ms,
        "degraded": r.degraded,
        "offline_cameras": r.offline_cameras,
        "starved_cameras": r.starved_cameras,
        "uncalibrated_cameras": r.uncalibrated_cameras,
    });
    if with_people {
        v["people"] = json!(r.people);
    }
    v
}

fn room(st: &AppState, id: &str) -> Result<std::sync::Arc<RoomSnapshot>, ApiError> {
    st.engine
        .room(id)
        .map(|rx| rx.borrow().clone())
        .ok_or_else(|| ApiError::NotFound(format!("room {id:?} not found")))
}

#[utoipa::path(get, path = "/vault-rooms/{id}/people-count", tag = "counts", params(("id" = String, Path, description = "id")), responses((status = 200, description = "room id and name, count, per-camera counts, updated_at, degraded, offline_cameras, starved_cameras, uncalibrated_cameras"), (status = 404, body = ErrorBody)))]
pub async fn room_count(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r = room(&st, &id)?;
    Ok(Json(room_json(&r, false)))
}

#[utoipa::path(get, path = "/vault-rooms/{id}/people", tag = "counts", params(("id" = String, Path, description = "id")), responses((status = 200, description = "as people-count, plus people: camera_id, track_id, box, score"), (status = 404, body = ErrorBody)))]
pub async fn room_people(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r = room(&st, &id)?;
    Ok(Json(room_json(&r, true)))
}

#[utoipa::path(get, path = "/vault-rooms/all/people-counts", tag = "counts", responses((status = 200, description = "{rooms: [...], total}")))]
pub async fn all_counts(State(st): State<AppState>, _u: AuthUser) -> Json<Value> {
    let rooms: Vec<Value> = st
        .engine
        .rooms()
        .iter()
        .map(|r| room_json(r, false))
        .collect();
    let total: usize = st.engine.rooms().iter().map(|r| r.count).sum();
    Json(json!({ "rooms": rooms, "total": total }))
}
