//! The web app, embedded: `GET /` and `GET /assets/{file}` serve the files of
//! `crates/razz-web/assets/` compiled into the binary (no separate web server, no CDN, works
//! offline). Plain ES modules, no build step. Every response carries a Content-Security-Policy
//! that allows only this origin, so no page can load or send anything elsewhere.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Only this origin: scripts, styles, images (JPEG frames arrive as blobs), WebSockets.
const CSP: &str = "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; \
                   script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; \
                   frame-ancestors 'none'; form-action 'self'";

/// `(name, content type, bytes)` of every embedded file.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../assets/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/api.js"),
    ),
    (
        "dashboard.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/dashboard.js"),
    ),
    (
        "room.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/room.js"),
    ),
    (
        "overlay.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/overlay.js"),
    ),
    (
        "cameras.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/cameras.js"),
    ),
    (
        "calibration.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/calibration.js"),
    ),
    (
        "history.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/history.js"),
    ),
    (
        "chart.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/chart.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../assets/favicon.svg"),
    ),
];

fn serve(name: &str) -> Result<Response, ApiError> {
    let (_, ctype, bytes) = FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| ApiError::NotFound(format!("no asset {name:?}")))?;
    let mut resp = (*bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Assets change with the binary; revalidating costs little on a LAN.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// `GET /`: the app's page (it shows the login form when there is no session).
pub async fn index() -> Result<Response, ApiError> {
    serve("index.html")
}

/// `GET /assets/{file}`
pub async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    serve(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_referenced_by_the_app_is_embedded() {
        let names: Vec<&str> = FILES.iter().map(|(n, _, _)| *n).collect();
        for (name, _, bytes) in FILES {
            let text = String::from_utf8_lossy(bytes);
            // `./x.js` imports and `/assets/x` links must point at embedded files.
            for part in text.split(['"', '\'']) {
                let target = part
                    .strip_prefix("./")
                    .or_else(|| part.strip_prefix("/assets/"));
                if let Some(t) = target.filter(|t| !t.is_empty() && !t.contains(' ')) {
                    assert!(names.contains(&t), "{name} refers to {t}, not embedded");
                }
            }
            assert!(
                !text.contains("http://") && !text.contains("https://") || *name == "favicon.svg",
                "{name} names an external address"
            );
        }
    }
}
