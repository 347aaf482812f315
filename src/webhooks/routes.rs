//! The outbound webhooks API (SPEC §13.1): admins register and delete endpoints and send
//! a delivery again; managers list endpoints and deliveries.

use super::address::{check_url, resolve_checked};
use super::store::{self, NewEndpoint};
use super::views::{
    CreateEndpoint, Delivery, DeliveryPage, DeliveryQuery, DeliveryStatus, EndpointCreated, EndpointList,
};
use super::EventType;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::auth::{require_admin, require_dashboard};
use crate::http::body::JsonBody;
use crate::http::resource;
use crate::paging::{decode_page_key, page_limit, PageQuery};
use crate::parse::Fields;
use crate::state::AppState;
use crate::time::rfc3339;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::Value;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/webhooks/endpoints")
            .route(web::get().to(list_endpoints).wrap(from_fn(require_dashboard)))
            .route(web::post().to(create_endpoint).wrap(from_fn(require_admin))),
    )
    .service(
        resource("/webhooks/endpoints/{endpoint_id}")
            .route(web::delete().to(delete_endpoint).wrap(from_fn(require_admin))),
    )
    .service(resource("/webhooks/deliveries").route(web::get().to(list_deliveries).wrap(from_fn(require_dashboard))))
    .service(
        resource("/webhooks/deliveries/{delivery_id}/redeliver")
            .route(web::post().to(redeliver).wrap(from_fn(require_admin))),
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create_endpoint, list_endpoints, delete_endpoint, list_deliveries, redeliver))]
pub struct Api;

/// The event types a registration names: a list of strings, or one comma-separated
/// string; `*` alone means all of them.
fn event_list(v: Option<&Value>) -> AppResult<Vec<String>> {
    let bad = |m: String| AppError::invalid("events", m);
    let names: Vec<String> = match v {
        None | Some(Value::Null) => return Err(AppError::missing("events")),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(|s| s.trim().to_string())
                    .ok_or_else(|| bad("`events` must be a list of event type names.".into()))
            })
            .collect::<AppResult<_>>()?,
        Some(_) => return Err(bad("`events` must be a list of event type names.".into())),
    };
    if names.is_empty() {
        return Err(AppError::missing("events"));
    }
    if names.iter().any(|n| n == "*") {
        return if names.len() == 1 { Ok(names) } else { Err(bad("`*` means every event; list it alone.".into())) };
    }
    let mut known: Vec<String> = vec![];
    for name in names {
        let Some(t) = EventType::parse(&name) else {
            let all: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            return Err(bad(format!("`{name}` is not an event type; use {} or *.", all.join(", "))));
        };
        if !known.iter().any(|k| k == t.as_str()) {
            known.push(t.as_str().to_string());
        }
    }
    Ok(known)
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/endpoints",
    operation_id = "createWebhookEndpoint",
    tag = "admin",
    summary = "Register a webhook endpoint",
    description = "Scope: admin. Events are POSTed to `url` as `{\"id\", \"type\", \"created_at\", \"data\"}`, signed with `X-CarrierSales-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">` keyed with the `secret` in this answer (shown only here), with `X-CarrierSales-Event-Id`. The URL is checked now (scheme; its host must not resolve to a link-local or metadata address, nor to a private one unless allowed) and again at every delivery.",
    request_body(content = CreateEndpoint, content_type = "application/json"),
    responses(
        (status = 201, description = "Registered; keep the secret.", body = EndpointCreated),
        (status = 422, description = "`missing_field` or `invalid_value` on `url` (not https in production, credentials in it, no host, a host that does not resolve or resolves to an address webhooks may not reach), `events` (an unknown type) or `description`.", body = ErrorBody),
    ),
)]
pub async fn create_endpoint(state: web::Data<AppState>, body: JsonBody) -> AppResult<HttpResponse> {
    let f = Fields::new(&body.0)?;
    let raw_url = f.long_text("url", 2048)?.ok_or_else(|| AppError::missing("url"))?;
    let events = event_list(f.raw("events"))?;
    let description = f.text("description")?;
    let settings = &state.settings.webhooks;
    let (url, host, port) =
        check_url(&raw_url, state.settings.is_production()).map_err(|m| AppError::invalid("url", m))?;
    resolve_checked(&host, port, settings.allow_private)
        .await
        .map_err(|why| AppError::invalid("url", format!("`url` cannot be a webhook endpoint: {why}.")))?;
    let endpoint = NewEndpoint {
        endpoint_id: format!("whe_{}", crate::http::auth::random_hex(8)),
        url: url.to_string(),
        events,
        description,
        secret: super::sign::new_secret(),
        created_at: crate::db::to_ms(Utc::now()),
    };
    let answer = EndpointCreated {
        endpoint_id: endpoint.endpoint_id.clone(),
        url: endpoint.url.clone(),
        events: endpoint.events.clone(),
        description: endpoint.description.clone(),
        secret: endpoint.secret.clone(),
        created_at: rfc3339(endpoint.created_at),
    };
    state.db.write(move |c| store::create_endpoint(c, &endpoint)).await?;
    log::info!("webhooks: registered {} → {} for {}", answer.endpoint_id, answer.url, answer.events.join(", "));
    Ok(HttpResponse::Created().json(answer))
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/endpoints",
    operation_id = "listWebhookEndpoints",
    tag = "dashboard",
    summary = "Webhook endpoints",
    description = "Scope: dashboard (or admin). The registered endpoints (never their secrets), oldest first, with how many deliveries are pending, failed and succeeded.",
    responses((status = 200, description = "The endpoints and every event type.", body = EndpointList)),
)]
pub async fn list_endpoints(state: web::Data<AppState>) -> AppResult<web::Json<EndpointList>> {
    let endpoints = state.db.read(|c| store::list_endpoints(c).map_err(AppError::from)).await?;
    Ok(web::Json(EndpointList { endpoints, event_types: EventType::ALL.to_vec() }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/endpoints/{endpoint_id}",
    operation_id = "deleteWebhookEndpoint",
    tag = "admin",
    summary = "Delete a webhook endpoint",
    description = "Scope: admin. Nothing more is sent to it; deliveries still waiting are marked failed. Its deliveries stay listed.",
    params(("endpoint_id" = String, Path, description = "From the registration or the list.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "`webhook_endpoint_not_found` (field `endpoint_id`).", body = ErrorBody),
    ),
)]
pub async fn delete_endpoint(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let key = id.clone();
    let now_ms = crate::db::to_ms(Utc::now());
    state.db.write(move |c| store::delete_endpoint(c, &key, now_ms)).await?;
    log::info!("webhooks: deleted endpoint {id}");
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/v1/webhooks/deliveries",
    operation_id = "listWebhookDeliveries",
    tag = "dashboard",
    summary = "Webhook deliveries and their attempts",
    description = "Scope: dashboard (or admin). Newest first; each with every attempt (time, the receiver's status, latency, error).",
    params(DeliveryQuery, PageQuery),
    responses(
        (status = 200, description = "A page of deliveries.", body = DeliveryPage),
        (status = 422, description = "`invalid_value` on `status`, `limit` or `cursor`.", body = ErrorBody),
    ),
)]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    query: web::Query<DeliveryQuery>,
    page: web::Query<PageQuery>,
) -> AppResult<web::Json<DeliveryPage>> {
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("all") => None,
        Some(s) => Some(
            DeliveryStatus::parse(s)
                .ok_or_else(|| AppError::invalid("status", "`status` must be pending, succeeded, failed or all."))?,
        ),
    };
    let endpoint = query.endpoint_id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let limit = page_limit(page.limit.as_deref())?;
    let after = decode_page_key(page.cursor.as_deref())?;
    let page = state
        .db
        .read(move |c| store::list_deliveries(c, endpoint.as_deref(), status, limit, after).map_err(AppError::from))
        .await?;
    Ok(web::Json(page))
}

#[utoipa::path(
    post,
    path = "/api/v1/webhooks/deliveries/{delivery_id}/redeliver",
    operation_id = "redeliverWebhook",
    tag = "admin",
    summary = "Send a delivery again",
    description = "Scope: admin. Queues the delivery at once with a fresh 24 hours of retries, whether it failed or succeeded; the same body, event id and signature scheme. Its earlier attempts stay in its log.",
    params(("delivery_id" = String, Path, description = "From the deliveries list.")),
    responses(
        (status = 202, description = "Queued; the first attempt starts within seconds.", body = Delivery),
        (status = 404, description = "`webhook_delivery_not_found` (field `delivery_id`).", body = ErrorBody),
        (status = 409, description = "`delivery_in_flight`: an attempt is under way; `webhook_endpoint_deleted`: its endpoint is gone (field `delivery_id`).", body = ErrorBody),
    ),
)]
pub async fn redeliver(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let now_ms = crate::db::to_ms(Utc::now());
    let delivery = state.db.write(move |c| store::redeliver(c, &id, now_ms)).await?;
    log::info!("webhooks: {} queued again by hand", delivery.delivery_id);
    Ok(HttpResponse::Accepted().json(delivery))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(e: AppError) -> Option<String> {
        match e {
            AppError::Client { field, .. } => field,
            _ => None,
        }
    }

    #[test]
    fn event_lists_are_read_leniently_and_checked() {
        assert_eq!(event_list(Some(&json!(["booking.created", "call.finalized"]))).unwrap().len(), 2);
        assert_eq!(event_list(Some(&json!("booking.created, load.withdrawn"))).unwrap().len(), 2);
        assert_eq!(event_list(Some(&json!(["*"]))).unwrap(), vec!["*"]);
        assert_eq!(event_list(Some(&json!(["booking.created", "booking.created"]))).unwrap().len(), 1);
        for bad in [json!(["booking.made"]), json!(["*", "call.finalized"]), json!([1]), json!(5)] {
            assert_eq!(field(event_list(Some(&bad)).unwrap_err()).as_deref(), Some("events"), "{bad}");
        }
        assert_eq!(field(event_list(None).unwrap_err()).as_deref(), Some("events"));
        assert_eq!(field(event_list(Some(&json!([]))).unwrap_err()).as_deref(), Some("events"));
    }
}
