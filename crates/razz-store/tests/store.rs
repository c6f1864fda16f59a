//! The store against a real SQLite file: migrations at open (also on a file made by an
//! older schema), CRUD, credentials encrypted at rest, sessions, history ranges.

use razz_store::{
    CameraPatch, Credentials, KeySource, NewCamera, OccupancyKind, Role, Store, StoreError,
    StoreOptions,
};

fn opts(dir: &std::path::Path) -> StoreOptions {
    StoreOptions {
        db_path: dir.join("razz.db"),
        key: KeySource::File(dir.join("secret.key")),
    }
}

#[tokio::test]
async fn fresh_database_gets_the_whole_schema_and_reopens() {
    let dir = tempfile::tempdir().expect("dir");
    let s = Store::open(&opts(dir.path())).await.expect("open");
    assert_eq!(s.schema_versions().await.expect("versions"), vec![1, 2]);
    s.create_room("vault-1", "Vault 1").await.expect("room");
    s.close().await;
    // Opening again applies nothing new and keeps the data.
    let s = Store::open(&opts(dir.path())).await.expect("reopen");
    assert_eq!(s.list_rooms().await.expect("rooms").len(), 1);
    let mode: (String,) = sqlx_query_one(&dir.path().join("razz.db"), "PRAGMA journal_mode").await;
    assert_eq!(mode.0, "wal");
}

/// Moonfire-style upgrade test: for every released schema version k, a database left at
/// version k with data in it opens under the current code, is migrated, ends with exactly
/// the schema of a fresh database, and keeps its rows.
#[tokio::test]
async fn every_older_schema_upgrades_to_the_fresh_schema_with_data_kept() {
    let fresh_dir = tempfile::tempdir().expect("dir");
    Store::open(&opts(fresh_dir.path()))
        .await
        .expect("fresh")
        .close()
        .await;
    let fresh = schema(&fresh_dir.path().join("razz.db")).await;
    let all = razz_store::migrator().migrations.to_vec();
    for k in 1..=all.len() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("razz.db");
        {
            use sqlx::Connection;
            let mut c =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", db.display()))
                    .await
                    .expect("connect");
            // sqlx's Migrator fields are public for its macro; a prefix is "the code at version k".
            let old = sqlx::migrate::Migrator {
                migrations: std::borrow::Cow::Owned(all[..k].to_vec()),
                ..sqlx::migrate::Migrator::DEFAULT
            };
            old.run(&mut c).await.expect("old migrations");
            sqlx::raw_sql("INSERT INTO rooms (id, name, created_ms) VALUES ('r1', 'Room 1', 1); INSERT INTO occupancy VALUES ('r1', 5, 2, 'change');")
                .execute(&mut c)
                .await
                .expect("data at version k");
            c.close().await.expect("close");
        }
        let s = Store::open(&opts(dir.path())).await.expect("upgrade");
        assert_eq!(
            s.schema_versions().await.expect("versions").len(),
            all.len()
        );
        assert_eq!(
            s.list_rooms().await.expect("rooms")[0].name,
            "Room 1",
            "data lost upgrading from {k}"
        );
        assert_eq!(
            s.occupancy("r1", 0, 10, 10).await.expect("history").len(),
            1
        );
        s.close().await;
        assert_eq!(
            schema(&db).await,
            fresh,
            "schema after upgrading from version {k} differs from a fresh one"
        );
    }
}

async fn schema(db: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("connect");
    sqlx::query_as("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .fetch_all(&mut c)
        .await
        .expect("schema")
}

#[tokio::test]
async fn camera_credentials_are_encrypted_at_rest_and_never_listed() {
    let dir = tempfile::tempdir().expect("dir");
    let s = Store::open(&opts(dir.path())).await.expect("open");
    s.create_room("r", "R").await.expect("room");
    let secret = "Sup3r-s3cret-pw";
    let cam = s
        .create_camera(&NewCamera {
            id: "c1".into(),
            room_id: "r".into(),
            name: "Door".into(),
            url: "rtsp://10.0.0.9/stream".into(),
            credentials: Some(Credentials {
                username: "admin".into(),
                password: secret.into(),
            }),
            enabled: true,
            detect_fps: 5.0,
        })
        .await
        .expect("camera");
    assert!(cam.has_credentials);
    assert!(!format!("{cam:?}").contains(secret));
    let creds = s
        .camera_credentials("c1")
        .await
        .expect("creds")
        .expect("some");
    assert_eq!(creds.password, secret);
    assert!(!format!("{creds:?}").contains(secret), "Debug must redact");
    s.close().await;
    let bytes = std::fs::read(dir.path().join("razz.db")).expect("db file");
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "password in clear in the database file"
    );
    // Patch: remove credentials, move room validation.
    let s = Store::open(&opts(dir.path())).await.expect("reopen");
    let c = s
        .update_camera(
            "c1",
            &CameraPatch {
                credentials: Some(None),
                ..Default::default()
            },
        )
        .await
        .expect("patch");
    assert!(!c.has_credentials);
    let bad = s
        .update_camera(
            "c1",
            &CameraPatch {
                room_id: Some("nope".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    assert!(matches!(
        s.get_camera("zz").await,
        Err(StoreError::NotFound { .. })
    ));
    // Deleting the room deletes its cameras.
    s.delete_room("r").await.expect("delete");
    assert!(s.list_cameras().await.expect("list").is_empty());
}

#[tokio::test]
async fn users_sessions_and_history() {
    let dir = tempfile::tempdir().expect("dir");
    let s = Store::open(&opts(dir.path())).await.expect("open");
    let u = s
        .create_user("ops", "correct horse", Role::Viewer)
        .await
        .expect("user");
    assert!(matches!(
        s.create_user("ops", "another pw!", Role::Admin).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        s.create_user("x", "short", Role::Admin).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        s.verify_login("ops", "correct horse").await.expect("login"),
        Some(u.clone())
    );
    assert_eq!(s.verify_login("ops", "wrong").await.expect("login"), None);
    assert_eq!(
        s.verify_login("nobody", "correct horse")
            .await
            .expect("login"),
        None
    );
    let token = s.create_session(u.id, 60_000).await.expect("session");
    assert_eq!(
        s.session_user(&token).await.expect("lookup"),
        Some(u.clone())
    );
    s.delete_session(&token).await.expect("logout");
    assert_eq!(s.session_user(&token).await.expect("lookup"), None);
    let expired = s.create_session(u.id, -1).await.expect("session");
    assert_eq!(s.session_user(&expired).await.expect("lookup"), None);
    assert_eq!(s.purge_sessions().await.expect("purge"), 1);

    s.create_room("r", "R").await.expect("room");
    for (t, n) in [(1000, 1), (2000, 2), (3000, 2), (4000, 0)] {
        s.record_occupancy(
            "r",
            t,
            n,
            if t == 3000 {
                OccupancyKind::Sample
            } else {
                OccupancyKind::Change
            },
        )
        .await
        .expect("rec");
    }
    let rows = s.occupancy("r", 1500, 4000, 100).await.expect("range");
    assert_eq!(
        rows.iter().map(|r| (r.ts_ms, r.count)).collect::<Vec<_>>(),
        vec![(2000, 2), (3000, 2)]
    );
    assert_eq!(rows[1].kind, "sample");
}

async fn sqlx_query_one(db: &std::path::Path, q: &str) -> (String,) {
    use sqlx::Connection;
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("connect");
    sqlx::query_as(q).fetch_one(&mut c).await.expect("query")
}
