//! Errors of the store. `NotFound` and `Conflict` and `Invalid` are the caller's fault and
//! map to 4xx; the others are ours.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} {id:?} not found")]
    NotFound { kind: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("opening database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("applying migrations: {0}")]
    Migrate(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("secret key: {0}")]
    Key(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Turns a UNIQUE/PRIMARY KEY violation into a `Conflict` with `what` as the message.
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Invalid(what()),
        _ => StoreError::Db(e),
    }
}

/// `NotFound` when an UPDATE or DELETE by id matched no row.
pub(crate) fn touched(
    done: &sqlx::sqlite::SqliteQueryResult,
    kind: &'static str,
    id: &str,
) -> Result<(), StoreError> {
    if done.rows_affected() == 0 {
        Err(StoreError::NotFound {
            kind,
            id: id.to_owned(),
        })
    } else {
        Ok(())
    }
}
