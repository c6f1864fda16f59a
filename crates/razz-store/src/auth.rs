//! Users (argon2id password hashes, roles) and login sessions (random bearer tokens, stored
//! only as SHA-256 hashes, with an expiry).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{StoreError, conflict_on_unique};
use crate::{Store, now_ms};

/// What a user may do: admins manage, viewers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        match s {
            "admin" => Ok(Role::Admin),
            "viewer" => Ok(Role::Viewer),
            _ => Err(StoreError::Invalid(format!(
                "role must be admin or viewer, not {s:?}"
            ))),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

/// argon2id with OWASP's minimum (19 MiB, 2 passes): about 30 ms a hash here.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_token(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a new username and password before anything is stored.
fn check_new_user(username: &str, password: &str) -> Result<(), StoreError> {
    if username.is_empty()
        || username.len() > 64
        || username
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(StoreError::Invalid(
            "username must be 1-64 characters, no spaces".into(),
        ));
    }
    if password.chars().count() < 8 || password.len() > 1024 {
        return Err(StoreError::Invalid(
            "password must be 8 to 1024 characters".into(),
        ));
    }
    Ok(())
}

impl Store {
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User, StoreError> {
        check_new_user(username, password)?;
        let salt = SaltString::generate(&mut OsRng);
        let hash = hasher()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| StoreError::Invalid(e.to_string()))?
            .to_string();
        let done = sqlx::query(
            "INSERT INTO users (username, password_hash, role, created_ms) VALUES (?, ?, ?, ?)",
        )
        .bind(username)
        .bind(hash)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(self.pool())
        .await
        .map_err(|e| conflict_on_unique(e, || format!("user {username:?} already exists")))?;
        Ok(User {
            id: done.last_insert_rowid(),
            username: username.to_owned(),
            role,
        })
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    /// The user if the password is right. Unknown users cost a hash too, so timing does not
    /// tell which usernames exist.
    pub async fn verify_login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT id, password_hash, role FROM users WHERE username = ?")
                .bind(username)
                .fetch_optional(self.pool())
                .await?;
        let (id, hash, role) = match row {
            Some(r) => r,
            None => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = hasher().hash_password(password.as_bytes(), &salt);
                return Ok(None);
            }
        };
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| StoreError::Invalid(format!("stored hash: {e}")))?;
        if hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
        {
            return Ok(None);
        }
        Ok(Some(User {
            id,
            username: username.to_owned(),
            role: role.parse()?,
        }))
    }

    /// Starts a session; returns the bearer token (shown once, stored hashed).
    pub async fn create_session(&self, user_id: i64, ttl_ms: i64) -> Result<String, StoreError> {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = now_ms();
        sqlx::query("INSERT INTO sessions (token_sha256, user_id, created_ms, expires_ms) VALUES (?, ?, ?, ?)")
            .bind(hash_token(&token))
            .bind(user_id)
            .bind(now)
            .bind(now + ttl_ms)
            .execute(self.pool())
            .await?;
        Ok(token)
    }

    /// The user of a live session, or `None` for unknown or expired tokens.
    pub async fn session_user(&self, token: &str) -> Result<Option<User>, StoreError> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ? AND s.expires_ms > ?",
        )
        .bind(hash_token(token))
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?;
        row.map(|(id, username, role)| {
            Ok(User {
                id,
                username,
                role: role.parse()?,
            })
        })
        .transpose()
    }

    /// Ends a session (logout). Unknown tokens are not an error.
    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = ?")
            .bind(hash_token(token))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_ms <= ?")
            .bind(now_ms())
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
