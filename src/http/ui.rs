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
use std::path::{Component, Path, PathBuf};

#[derive(RustEmbed)]
#[folder = "web/dist"]
struct Assets;

/// A file of the embedded build (`docs/swagger-ui.css`), for the pages served beside the
/// dashboard.
pub(crate) fn embedded(path: &str) -> Option<rust_embed::EmbeddedFile> {
    Assets::get(path)
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
    if let Some(file) = (!wanted.is_empty()).then(|| Assets::get(wanted)).flatten() {
        let immutable = wanted.starts_with("assets/");
        return Ok(HttpResponse::Ok()
            .content_type(file.metadata.mimetype())
            .insert_header((
                header::CACHE_CONTROL,
                if immutable { "public, max-age=31536000, immutable" } else { "public, max-age=3600" },
            ))
            .body(file.data.into_owned()));
    }
    if looks_like_a_file(wanted) {
        return Err(AppError::not_found(ErrorCode::NotFound, format!("No file {path}.")));
    }
    match Assets::get("index.html") {
        Some(index) => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(index.data.into_owned())),
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
