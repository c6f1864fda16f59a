//! A room's floor area over the API: the polygon, in the floor metres of its cameras'
//! calibration, inside which people count (a camera that also sees a corridor through a glass
//! door does not count the corridor). Stored with the room as JSON; the engine picks it up
//! without restarting anything.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use razz_fusion::FloorArea;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::sync::sync_engine;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FloorAreaBody {
    /// Corners `[x, y]` in order, metres, 3 to 64.
    corners_m: Vec<[f64; 2]>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FloorAreaOut {
    room_id: String,
    corners_m: Vec<[f64; 2]>,
    /// Enclosed floor, square metres.
    area_m2: f64,
}

fn out(room_id: &str, a: &FloorArea) -> FloorAreaOut {
    FloorAreaOut {
        room_id: room_id.to_owned(),
        corners_m: a.corners_m().to_vec(),
        area_m2: a.area_m2(),
    }
}

/// The stored floor area of a room, if it has a valid one.
pub(crate) fn parse(text: Option<&str>) -> Option<FloorArea> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

#[utoipa::path(get, path = "/api/rooms/{id}/floor-area", tag = "rooms", params(("id" = String, Path, description = "id")), responses((status = 200, body = FloorAreaOut), (status = 404, body = ErrorBody)))]
pub async fn get_floor_area(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<FloorAreaOut>, ApiError> {
    let room = st.store.get_room(&id).await?;
    let a = parse(room.floor_area.as_deref())
        .ok_or_else(|| ApiError::NotFound(format!("room {id:?} has no floor area")))?;
    Ok(Json(out(&id, &a)))
}

#[utoipa::path(put, path = "/api/rooms/{id}/floor-area", tag = "rooms", params(("id" = String, Path, description = "id")), request_body = FloorAreaBody, responses((status = 200, body = FloorAreaOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_floor_area(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FloorAreaBody>,
) -> Result<Json<FloorAreaOut>, ApiError> {
    let a = FloorArea::new(b.corners_m).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let text = serde_json::to_string(&a).map_err(|e| ApiError::Internal(e.to_string()))?;
    st.store.set_room_floor_area(&id, Some(&text)).await?;
    tracing::info!(by = %admin.username, room = %id, area_m2 = a.area_m2(), "room floor area set");
    sync_engine(&st).await?;
    Ok(Json(out(&id, &a)))
}

#[utoipa::path(delete, path = "/api/rooms/{id}/floor-area", tag = "rooms", params(("id" = String, Path, description = "id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_floor_area(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.store.set_room_floor_area(&id, None).await?;
    tracing::info!(by = %admin.username, room = %id, "room floor area removed");
    sync_engine(&st).await?;
    Ok(StatusCode::NO_CONTENT)
}
