//! Carrier verification (`POST /api/v1/fmcsa/verify`) against a fake QCMobile server that
//! serves the real response bodies in `tests/fixtures/fmcsa/`, and against the offline
//! snapshot.

use crate::helpers::*;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use carrier_sales::app::Application;
use carrier_sales::carriers::{self, CarrierQuery, Status};
use carrier_sales::config::{Mode as RunMode, Secret, Settings};
use carrier_sales::types::McNumber;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const VERIFY: &str = "/api/v1/fmcsa/verify";
/// Distinctive, so a log line holding it cannot be a coincidence.
const WEB_KEY: &str = "wk-test-7Qx93LmZ-never-log-me";
const BASE_PATH: &str = "/qc/services";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/fmcsa/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn carrier_of(name: &str, pointer: &str) -> Value {
    let body: Value = serde_json::from_str(&fixture(name)).unwrap();
    body.pointer(pointer).unwrap().clone()
}

/// How the fake answers: per-request behaviour on top of its routes.
#[derive(Clone, Debug)]
enum Behaviour {
    Normal,
    Status(u16),
    BadKey,
    Maintenance,
    Sleep(Duration),
}

struct FakeState {
    routes: HashMap<String, String>,
    behaviour: Mutex<Behaviour>,
    /// Behaviours for the next requests, before falling back to `behaviour`.
    script: Mutex<VecDeque<Behaviour>>,
    hits: AtomicUsize,
    keys_seen: Mutex<Vec<String>>,
}

/// A local QCMobile: the real fixture bodies on their real paths, plus an ambiguous
/// docket built from them.
struct FakeFmcsa {
    base_url: String,
    state: Arc<FakeState>,
    handle: actix_web::dev::ServerHandle,
}

impl FakeFmcsa {
    async fn start() -> FakeFmcsa {
        let veriha = carrier_of("carrier_by_dot_158121_active.json", "/content/carrier");
        let greyhound = carrier_of("carrier_by_docket_mc1515_active_multi_authority.json", "/content/0/carrier");
        let two_records = json!({"content": [
            {"_links": {}, "carrier": veriha},
            {"_links": {}, "carrier": greyhound},
        ]})
        .to_string();
        let mut routes = HashMap::new();
        for (path, body) in [
            ("/carriers/docket-number/1515", fixture("carrier_by_docket_mc1515_active_multi_authority.json")),
            ("/carriers/docket-number/777001", fixture("carrier_by_docket_CONSTRUCTED_not_allowed_revoked.json")),
            ("/carriers/158121", fixture("carrier_by_dot_158121_active.json")),
            ("/carriers/3876543", fixture("carrier_by_dot_CONSTRUCTED_out_of_service.json")),
            (
                "/carriers/docket-number/888000",
                r#"{"content": [], "retrievalDate": "2025-03-14T15:09:12.774+0000"}"#.into(),
            ),
            ("/carriers/44110/docket-numbers", fixture("subresource_docket_numbers_44110.json")),
            (
                "/carriers/158121/docket-numbers",
                r#"{"content": [{"docketNumber": 424242, "docketNumberId": 1, "dotNumber": 158121, "prefix": "MC"}]}"#
                    .into(),
            ),
            // Two USDOT records on one docket; only 158121 holds MC 424242.
            ("/carriers/docket-number/424242", two_records.clone()),
            // The same two records, neither holding MC 515151.
            ("/carriers/docket-number/515151", two_records),
        ] {
            routes.insert(format!("{BASE_PATH}{path}"), body);
        }
        let state = Arc::new(FakeState {
            routes,
            behaviour: Mutex::new(Behaviour::Normal),
            script: Mutex::new(VecDeque::new()),
            hits: AtomicUsize::new(0),
            keys_seen: Mutex::new(vec![]),
        });
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(fake_qcmobile)))
            .workers(1)
            .shutdown_timeout(0)
            .bind(("127.0.0.1", 0))
            .expect("fake binds");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        FakeFmcsa { base_url: format!("http://127.0.0.1:{port}{BASE_PATH}"), state, handle }
    }

    fn set(&self, b: Behaviour) {
        *self.state.behaviour.lock().unwrap() = b;
    }

    fn then(&self, b: Behaviour) {
        self.state.script.lock().unwrap().push_back(b);
    }

    fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    /// An app verifying against this fake, with the test's adjustments on top.
    async fn app(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let url = self.base_url.clone();
        spawn_with(move |s| {
            live_settings(s, &url);
            adjust(s);
        })
        .await
    }
}

fn live_settings(s: &mut Settings, base_url: &str) {
    s.fmcsa.web_key = Some(Secret::new(WEB_KEY));
    s.fmcsa.base_url = base_url.to_string();
}

impl Drop for FakeFmcsa {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
    }
}

async fn fake_qcmobile(req: HttpRequest, state: web::Data<Arc<FakeState>>) -> HttpResponse {
    state.hits.fetch_add(1, Ordering::SeqCst);
    if let Some(key) = req.query_string().split('&').find_map(|kv| kv.strip_prefix("webKey=")) {
        state.keys_seen.lock().unwrap().push(key.to_string());
    }
    let scripted = state.script.lock().unwrap().pop_front();
    let behaviour = scripted.unwrap_or_else(|| state.behaviour.lock().unwrap().clone());
    match behaviour {
        Behaviour::Status(code) => {
            return HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap())
                .body("upstream trouble")
        }
        Behaviour::BadKey => {
            return HttpResponse::NotFound()
                .content_type("application/json")
                .body(fixture("error_404_webkey_not_found.json"))
        }
        Behaviour::Maintenance => {
            return HttpResponse::Ok()
                .content_type("text/html; charset=UTF-8")
                .body("<!DOCTYPE html><html><head><title>QCMobile</title></head><body><h1>System Maintenance</h1><p>The system is down for scheduled maintenance.</p></body></html>")
        }
        Behaviour::Sleep(d) => actix_web::rt::time::sleep(d).await,
        Behaviour::Normal => {}
    }
    let body = state.routes.get(req.path()).cloned().unwrap_or_else(|| fixture("carrier_by_dot_not_found_200.json"));
    HttpResponse::Ok().content_type("application/json").body(body)
}

async fn verify(app: &TestApp, body: Value) -> Value {
    let (status, res) = json(app.agent(VERIFY, &body).await).await;
    assert_eq!(status, 200, "{res}");
    assert!(res["message"].as_str().is_some_and(|m| !m.is_empty()), "no message: {res}");
    assert!(chrono::DateTime::parse_from_rfc3339(res["checked_at"].as_str().unwrap()).is_ok(), "{res}");
    res
}

fn codes(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect()
}

// ---------------------------------------------------------------- offline snapshot

#[actix_web::test]
async fn offline_snapshot_answers_each_kind_of_carrier() {
    let app = spawn_app().await;

    let ok = verify(&app, json!({"mc_number": "MC-700010"})).await;
    assert_eq!(ok["status"], "eligible");
    assert_eq!(ok["eligible"], true);
    assert_eq!(ok["mc_number"], "700010");
    assert_eq!(ok["source"], "offline_snapshot");
    assert_eq!(ok["stale"], false);
    assert_eq!(codes(&ok["reasons"]), Vec::<&str>::new());
    assert_eq!(ok["carrier"]["legal_name"], "PRAIRIE LANTERN TRANSPORT LLC");
    assert_eq!(ok["carrier"]["dot_number"], "9100010");
    assert_eq!(ok["carrier"]["bipd_insurance_on_file_usd"], 1_000_000);
    assert_eq!(ok["carrier"]["bipd_required_usd"], 750_000);
    assert_eq!(ok["carrier"]["safety_rating"], "satisfactory");
    assert_eq!(
        ok["message"],
        "Thanks, I have you as Prairie Lantern Transport LLC out of Fort Worth, Texas, and you're all set to work with us."
    );

    let no = verify(&app, json!({"mc_number": "700040"})).await;
    assert_eq!(no["status"], "ineligible");
    assert_eq!(no["eligible"], false);
    assert_eq!(codes(&no["reasons"]), ["NOT_ALLOWED_TO_OPERATE"]);
    assert_eq!(no["source"], "offline_snapshot");
    assert!(no["message"].as_str().unwrap().contains("Gravel Creek Hauling LLC"));

    let many = verify(&app, json!({"mc_number": "700049"})).await;
    assert_eq!(
        codes(&many["reasons"]),
        ["NOT_ALLOWED_TO_OPERATE", "USDOT_INACTIVE", "NO_ACTIVE_CARRIER_AUTHORITY", "INSURANCE_BELOW_REQUIRED"]
    );
    assert_eq!(codes(&many["warnings"]), ["MCS150_OUTDATED"]);

    let warned = verify(&app, json!({"mc_number": "700032"})).await;
    assert_eq!(warned["status"], "eligible");
    assert_eq!(codes(&warned["warnings"]), ["CONDITIONAL_SAFETY_RATING", "MCS150_OUTDATED"]);

    let twin = verify(&app, json!({"mc_number": "700050"})).await;
    assert_eq!(twin["status"], "eligible");
    assert_eq!(codes(&twin["warnings"]), ["AMBIGUOUS_DOCKET"]);
    assert_eq!(twin["carrier"]["dot_number"], "9100050");

    let missing = verify(&app, json!({"mc_number": "799999"})).await;
    assert_eq!(missing["status"], "not_found");
    assert_eq!(missing["eligible"], false);
    assert_eq!(codes(&missing["reasons"]), ["CARRIER_NOT_FOUND"]);
    assert_eq!(missing["carrier"], Value::Null);
    assert_eq!(missing["source"], "offline_snapshot");
    assert!(missing["message"].as_str().unwrap().contains("double-check"));

    let by_dot = verify(&app, json!({"dot_number": 9100010})).await;
    assert_eq!(by_dot["status"], "eligible");
    assert_eq!(by_dot["mc_number"], "700010");
    assert_eq!(by_dot["source"], "offline_snapshot");
}

#[actix_web::test]
async fn verify_reads_every_platform_spelling_of_an_mc_number() {
    let app = spawn_app().await;
    for mc in [
        json!(700010),
        json!("700010"),
        json!("MC700010"),
        json!("MC-700010"),
        json!("mc 700010"),
        json!("MC#700010"),
        json!("  MC-0700010  "),
    ] {
        let res = verify(&app, json!({"mc_number": mc, "call_id": "null"})).await;
        assert_eq!(res["mc_number"], "700010", "{mc}");
        assert_eq!(res["status"], "eligible", "{mc}");
    }
    // "No value" spellings fall through to the USDOT number.
    let res = verify(&app, json!({"mc_number": "N/A", "dot_number": "9100040"})).await;
    assert_eq!(res["mc_number"], "700040");
    assert_eq!(res["status"], "ineligible");
}

#[actix_web::test]
async fn unusable_input_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({"mc_number": "abc"}), "invalid_value", "mc_number"),
        (json!({"mc_number": true}), "invalid_value", "mc_number"),
        (json!({"mc_number": "123456789012"}), "invalid_value", "mc_number"),
        (json!({}), "missing_field", "mc_number"),
        (json!({"mc_number": "", "call_id": "c-1"}), "missing_field", "mc_number"),
        (json!({"dot_number": "DOT 12ab"}), "invalid_value", "dot_number"),
        (json!({"dot_number": "123456789"}), "invalid_value", "dot_number"),
        (json!({"dot_number": -4}), "invalid_value", "dot_number"),
        (json!({"mc_number": "700010", "call_id": "x".repeat(129)}), "invalid_value", "call_id"),
    ];
    for (body, code, field) in cases {
        let (status, res) = json(app.agent(VERIFY, &body).await).await;
        assert_eq!(status, 422, "{body} → {res}");
        assert_eq!(error_code(&res), code, "{body}");
        assert_eq!(res["error"]["field"], field, "{body}");
    }
    let (status, res) = json(
        app.client.post(app.url(VERIFY)).header("X-API-Key", AGENT_KEY).body("{\"mc_number\": ").send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&res), "invalid_json");
}

#[actix_web::test]
async fn verify_is_an_agent_tool() {
    let app = spawn_app().await;
    let body = json!({"mc_number": "700010"});
    let res = app.client.post(app.url(VERIFY)).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(app.post_as(DASHBOARD_KEY, VERIFY, &body).await.status(), 403);
    let (status, res) = json(app.get_as(AGENT_KEY, VERIFY).await).await;
    assert_eq!(status, 405, "{res}");
}

// ---------------------------------------------------------------- live QCMobile

#[actix_web::test]
async fn live_mc_lookup_reads_the_docket_list() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;

    let res = verify(&app, json!({"mc_number": "MC 1515", "call_id": "call-live-1"})).await;
    assert_eq!(res["status"], "eligible", "{res}");
    assert_eq!(res["source"], "fmcsa");
    assert_eq!(res["mc_number"], "1515");
    assert_eq!(res["carrier"]["legal_name"], "GREYHOUND LINES INC");
    assert_eq!(res["carrier"]["dba_name"], "BOLT BUS");
    assert_eq!(res["carrier"]["bipd_insurance_on_file_usd"], 5_000_000);
    assert_eq!(res["carrier"]["cargo_insurance_on_file_usd"], 0);
    assert_eq!(
        res["message"],
        "Thanks, I have you as Greyhound Lines Inc out of Dallas, Texas, and you're all set to work with us."
    );
    assert_eq!(fake.hits(), 1);
    assert_eq!(*fake.state.keys_seen.lock().unwrap(), [WEB_KEY]);
}

#[actix_web::test]
async fn live_dot_lookup_reads_the_object_and_finds_the_mc() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"dot_number": "158121"})).await;
    assert_eq!(res["status"], "eligible", "{res}");
    assert_eq!(res["carrier"]["legal_name"], "VERIHA TRUCKING INC");
    assert_eq!(res["carrier"]["dot_number"], "158121");
    // The secondary docket-numbers lookup supplies the MC.
    assert_eq!(res["mc_number"], "424242");

    // A failed secondary lookup costs only the MC, never the verdict.
    fake.then(Behaviour::Normal);
    fake.then(Behaviour::Status(500));
    let res = verify(&app, json!({"dot_number": "3876543"})).await;
    assert_eq!(res["status"], "ineligible");
    assert_eq!(res["mc_number"], Value::Null);
}

#[actix_web::test]
async fn live_ineligible_carriers_list_every_failed_rule_in_order() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;

    let revoked = verify(&app, json!({"mc_number": "777001"})).await;
    assert_eq!(revoked["status"], "ineligible");
    assert_eq!(revoked["eligible"], false);
    assert_eq!(
        codes(&revoked["reasons"]),
        ["NOT_ALLOWED_TO_OPERATE", "NO_ACTIVE_CARRIER_AUTHORITY", "INSURANCE_BELOW_REQUIRED"]
    );
    assert_eq!(codes(&revoked["warnings"]), ["MCS150_OUTDATED"]);
    assert_eq!(revoked["carrier"]["bipd_insurance_on_file_usd"], 0);
    assert_eq!(revoked["carrier"]["bipd_required_usd"], 750_000);
    let said = revoked["message"].as_str().unwrap();
    assert!(said.contains("Example Roadline LLC"), "{said}");
    assert!(said.contains("isn't authorized to operate"), "{said}");

    let oos = verify(&app, json!({"dot_number": 3876543})).await;
    assert_eq!(
        codes(&oos["reasons"]),
        ["NOT_ALLOWED_TO_OPERATE", "USDOT_INACTIVE", "OUT_OF_SERVICE", "UNSATISFACTORY_SAFETY_RATING"]
    );
    assert_eq!(oos["carrier"]["out_of_service_date"], "2024-11-02");
    assert_eq!(oos["carrier"]["operating_status"], "inactive");
    assert_eq!(oos["carrier"]["safety_rating"], "unsatisfactory");
}

#[actix_web::test]
async fn unknown_carriers_are_not_found_whether_content_is_null_or_empty() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;
    for (body, spoken) in [
        (json!({"mc_number": "799999"}), "MC 799999"),
        (json!({"mc_number": "888000"}), "MC 888000"),
        (json!({"dot_number": "1234567"}), "USDOT number 1234567"),
    ] {
        let res = verify(&app, body.clone()).await;
        assert_eq!(res["status"], "not_found", "{body}");
        assert_eq!(res["eligible"], false);
        assert_eq!(codes(&res["reasons"]), ["CARRIER_NOT_FOUND"]);
        assert_eq!(res["carrier"], Value::Null);
        assert_eq!(res["source"], "fmcsa");
        let said = res["message"].as_str().unwrap();
        assert!(said.contains(spoken) && said.contains("double-check"), "{said}");
    }
}

#[actix_web::test]
async fn an_ambiguous_docket_picks_the_record_holding_the_mc() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"mc_number": "424242"})).await;
    assert_eq!(res["status"], "eligible", "{res}");
    assert_eq!(codes(&res["warnings"]), ["AMBIGUOUS_DOCKET"]);
    assert_eq!(res["carrier"]["dot_number"], "158121");
    // The docket lookup, then each record's docket numbers.
    assert_eq!(fake.hits(), 3);
}

#[actix_web::test]
async fn an_ambiguous_docket_nobody_holds_blocks_pending_review() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"mc_number": "515151"})).await;
    assert_eq!(res["status"], "ineligible", "{res}");
    assert_eq!(res["eligible"], false);
    assert_eq!(codes(&res["reasons"]), ["AMBIGUOUS_DOCKET"]);
    assert_eq!(codes(&res["warnings"]), Vec::<&str>::new());
    assert_eq!(res["carrier"], Value::Null);
    assert!(res["message"].as_str().unwrap().contains("more than one company"));
}

fn assert_unavailable(res: &Value) {
    assert_eq!(res["status"], "unavailable", "{res}");
    assert_eq!(res["eligible"], Value::Null);
    assert_eq!(codes(&res["reasons"]), Vec::<&str>::new());
    assert_eq!(res["carrier"], Value::Null);
    assert_eq!(res["stale"], false);
    assert!(res["message"].as_str().unwrap().starts_with("I can't reach the FMCSA system right now"));
}

#[actix_web::test]
async fn a_bad_web_key_is_unavailable_never_not_found() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::BadKey);
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_unavailable(&res);
    assert_eq!(fake.hits(), 1, "a refused key is not retried");
}

#[actix_web::test]
async fn a_maintenance_page_is_unavailable() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::Maintenance);
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_unavailable(&res);
}

#[actix_web::test]
async fn server_errors_are_retried_once_then_unavailable() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::Status(503));
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_unavailable(&res);
    assert_eq!(fake.hits(), 2);
}

#[actix_web::test]
async fn a_transient_failure_is_retried_and_answered() {
    let fake = FakeFmcsa::start().await;
    fake.then(Behaviour::Status(502));
    let app = fake.app(|_| {}).await;
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(res["status"], "eligible", "{res}");
    assert_eq!(res["source"], "fmcsa");
    assert_eq!(fake.hits(), 2);
}

#[actix_web::test]
async fn a_slow_fmcsa_is_cut_off_within_the_time_budget() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::Sleep(Duration::from_secs(10)));
    let budget_ms = 500;
    let app = fake.app(|s| s.fmcsa.timeout_ms = budget_ms).await;

    let started = Instant::now();
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    let elapsed = started.elapsed();

    assert_unavailable(&res);
    // The deadline is a correctness property (the caller is on the phone): the whole
    // HTTP round trip, database work included, ends within the budget plus slack for a
    // loaded test machine, never after the fake's 10 s.
    assert!(elapsed < Duration::from_millis(budget_ms + 500), "took {elapsed:?} with a {budget_ms} ms budget");
    // The first attempt timed out early enough to leave time for the one retry.
    assert!((1..=2).contains(&fake.hits()), "{} requests", fake.hits());
}

#[actix_web::test]
async fn the_breaker_opens_after_consecutive_failures_and_closes_after_its_cool_down() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::Status(500));
    let app = fake
        .app(|s| {
            s.fmcsa.breaker_failures = 2;
            s.fmcsa.breaker_open_secs = 1;
        })
        .await;

    for _ in 0..2 {
        assert_unavailable(&verify(&app, json!({"mc_number": "1515"})).await);
    }
    assert_eq!(fake.hits(), 4, "two lookups, each retried once");

    // Open: FMCSA is not called at all, and the answer is immediate.
    fake.set(Behaviour::Normal);
    let started = Instant::now();
    assert_unavailable(&verify(&app, json!({"mc_number": "1515"})).await);
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(fake.hits(), 4, "no request while the breaker is open");

    // After the cool-down one trial goes through; its success closes the breaker.
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(res["status"], "eligible", "{res}");
    assert_eq!(res["source"], "fmcsa");
    assert_eq!(fake.hits(), 5);
    let res = verify(&app, json!({"mc_number": "777001"})).await;
    assert_eq!(res["source"], "fmcsa");
    assert_eq!(fake.hits(), 6);
}

// ---------------------------------------------------------------- cache

#[actix_web::test]
async fn a_second_verify_is_served_from_the_cache() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;

    let first = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(first["source"], "fmcsa");
    let second = verify(&app, json!({"mc_number": "MC-1515"})).await;
    assert_eq!(second["source"], "cache");
    assert_eq!(second["stale"], false);
    assert_eq!(second["status"], "eligible");
    assert_eq!(second["carrier"], first["carrier"]);
    assert_eq!(second["checked_at"], first["checked_at"]);
    assert_eq!(fake.hits(), 1);

    // "Not found" is cached too, briefly.
    verify(&app, json!({"mc_number": "799999"})).await;
    let again = verify(&app, json!({"mc_number": "799999"})).await;
    assert_eq!(again["status"], "not_found");
    assert_eq!(again["source"], "cache");
    assert_eq!(fake.hits(), 2);
}

#[actix_web::test]
async fn failures_are_never_cached() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::BadKey);
    let app = fake.app(|_| {}).await;
    assert_unavailable(&verify(&app, json!({"mc_number": "1515"})).await);
    fake.set(Behaviour::Normal);
    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(res["source"], "fmcsa");
    assert_eq!(res["status"], "eligible");
}

#[actix_web::test]
async fn an_expired_entry_is_refreshed_or_served_stale_when_fmcsa_is_down() {
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|_| {}).await;
    verify(&app, json!({"mc_number": "1515"})).await;
    verify(&app, json!({"mc_number": "799999"})).await;
    app.exec_sql("UPDATE carriers SET expires_at = 0");

    // FMCSA down: the expired carrier is served, flagged stale.
    fake.set(Behaviour::Status(503));
    let stale = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(stale["status"], "eligible", "{stale}");
    assert_eq!(stale["source"], "cache");
    assert_eq!(stale["stale"], true);
    assert_eq!(stale["carrier"]["legal_name"], "GREYHOUND LINES INC");
    // An expired "not found" is not: the carrier may have registered since.
    assert_unavailable(&verify(&app, json!({"mc_number": "799999"})).await);

    // FMCSA back: the expired entry is fetched again.
    fake.set(Behaviour::Normal);
    let hits = fake.hits();
    let fresh = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(fresh["source"], "fmcsa");
    assert_eq!(fresh["stale"], false);
    assert_eq!(fake.hits(), hits + 1);
}

#[actix_web::test]
async fn the_cache_survives_a_restart() {
    let fake = FakeFmcsa::start().await;
    let first = fake.app(|_| {}).await;
    verify(&first, json!({"mc_number": "1515"})).await;
    assert_eq!(fake.hits(), 1);

    // A second instance on the same database (a restart, or another instance behind the
    // load balancer) answers from the shared cache.
    let seed = tempfile::tempdir().unwrap();
    let empty = seed.path().join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let mut settings = test_settings(&first.db.url(), Some(empty));
    live_settings(&mut settings, &fake.base_url);
    let second = Application::build(settings).await.expect("second app builds");
    let address = format!("http://127.0.0.1:{}", second.port());
    let handle = second.server_handle();
    actix_web::rt::spawn(second.run_until_stopped());

    let (status, res) = json(
        first
            .client
            .post(format!("{address}{VERIFY}"))
            .header("X-API-Key", AGENT_KEY)
            .json(&json!({"mc_number": "1515"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    handle.stop(false).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["source"], "cache");
    assert_eq!(res["status"], "eligible");
    assert_eq!(fake.hits(), 1);
}

// ---------------------------------------------------------------- records, start-up

#[actix_web::test]
async fn every_verification_is_recorded_for_the_dashboard_and_the_handoff() {
    let app = spawn_app().await;
    verify(&app, json!({"mc_number": "700040", "call_id": "call-rec-1"})).await;
    verify(&app, json!({"mc_number": "700010", "call_id": "call-rec-1"})).await;

    // Other modules call the same function the route does.
    let state = app.app_state.clone();
    let v = carriers::verify(
        &state,
        &app.fmcsa,
        CarrierQuery::Mc(McNumber::parse("700045").unwrap()),
        Some("call-rec-2".into()),
    )
    .await
    .unwrap();
    assert_eq!(v.status, Status::Ineligible);

    let mut conn = app.app_state.db.connection().unwrap();
    let latest = carriers::latest_verification(&mut conn, "700010").unwrap().expect("recorded");
    assert_eq!(latest.status, Status::Eligible);
    assert_eq!(latest.eligible, Some(true));
    assert_eq!(latest.legal_name.as_deref(), Some("PRAIRIE LANTERN TRANSPORT LLC"));
    assert_eq!(latest.source, "offline_snapshot");
    assert!(latest.reasons.is_empty());

    // The call's story shows both in its timeline, oldest first, and the latest on top.
    let (s, story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/call-rec-1").await).await;
    assert_eq!(s, 200, "{story}");
    let timeline = story["timeline"].as_array().expect("a timeline");
    let seen: Vec<&Value> = timeline.iter().filter(|e| e["kind"] == "verification").map(|e| &e["data"]).collect();
    assert_eq!(seen.len(), 2, "{story}");
    assert_eq!(seen[0]["mc_number"], "700040");
    assert_eq!(seen[0]["reasons"], json!(["NOT_ALLOWED_TO_OPERATE"]));
    assert_eq!(seen[0]["eligible"], false);
    assert_eq!(seen[1]["status"], "eligible");
    assert_eq!(story["verification"]["mc_number"], "700010");

    let other = carriers::latest_verification(&mut conn, "700045").unwrap().unwrap();
    assert_eq!(other.call_id.as_deref(), Some("call-rec-2"));
    assert_eq!(other.reasons, ["INSURANCE_BELOW_REQUIRED"]);
    assert!(carriers::latest_verification(&mut conn, "123").unwrap().is_none());
}

#[actix_web::test]
async fn an_unavailable_verification_is_recorded_without_a_verdict() {
    let fake = FakeFmcsa::start().await;
    fake.set(Behaviour::BadKey);
    let app = fake.app(|_| {}).await;
    verify(&app, json!({"mc_number": "1515", "call_id": "call-down"})).await;
    let mut conn = app.app_state.db.connection().unwrap();
    let rec = carriers::latest_verification(&mut conn, "1515").unwrap().unwrap();
    assert_eq!(rec.status, Status::Unavailable);
    assert_eq!(rec.eligible, None);
    assert_eq!(rec.source, "fmcsa");
}

#[actix_web::test]
async fn production_refuses_to_start_without_an_fmcsa_key_unless_offline_is_meant() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("prod.db").display());
    let mut settings = test_settings(&url, None);
    settings.env = RunMode::Production;
    let err = match Application::build(settings).await {
        Ok(_) => panic!("started in production without FMCSA_WEB_KEY"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("FMCSA_WEB_KEY") && err.contains("FMCSA_OFFLINE"), "{err}");

    let app = spawn_with(|s| {
        s.env = RunMode::Production;
        s.fmcsa.offline = true;
    })
    .await;
    let res = verify(&app, json!({"mc_number": "700010"})).await;
    assert_eq!(res["source"], "offline_snapshot");
}

// ---------------------------------------------------------------- the key stays secret

/// Keeps every log line that mentions FMCSA or holds the test key.
struct CaptureLog;

fn captured() -> &'static Mutex<Vec<String>> {
    static LINES: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    LINES.get_or_init(|| Mutex::new(Vec::new()))
}

impl log::Log for CaptureLog {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        if line.contains(WEB_KEY) || line.contains("FMCSA") {
            captured().lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

#[actix_web::test]
async fn the_web_key_never_reaches_a_log_line() {
    if log::set_boxed_logger(Box::new(CaptureLog)).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
    let fake = FakeFmcsa::start().await;
    let app = fake.app(|s| s.fmcsa.timeout_ms = 400).await;
    for (i, b) in [
        Behaviour::BadKey,
        Behaviour::Maintenance,
        Behaviour::Status(500),
        Behaviour::Sleep(Duration::from_secs(5)),
        Behaviour::Normal,
    ]
    .into_iter()
    .enumerate()
    {
        fake.set(b);
        verify(&app, json!({"mc_number": 1515 + i})).await;
    }
    // Nothing listens on this port: a connection error, whose reqwest text has the URL.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/qc/services", closed.local_addr().unwrap());
    drop(closed);
    let refused = spawn_with(move |s| live_settings(s, &closed_url)).await;
    assert_unavailable(&verify(&refused, json!({"mc_number": "1515"})).await);

    let lines = captured().lock().unwrap().clone();
    assert!(lines.iter().any(|l| l.contains("FMCSA")), "the capture saw no FMCSA line at all: {lines:?}");
    let leaks: Vec<&String> = lines.iter().filter(|l| l.contains(WEB_KEY)).collect();
    assert!(leaks.is_empty(), "the web key was logged: {leaks:?}");
    assert!(lines.iter().any(|l| l.contains("connection failed")), "{lines:?}");
}

// ---------------------------------------------------------------- ambiguous dockets FMCSA could not resolve

#[actix_web::test]
async fn an_ambiguous_docket_fmcsa_could_not_resolve_is_unavailable_and_not_cached() {
    let fake = FakeFmcsa::start().await;
    let budget_ms = 800;
    let app = fake.app(|s| s.fmcsa.timeout_ms = budget_ms).await;

    // The docket lists two records; each record's own docket list fails.
    fake.then(Behaviour::Normal);
    fake.set(Behaviour::Status(500));
    assert_unavailable(&verify(&app, json!({"mc_number": "424242"})).await);
    assert_eq!(fake.hits(), 3, "the docket, then each record's docket numbers");

    // Or hangs past the budget.
    fake.then(Behaviour::Normal);
    fake.set(Behaviour::Sleep(Duration::from_secs(10)));
    let started = Instant::now();
    assert_unavailable(&verify(&app, json!({"mc_number": "424242"})).await);
    assert!(started.elapsed() < Duration::from_millis(budget_ms + 500), "took {:?}", started.elapsed());

    // FMCSA recovers: the real verdict, from FMCSA, not a cached AMBIGUOUS_DOCKET.
    fake.set(Behaviour::Normal);
    let res = verify(&app, json!({"mc_number": "424242"})).await;
    assert_eq!(res["status"], "eligible", "{res}");
    assert_eq!(res["source"], "fmcsa");
    assert_eq!(codes(&res["reasons"]), Vec::<&str>::new());
    assert_eq!(codes(&res["warnings"]), ["AMBIGUOUS_DOCKET"]);
    assert_eq!(res["carrier"]["dot_number"], "158121");
}

// ---------------------------------------------------------------- /metrics

async fn scrape(app: &TestApp) -> String {
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// The value of one series (`name{labels}` exactly as exposed), 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0.0)
}

fn lookups(outcome: &str) -> String {
    format!("carrier_sales_fmcsa_lookups_total{{outcome=\"{outcome}\"}}")
}

#[actix_web::test]
async fn fmcsa_lookups_cache_hits_and_the_breaker_show_on_metrics() {
    let fake = FakeFmcsa::start().await;
    let app = fake
        .app(|s| {
            s.fmcsa.timeout_ms = 500;
            s.fmcsa.breaker_failures = 2;
            s.fmcsa.breaker_open_secs = 2;
        })
        .await;
    let before = scrape(&app).await;
    for outcome in ["found", "not_found", "error", "timeout", "breaker_open"] {
        assert!(before.contains(&lookups(outcome)), "no {outcome} series: {before}");
    }
    assert_eq!(sample(&before, "carrier_sales_fmcsa_breaker_open"), 0.0);

    verify(&app, json!({"mc_number": "1515"})).await;
    let cached = verify(&app, json!({"mc_number": "1515"})).await;
    assert_eq!(cached["source"], "cache");
    verify(&app, json!({"mc_number": "799999"})).await;
    fake.set(Behaviour::Status(500));
    assert_unavailable(&verify(&app, json!({"mc_number": "777001"})).await);
    fake.set(Behaviour::Sleep(Duration::from_secs(10)));
    assert_unavailable(&verify(&app, json!({"mc_number": "888000"})).await);
    // Two failures in a row: the breaker is open, and the next lookup does not call.
    let open = scrape(&app).await;
    assert_eq!(sample(&open, "carrier_sales_fmcsa_breaker_open"), 1.0, "{open}");
    let hits = fake.hits();
    assert_unavailable(&verify(&app, json!({"mc_number": "424242"})).await);
    assert_eq!(fake.hits(), hits);

    // Other tests in this process verify too: the counters rise by at least this test's own.
    let after = scrape(&app).await;
    for outcome in ["found", "not_found", "error", "timeout", "breaker_open"] {
        let (was, now) = (sample(&before, &lookups(outcome)), sample(&after, &lookups(outcome)));
        assert!(now >= was + 1.0, "{outcome}: {was} → {now}");
    }
    let hits_series = "carrier_sales_fmcsa_cache_hits_total";
    assert!(sample(&after, hits_series) >= sample(&before, hits_series) + 1.0, "{after}");

    // After the cool-down the trial lookup succeeds and the breaker closes.
    fake.set(Behaviour::Normal);
    actix_web::rt::time::sleep(Duration::from_millis(2100)).await;
    let res = verify(&app, json!({"mc_number": "424242"})).await;
    assert_eq!(res["source"], "fmcsa", "{res}");
    assert_eq!(sample(&scrape(&app).await, "carrier_sales_fmcsa_breaker_open"), 0.0);
}

// ---------------------------------------------------------------- redirects

/// A server that answers every request with a redirect (`status`, `body`) to the same
/// path and query on `target_origin`, and counts the requests it got.
pub async fn redirector(status: u16, target_origin: &str, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let (count, target) = (hits.clone(), target_origin.to_string());
    let server = HttpServer::new(move || {
        let (count, target) = (count.clone(), target.clone());
        App::new().default_service(web::to(move |req: HttpRequest| {
            count.fetch_add(1, Ordering::SeqCst);
            let location = format!("{target}{}", req.uri());
            async move {
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                    .insert_header(("Location", location))
                    .content_type("application/json")
                    .body(body)
            }
        }))
    })
    .workers(1)
    .shutdown_timeout(0)
    .bind(("127.0.0.1", 0))
    .expect("redirector binds");
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    (format!("http://127.0.0.1:{port}"), hits)
}

#[actix_web::test]
async fn an_fmcsa_redirect_is_not_followed_and_is_unavailable() {
    let elsewhere = FakeFmcsa::start().await;
    let origin = elsewhere.base_url.strip_suffix(BASE_PATH).unwrap().to_string();
    // Even a body that reads like an answer is not taken for FMCSA's.
    let (redirect, hits) = redirector(302, &origin, r#"{"content": []}"#).await;
    let base = format!("{redirect}{BASE_PATH}");
    let app = spawn_with(move |s| live_settings(s, &base)).await;

    let res = verify(&app, json!({"mc_number": "1515"})).await;
    assert_unavailable(&res);
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a redirect is not retried");
    assert_eq!(elsewhere.hits(), 0, "the other host was called");
    assert!(elsewhere.state.keys_seen.lock().unwrap().is_empty());
}
