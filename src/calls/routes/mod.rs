//! The calls room's routes: `configure` and the room's part of the API document. The
//! handlers (one file per feature) parse the request, call the core and the store, and
//! answer with a view.

pub mod calls;
pub mod finalize;
pub mod rejected;
pub mod test_call;
pub mod webhook;

use crate::http::auth::{require_admin, require_agent, require_dashboard};
use crate::http::resource;
use actix_web::middleware::from_fn;
use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/calls/finalize")
            // A 200 000-character transcript (up to 4 bytes a character) plus extracted data.
            .app_data(crate::http::body::BodyLimit::Finalize)
            .route(web::post().to(finalize::finalize).wrap(from_fn(require_agent))),
    )
    .service(
        resource("/webhooks/happyrobot").route(web::post().to(webhook::session_event).wrap(from_fn(require_agent))),
    )
    .service(resource("/webhooks/rejected").route(web::get().to(rejected::list).wrap(from_fn(require_dashboard))))
    .service(
        resource("/webhooks/rejected/{rejected_id}/replay")
            .app_data(crate::http::body::BodyLimit::Finalize)
            .route(web::post().to(rejected::replay).wrap(from_fn(require_admin))),
    )
    .service(resource("/calls").route(web::get().to(calls::list).wrap(from_fn(require_dashboard))))
    .service(
        resource("/calls/test")
            .route(web::get().to(test_call::status).wrap(from_fn(require_dashboard)))
            .route(web::post().to(test_call::start).wrap(from_fn(require_dashboard))),
    )
    // Registered before `{call_id}` so it is not read as a call id.
    .service(resource("/calls/export.csv").route(web::get().to(calls::export_csv).wrap(from_fn(require_dashboard))))
    .service(resource("/calls/{call_id}").route(web::get().to(calls::detail).wrap(from_fn(require_dashboard))));
}

/// The calls room's operations, merged into the API document (`crate::http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        finalize::finalize,
        webhook::session_event,
        rejected::list,
        rejected::replay,
        calls::list,
        calls::export_csv,
        calls::detail,
        test_call::status,
        test_call::start,
    ),
    // Named only inside `PlatformEvent`'s hand-written `data` schema.
    components(schemas(crate::calls::views::PlatformEventData))
)]
pub struct Api;
