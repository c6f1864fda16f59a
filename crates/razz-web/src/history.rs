//! Occupancy history: a row whenever a room's count changes, a sample of every room every
//! `history_sample_s`, and pruning of rows older than `history_keep_days`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use razz_store::OccupancyKind;

use crate::AppState;

/// How often counts are checked for changes (the WebSocket rate's order).
const POLL: Duration = Duration::from_millis(200);

pub async fn run_history(st: AppState) {
    let mut last: HashMap<String, usize> = HashMap::new();
    let mut last_sample = Instant::now();
    let mut last_prune = Instant::now() - Duration::from_secs(3600);
    let mut tick = tokio::time::interval(POLL);
    loop {
        tokio::select! {
            _ = st.cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let now = razz_live::now_ms();
        let sample = last_sample.elapsed() >= Duration::from_secs(st.config.history_sample_s);
        for r in st.engine.rooms() {
            if r.seq == 0 {
                continue; // no data yet
            }
            let changed = last.get(&r.room_id) != Some(&r.count);
            if changed || sample {
                let kind = if changed {
                    OccupancyKind::Change
                } else {
                    OccupancyKind::Sample
                };
                if let Err(e) = st
                    .store
                    .record_occupancy(&r.room_id, now, r.count as i64, kind)
                    .await
                {
                    tracing::warn!(room = %r.room_id, error = %e, "cannot record occupancy");
                }
                last.insert(r.room_id.clone(), r.count);
            }
        }
        if sample {
            last_sample = Instant::now();
        }
        if last_prune.elapsed() >= Duration::from_secs(3600) {
            let keep_ms = st.config.history_keep_days as i64 * 86_400_000;
            let _ = st.store.prune_occupancy(now - keep_ms).await;
            let _ = st.store.purge_sessions().await;
            last_prune = Instant::now();
        }
    }
}
