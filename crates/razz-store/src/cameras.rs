//! Cameras. Credentials are kept apart from the URL and stored encrypted; they leave this
//! module only through [`Store::camera_credentials`], for the ingest that connects.

use serde::{Deserialize, Serialize};

use crate::error::{StoreError, conflict_on_unique, touched};
use crate::{Store, now_ms};

/// A camera as the rest of razz sees it: no secret in it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Camera {
    pub id: String,
    pub room_id: String,
    pub name: String,
    pub url: String,
    pub has_credentials: bool,
    pub enabled: bool,
    pub detect_fps: f64,
    pub calibration: Option<String>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    room_id: String,
    name: String,
    url: String,
    has_credentials: bool,
    enabled: bool,
    detect_fps: f64,
    calibration: Option<String>,
    created_ms: i64,
    updated_ms: i64,
}

impl From<Row> for Camera {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            room_id: r.room_id,
            name: r.name,
            url: r.url,
            has_credentials: r.has_credentials,
            enabled: r.enabled,
            detect_fps: r.detect_fps,
            calibration: r.calibration,
            created_ms: r.created_ms,
            updated_ms: r.updated_ms,
        }
    }
}

/// Stream login. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct NewCamera {
    pub id: String,
    pub room_id: String,
    pub name: String,
    pub url: String,
    pub credentials: Option<Credentials>,
    pub enabled: bool,
    pub detect_fps: f64,
}

/// Fields to change; `None` leaves a field as it is. `credentials: Some(None)` removes them.
#[derive(Clone, Debug, Default)]
pub struct CameraPatch {
    pub room_id: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub credentials: Option<Option<Credentials>>,
    pub enabled: Option<bool>,
    pub detect_fps: Option<f64>,
    pub calibration: Option<Option<String>>,
}

const COLUMNS: &str = "id, room_id, name, url, credentials_enc IS NOT NULL AS has_credentials, enabled, detect_fps, calibration, created_ms, updated_ms";

impl Store {
    pub async fn list_cameras(&self) -> Result<Vec<Camera>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM cameras ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(Camera::from).collect())
    }

    pub async fn get_camera(&self, id: &str) -> Result<Camera, StoreError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM cameras WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(Camera::from).ok_or_else(|| StoreError::NotFound {
            kind: "camera",
            id: id.to_owned(),
        })
    }

    pub async fn create_camera(&self, c: &NewCamera) -> Result<Camera, StoreError> {
        let now = now_ms();
        let sealed = self.seal_credentials(c.credentials.as_ref())?;
        sqlx::query(
            "INSERT INTO cameras (id, room_id, name, url, credentials_enc, enabled, detect_fps, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(&c.room_id)
        .bind(&c.name)
        .bind(&c.url)
        .bind(sealed)
        .bind(c.enabled)
        .bind(c.detect_fps)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                // Unique violation: the id; foreign key: the room.
                format!("camera {:?} already exists, or room {:?} does not", c.id, c.room_id)
            })
        })?;
        self.get_camera(&c.id).await
    }

    pub async fn update_camera(&self, id: &str, p: &CameraPatch) -> Result<Camera, StoreError> {
        let cur = self.get_camera(id).await?;
        let mut tx = self.pool().begin().await?;
        let room = p.room_id.as_deref().unwrap_or(&cur.room_id);
        sqlx::query("UPDATE cameras SET room_id = ?, name = ?, url = ?, enabled = ?, detect_fps = ?, updated_ms = ? WHERE id = ?")
            .bind(room)
            .bind(p.name.as_deref().unwrap_or(&cur.name))
            .bind(p.url.as_deref().unwrap_or(&cur.url))
            .bind(p.enabled.unwrap_or(cur.enabled))
            .bind(p.detect_fps.unwrap_or(cur.detect_fps))
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, || format!("room {room:?} does not exist")))?;
        if let Some(creds) = &p.credentials {
            let sealed = self.seal_credentials(creds.as_ref())?;
            sqlx::query("UPDATE cameras SET credentials_enc = ? WHERE id = ?")
                .bind(sealed)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(cal) = &p.calibration {
            sqlx::query("UPDATE cameras SET calibration = ? WHERE id = ?")
                .bind(cal)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.get_camera(id).await
    }

    pub async fn delete_camera(&self, id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM cameras WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        touched(&done, "camera", id)?;
        Ok(())
    }

    /// The decrypted login of a camera, for the ingest only. Never log or return it.
    pub async fn camera_credentials(&self, id: &str) -> Result<Option<Credentials>, StoreError> {
        let row: Option<(Option<Vec<u8>>,)> =
            sqlx::query_as("SELECT credentials_enc FROM cameras WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let Some((sealed,)) = row else {
            return Err(StoreError::NotFound {
                kind: "camera",
                id: id.to_owned(),
            });
        };
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self.secrets.open(&sealed)?;
        unseal_credentials(&plain).map(Some)
    }

    fn seal_credentials(&self, c: Option<&Credentials>) -> Result<Option<Vec<u8>>, StoreError> {
        c.map(|c| {
            let plain = format!("{}\n{}", c.username, c.password);
            self.secrets.seal(plain.as_bytes())
        })
        .transpose()
    }
}

/// Credentials are sealed as `username \n password` (a username cannot hold a newline).
fn unseal_credentials(plain: &[u8]) -> Result<Credentials, StoreError> {
    let text = std::str::from_utf8(plain)
        .map_err(|_| StoreError::Key("credentials are not text".into()))?;
    let (u, p) = text
        .split_once('\n')
        .ok_or_else(|| StoreError::Key("credentials malformed".into()))?;
    Ok(Credentials {
        username: u.to_owned(),
        password: p.to_owned(),
    })
}
