//! Dashboard sign-in: a dashboard- or admin-scope key is exchanged once for an HttpOnly,
//! SameSite=Strict session cookie, so the browser never keeps a key.

use super::auth::{self, Principal, SESSION_COOKIE};
use super::views::{SessionInfo, SessionScope, SignInRequest, SignedIn};
use crate::error::{AppError, ErrorCode};
use crate::http::body::JsonBody;
use crate::parse::Fields;
use crate::state::AppState;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Utc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        super::resource("/session")
            .route(web::post().to(sign_in))
            .route(web::delete().to(sign_out))
            .route(web::get().to(current).wrap(from_fn(auth::require_dashboard))),
    );
}

/// Believes `X-Forwarded-Proto` from anyone, unlike the origin check: a client that
/// lies about its scheme only changes its own cookie.
fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

fn session_cookie(req: &HttpRequest, value: String, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_https(req))
        .max_age(max_age)
        .finish()
}

#[utoipa::path(
    post,
    path = "/api/v1/session",
    operation_id = "signIn",
    tag = "public",
    summary = "Dashboard sign-in",
    description = "Public (no key header needed: the key is the body). Exchanges a dashboard- or admin-scope key for an HttpOnly, SameSite=Strict `cs_session` cookie valid `DASHBOARD_SESSION_TTL_HOURS`; the browser never keeps the key. A few sign-ins per client address per minute (behind `TRUSTED_PROXIES`, the address they forward). Refused from another origin's page.",
    request_body(content = SignInRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in; the session cookie is set.", body = SignedIn,
            headers(("Set-Cookie" = String, description = "`cs_session=...; HttpOnly; SameSite=Strict; Path=/; Max-Age=...`"))),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::error::ErrorBody),
        (status = 401, description = "`invalid_api_key` (field `api_key`): the key is not valid.", body = crate::error::ErrorBody),
        (status = 403, description = "`forbidden` (field `api_key`): an agent key cannot open the dashboard; `cross_origin_refused`: sent from another origin's page.", body = crate::error::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::error::ErrorBody),
        (status = 422, description = "`missing_field` or `invalid_value` on `api_key`.", body = crate::error::ErrorBody),
        (status = 429, description = "`rate_limited`: too many sign-ins from this address; wait `Retry-After` seconds.", body = crate::error::ErrorBody,
            headers(("Retry-After" = i64, description = "Seconds to wait."))),
        (status = 503, description = "`service_unavailable`: the database could not be reached.", body = crate::error::ErrorBody),
    ),
    security(())
)]
async fn sign_in(req: HttpRequest, state: web::Data<AppState>, body: JsonBody) -> Result<HttpResponse, AppError> {
    // Another site's page must not sign a browser in (the key is in the body, not a cookie).
    state.proxies.refuse_cross_origin(&req, &state.settings.auth.cors_origins)?;
    // Against key guessing: a few sign-ins per client address per minute. Behind a trusted
    // proxy this is the address it forwards, so one client cannot lock out the others.
    let client = state.proxies.client_ip(&req).map(|ip| ip.to_string()).unwrap_or_else(|| "unknown".into());
    if let Err(wait) = auth::check_rate(&state.sign_in_limiter, &format!("sign-in {client}")) {
        return Err(auth::too_many_requests(wait));
    }
    let fields = Fields::new(&body.0)?;
    let key = fields.long_text("api_key", 512)?.ok_or_else(|| AppError::missing("api_key"))?;
    let ttl_hours = state.settings.auth.session_ttl_hours as i64;
    // The session remembers its key, so revoking or removing the key ends it.
    let key_hash = auth::hex(&auth::digest(&key));
    let st = state.clone();
    let db = state.db.clone();
    let (scope, token, expires) = db
        .write(move |conn| -> Result<_, AppError> {
            let principal = auth::authenticate_key(&st, conn, &key)?.ok_or_else(|| {
                AppError::new(ErrorCode::InvalidApiKey, "That key is not valid.").with_field("api_key")
            })?;
            let Some(scope) = SessionScope::of(principal.grant) else {
                return Err(AppError::forbidden("That key cannot open the dashboard; use a dashboard or admin key.")
                    .with_field("api_key"));
            };
            let token = auth::random_hex(32);
            let now = Utc::now();
            let expires = now + chrono::Duration::hours(ttl_hours);
            let session = auth::store::NewSession {
                token_hash: auth::hex(&auth::digest(&token)),
                scope: scope.into(),
                key_label: &principal.label,
                key_hash: &key_hash,
                created_at: crate::db::to_ms(now),
                expires_at: crate::db::to_ms(expires),
            };
            auth::store::open_session(conn, &session)?;
            Ok((scope, token, expires))
        })
        .await?;
    Ok(HttpResponse::Ok().cookie(session_cookie(&req, token, CookieDuration::hours(ttl_hours))).json(SignedIn {
        expires_at: expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        scope,
        signed_in: true,
    }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/session",
    operation_id = "signOut",
    tag = "public",
    summary = "Dashboard sign-out",
    description = "Public. Ends the session named by the `cs_session` cookie, if any, and clears the cookie.",
    responses(
        (status = 204, description = "Signed out; the cookie is cleared.",
            headers(("Set-Cookie" = String, description = "`cs_session=; Max-Age=0; ...`"))),
        (status = 403, description = "`cross_origin_refused`: sent from another origin's page.", body = crate::error::ErrorBody),
        (status = 503, description = "`service_unavailable`: the database could not be reached.", body = crate::error::ErrorBody),
    ),
    security(())
)]
async fn sign_out(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if let Some(c) = req.cookie(SESSION_COOKIE) {
        state.proxies.refuse_cross_origin(&req, &state.settings.auth.cors_origins)?;
        let hash = auth::hex(&auth::digest(c.value()));
        state.db.write(move |conn| -> Result<(), AppError> { Ok(auth::store::close_session(conn, &hash)?) }).await?;
    }
    Ok(HttpResponse::NoContent().cookie(session_cookie(&req, String::new(), CookieDuration::ZERO)).finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/session",
    operation_id = "getSession",
    tag = "dashboard",
    summary = "Who is signed in",
    description = "Scope: dashboard (or admin). The session cookie or a key.",
    responses((status = 200, description = "Signed in with this scope.", body = SessionInfo)),
)]
async fn current(req: HttpRequest) -> Result<HttpResponse, AppError> {
    // `require_dashboard` let the request in, so its principal can open the dashboard.
    let scope = req
        .extensions()
        .get::<Principal>()
        .and_then(|p| SessionScope::of(p.grant))
        .ok_or_else(|| AppError::forbidden("This route needs the `dashboard` or `admin` scope."))?;
    Ok(HttpResponse::Ok().json(SessionInfo { scope, signed_in: true }))
}
