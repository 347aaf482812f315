//! The dashboard's "Start a test call": asks the voice platform to start a web call
//! through the workflow's trigger URL (`HAPPYROBOT_TRIGGER_URL`, `HAPPYROBOT_API_KEY`),
//! so a manager can hear the agent without a phone number.

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::body::RawBody;
use crate::parse::Fields;
use actix_web::http::StatusCode;
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
    responses((status = 200, description = "Whether test calls are configured.", body = crate::http::openapi::TestCallStatus)),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn status(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"enabled": state.settings.happyrobot.trigger_url.is_some()}))
}

/// `POST /calls/test`: `{"phone_number"?, "note"?}` → the platform's answer.
#[utoipa::path(
    post,
    path = "/api/v1/calls/test",
    operation_id = "startTestCall",
    tag = "dashboard",
    summary = "Start a test web call",
    description = "Scope: dashboard (or admin). Asks the voice platform's trigger URL (`HAPPYROBOT_TRIGGER_URL`, `HAPPYROBOT_API_KEY`) to start a web call. The body is optional.",
    request_body(content = Option<crate::http::openapi::TestCallRequest>, content_type = "application/json"),
    responses(
        (status = 200, description = "The platform started the call.", body = crate::http::openapi::TestCallStarted),
        (status = 400, description = "`invalid_json` or `invalid_body`: the body is not a JSON object.", body = crate::http::openapi::ErrorBody),
        (status = 404, description = "`test_calls_not_configured`: the trigger URL or key is not set.", body = crate::http::openapi::ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over `BODY_LIMIT_KB`.", body = crate::http::openapi::ErrorBody),
        (status = 422, description = "`invalid_value` on `phone_number` or `note`.", body = crate::http::openapi::ErrorBody),
        (status = 502, description = "`platform_refused`: the platform answered with an error (the body adds `platform` with its answer); `platform_redirected`: the trigger URL answered with a redirect, which is never followed.", body = crate::http::openapi::ErrorBody),
        (status = 503, description = "`platform_unavailable`: the platform could not be reached or did not answer in time.", body = crate::http::openapi::ErrorBody),
    ),
    security(("x_api_key" = []), ("api_key" = []), ("bearer" = []), ("session_cookie" = []))
)]
pub async fn start(state: web::Data<AppState>, body: RawBody) -> AppResult<HttpResponse> {
    let hr = &state.settings.happyrobot;
    let (Some(url), Some(key)) = (hr.trigger_url.clone(), hr.api_key.clone()) else {
        return Err(AppError::not_found(
            "test_calls_not_configured",
            "Test calls are not configured: set HAPPYROBOT_TRIGGER_URL and HAPPYROBOT_API_KEY.",
        ));
    };
    // The body is optional; when there is one it must be a JSON object.
    let body_value: Value = if body.0.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body.0)
            .map_err(|e| AppError::bad_request("invalid_json", format!("The request body is not valid JSON ({e}).")))?
    };
    let f = Fields::new(&body_value)?;
    let phone = f.text("phone_number")?;
    if phone.as_ref().is_some_and(|p| !p.chars().all(|c| c.is_ascii_digit() || "+-() .".contains(c))) {
        return Err(AppError::invalid(
            "phone_number",
            "`phone_number` must be a phone number such as +1 555 010 0100.",
        ));
    }
    let payload = json!({
        "source": "carrier-sales dashboard",
        "test": true,
        "phone_number": phone,
        "note": f.text("note")?,
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(hr.timeout_ms))
        .connect_timeout(Duration::from_millis(hr.timeout_ms.min(3000)))
        // A redirect would resend the platform key to whatever host it names.
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .build()
        .map_err(|e| AppError::Internal(e.into()))?;
    let res = client
        .post(&url)
        .bearer_auth(key.expose())
        .header("api-key", key.expose())
        .json(&payload)
        .send()
        .await
        .map_err(|e| {
        // The URL may carry secrets in its query: name only the failure.
        let what = if e.is_timeout() { "did not answer in time" } else { "could not be reached" };
        log::warn!("test call trigger {what}");
        AppError::new(StatusCode::SERVICE_UNAVAILABLE, "platform_unavailable", format!("The voice platform {what}."))
    })?;
    let status = res.status();
    if status.is_redirection() {
        log::warn!("test call trigger answered HTTP {status} (a redirect, not followed)");
        return Err(AppError::new(
            StatusCode::BAD_GATEWAY,
            "platform_redirected",
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
            StatusCode::BAD_GATEWAY,
            "platform_refused",
            format!("The voice platform refused the test call (HTTP {}).", status.as_u16()),
        )
        .with_extra("platform", platform));
    }
    Ok(HttpResponse::Ok().json(json!({"started": true, "platform": platform})))
}
