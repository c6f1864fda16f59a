//! WebSocket streams: `/ws/rooms/{id}` and `/ws/cameras/{id}` push the newest state at a
//! fixed rate. State lives in `watch` channels, so nothing queues per client: a slow client
//! simply gets the newest state when it can take it, and `missed` says how many updates it
//! skipped. A client that cannot take a message within 10 s is dropped.
//!
//! `/ws/cameras/{id}/video` pushes the camera's newest frame as JPEG, at most
//! `server.video_fps` a second, each stamped with the arrival time that the camera's
//! tracking snapshots carry as `frame_ts_ms`, so boxes can be drawn on their own frame.

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

#[utoipa::path(get, path = "/ws/cameras/{id}/video", tag = "streams", params(("id" = String, Path, description = "id")), responses((status = 101, description = "WebSocket of binary messages: a 4-byte big-endian header length, a JSON header {ts_ms, width, height, missed} (ts_ms: the frame's arrival, the clock of frame_ts_ms; missed: frames skipped since the previous message), then the JPEG"), (status = 404, body = ErrorBody)))]
pub async fn camera_video(
    State(st): State<AppState>,
    _u: AuthUser,
    Path(id): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    st.store.get_camera(&id).await?;
    if st.engine.camera_status(&id).is_none() {
        return Err(ApiError::NotFound(format!("camera {id:?} is not running")));
    }
    Ok(ws.on_upgrade(move |socket| video(socket, st, id)))
}

#[derive(Serialize)]
struct FrameHeader {
    ts_ms: i64,
    width: u32,
    height: u32,
    /// Frames that arrived since the previous message and were not sent.
    missed: u64,
}

async fn video(socket: WebSocket, st: AppState, id: String) {
    st.ops.ws_clients.inc();
    let (mut tx, mut incoming) = socket.split();
    let period = Duration::from_secs_f64(1.0 / st.config.video_fps);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last_ts = i64::MIN;
    let mut last_received: Option<u64> = None;
    loop {
        tokio::select! {
            _ = st.cancel.cancelled() => break,
            msg = incoming.next() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = tick.tick() => {
                let engine = st.engine.clone();
                let cam = id.clone();
                let Ok(frame) = tokio::task::spawn_blocking(move || engine.live_jpeg(&cam, last_ts)).await else { break };
                let Some(frame) = frame else {
                    if st.engine.camera_status(&id).is_none() {
                        break; // the camera was removed or disabled
                    }
                    continue;
                };
                last_ts = frame.ts_ms;
                let received = st.engine.camera_status(&id).map_or(0, |s| s.frames_received);
                let missed = last_received.map_or(0, |l| received.saturating_sub(l + 1));
                last_received = Some(received);
                let Ok(head) = serde_json::to_vec(&FrameHeader { ts_ms: frame.ts_ms, width: frame.width, height: frame.height, missed }) else { continue };
                let mut msg = Vec::with_capacity(4 + head.len() + frame.jpeg.len());
                msg.extend_from_slice(&(head.len() as u32).to_be_bytes());
                msg.extend_from_slice(&head);
                msg.extend_from_slice(&frame.jpeg);
                match tokio::time::timeout(SEND_TIMEOUT, tx.send(Message::Binary(msg.into()))).await {
                    Ok(Ok(())) => {}
                    _ => break,
                }
            }
        }
    }
    let _ = tx.close().await;
    st.ops.ws_clients.dec();
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
