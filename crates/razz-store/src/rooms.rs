//! Rooms: spaces whose cameras count the same people.

use serde::Serialize;

use crate::error::{StoreError, conflict_on_unique, touched};
use crate::{Store, now_ms};

#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Room {
    pub id: String,
    pub name: String,
    pub created_ms: i64,
    /// Floor area corners as JSON (`[[x, y], ...]`, metres), when set.
    pub floor_area: Option<String>,
}

impl Store {
    pub async fn list_rooms(&self) -> Result<Vec<Room>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, name, created_ms, floor_area FROM rooms ORDER BY id")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn get_room(&self, id: &str) -> Result<Room, StoreError> {
        sqlx::query_as("SELECT id, name, created_ms, floor_area FROM rooms WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "room",
                id: id.to_owned(),
            })
    }

    pub async fn create_room(&self, id: &str, name: &str) -> Result<Room, StoreError> {
        let now = now_ms();
        sqlx::query("INSERT INTO rooms (id, name, created_ms) VALUES (?, ?, ?)")
            .bind(id)
            .bind(name)
            .bind(now)
            .execute(self.pool())
            .await
            .map_err(|e| conflict_on_unique(e, || format!("room {id:?} already exists")))?;
        Ok(Room {
            id: id.to_owned(),
            name: name.to_owned(),
            created_ms: now,
            floor_area: None,
        })
    }

    pub async fn rename_room(&self, id: &str, name: &str) -> Result<Room, StoreError> {
        let done = sqlx::query("UPDATE rooms SET name = ? WHERE id = ?")
            .bind(name)
            .bind(id)
            .execute(self.pool())
            .await?;
        touched(&done, "room", id)?;
        self.get_room(id).await
    }

    /// Sets (JSON text) or clears a room's floor area.
    pub async fn set_room_floor_area(
        &self,
        id: &str,
        floor_area: Option<&str>,
    ) -> Result<Room, StoreError> {
        let done = sqlx::query("UPDATE rooms SET floor_area = ? WHERE id = ?")
            .bind(floor_area)
            .bind(id)
            .execute(self.pool())
            .await?;
        touched(&done, "room", id)?;
        self.get_room(id).await
    }

    /// Deletes a room and its cameras.
    pub async fn delete_room(&self, id: &str) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM rooms WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        touched(&done, "room", id)?;
        Ok(())
    }
}
