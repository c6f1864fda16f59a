//! Logins and who is asking: sessions come as an HttpOnly cookie (browsers) or a bearer
//! token (API clients). Failed logins are limited per client address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use razz_store::{Role, User};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};

pub const COOKIE: &str = "razz_session";

/// A signed-in user (any role).
pub struct AuthUser(pub User);

/// A signed-in admin.
pub struct AdminUser(pub User);

/// The session token of a request: bearer header first, then cookie.
pub fn token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(t) = token(&parts.headers) else {
            return Err(ApiError::Unauthorized);
        };
        if let Some(u) = state.sessions.get(&t) {
            return Ok(AuthUser(u));
        }
        match state.store.session_user(&t).await? {
            Some(u) => {
                state.sessions.put(&t, &u);
                Ok(AuthUser(u))
            }
            None => Err(ApiError::Unauthorized),
        }
    }
}

/// Recently validated sessions, so that a busy client costs no database query per request.
/// Entries live `SESSION_CACHE_TTL`; logout evicts at once. A session that expires in the
/// database stays usable for at most that long.
pub struct SessionCache {
    map: Mutex<HashMap<String, (User, Instant)>>,
}

const SESSION_CACHE_TTL: Duration = Duration::from_secs(5);
const SESSION_CACHE_MAX: usize = 10_000;

impl SessionCache {
    pub fn new() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, token: &str) -> Option<User> {
        let map = self.map.lock().ok()?;
        map.get(token)
            .filter(|(_, at)| at.elapsed() < SESSION_CACHE_TTL)
            .map(|(u, _)| u.clone())
    }

    fn put(&self, token: &str, user: &User) {
        let Ok(mut map) = self.map.lock() else { return };
        if map.len() >= SESSION_CACHE_MAX {
            map.retain(|_, (_, at)| at.elapsed() < SESSION_CACHE_TTL);
            if map.len() >= SESSION_CACHE_MAX {
                map.clear();
            }
        }
        map.insert(token.to_owned(), (user.clone(), Instant::now()));
    }

    fn remove(&self, token: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(token);
        }
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AuthUser(u) = AuthUser::from_request_parts(parts, state).await?;
        if u.role == Role::Admin {
            Ok(AdminUser(u))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// `POST /api/login`: `{username, password}` -> `{token, user}` and the session cookie.
#[utoipa::path(post, path = "/api/login", tag = "auth", security(), request_body = LoginBody, responses((status = 200, description = "{token, user} and the session cookie"), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    st.limiter.check(addr.ip())?;
    let Some(user) = st
        .store
        .verify_login(&body.username, &body.password)
        .await?
    else {
        st.limiter.failed(addr.ip());
        tracing::warn!(client = %addr.ip(), username = %body.username, "failed login");
        return Err(ApiError::Unauthorized);
    };
    let ttl_ms = (st.config.session_ttl_h * 3_600_000.0) as i64;
    let token = st.store.create_session(user.id, ttl_ms).await?;
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        ttl_ms / 1000
    );
    let mut resp = Json(serde_json::json!({ "token": token, "user": user })).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `POST /api/logout`: revokes the session and clears the cookie.
#[utoipa::path(post, path = "/api/logout", tag = "auth", responses((status = 200)))]
pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    _u: AuthUser,
) -> Result<Response, ApiError> {
    if let Some(t) = token(&headers) {
        st.sessions.remove(&t);
        st.store.delete_session(&t).await?;
    }
    let mut resp = Json(serde_json::json!({ "ok": true })).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("razz_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    Ok(resp)
}

/// `GET /api/me`
#[utoipa::path(get, path = "/api/me", tag = "auth", responses((status = 200, body = razz_store::User)))]
pub async fn me(AuthUser(u): AuthUser) -> Json<User> {
    Json(u)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    username: String,
    password: String,
    role: String,
}

/// `POST /api/users` (admin): creates a user.
#[utoipa::path(post, path = "/api/users", tag = "auth", request_body = NewUser, responses((status = 201, body = razz_store::User), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create_user(
    State(st): State<AppState>,
    AdminUser(admin): AdminUser,
    ApiJson(b): ApiJson<NewUser>,
) -> Result<impl IntoResponse, ApiError> {
    let role: Role = b.role.parse()?;
    let u = st.store.create_user(&b.username, &b.password, role).await?;
    tracing::info!(by = %admin.username, user = %u.username, role = role.as_str(), "user created");
    Ok((axum::http::StatusCode::CREATED, Json(u)))
}

/// Failed logins per client address in a sliding one-minute window; bounded in memory.
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

const MAX_TRACKED_CLIENTS: usize = 10_000;

impl LoginLimiter {
    pub fn new(max_failures: u32) -> Self {
        Self {
            max_failures,
            window: Duration::from_secs(60),
            seen: Mutex::new(HashMap::new()),
        }
    }

    pub fn check(&self, ip: IpAddr) -> Result<(), ApiError> {
        let Ok(seen) = self.seen.lock() else {
            return Ok(());
        };
        if let Some((n, since)) = seen.get(&ip) {
            let age = since.elapsed();
            if age < self.window && *n >= self.max_failures {
                return Err(ApiError::TooManyRequests {
                    retry_after_s: (self.window - age).as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    pub fn failed(&self, ip: IpAddr) {
        let Ok(mut seen) = self.seen.lock() else {
            return;
        };
        if seen.len() >= MAX_TRACKED_CLIENTS {
            let window = self.window;
            seen.retain(|_, (_, since)| since.elapsed() < window);
        }
        let e = seen.entry(ip).or_insert((0, Instant::now()));
        if e.1.elapsed() >= self.window {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_from_bearer_or_cookie() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; razz_session=tok123; c=d"),
        );
        assert_eq!(token(&h).as_deref(), Some("tok123"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer xyz"),
        );
        assert_eq!(token(&h).as_deref(), Some("xyz"));
        assert_eq!(token(&HeaderMap::new()), None);
    }

    #[test]
    fn limiter_blocks_after_max_failures() {
        let l = LoginLimiter::new(3);
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(l.check(ip).is_ok());
            l.failed(ip);
        }
        assert!(matches!(l.check(ip), Err(ApiError::TooManyRequests { .. })));
        assert!(
            l.check([127, 0, 0, 2].into()).is_ok(),
            "other clients are unaffected"
        );
    }
}
