//! The console's static files, compiled into the binary (no CDN, no build step: plain HTML, CSS
//! and ES modules). `/console/` is the page; with no management API (the auth provider is not
//! `builtin`) it is a page saying how to get one.

use super::respond::bytes;
use crate::response::Body as RespBody;
use bytes::Bytes;
use http::header::{HeaderValue, CACHE_CONTROL};
use http::{Response, StatusCode};

/// One static file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static str,
}

macro_rules! assets {
    ($($path:literal $file:literal $type:literal;)*) => {
        const ASSETS: &[Asset] = &[$(Asset {
            path: $path,
            content_type: $type,
            body: include_str!(concat!("assets/", $file)),
        },)*];
    };
}

assets! {
    "/" "index.html" "text/html; charset=utf-8";
    "/app.css" "app.css" "text/css; charset=utf-8";
    "/app.js" "app.js" "text/javascript; charset=utf-8";
    "/api.js" "api.js" "text/javascript; charset=utf-8";
    "/dom.js" "dom.js" "text/javascript; charset=utf-8";
    "/iam.js" "iam.js" "text/javascript; charset=utf-8";
    "/explorer.js" "explorer.js" "text/javascript; charset=utf-8";
    "/items.js" "items.js" "text/javascript; charset=utf-8";
    "/metrics.js" "metrics.js" "text/javascript; charset=utf-8";
}

/// The page answered when the console cannot work (no builtin authentication).
const DISABLED: &str = include_str!("assets/disabled.html");

/// Answers `GET /console<rest>`.
pub(super) fn answer(rest: &str, enabled: bool) -> Response<RespBody> {
    let rest = if rest == "/index.html" { "/" } else { rest };
    if !enabled && rest == "/" {
        return bytes(
            StatusCode::OK,
            "text/html; charset=utf-8",
            Bytes::from_static(DISABLED.as_bytes()),
        );
    }
    match ASSETS.iter().find(|a| a.path == rest) {
        Some(a) => {
            let mut resp = bytes(
                StatusCode::OK,
                a.content_type,
                Bytes::from_static(a.body.as_bytes()),
            );
            resp.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            resp
        }
        None => super::respond::error(StatusCode::NOT_FOUND, "NotFound", "No such console page"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_served_and_unknown_paths_are_404() {
        assert_eq!(answer("/", true).status(), 200);
        assert_eq!(
            answer("/app.js", true).headers()["content-type"],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(answer("/nope.js", true).status(), 404);
        assert_eq!(answer("/../Cargo.toml", true).status(), 404);
    }

    #[test]
    fn without_builtin_auth_the_page_says_how_to_get_it() {
        let resp = answer("/", false);
        assert_eq!(resp.status(), 200);
        assert!(DISABLED.contains("--auth builtin"));
    }

    #[test]
    fn no_page_uses_inline_script_or_inner_html() {
        for a in ASSETS {
            assert!(!a.body.contains("innerHTML"), "{}", a.path);
            assert!(!a.body.contains("<script>"), "{}: inline script", a.path);
            assert!(!a.body.contains("onclick="), "{}: inline handler", a.path);
        }
    }
}
