//! Live pictures for the web app: the newest frame of a camera as JPEG, stamped with the
//! wall-clock arrival time that the camera's tracking snapshots also carry (`frame_ts_ms`),
//! so a viewer can draw each set of boxes on the frame it was computed from.
//!
//! A frame is encoded at most once, however many viewers ask: the last encoding is cached
//! beside the frame and handed out shared.

use std::sync::Arc;

use crate::supervisor::Shared;

/// JPEG quality of live frames and snapshots (1-100).
pub const JPEG_QUALITY: u8 = 80;

/// One encoded frame.
#[derive(Clone, Debug)]
pub struct LiveFrame {
    /// Arrival time of the frame, ms since the epoch (same clock as `frame_ts_ms`).
    pub ts_ms: i64,
    pub width: u32,
    pub height: u32,
    pub jpeg: Arc<Vec<u8>>,
}

/// The newest frame of `shared` as JPEG if it arrived after `newer_than_ms`.
pub(crate) fn newest_jpeg(shared: &Shared, newer_than_ms: i64) -> Option<LiveFrame> {
    let arrived = shared.last_frame.lock().ok()?.clone()?;
    if arrived.at_ms <= newer_than_ms {
        return None;
    }
    if let Ok(cache) = shared.jpeg_cache.lock()
        && let Some(c) = cache.as_ref()
        && c.ts_ms == arrived.at_ms
    {
        return Some(c.clone());
    }
    let f = &arrived.frame;
    let jpeg = encode_bgr(&f.bgr, f.width, f.height)?;
    let live = LiveFrame {
        ts_ms: arrived.at_ms,
        width: f.width,
        height: f.height,
        jpeg: Arc::new(jpeg),
    };
    if let Ok(mut cache) = shared.jpeg_cache.lock() {
        *cache = Some(live.clone());
    }
    Some(live)
}

/// Encodes packed BGR pixels; `None` for sizes JPEG cannot hold or a short buffer.
pub fn encode_bgr(bgr: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
    let (w, h) = (u16::try_from(width).ok()?, u16::try_from(height).ok()?);
    if bgr.len() < usize::from(w) * usize::from(h) * 3 {
        return None;
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
        .encode(bgr, w, h, jpeg_encoder::ColorType::Bgr)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_frame_and_refuses_a_short_buffer() {
        let (w, h) = (16u32, 8u32);
        let bgr = vec![128u8; (w * h * 3) as usize];
        let jpeg = encode_bgr(&bgr, w, h).expect("encodes");
        assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "JPEG start-of-image marker");
        assert!(encode_bgr(&bgr[..10], w, h).is_none());
        assert!(encode_bgr(&bgr, 70_000, 1).is_none());
    }
}
