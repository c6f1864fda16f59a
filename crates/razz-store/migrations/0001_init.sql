-- razz schema, version 1. Applied automatically at start; never edit a released migration,
-- add a new one.

CREATE TABLE rooms (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);

CREATE TABLE cameras (
    id TEXT PRIMARY KEY NOT NULL,
    room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    -- Stream URL without credentials.
    url TEXT NOT NULL,
    -- AES-256-GCM: 12-byte nonce followed by ciphertext of {"username","password"}.
    credentials_enc BLOB,
    enabled INTEGER NOT NULL DEFAULT 1,
    detect_fps REAL NOT NULL DEFAULT 5.0,
    -- Optional floor calibration (JSON), used by room fusion.
    calibration TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX cameras_room ON cameras(room_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    -- argon2id PHC string.
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_ms INTEGER NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the bearer token; the token itself is never stored.
    token_sha256 TEXT PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_ms);

-- Per-room occupancy: a row when the count changes, plus periodic samples.
CREATE TABLE occupancy (
    room_id TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('change', 'sample'))
);
CREATE INDEX occupancy_room_ts ON occupancy(room_id, ts_ms);
