//! `razz serve` (the live service) and `razz user add`.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use razz_fusion::Calibration;
use razz_live::{Engine, EngineConfig, EngineMetrics};
use razz_pipeline::Config;
use razz_store::{KeySource, NewCamera, Role, Store, StoreOptions};
use tokio_util::sync::CancellationToken;

/// Debian's opencv-doc ships the PETS09 footage: the demo cameras play it in a loop.
const DEMO_VIDEO: &str = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

#[derive(Args)]
pub struct ServeArgs {
    /// Config file (TOML); without one, embedded defaults.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Listen address, overriding the config (env RAZZ_LISTEN).
    #[arg(long)]
    listen: Option<String>,
    /// Data directory (database, key), overriding the config (env RAZZ_DATA_DIR).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Add a demo room whose two cameras play real footage (Debian's opencv-doc vtest.avi).
    #[arg(long)]
    demo: bool,
}

#[derive(Args)]
pub struct UserAddArgs {
    /// The new user's name; the password is read from the first line of standard input.
    username: String,
    /// admin (manage) or viewer (read).
    #[arg(long, default_value = "viewer")]
    role: String,
    #[arg(long, short)]
    config: Option<PathBuf>,
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// The config with environment and command-line overrides applied.
fn load(
    config: Option<&PathBuf>,
    listen: Option<String>,
    data_dir: Option<PathBuf>,
) -> anyhow::Result<Config> {
    let mut cfg = match config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    if let Ok(v) = std::env::var("RAZZ_LISTEN") {
        cfg.server.listen = v;
    }
    if let Some(v) = std::env::var_os("RAZZ_DATA_DIR") {
        cfg.server.data_dir = v.into();
    }
    if let Some(v) = listen {
        cfg.server.listen = v;
    }
    if let Some(v) = data_dir {
        cfg.server.data_dir = v;
    }
    cfg.validate()?;
    Ok(cfg)
}

async fn open_store(cfg: &Config) -> anyhow::Result<Store> {
    let dir = &cfg.server.data_dir;
    let key = match std::env::var("RAZZ_SECRET_KEY") {
        Ok(k) => KeySource::Base64(k),
        Err(_) => KeySource::File(dir.join("secret.key")),
    };
    Ok(Store::open(&StoreOptions {
        db_path: dir.join("razz.db"),
        key,
    })
    .await?)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("razz-async")
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub fn user_add(a: UserAddArgs) -> anyhow::Result<()> {
    let cfg = load(a.config.as_ref(), None, a.data_dir)?;
    let role: Role = a.role.parse()?;
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    runtime()?.block_on(async {
        let store = open_store(&cfg).await?;
        let u = store.create_user(&a.username, password, role).await?;
        store.close().await;
        println!("created {} user {}", role.as_str(), u.username);
        Ok(())
    })
}

pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let cfg = load(a.config.as_ref(), a.listen, a.data_dir)?;
    runtime()?.block_on(serve(cfg, a.demo))
}

async fn serve(cfg: Config, demo: bool) -> anyhow::Result<()> {
    let store = open_store(&cfg).await?;
    first_admin(&store).await?;
    seed(&store, &cfg, demo).await?;

    let cancel = CancellationToken::new();
    let registry = prometheus::Registry::new();
    let metrics = EngineMetrics::new(&registry)?;
    let engine_cfg = EngineConfig {
        detector: cfg.detector.clone(),
        tracker: cfg.tracker,
        fusion: cfg.fusion.clone(),
    };
    let c = cancel.child_token();
    let engine =
        tokio::task::spawn_blocking(move || Engine::start(&engine_cfg, metrics, c)).await??;
    let engine = Arc::new(engine);
    let state = razz_web::AppState::new(
        store.clone(),
        Arc::clone(&engine),
        cfg.server.clone(),
        registry,
        cancel.clone(),
    )?;
    razz_web::sync_engine(&state)
        .await
        .map_err(|e| anyhow::anyhow!("starting cameras: {e}"))?;
    let history = tokio::spawn(razz_web::run_history(state.clone()));

    let addr: SocketAddr = cfg.server.listen.parse().context("listen address")?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!(
        "razz: serving on http://{} (detector backend {})",
        listener.local_addr()?,
        engine.backend()
    );
    let app = razz_web::router(state);
    let shutdown = {
        let cancel = cancel.clone();
        async move {
            wait_for_signal().await;
            tracing::info!("shutting down");
            cancel.cancel();
        }
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    // In order: stop accepting (done), stop history, stop cameras and inference, flush the DB.
    cancel.cancel();
    let _ = history.await;
    let e = Arc::clone(&engine);
    tokio::task::spawn_blocking(move || e.shutdown()).await?;
    store.close().await;
    println!("razz: stopped");
    Ok(())
}

async fn wait_for_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
}

/// With no user at all, creates `admin` with `RAZZ_ADMIN_PASSWORD` or a generated password
/// printed once.
async fn first_admin(store: &Store) -> anyhow::Result<()> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let (password, shown) = match std::env::var("RAZZ_ADMIN_PASSWORD") {
        Ok(p) => (p, false),
        Err(_) => {
            use rand::Rng;
            const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
            let mut rng = rand::rngs::OsRng;
            (
                (0..20)
                    .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
                    .collect(),
                true,
            )
        }
    };
    store.create_user("admin", &password, Role::Admin).await?;
    if shown {
        println!(
            "razz: created user 'admin' with password {password}  (shown once; add users with razz user add)"
        );
    } else {
        println!("razz: created user 'admin' with the password from RAZZ_ADMIN_PASSWORD");
    }
    Ok(())
}

/// The demo cameras' floor calibration: four points of the homography fitted to PETS09-S2L1's
/// ground-truth floor positions (the fusion test cases' points), so the demo room de-duplicates
/// by floor position as a calibrated site does. Uncalibrated, two views of the same people are
/// linked by look alone, which these features do poorly (docs/decisions.md).
fn demo_calibration() -> Calibration {
    Calibration {
        image_px: vec![[48.0, 288.0], [432.0, 288.0], [432.0, 547.2], [48.0, 547.2]],
        floor_m: vec![
            [-12.373_181_585, -0.209_339_139],
            [-8.838_340_145, -7.788_169_693],
            [-18.052_268_584, -13.075_262_030],
            [-20.339_888_341, -8.919_036_860],
        ],
    }
}

/// Rooms and cameras from the config file (and the demo) are added when missing; what the
/// API changed later is kept.
async fn seed(store: &Store, cfg: &Config, demo: bool) -> anyhow::Result<()> {
    let mut rooms: Vec<(String, String)> = cfg
        .rooms
        .iter()
        .map(|r| (r.id.clone(), cfg.room_name(r).to_owned()))
        .collect();
    let mut cams: Vec<NewCamera> = cfg
        .cameras
        .iter()
        .map(|c| NewCamera {
            id: c.id.clone(),
            room_id: c.room.clone(),
            name: c.name.clone().unwrap_or_else(|| c.id.clone()),
            url: c.url.clone(),
            credentials: None,
            enabled: c.enabled,
            detect_fps: c.detect_fps.unwrap_or(5.0),
        })
        .collect();
    let mut calibrations: Vec<(String, Calibration)> = cfg
        .cameras
        .iter()
        .filter_map(|k| Some((k.id.clone(), k.calibration.clone()?)))
        .collect();
    if demo {
        if !std::path::Path::new(DEMO_VIDEO).is_file() {
            bail!("--demo needs {DEMO_VIDEO} (apt-get install opencv-doc)");
        }
        rooms.push(("demo".into(), "Demo room (PETS09)".into()));
        for (id, name) in [("demo-1", "Demo camera 1"), ("demo-2", "Demo camera 2")] {
            cams.push(NewCamera {
                id: id.into(),
                room_id: "demo".into(),
                name: name.into(),
                url: format!("file://{DEMO_VIDEO}"),
                credentials: None,
                enabled: true,
                detect_fps: 5.0,
            });
            calibrations.push((id.into(), demo_calibration()));
        }
    }
    for (id, name) in rooms {
        if store.get_room(&id).await.is_err() {
            store.create_room(&id, &name).await?;
            let area = cfg.rooms.iter().find(|r| r.id == id);
            if let Some(area) = area.and_then(|r| r.floor_area_m.as_ref()) {
                store
                    .set_room_floor_area(&id, Some(&serde_json::to_string(area)?))
                    .await?;
            }
        }
    }
    for c in cams {
        if store.get_camera(&c.id).await.is_err() {
            store.create_camera(&c).await?;
            let cal = calibrations.iter().find(|k| k.0 == c.id).map(|k| &k.1);
            if let Some(cal) = cal {
                let patch = razz_store::CameraPatch {
                    calibration: Some(Some(serde_json::to_string(cal)?)),
                    ..Default::default()
                };
                store.update_camera(&c.id, &patch).await?;
            }
        }
    }
    Ok(())
}
