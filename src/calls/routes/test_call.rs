//! The dashboard's "Start a test call": asks the voice platform to run a test workflow
//! through its trigger (`HAPPYROBOT_TRIGGER_URL`, `HAPPYROBOT_API_KEY`), which calls the
//! manager's phone with the agent, so the agent can be heard without a carrier line.
//!
//! Two trigger kinds, told apart by the URL (see `docs/happyrobot/README.md` for sources):
//! - the platform's REST runs endpoint, `…/api/v2/workflows/{id}/runs` (public API v2):
//!   `Authorization: Bearer <platform key>`, body `{"payload": {...}, "environment"}`,
//!   answer `{"run_id", "queued_run_ids", ...}`;
//! - a workflow's incoming-hook URL (`…/hooks/<slug>`): the hook node's own key in
//!   `x-api-key`, the payload as the body, answer `{"queued_run_ids": [...]}`.
//!
//! A triggered run places a phone call (an outbound voice agent dials the number the
//! payload carries), so the number is normalised to E.164 ([`crate::types::e164`]) and
//! fictional 555-01xx numbers, which the platform refuses, are refused here first.

use crate::calls::views::{TestCallStarted, TestCallStatus};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::body::RawBody;
use crate::parse::Fields;
use crate::state::AppState;
use crate::types::e164_checked;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use std::time::Duration;

/// `GET /calls/test`: whether the button should show.
#[utoipa::path(
    get,
    path = "/api/v1/calls/test",
    operation_id = "getTestCallStatus",
    tag = "dashboard",
    summary = "Can the dashboard start test calls?",
    description = "Scope: dashboard (or admin).",
    responses((status = 200, description = "Whether test calls are configured.", body = crate::calls::views::TestCallStatus)),
)]
pub async fn status(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(TestCallStatus { enabled: state.settings.happyrobot.trigger_url.is_some() })
}

/// `POST /calls/test`: `{"phone_number"?, "note"?}` → the platform's answer.
#[utoipa::path(
    post,
    path = "/api/v1/calls/test",
    operation_id = "startTestCall",
    tag = "dashboard",
    summary = "Start a test call",
    description = "Scope: dashboard (or admin). Asks the voice platform to run the test workflow at `HAPPYROBOT_TRIGGER_URL`: the REST runs endpoint (`/api/v2/workflows/{id}/runs`, Bearer key, `{payload, environment}`) or an incoming-hook URL (`x-api-key`, the payload as body). The run calls `phone_number` (normalised to E.164). The body is optional.",
    request_body(content = Option<crate::calls::views::TestCallRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "The platform started the call.", body = crate::calls::views::TestCallStarted),
        (status = 404, description = "`test_calls_not_configured`: the trigger URL or key is not set.", body = crate::error::ErrorBody),
        (status = 422, description = "`invalid_value` on `phone_number` (not a dialable number: no country code, a fictional 555-01xx number...) or `note`.", body = crate::error::ErrorBody),
        (status = 502, description = "`platform_refused`: the platform answered with an error (the body adds `platform` with its answer); `platform_redirected`: the trigger URL answered with a redirect, which is never followed.", body = crate::error::ErrorBody),
        (status = 503, description = "`platform_unavailable`: the platform could not be reached or did not answer in time.", body = crate::error::ErrorBody),
    ),
)]
pub async fn start(state: web::Data<AppState>, body: RawBody) -> AppResult<HttpResponse> {
    let hr = &state.settings.happyrobot;
    let (Some(url), Some(key)) = (hr.trigger_url.clone(), hr.api_key.clone()) else {
        return Err(AppError::not_found(
            ErrorCode::TestCallsNotConfigured,
            "Test calls are not configured: set HAPPYROBOT_TRIGGER_URL and HAPPYROBOT_API_KEY.",
        ));
    };
    // The body is optional; when there is one it must be a JSON object.
    let body_value: Value = if body.0.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body.0).map_err(|e| {
            AppError::bad_request(ErrorCode::InvalidJson, format!("The request body is not valid JSON ({e})."))
        })?
    };
    let f = Fields::new(&body_value)?;
    let phone = f
        .text("phone_number")?
        .map(|p| e164_checked(&p).map_err(|why| AppError::invalid("phone_number", format!("`phone_number` {why}."))))
        .transpose()?;
    let payload = json!({
        "source": "carrier-sales dashboard",
        "test": true,
        "phone_number": phone,
        "note": f.text("note")?,
    });
    let runs = is_runs_endpoint(&url);
    let body = if runs { json!({"payload": payload, "environment": hr.environment}) } else { payload };
    let client = crate::http::tls::client_builder()
        .timeout(Duration::from_millis(hr.timeout_ms))
        .connect_timeout(Duration::from_millis(hr.timeout_ms.min(3000)))
        // A redirect would resend the platform key to whatever host it names.
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .build()
        .map_err(|e| AppError::Internal(e.into()))?;
    let request = client.post(&url).json(&body);
    let request = if runs { request.bearer_auth(key.expose()) } else { request.header("x-api-key", key.expose()) };
    let res = request.send().await.map_err(|e| {
        // The URL may carry secrets in its query: name only the failure.
        let what = if e.is_timeout() { "did not answer in time" } else { "could not be reached" };
        log::warn!("test call trigger {what}");
        AppError::new(ErrorCode::PlatformUnavailable, format!("The voice platform {what}."))
    })?;
    let status = res.status();
    if status.is_redirection() {
        log::warn!("test call trigger answered HTTP {status} (a redirect, not followed)");
        return Err(AppError::new(ErrorCode::PlatformRedirected,
            format!(
                "The voice platform answered with a redirect (HTTP {}), which is not followed so the key never reaches another host; set HAPPYROBOT_TRIGGER_URL to the final trigger URL.",
                status.as_u16()
            ),
        ));
    }
    let text = res.text().await.unwrap_or_default();
    let platform: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| json!({"body": text.chars().take(500).collect::<String>()}));
    if !status.is_success() {
        log::warn!("test call trigger refused with HTTP {status}");
        return Err(AppError::new(
            ErrorCode::PlatformRefused,
            format!("The voice platform refused the test call (HTTP {}).", status.as_u16()),
        )
        .with_extra("platform", platform));
    }
    let run_id = platform
        .get("run_id")
        .and_then(Value::as_str)
        .or_else(|| platform.get("queued_run_ids").and_then(|r| r.get(0)).and_then(Value::as_str))
        .map(str::to_string);
    Ok(HttpResponse::Ok().json(TestCallStarted { started: true, run_id, platform }))
}

/// True for the platform's REST runs endpoint (`/api/v2/workflows/{id}/runs`); anything
/// else is an incoming-hook URL.
fn is_runs_endpoint(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = path.trim_end_matches('/');
    path.ends_with("/runs") && path.contains("/api/v2/workflows/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runs_endpoint_is_told_from_a_hook() {
        assert!(is_runs_endpoint("https://platform.happyrobot.ai/api/v2/workflows/abc/runs"));
        assert!(is_runs_endpoint("https://platform.happyrobot.ai/api/v2/workflows/abc/runs/?x=1"));
        assert!(!is_runs_endpoint("https://workflows.platform.happyrobot.ai/hooks/abc123"));
        assert!(!is_runs_endpoint("https://example.com/runs"));
    }
}
