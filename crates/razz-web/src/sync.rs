//! Brings the engine in line with the store after any change (and at start): cameras are
//! started, restarted or stopped without restarting the service.

use razz_live::{CameraSpec, RoomSpec};

use crate::AppState;
use crate::error::ApiError;

pub async fn sync_engine(st: &AppState) -> Result<(), ApiError> {
    let rooms: Vec<RoomSpec> = st
        .store
        .list_rooms()
        .await?
        .into_iter()
        .map(|r| RoomSpec {
            floor_area: crate::floor_area::parse(r.floor_area.as_deref()),
            id: r.id,
            name: r.name,
        })
        .collect();
    let mut cams = Vec::new();
    for c in st.store.list_cameras().await? {
        let creds = if c.has_credentials {
            st.store.camera_credentials(&c.id).await?
        } else {
            None
        };
        let (username, password) = creds
            .map(|c| (Some(c.username), Some(c.password)))
            .unwrap_or((None, None));
        let url = stream_input(c.url);
        cams.push(CameraSpec {
            id: c.id,
            name: c.name,
            room_id: c.room_id,
            url,
            username,
            password,
            enabled: c.enabled,
            detect_fps: c.detect_fps,
            homography: crate::calibration::parse(c.calibration.as_deref())
                .and_then(|cal| cal.homography().ok()),
        });
    }
    let engine = st.engine.clone();
    tokio::task::spawn_blocking(move || engine.apply(&rooms, &cams))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(())
}

/// What ffmpeg opens for a stored URL: `file://` URLs become plain paths.
pub(crate) fn stream_input(url: String) -> String {
    url.strip_prefix("file://")
        .map(str::to_owned)
        .unwrap_or(url)
}
