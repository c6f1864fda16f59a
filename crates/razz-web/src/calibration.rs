//! Floor calibration of a camera over the API: at least 4 image points (pixels) and where
//! they are on the floor (metres). Stored with the camera as JSON; the engine picks it up
//! without restarting the camera. Feet (box bottom centres) then map to floor positions, the
//! strongest cue for linking tracks of several cameras.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use razz_fusion::Calibration;
use razz_store::CameraPatch;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::sync::sync_engine;

/// More points than this are refused (4 suffice; a few more average out clicking errors).
const MAX_POINTS: usize = 64;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationBody {
    /// Image points `[x, y]`, pixels of the camera's frames.
    image_px: Vec<[f64; 2]>,
    /// The same points on the floor `[x, y]`, metres, in one frame shared by the room.
    floor_m: Vec<[f64; 2]>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalibrationOut {
    camera_id: String,
    image_px: Vec<[f64; 2]>,
    floor_m: Vec<[f64; 2]>,
    /// Fitted image-to-floor homography, row-major 3x3.
    homography: [f64; 9],
    /// Mean distance between the given floor points and the image points mapped, metres.
    mean_error_m: f64,
}

fn out(camera_id: &str, cal: Calibration) -> Result<CalibrationOut, ApiError> {
    let h = cal
        .homography()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    Ok(CalibrationOut {
        camera_id: camera_id.to_owned(),
        mean_error_m: cal.mean_error_m(&h),
        homography: h.matrix(),
        image_px: cal.image_px,
        floor_m: cal.floor_m,
    })
}

/// The stored calibration of a camera, if it has a valid one.
pub(crate) fn parse(text: Option<&str>) -> Option<Calibration> {
    text.and_then(|t| serde_json::from_str(t).ok())
}

#[utoipa::path(get, path = "/api/cameras/{id}/calibration", tag = "cameras", params(("id" = String, Path, description = "id")), responses((status = 200, body = CalibrationOut), (status = 404, body = ErrorBody)))]
pub async fn get_calibration(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CalibrationOut>, ApiError> {
    let cam = st.store.get_camera(&id).await?;
    let cal = parse(cam.calibration.as_deref())
        .ok_or_else(|| ApiError::NotFound(format!("camera {id:?} has no calibration")))?;
    Ok(Json(out(&id, cal)?))
}

#[utoipa::path(put, path = "/api/cameras/{id}/calibration", tag = "cameras", params(("id" = String, Path, description = "id")), request_body = CalibrationBody, responses((status = 200, body = CalibrationOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_calibration(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CalibrationBody>,
) -> Result<Json<CalibrationOut>, ApiError> {
    if b.image_px.len() > MAX_POINTS {
        return Err(ApiError::BadRequest(format!(
            "calibration takes at most {MAX_POINTS} points, got {}",
            b.image_px.len()
        )));
    }
    let cal = Calibration {
        image_px: b.image_px,
        floor_m: b.floor_m,
    };
    let body = out(&id, cal.clone())?;
    let text = serde_json::to_string(&cal).map_err(|e| ApiError::Internal(e.to_string()))?;
    st.store
        .update_camera(
            &id,
            &CameraPatch {
                calibration: Some(Some(text)),
                ..CameraPatch::default()
            },
        )
        .await?;
    tracing::info!(by = %admin.username, camera = %id, error_m = body.mean_error_m, "camera calibrated");
    sync_engine(&st).await?;
    Ok(Json(body))
}

#[utoipa::path(delete, path = "/api/cameras/{id}/calibration", tag = "cameras", params(("id" = String, Path, description = "id")), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_calibration(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.store
        .update_camera(
            &id,
            &CameraPatch {
                calibration: Some(None),
                ..CameraPatch::default()
            },
        )
        .await?;
    tracing::info!(by = %admin.username, camera = %id, "camera calibration removed");
    sync_engine(&st).await?;
    Ok(StatusCode::NO_CONTENT)
}
