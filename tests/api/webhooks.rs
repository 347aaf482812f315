//! Outbound webhooks (SPEC §13.1): registered by admins, checked against SSRF, delivered
//! from the database, signed, retried, logged, redelivered, and never sent twice at once
//! by two instances.

use crate::helpers::*;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use carrier_sales::app::Application;
use carrier_sales::config::Settings;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
    fn event_id(&self) -> String {
        self.headers.get("x-carriersales-event-id").cloned().unwrap_or_default()
    }
}

#[derive(Default)]
struct ReceiverState {
    got: Mutex<Vec<Received>>,
    /// What to answer next (status, delay); 200 at once when empty.
    script: Mutex<VecDeque<(u16, u64)>>,
}

/// A TMS stand-in: records every request and answers as scripted.
struct Receiver {
    state: Arc<ReceiverState>,
    url: String,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(receive)))
            .workers(2)
            .shutdown_timeout(0)
            .bind(("127.0.0.1", 0))
            .expect("receiver binds");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver { state, url: format!("http://127.0.0.1:{port}/hooks"), handle }
    }

    fn then(&self, status: u16, delay_ms: u64) {
        self.state.script.lock().unwrap().push_back((status, delay_ms));
    }

    fn got(&self) -> Vec<Received> {
        self.state.got.lock().unwrap().clone()
    }

    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let arrived = eventually(within, || async { self.got().len() >= n }).await;
        let got = self.got();
        assert!(arrived, "expected {n} requests, got {}: {got:?}", got.len());
        got
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<Arc<ReceiverState>>) -> HttpResponse {
    let headers =
        req.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    state.got.lock().unwrap().push(Received { headers, body: String::from_utf8_lossy(&body).into_owned() });
    let next = state.script.lock().unwrap().pop_front();
    let (status, delay) = next.unwrap_or((200, 0));
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body("ok")
}

/// Webhooks to loopback allowed (the receiver runs here), fast retries.
fn local(s: &mut Settings) {
    s.webhooks.allow_private = true;
    s.webhooks.retry_base_secs = 1;
    s.webhooks.poll_ms = 100;
}

async fn register(app: &TestApp, url: &str, events: Value) -> Value {
    let (status, body) = json(
        app.admin("/api/v1/webhooks/endpoints", &json!({"url": url, "events": events, "description": "TMS"})).await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

async fn deliveries(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/webhooks/deliveries{query}")).await).await;
    assert_eq!(status, 200, "{body}");
    body["deliveries"].as_array().expect("a list").clone()
}

async fn book(app: &TestApp, call_id: &str, load_id: &str) {
    app.add_load(load(load_id, "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let handoff = json!({"call_id": call_id, "load_id": load_id, "mc_number": 700010, "agreed_rate": 2000});
    let (status, body) = json(app.agent("/api/v1/calls/handoff", &handoff).await).await;
    assert_eq!(status, 200, "{body}");
}

/// The receiver's check, as its own code would make it.
fn signature_holds(secret: &str, r: &Received) -> bool {
    let header = r.headers.get("x-carriersales-signature").expect("signed");
    let t: i64 = header.split(',').find_map(|p| p.strip_prefix("t=")).and_then(|t| t.parse().ok()).expect("t=");
    let fresh = (chrono::Utc::now().timestamp() - t).abs() < 60;
    fresh && *header == carrier_sales::webhooks::sign::signature(secret, t, r.body.as_bytes())
}

#[actix_web::test]
async fn a_booking_reaches_each_endpoint_that_takes_it_signed() {
    let (tms, chat) = (Receiver::start().await, Receiver::start().await);
    let app = spawn_with(local).await;
    let bookings_only = register(&app, &tms.url, json!(["booking.created"])).await;
    let everything = register(&app, &chat.url, json!("*")).await;
    assert!(bookings_only["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(bookings_only["secret"], everything["secret"]);

    book(&app, "wh-1", "WH-1").await;
    let (status, _) =
        json(app.agent("/api/v1/calls/finalize", &json!({"call_id": "wh-1", "outcome": "booked"})).await).await;
    assert_eq!(status, 200);

    let to_chat = chat.wait_for(2, Duration::from_secs(10)).await;
    let to_tms = tms.wait_for(1, Duration::from_secs(10)).await;
    let secret = bookings_only["secret"].as_str().unwrap();
    let booked = &to_tms[0];
    assert!(signature_holds(secret, booked), "{booked:?}");
    assert!(!signature_holds(everything["secret"].as_str().unwrap(), booked), "each endpoint has its own key");
    let body = booked.json();
    assert_eq!(body["type"], "booking.created");
    assert_eq!(booked.event_id(), body["id"].as_str().unwrap());
    assert!(body["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(body["data"]["load_id"], "WH-1");
    assert_eq!(body["data"]["call_id"], "wh-1");
    assert_eq!(body["data"]["agreed_rate"], 2000);
    assert_eq!(body["data"]["status"], "active");
    // Both endpoints got the same event, under the same id; only one took the call.
    let types: Vec<Value> = to_chat.iter().map(|r| r.json()["type"].clone()).collect();
    assert_eq!(types, [json!("booking.created"), json!("call.finalized")]);
    assert_eq!(to_chat[0].event_id(), booked.event_id());
    assert_eq!(to_chat[1].json()["data"]["call_id"], "wh-1");
    assert_eq!(to_chat[1].json()["data"]["outcome"], "booked");
    assert_eq!(to_chat[1].headers["x-carriersales-event-type"], "call.finalized");

    let tms_id = bookings_only["endpoint_id"].as_str().unwrap();
    let listed = deliveries(&app, &format!("?endpoint_id={tms_id}")).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["status"], "succeeded");
    assert_eq!(listed[0]["attempts"][0]["status_code"], 200);
    assert!(listed[0]["delivered_at"].is_string());
    let (_, endpoints) = json(app.get_as(DASHBOARD_KEY, "/api/v1/webhooks/endpoints").await).await;
    let first = &endpoints["endpoints"][0];
    assert_eq!(first["endpoint_id"], tms_id);
    assert_eq!((first["succeeded"].as_i64(), first["pending"].as_i64()), (Some(1), Some(0)));
    assert!(first.get("secret").is_none(), "the secret is shown once: {first}");
    assert_eq!(endpoints["event_types"].as_array().unwrap().len(), 6);
}

#[actix_web::test]
async fn a_failing_receiver_is_retried_with_backoff_until_it_answers() {
    let tms = Receiver::start().await;
    tms.then(500, 0);
    tms.then(503, 0);
    let app = spawn_with(local).await;
    register(&app, &tms.url, json!(["booking.created"])).await;
    book(&app, "wh-2", "WH-2").await;

    let got = tms.wait_for(3, Duration::from_secs(15)).await;
    assert!(got.iter().all(|r| r.event_id() == got[0].event_id()), "one event, retried");
    let delivered = eventually(Duration::from_secs(5), || async {
        deliveries(&app, "").await.first().is_some_and(|d| d["status"] == "succeeded")
    })
    .await;
    assert!(delivered);
    let d = &deliveries(&app, "?status=succeeded").await[0];
    let attempts = d["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{d}");
    assert_eq!(attempts[0]["status_code"], 500);
    assert!(attempts[0]["error"].as_str().unwrap().contains("HTTP 500"), "{d}");
    assert_eq!(attempts[1]["status_code"], 503);
    assert_eq!(attempts[2]["status_code"], 200);
    assert!(attempts[2]["error"].is_null());
    // One second, then two, between attempts.
    let at = |i: usize| chrono::DateTime::parse_from_rfc3339(attempts[i]["at"].as_str().unwrap()).unwrap();
    assert!((at(1) - at(0)).num_seconds() >= 1 && (at(2) - at(1)).num_seconds() >= 2, "{d}");
    assert!(deliveries(&app, "?status=failed").await.is_empty());
}

#[actix_web::test]
async fn a_receiver_that_hangs_past_the_timeout_is_retried() {
    let tms = Receiver::start().await;
    tms.then(200, 3000);
    let app = spawn_with(|s| {
        local(s);
        s.webhooks.timeout_ms = 300;
    })
    .await;
    register(&app, &tms.url, json!(["booking.created"])).await;
    book(&app, "wh-3", "WH-3").await;

    tms.wait_for(2, Duration::from_secs(15)).await;
    let ok = eventually(Duration::from_secs(5), || async {
        deliveries(&app, "").await.first().is_some_and(|d| d["status"] == "succeeded")
    })
    .await;
    assert!(ok);
    let d = &deliveries(&app, "").await[0];
    let first = &d["attempts"][0];
    assert!(first["status_code"].is_null(), "{d}");
    assert!(first["error"].as_str().unwrap().contains("no answer within 300 ms"), "{d}");
    assert!(first["latency_ms"].as_i64().unwrap() < 2000, "the timeout cut it short: {d}");
}

#[actix_web::test]
async fn endpoint_urls_that_could_reach_inside_are_refused() {
    let app = spawn_app().await;
    let refused = |url: &'static str| {
        let app = &app;
        async move {
            let (status, body) =
                json(app.admin("/api/v1/webhooks/endpoints", &json!({"url": url, "events": ["*"]})).await).await;
            assert_eq!(status, 422, "{url}: {body}");
            assert_eq!(body["error"]["field"], "url", "{body}");
            body["error"]["message"].as_str().unwrap().to_string()
        }
    };
    assert!(refused("http://169.254.169.254/latest/meta-data/").await.contains("never"));
    assert!(refused("http://[fd00:ec2::254]/").await.contains("metadata"));
    assert!(refused("http://127.0.0.1:9/hooks").await.contains("ALLOW_PRIVATE"));
    assert!(refused("http://localhost:9/hooks").await.contains("localhost resolves to"));
    assert!(refused("http://10.1.2.3/hooks").await.contains("private"));
    assert!(refused("ftp://tms.example.com/").await.contains("ftp"));
    assert!(refused("https://user:pw@tms.example.com/").await.contains("credentials"));
    let (status, body) = json(app.admin("/api/v1/webhooks/endpoints", &json!({"events": ["*"]})).await).await;
    assert_eq!((status, error_code(&body)), (422, "missing_field".into()));
    assert_eq!(body["error"]["field"], "url");
    let (status, body) = json(
        app.admin("/api/v1/webhooks/endpoints", &json!({"url": "http://10.1.2.3/", "events": ["booking.made"]})).await,
    )
    .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("events")), "{body}");
    // Nothing was stored.
    let (_, listed) = json(app.get_as(DASHBOARD_KEY, "/api/v1/webhooks/endpoints").await).await;
    assert_eq!(listed["endpoints"], json!([]));

    // Allowing private addresses never opens the metadata service.
    let inside = spawn_with(local).await;
    let (status, _) = json(
        inside.admin("/api/v1/webhooks/endpoints", &json!({"url": "http://169.254.169.254/", "events": ["*"]})).await,
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) =
        json(inside.admin("/api/v1/webhooks/endpoints", &json!({"url": "http://127.0.0.1:9/", "events": ["*"]})).await)
            .await;
    assert_eq!(status, 201);
}

#[actix_web::test]
async fn the_address_is_checked_again_at_delivery() {
    let app = spawn_with(local).await;
    // Stored as an older version (or a database edit) might have left it: never sent.
    app.exec_sql(
        "INSERT INTO webhook_endpoints (endpoint_id, url, events, secret, created_at) \
         VALUES ('whe_meta', 'http://169.254.169.254/latest/meta-data/', ' * ', 'whsec_x', 0)",
    );
    book(&app, "wh-4", "WH-4").await;
    let tried = eventually(Duration::from_secs(10), || async {
        deliveries(&app, "").await.first().is_some_and(|d| !d["attempts"].as_array().unwrap().is_empty())
    })
    .await;
    assert!(tried);
    let d = &deliveries(&app, "").await[0];
    let error = d["attempts"][0]["error"].as_str().unwrap();
    assert!(error.contains("refused") && error.contains("169.254.169.254"), "{d}");
    assert_eq!(d["status"], "pending", "retried later, in case the address changes: {d}");
}

#[actix_web::test]
async fn scopes_guard_the_webhook_routes() {
    let app = spawn_with(local).await;
    let body = json!({"url": "http://127.0.0.1:9/", "events": ["*"]});
    let (status, _) = json(app.post_as(DASHBOARD_KEY, "/api/v1/webhooks/endpoints", &body).await).await;
    assert_eq!(status, 403, "registering is for admins");
    let (status, _) = json(app.get_as(AGENT_KEY, "/api/v1/webhooks/deliveries").await).await;
    assert_eq!(status, 403, "the agent reads no deliveries");
    let (status, body) =
        json(app.post_as(DASHBOARD_KEY, "/api/v1/webhooks/deliveries/whd_x/redeliver", &json!({})).await).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = json(app.admin("/api/v1/webhooks/deliveries/whd_nope/redeliver", &json!({})).await).await;
    assert_eq!((status, error_code(&body)), (404, "webhook_delivery_not_found".into()));
    let (status, body) = json(app.get_as(DASHBOARD_KEY, "/api/v1/webhooks/deliveries?status=lost").await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("status")));
}

#[actix_web::test]
async fn redelivery_sends_the_same_event_again() {
    let tms = Receiver::start().await;
    let app = spawn_with(local).await;
    register(&app, &tms.url, json!(["booking.created"])).await;
    book(&app, "wh-5", "WH-5").await;
    let first = tms.wait_for(1, Duration::from_secs(10)).await;
    let done = eventually(Duration::from_secs(5), || async {
        deliveries(&app, "").await.first().is_some_and(|d| d["status"] == "succeeded")
    })
    .await;
    assert!(done);
    let id = deliveries(&app, "").await[0]["delivery_id"].as_str().unwrap().to_string();

    let (status, body) =
        json(app.admin(&format!("/api/v1/webhooks/deliveries/{id}/redeliver"), &json!({})).await).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["status"], "pending");
    let again = tms.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(again[1].event_id(), first[0].event_id());
    assert_eq!(again[1].body, first[0].body, "the same body");
    let logged = eventually(Duration::from_secs(5), || async {
        deliveries(&app, "").await[0]["attempts"].as_array().unwrap().len() == 2
    })
    .await;
    assert!(logged);
}

#[actix_web::test]
async fn a_deleted_endpoint_gets_nothing_more() {
    let app = spawn_with(|s| {
        local(s);
        s.webhooks.retry_base_secs = 3600;
    })
    .await;
    // Nobody listens on this port: the first attempt fails and waits an hour.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/", closed.local_addr().unwrap().port());
    drop(closed);
    let endpoint = register(&app, &url, json!(["*"])).await;
    let id = endpoint["endpoint_id"].as_str().unwrap();
    book(&app, "wh-6", "WH-6").await;
    let failed_once = eventually(Duration::from_secs(10), || async {
        deliveries(&app, "").await.first().is_some_and(|d| d["attempts"].as_array().unwrap().len() == 1)
    })
    .await;
    assert!(failed_once);
    let d = &deliveries(&app, "").await[0];
    assert_eq!(d["status"], "pending");
    assert!(d["attempts"][0]["error"].as_str().unwrap().contains("onnect"), "{d}");
    assert!(d["next_attempt_at"].is_string());

    let res = app.client.delete(app.url(&format!("/api/v1/webhooks/endpoints/{id}"))).header("X-API-Key", ADMIN_KEY);
    assert_eq!(res.send().await.unwrap().status(), 204);
    let d = &deliveries(&app, "").await[0];
    assert_eq!(d["status"], "failed", "{d}");
    let (_, listed) = json(app.get_as(DASHBOARD_KEY, "/api/v1/webhooks/endpoints").await).await;
    assert_eq!(listed["endpoints"], json!([]));
    let delivery = d["delivery_id"].as_str().unwrap();
    let (status, body) =
        json(app.admin(&format!("/api/v1/webhooks/deliveries/{delivery}/redeliver"), &json!({})).await).await;
    assert_eq!((status, error_code(&body)), (409, "webhook_endpoint_deleted".into()));
    let res = app.client.delete(app.url(&format!("/api/v1/webhooks/endpoints/{id}"))).header("X-API-Key", ADMIN_KEY);
    let (status, body) = json(res.send().await.unwrap()).await;
    assert_eq!((status, error_code(&body)), (404, "webhook_endpoint_not_found".into()));
}

#[actix_web::test]
async fn two_instances_never_send_the_same_delivery_at_once() {
    let tms = Receiver::start().await;
    for _ in 0..30 {
        tms.then(200, 50);
    }
    let first = spawn_with(local).await;
    let seed = tempfile::tempdir().unwrap();
    let empty = seed.path().join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let mut settings = test_settings(&first.db.url(), Some(empty));
    local(&mut settings);
    let second = Application::build(settings).await.expect("a second instance starts");
    let stop = second.server_handle();
    actix_web::rt::spawn(second.run_until_stopped());

    register(&first, &tms.url, json!(["load.withdrawn"])).await;
    for i in 0..30 {
        first.add_load(load(&format!("WD-{i}"), "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    }
    for i in 0..30 {
        let mut withdrawn = load(&format!("WD-{i}"), "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000);
        withdrawn["status"] = json!("cancelled");
        first.add_load(withdrawn).await;
    }
    let got = tms.wait_for(30, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got_after = tms.got();
    assert_eq!(got_after.len(), 30, "every event once: {} requests", got_after.len());
    let mut ids: Vec<String> = got.iter().map(Received::event_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    let loads: Vec<String> = got.iter().map(|r| r.json()["data"]["load_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(loads, (0..30).map(|i| format!("WD-{i}")).collect::<Vec<_>>(), "in order for one endpoint");
    stop.stop(false).await;
}
