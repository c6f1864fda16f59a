//! Opens N WebSocket clients on a room stream of a running `razz serve` at once and counts
//! what each receives in D seconds (`bench/serve_load.sh` uses it).
//!
//! Usage: `ws_clients WS_URL TOKEN N SECONDS`; prints one JSON line.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, token, n, secs] = args.as_slice() else {
        eprintln!("usage: ws_clients WS_URL TOKEN N SECONDS");
        std::process::exit(2);
    };
    let (n, secs): (usize, u64) = match (n.parse(), secs.parse()) {
        (Ok(n), Ok(s)) => (n, s),
        _ => {
            eprintln!("ws_clients: N and SECONDS must be numbers");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        let (url, token) = (url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(mut req) = url.into_client_request() else {
                return (false, 0u64, 0u64);
            };
            if let Ok(v) = format!("Bearer {token}").parse() {
                req.headers_mut().insert("authorization", v);
            }
            let Ok((mut ws, _)) = tokio_tungstenite::connect_async(req).await else {
                return (false, 0, 0);
            };
            let (mut got, mut missed) = (0u64, 0u64);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
            while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, ws.next()).await {
                if let Ok(t) = m.to_text()
                    && let Ok(v) = serde_json::from_str::<serde_json::Value>(t)
                {
                    got += 1;
                    missed += v["missed"].as_u64().unwrap_or(0);
                }
            }
            (true, got, missed)
        }));
    }
    let mut per: Vec<u64> = Vec::new();
    let (mut connected, mut missed) = (0, 0);
    for t in tasks {
        if let Ok((ok, got, m)) = t.await {
            connected += usize::from(ok);
            per.push(got);
            missed += m;
        }
    }
    per.sort_unstable();
    let with_updates = per.iter().filter(|&&g| g > 0).count();
    println!(
        "{{\"clients\":{n},\"connected\":{connected},\"clients_with_updates\":{with_updates},\"min_msgs\":{},\"median_msgs\":{},\"max_msgs\":{},\"missed_total\":{missed},\"elapsed_s\":{:.1}}}",
        per.first().copied().unwrap_or(0),
        per.get(per.len() / 2).copied().unwrap_or(0),
        per.last().copied().unwrap_or(0),
        start.elapsed().as_secs_f64()
    );
}
