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
    let rate_hz = st.config.video_fps;
    let feed = VideoFeed {
        st: st.clone(),
        id,
        last_ts: i64::MIN,
        last_received: None,
    };
    pump(socket, &st, rate_hz, feed).await;
}

/// A camera's newest frames, each sent once.
struct VideoFeed {
    st: AppState,
    id: String,
    last_ts: i64,
    last_received: Option<u64>,
}

impl Feed for VideoFeed {
    async fn next(&mut self) -> Next {
        let engine = self.st.engine.clone();
        let (cam, after) = (self.id.clone(), self.last_ts);
        let Ok(frame) = tokio::task::spawn_blocking(move || engine.live_jpeg(&cam, after)).await
        else {
            return Next::Stop;
        };
        let Some(status) = self.st.engine.camera_status(&self.id) else {
            return Next::Stop; // the camera was removed or disabled
        };
        let Some(frame) = frame else {
            return Next::Skip;
        };
        self.last_ts = frame.ts_ms;
        let received = status.frames_received;
        let missed = self
            .last_received
            .map_or(0, |l| received.saturating_sub(l + 1));
        self.last_received = Some(received);
        let head = FrameHeader {
            ts_ms: frame.ts_ms,
            width: frame.width,
            height: frame.height,
            missed,
        };
        let Ok(head) = serde_json::to_vec(&head) else {
            return Next::Skip;
        };
        let mut msg = Vec::with_capacity(4 + head.len() + frame.jpeg.len());
        msg.extend_from_slice(&(head.len() as u32).to_be_bytes());
        msg.extend_from_slice(&head);
        msg.extend_from_slice(&frame.jpeg);
        Next::Send(Message::Binary(msg.into()))
    }
}

/// Where a stream's messages come from.
trait Feed: Send {
    /// What to send at this tick.
    fn next(&mut self) -> impl Future<Output = Next> + Send;
}

/// What a stream sends at a tick.
enum Next {
    Send(Message),
    /// Nothing new this time.
    Skip,
    /// The source is gone: close the socket.
    Stop,
}

/// Runs one client: at `rate_hz`, asks `feed` what to send, until the client leaves, cannot
/// take a message within `SEND_TIMEOUT`, the source stops, or the service shuts down.
async fn pump(socket: WebSocket, st: &AppState, rate_hz: f64, mut feed: impl Feed) {
    st.ops.ws_clients.inc();
    let (mut tx, mut incoming) = socket.split();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate_hz));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = st.cancel.cancelled() => break,
            msg = incoming.next() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = tick.tick() => match feed.next().await {
                Next::Skip => {}
                Next::Stop => break,
                Next::Send(m) => match tokio::time::timeout(SEND_TIMEOUT, tx.send(m)).await {
                    Ok(Ok(())) => {}
                    _ => break,
                },
            },
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
    rx: watch::Receiver<std::sync::Arc<T>>,
    kind: &'static str,
    seq_of: fn(&T) -> u64,
) {
    let feed = SnapshotFeed {
        rx,
        kind,
        seq_of,
        last_seq: None,
    };
    pump(socket, &st, st.config.ws_rate_hz, feed).await;
}

/// The newest snapshot of a `watch` channel, sent when its sequence number moved.
struct SnapshotFeed<T> {
    rx: watch::Receiver<std::sync::Arc<T>>,
    kind: &'static str,
    seq_of: fn(&T) -> u64,
    last_seq: Option<u64>,
}

impl<T: Serialize + Send + Sync + 'static> Feed for SnapshotFeed<T> {
    fn next(&mut self) -> impl Future<Output = Next> + Send {
        let snap = self.rx.borrow_and_update().clone();
        let seq = (self.seq_of)(&snap);
        let next = if self.last_seq == Some(seq) {
            Next::Skip
        } else {
            let missed = self.last_seq.map_or(0, |l| seq.saturating_sub(l + 1));
            self.last_seq = Some(seq);
            let envelope = Envelope {
                kind: self.kind,
                seq,
                missed,
                data: &*snap,
            };
            match serde_json::to_string(&envelope) {
                Ok(text) => Next::Send(Message::Text(text.into())),
                Err(_) => Next::Skip,
            }
        };
        std::future::ready(next)
    }
}
