//! razz's database: rooms, cameras, users, sessions and per-room occupancy history, in one
//! SQLite file (WAL mode). Migrations are compiled in and applied at every open, so there is
//! never a manual init step. Camera credentials are encrypted with AES-256-GCM under a key
//! kept outside the database; session tokens are stored only as SHA-256 hashes.

mod auth;
mod cameras;
mod error;
mod history;
mod rooms;
mod secret;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use auth::{Role, User};
pub use cameras::{Camera, CameraPatch, Credentials, NewCamera};
pub use error::StoreError;
pub use history::{OccupancyKind, OccupancyRow};
pub use rooms::Room;
pub use secret::{KeySource, SecretBox};

/// Where the database and its key live.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    pub db_path: PathBuf,
    pub key: KeySource,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    secrets: SecretBox,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The compiled-in migrations, for the upgrade test.
pub fn migrator() -> &'static sqlx::migrate::Migrator {
    &MIGRATOR
}

impl Store {
    /// Opens (creating if needed) the database, applies pending migrations, loads the key.
    pub async fn open(opts: &StoreOptions) -> Result<Self, StoreError> {
        if let Some(dir) = opts.db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let secrets = SecretBox::load(&opts.key)?;
        let url = format!("sqlite://{}", opts.db_path.display());
        let connect = SqliteConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Open {
                path: opts.db_path.clone(),
                message: e.to_string(),
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(connect)
            .await
            .map_err(|e| StoreError::Open {
                path: opts.db_path.clone(),
                message: e.to_string(),
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(Self { pool, secrets })
    }

    /// Applied migration versions, oldest first.
    pub async fn schema_versions(&self) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Flushes the WAL into the main file and closes every connection.
    pub async fn close(&self) {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await;
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
