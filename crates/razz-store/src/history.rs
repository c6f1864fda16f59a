//! Per-room occupancy history: a row whenever a room's count changes, plus periodic samples,
//! queryable by time range.

use serde::Serialize;

use crate::Store;
use crate::error::StoreError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OccupancyKind {
    Change,
    Sample,
}

#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OccupancyRow {
    pub ts_ms: i64,
    pub count: i64,
    pub kind: String,
}

impl Store {
    pub async fn record_occupancy(
        &self,
        room: &str,
        ts_ms: i64,
        count: i64,
        kind: OccupancyKind,
    ) -> Result<(), StoreError> {
        let kind = match kind {
            OccupancyKind::Change => "change",
            OccupancyKind::Sample => "sample",
        };
        sqlx::query("INSERT INTO occupancy (room_id, ts_ms, count, kind) VALUES (?, ?, ?, ?)")
            .bind(room)
            .bind(ts_ms)
            .bind(count)
            .bind(kind)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Rows of `room` with `from_ms <= ts_ms < to_ms`, oldest first, at most `limit`.
    pub async fn occupancy(
        &self,
        room: &str,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
    ) -> Result<Vec<OccupancyRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT ts_ms, count, kind FROM occupancy WHERE room_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms LIMIT ?",
        )
        .bind(room)
        .bind(from_ms)
        .bind(to_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Deletes history older than `before_ms`; returns how many rows.
    pub async fn prune_occupancy(&self, before_ms: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM occupancy WHERE ts_ms < ?")
            .bind(before_ms)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
