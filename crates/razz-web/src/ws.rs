//! WebSocket streams: `/ws/rooms/{id}` and `/ws/cameras/{id}` push the newest state at a
//! fixed rate. State lives in `watch` channels, so nothing queues per client: a slow client
//! simply gets the newest state when it can take it, and `missed` says how many updates it
//! skipped. A client that cannot take a message within 10 s is dropped.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::watch;

use crate::AppState;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};

const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[utoipa::path(get, path = "/ws/rooms/{id}", tag = "streams", params(("id" = String, Path, description = "id")), responses((status = 101, description = "WebSocket of {type: room, seq, missed, data: RoomSnapshot}"), (status = 404, body = ErrorBody)))]
pub async fn room(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let rx = st
        .engine
        .room(&id)
        .ok_or_else(|| ApiError::NotFound(format!("room {id:?} not found")))?;
    Ok(ws.on_upgrade(move |socket| stream(socket, st, rx, "room", |r| r.seq)))
}

#[utoipa::path(get, path = "/ws/cameras/{id}", tag = "streams", params(("id" = String, Path, description = "id")), responses((status = 101, description = "WebSocket of {type: camera, seq, missed, data: CameraSnapshot}"), (status = 404, body = ErrorBody)))]
pub async fn camera(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    st.store.get_camera(&id).await?;
    let rx = st
        .engine
        .camera(&id)
        .ok_or_else(|| ApiError::NotFound(format!("camera {id:?} is not running")))?;
    Ok(ws.on_upgrade(move |socket| stream(socket, st, rx, "camera", |c| c.seq)))
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    seq: u64,
    /// Updates skipped since the previous message (the client was slow, or the rate lower).
    missed: u64,
    data: &'a T,
}

async fn stream<T: Serialize + Send + Sync + 'static>(
    socket: WebSocket,
    st: AppState,
    mut rx: watch::Receiver<std::sync::Arc<T>>,
    kind: &'static str,
    seq_of: fn(&T) -> u64,
) {
    st.ops.ws_clients.inc();
    let (mut tx, mut incoming) = socket.split();
    let period = Duration::from_secs_f64(1.0 / st.config.ws_rate_hz);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_seq: Option<u64> = None;
    loop {
        tokio::select! {
            _ = st.cancel.cancelled() => break,
            msg = incoming.next() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = tick.tick() => {
                let snap = rx.borrow_and_update().clone();
                let seq = seq_of(&snap);
                if last_seq == Some(seq) {
                    continue;
                }
                let missed = last_seq.map_or(0, |l| seq.saturating_sub(l + 1));
                last_seq = Some(seq);
                let Ok(text) = serde_json::to_string(&Envelope { kind, seq, missed, data: &*snap }) else { continue };
                match tokio::time::timeout(SEND_TIMEOUT, tx.send(Message::Text(text.into()))).await {
                    Ok(Ok(())) => {}
                    _ => break,
                }
            }
        }
    }
    let _ = tx.close().await;
    st.ops.ws_clients.dec();
}
