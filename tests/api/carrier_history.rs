//! A carrier's history for managers (`GET /api/v1/carriers/{mc}`, SPEC §14), built
//! through the real agent tools: verifications, offers, a handoff and finalizes. Figures
//! the negotiation decides (our counters) are read from its answers, never assumed.

use crate::helpers::*;
use crate::openapi::{conforms, document};
use serde_json::{json, Value};

const MC: &str = "700010";
const EVALUATE: &str = "/api/v1/negotiations/evaluate";

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, b) = json(app.agent(path, &body).await).await;
    assert_eq!(s, 200, "{path} {body}: {b}");
    b
}

async fn offer(app: &TestApp, call: &str, load: &str, amount: i64) -> Value {
    ok(app, EVALUATE, json!({"call_id": call, "load_id": load, "carrier_offer": amount, "mc_number": MC})).await
}

async fn history(app: &TestApp, mc: &str) -> (u16, Value) {
    json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/carriers/{mc}")).await).await
}

/// What the three calls agreed: our first counter on CH-1 (then taken and booked), and
/// our final offer on CH-2 (refused).
struct Story {
    counter: i64,
    final_offer: i64,
}

/// Three calls of MC 700010, oldest first: a deal booked on CH-1 after two rounds, a
/// walk-away from CH-2 after three, a deal at the posted rate on CH-3 that was not booked.
/// Another carrier calls too, and must not show.
async fn three_calls(app: &TestApp) -> Story {
    app.add_load(load("CH-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app.add_load(load("CH-2", "Chicago, IL", "Columbus, OH", "Flatbed", 2, 1200)).await;
    app.add_load(load("CH-3", "Memphis, TN", "Chicago, IL", "Flatbed", 3, 1800)).await;

    ok(app, "/api/v1/fmcsa/verify", json!({"mc_number": "MC-700010", "call_id": "hist-1"})).await;
    let first = offer(app, "hist-1", "CH-1", 2400).await;
    assert_eq!(first["decision"], "counter", "{first}");
    let counter = first["counter_offer"].as_i64().expect("a whole-dollar counter");
    let taken = offer(app, "hist-1", "CH-1", counter).await;
    assert_eq!(taken["decision"], "accept", "{taken}");
    let handoff = json!({"call_id": "hist-1", "load_id": "CH-1", "mc_number": MC, "agreed_rate": counter});
    ok(app, "/api/v1/calls/handoff", handoff).await;
    ok(app, "/api/v1/calls/finalize", json!({"call_id": "hist-1", "outcome": "booked", "sentiment": "positive"})).await;

    ok(app, "/api/v1/fmcsa/verify", json!({"mc_number": "mc 700010", "call_id": "hist-2"})).await;
    for ask in [3000, 2900] {
        assert_eq!(offer(app, "hist-2", "CH-2", ask).await["decision"], "counter");
    }
    let last = offer(app, "hist-2", "CH-2", 2800).await;
    assert_eq!(last["decision"], "reject", "{last}");
    let final_offer = last["final_offer"].as_i64().expect("a final offer");
    let walked = json!({"call_id": "hist-2", "outcome": "negotiation_failed", "sentiment": "negative"});
    ok(app, "/api/v1/calls/finalize", walked).await;

    // No verification on this call: the carrier is known from the MC the offer names.
    assert_eq!(offer(app, "hist-3", "CH-3", 1800).await["decision"], "accept");
    let declined = json!({"call_id": "hist-3", "mc_number": MC, "outcome": "carrier_declined", "sentiment": "neutral"});
    ok(app, "/api/v1/calls/finalize", declined).await;

    ok(app, "/api/v1/fmcsa/verify", json!({"mc_number": "700032", "call_id": "other-1"})).await;
    let other = json!({"call_id": "other-1", "load_id": "CH-2", "carrier_offer": 1500, "mc_number": "700032"});
    ok(app, EVALUATE, other).await;
    Story { counter, final_offer }
}

fn ids<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array().expect("a list").iter().map(|x| x[key].as_str().unwrap_or("")).collect()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[actix_web::test]
async fn a_carriers_history_shows_every_call_negotiation_and_booking_latest_first() {
    let app = spawn_app().await;
    let story = three_calls(&app).await;
    let (s, h) = history(&app, "MC-700010").await;
    assert_eq!(s, 200, "{h}");

    assert_eq!(h["mc_number"], MC);
    assert_eq!(h["carrier_name"], "Prairie Lantern Transport LLC", "FMCSA's name, as the calls show it");
    assert!(h["first_seen"].as_str().unwrap() <= h["last_seen"].as_str().unwrap(), "{h}");
    assert!(h["last_seen"].as_str().unwrap().ends_with('Z'), "RFC 3339 in UTC: {}", h["last_seen"]);

    // Calls: latest first, with what each ended on.
    assert_eq!(ids(&h["calls"], "call_id"), ["hist-3", "hist-2", "hist-1"]);
    assert_eq!(h["calls_total"], 3);
    assert_eq!(ids(&h["calls"], "outcome"), ["carrier_declined", "negotiation_failed", "booked"]);
    assert_eq!(ids(&h["calls"], "sentiment"), ["neutral", "negative", "positive"]);
    assert_eq!(ids(&h["calls"], "load_id"), ["CH-3", "CH-2", "CH-1"], "the load negotiated when none was named");
    assert_eq!(h["calls"][2]["agreed_rate"], story.counter, "the booked rate");
    assert_eq!(h["calls"][1]["agreed_rate"], Value::Null);

    // Negotiations: lanes from the load board, asks, counters and premiums.
    let n = &h["negotiations"];
    assert_eq!(ids(n, "call_id"), ["hist-3", "hist-2", "hist-1"], "the other carrier's offer is not listed");
    assert_eq!(ids(n, "status"), ["agreed", "rejected", "agreed"]);
    assert_eq!(n[2]["lane"], "Dallas, TX → Atlanta, GA");
    assert_eq!(n[2]["equipment_type"], "Dry Van");
    assert_eq!(n[1]["lane"], "Chicago, IL → Columbus, OH");
    assert_eq!((n[2]["loadboard_rate"].clone(), n[2]["rounds"].clone()), (json!(2000), json!(2)));
    assert_eq!((n[2]["first_ask"].clone(), n[2]["last_ask"].clone()), (json!(2400), json!(story.counter)));
    assert_eq!(n[2]["last_counter"], story.counter);
    assert_eq!(n[2]["agreed_rate"], story.counter);
    let premium = (story.counter as f64 / 2000.0 - 1.0) * 100.0;
    assert_eq!(n[2]["premium_pct"], round1(premium), "agreed / posted − 1");
    assert_eq!((n[1]["first_ask"].clone(), n[1]["last_ask"].clone()), (json!(3000), json!(2800)));
    assert_eq!(n[1]["final_offer"], story.final_offer);
    assert_eq!(n[1]["agreed_rate"], Value::Null);
    assert_eq!(n[1]["premium_pct"], Value::Null);
    assert_eq!(n[1]["walked_away"], true);
    assert_eq!((n[0]["agreed_rate"].clone(), n[0]["premium_pct"].clone()), (json!(1800), json!(0.0)));
    assert_eq!(n[0]["walked_away"], false, "a deal, even unbooked, is no walk-away");

    // Bookings and verifications.
    assert_eq!(h["bookings"].as_array().unwrap().len(), 1, "{h}");
    let b = &h["bookings"][0];
    assert_eq!((b["load_id"].as_str(), b["call_id"].as_str()), (Some("CH-1"), Some("hist-1")));
    assert_eq!((b["agreed_rate"].clone(), b["loadboard_rate"].clone()), (json!(story.counter), json!(2000)));
    assert_eq!(b["premium_pct"], round1(premium));
    assert_eq!(b["status"], "active");
    assert!(b["booking_id"].as_str().is_some_and(|id| !id.is_empty()));
    // hist-1's handoff checked the verification on record rather than verifying again.
    let v = &h["verifications"];
    assert_eq!(ids(v, "call_id"), ["hist-2", "hist-1"]);
    assert_eq!(ids(v, "status"), ["eligible", "eligible"]);
    assert_eq!(v[0]["eligible"], true);
    assert_eq!(v[0]["reasons"], json!([]));
    assert_eq!(v[0]["legal_name"], "PRAIRIE LANTERN TRANSPORT LLC");

    // The summary counts it all; the average premium is over the two deals.
    let sum = &h["summary"];
    let counts: Vec<i64> = ["calls", "negotiations", "agreed", "booked", "walked_away"]
        .iter()
        .map(|k| sum[*k].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(counts, [3, 3, 2, 1, 1], "{sum}");
    assert_eq!(sum["average_premium_pct"], round1(premium / 2.0), "({premium:.2}% + 0%) / 2");
    assert_eq!(sum["average_rounds"], 2.0, "(2 + 3 + 1) / 3");
}

#[actix_web::test]
async fn the_mc_is_read_in_any_spelling_and_the_answer_fits_the_document() {
    let app = spawn_app().await;
    three_calls(&app).await;
    let (_, digits) = history(&app, MC).await;
    for spelling in ["MC-700010", "mc%20700010", "MC700010", "0700010", "MC%23700010"] {
        let (s, h) = history(&app, spelling).await;
        assert_eq!(s, 200, "{spelling}: {h}");
        assert_eq!(h, digits, "{spelling} names the same carrier");
    }
    let doc = document(&app).await;
    let res = app.get_as(DASHBOARD_KEY, "/api/v1/carriers/MC-700010").await;
    conforms(&doc, "get", "/api/v1/carriers/{mc}", res).await;
    let res = app.get_as(DASHBOARD_KEY, "/api/v1/carriers/MC-700032").await;
    let (_, other) = conforms(&doc, "get", "/api/v1/carriers/{mc}", res).await;
    assert_eq!(other["calls_total"], 1);
    assert_eq!(other["summary"]["average_premium_pct"], Value::Null, "no deal, no premium: {other}");
    assert_eq!(other["summary"]["walked_away"], 0, "its call is not over yet");
    for path in ["/api/v1/carriers/MC-123456", "/api/v1/carriers/abc"] {
        let res = app.get_as(DASHBOARD_KEY, path).await;
        conforms(&doc, "get", "/api/v1/carriers/{mc}", res).await;
    }
}

#[actix_web::test]
async fn an_unknown_carrier_is_a_404_and_a_malformed_mc_a_422() {
    let app = spawn_app().await;
    // Another carrier's activity does not make this one known.
    ok(&app, "/api/v1/fmcsa/verify", json!({"mc_number": "700032", "call_id": "other-1"})).await;
    let (s, b) = history(&app, "MC-123456").await;
    assert_eq!(s, 404, "{b}");
    assert_eq!(error_code(&b), "carrier_not_found");
    assert_eq!(b["error"]["field"], "mc");

    for bad in ["abc", "MC-12a4", "0", "123456789"] {
        let (s, b) = history(&app, bad).await;
        assert_eq!(s, 422, "{bad}: {b}");
        assert_eq!(error_code(&b), "invalid_value", "{bad}");
        assert_eq!(b["error"]["field"], "mc", "{bad}");
    }
}

#[actix_web::test]
async fn a_verification_alone_makes_a_carrier_known() {
    let app = spawn_app().await;
    // No call id named: one is issued, so the carrier has a call and a verification.
    ok(&app, "/api/v1/fmcsa/verify", json!({"mc_number": "700040"})).await;
    let (s, h) = history(&app, "700040").await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["verifications"][0]["status"], "ineligible");
    assert_eq!(h["verifications"][0]["eligible"], false);
    assert_eq!(h["verifications"][0]["reasons"], json!(["NOT_ALLOWED_TO_OPERATE"]));
    assert_eq!(h["negotiations"], json!([]));
    assert_eq!(h["bookings"], json!([]));
    assert_eq!(h["summary"]["negotiations"], 0);
    assert_eq!(h["summary"]["average_rounds"], Value::Null);
    assert_eq!(h["first_seen"], h["last_seen"], "one event");
}

#[actix_web::test]
async fn the_history_is_for_the_dashboard_only() {
    let app = spawn_app().await;
    ok(&app, "/api/v1/fmcsa/verify", json!({"mc_number": MC, "call_id": "auth-1"})).await;
    let path = "/api/v1/carriers/MC-700010";
    let (s, b) = json(app.get_as(AGENT_KEY, path).await).await;
    assert_eq!(s, 403, "{b}");
    assert_eq!(error_code(&b), "forbidden");
    let (s, b) = json(app.client.get(app.url(path)).send().await.unwrap()).await;
    assert_eq!(s, 401, "{b}");
    assert_eq!(error_code(&b), "missing_api_key");
    let (s, b) = json(app.get_as("not-a-key-of-ours-0123456789", path).await).await;
    assert_eq!(s, 401, "{b}");
    assert_eq!(error_code(&b), "invalid_api_key");
    assert_eq!(json(app.get_as(ADMIN_KEY, path).await).await.0, 200, "admin reads everything");
    assert_eq!(json(app.get_as(DASHBOARD_KEY, path).await).await.0, 200);
}
