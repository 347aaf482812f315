//! The dashboard: the Svelte build (`web/dist`) embedded in the binary, or, with
//! `WEB_DIR`, read from that directory on each request (dashboard work with `vite build
//! --watch`, or a brokerage's own branding) through actix-files. Hashed assets are cached
//! for a year; every other GET outside `/api` falls back to `index.html` so the
//! single-page app's own routes survive a reload.

use crate::error::{AppError, ErrorCode};
use crate::state::AppState;
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// Text files are embedded as the gzip copies `npm run build` writes beside them
/// (`web/scripts/compress.mjs`): a quarter of the size in the binary and on the wire. The
/// originals stay in `web/dist` for `WEB_DIR`.
#[derive(RustEmbed)]
#[folder = "web/dist"]
#[exclude = "*.js"]
#[exclude = "*.css"]
#[exclude = "*.html"]
#[exclude = "*.svg"]
#[exclude = "*.json"]
#[exclude = "*.txt"]
#[exclude = "*.map"]
struct Assets;

/// A file of the embedded build, as stored.
pub(crate) struct Asset {
    body: Cow<'static, [u8]>,
    gzipped: bool,
    content_type: String,
}

/// A file of the embedded build by its path in `web/dist` (`docs/swagger-ui.css`).
pub(crate) fn embedded(path: &str) -> Option<Asset> {
    let mut content_type = mime_guess::from_path(path).first_or_octet_stream().to_string();
    if content_type.starts_with("text/") {
        content_type.push_str("; charset=utf-8");
    }
    if let Some(f) = Assets::get(&format!("{path}.gz")) {
        return Some(Asset { body: f.data, gzipped: true, content_type });
    }
    Assets::get(path).map(|f| Asset { body: f.data, gzipped: false, content_type })
}

impl Asset {
    /// The answer for `req`, with `cache` as its `Cache-Control`: the gzip copy as it is
    /// when the client takes gzip (every browser), else inflated here.
    pub(crate) fn respond(self, req: &HttpRequest, cache: &'static str) -> HttpResponse {
        let mut answer = HttpResponse::Ok();
        answer.content_type(self.content_type).insert_header((header::CACHE_CONTROL, cache));
        if !self.gzipped {
            return answer.body(self.body.into_owned());
        }
        answer.insert_header((header::VARY, "Accept-Encoding"));
        if accepts_gzip(req) {
            return answer.insert_header((header::CONTENT_ENCODING, "gzip")).body(self.body.into_owned());
        }
        match gunzip(&self.body) {
            Some(plain) => answer.body(plain),
            None => {
                log::error!("an embedded gzip file cannot be read; the build is broken");
                HttpResponse::InternalServerError().finish()
            }
        }
    }
}

/// Whether `Accept-Encoding` names gzip (or `*`) without `q=0`.
fn accepts_gzip(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or_default();
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0));
        (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
    })
}

/// The content of a gzip member (RFC 1952): its header skipped, its deflate data
/// inflated.
fn gunzip(gz: &[u8]) -> Option<Vec<u8>> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if gz.len() < 18 || gz[0..3] != [0x1f, 0x8b, 8] {
        return None;
    }
    let flags = gz[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes([*gz.get(at)?, *gz.get(at + 1)?]) as usize;
        at += 2 + len;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            at += gz.get(at..)?.iter().position(|b| *b == 0)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    miniz_oxide::inflate::decompress_to_vec(gz.get(at..gz.len().checked_sub(8)?)?).ok()
}

pub async fn serve(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let path = req.path();
    if path == "/api" || path.starts_with("/api/") {
        return Err(AppError::not_found(ErrorCode::NotFound, format!("No route {path}.")));
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(AppError::new(ErrorCode::MethodNotAllowed, "Only GET is served here."));
    }
    let wanted = path.trim_start_matches('/');
    if let Some(dir) = req.app_data::<web::Data<AppState>>().and_then(|s| s.settings.server.web_dir.clone()) {
        return from_dir(&req, &dir, wanted).await;
    }
    if let Some(file) = (!wanted.is_empty() && wanted != "index.html").then(|| embedded(wanted)).flatten() {
        let immutable = wanted.starts_with("assets/");
        let cache = if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" };
        return Ok(file.respond(&req, cache));
    }
    if looks_like_a_file(wanted) && wanted != "index.html" {
        return Err(AppError::not_found(ErrorCode::NotFound, format!("No file {path}.")));
    }
    match embedded("index.html") {
        Some(index) => Ok(index.respond(&req, "no-cache")),
        None => Err(AppError::new(
            ErrorCode::DashboardNotBuilt,
            "This binary was built without the dashboard; run `make build`.",
        )),
    }
}

/// A missing asset is a 404, not the app shell.
fn looks_like_a_file(wanted: &str) -> bool {
    wanted.starts_with("assets/") || wanted.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// `wanted` inside `dir`, or `None` when it could step outside (`..`, a root, a drive).
fn inside(dir: &Path, wanted: &str) -> Option<PathBuf> {
    let rel = Path::new(wanted);
    rel.components().all(|c| matches!(c, Component::Normal(_))).then(|| dir.join(rel))
}

async fn from_dir(req: &HttpRequest, dir: &Path, wanted: &str) -> Result<HttpResponse, AppError> {
    let not_found = || AppError::not_found(ErrorCode::NotFound, format!("No file {}.", req.path()));
    let file = match inside(dir, wanted).filter(|p| !wanted.is_empty() && p.is_file()) {
        Some(p) => p,
        None if looks_like_a_file(wanted) => return Err(not_found()),
        None => dir.join("index.html"),
    };
    let immutable = wanted.starts_with("assets/") && file.ends_with(wanted);
    let named = actix_files::NamedFile::open_async(&file).await.map_err(|_| not_found())?;
    let mut res = named.prefer_utf8(true).into_response(req);
    // Files here change under a running server (`vite build --watch`): revalidate them
    // (ETag, Last-Modified) except hashed assets, whose names change with their content.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(if immutable { "public, max-age=31536000, immutable" } else { "no-cache" }),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_never_leaves_the_web_dir() {
        let dir = Path::new("/srv/web");
        assert_eq!(inside(dir, "assets/app.js"), Some(PathBuf::from("/srv/web/assets/app.js")));
        assert_eq!(inside(dir, "../etc/passwd"), None);
        assert_eq!(inside(dir, "assets/../../etc/passwd"), None);
        assert_eq!(inside(dir, "/etc/passwd"), None);
        assert_eq!(inside(dir, "./index.html"), None);
    }
}
