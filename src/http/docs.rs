//! `/docs`: the API's human-readable description, a Swagger UI page whose scripts and
//! styles are embedded in the binary, so it works offline and loads nothing from elsewhere.
//! The files are the few the page needs, copied from the `swagger-ui-dist` npm package
//! (Apache-2.0) into `web/dist/docs` by the dashboard's build (`web/scripts/copy-docs.mjs`);
//! the initializer is ours (`web/public/docs/swagger-initializer.js`).

use crate::error::{AppError, ErrorCode};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

/// Swagger UI needs inline styles (set by its React components); its scripts are all
/// files served from `/docs/`, so scripts stay `'self'` only.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'self'";

const DOCS_HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>carrier-sales API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/index.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js" charset="utf-8"></script>
<script src="/docs/swagger-initializer.js" charset="utf-8"></script>
</body>
</html>
"#;

#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "getDocs",
    tag = "public",
    summary = "Human-readable API docs (Swagger UI, served offline)",
    description = "Public. The page and its scripts and styles are served from `/docs/`; nothing is loaded from other hosts.",
    responses((status = 200, description = "The docs page.", body = String, content_type = "text/html")),
    security(())
)]
pub async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(DOCS_HTML)
}

/// The docs page's scripts, styles and icons (not in the document: static files).
pub async fn docs_file(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    if name == "index.html" {
        return Ok(docs_page().await);
    }
    let file = super::ui::embedded(&format!("docs/{name}"))
        .ok_or_else(|| AppError::not_found(ErrorCode::NotFound, format!("No file /docs/{name}.")))?;
    let mut answer = file.respond(&req, "public, max-age=3600");
    answer.headers_mut().insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(DOCS_CSP));
    Ok(answer)
}
