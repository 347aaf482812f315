//! Pricing memory (SPEC §14) through the API: a carrier's earlier negotiations inform the
//! counters of its later calls; a first-time caller, or any caller with learning off, gets
//! exactly the §7 schedule; the reason is in the call story and never in what the agent
//! hears; lane rates lower a ceiling only when switched on.

use crate::helpers::*;
use serde_json::{json, Value};

const EVALUATE: &str = "/api/v1/negotiations/evaluate";

/// Posted $2,000, no max_rate: ceiling $2,200; the schedule counters $2,080 then $2,150.
async fn app_with(adjust: impl FnOnce(&mut carrier_sales::config::Settings)) -> TestApp {
    let app = spawn_with(adjust).await;
    app.add_load(load("M-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app
}

async fn offer(app: &TestApp, call: &str, mc: Option<&str>, amount: i64) -> Value {
    let mut body = json!({"call_id": call, "load_id": "M-1", "carrier_offer": amount});
    if let Some(mc) = mc {
        body["mc_number"] = json!(mc);
    }
    let (status, answer) = json(app.agent(EVALUATE, &body).await).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// The carrier refuses our $2,080 and we take its $2,100: it needed more than 4% and at
/// most 5% over posted, so memory reads 4.5%.
async fn first_call(app: &TestApp, call: &str, mc: Option<&str>) {
    let r1 = offer(app, call, mc, 2400).await;
    assert_eq!(r1["counter_offer"], 2080, "a first-time caller gets the schedule: {r1}");
    let r2 = offer(app, call, mc, 2100).await;
    assert_eq!((r2["decision"].as_str(), r2["agreed_rate"].as_i64()), (Some("accept"), Some(2100)), "{r2}");
}

/// The call story's rounds, with their reasons.
async fn story_rounds(app: &TestApp, call: &str) -> Vec<Value> {
    let (s, story) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls/{call}")).await).await;
    assert_eq!(s, 200, "{story}");
    story["negotiations"][0]["rounds"].as_array().cloned().unwrap_or_default()
}

#[actix_web::test]
async fn a_repeat_caller_is_countered_from_its_history_and_a_new_one_from_the_schedule() {
    let app = app_with(|_| {}).await;
    first_call(&app, "mem-a1", Some("700010")).await;
    // One negotiation at 4.5%, spread √(3² + 1.5²) ≈ 3.35 points: round 1 aims at
    // 4.5 − 1.68 = 2.82% → $2,056.46 → $2,055 (the $5 step).
    let again = offer(&app, "mem-a2", Some("MC-700010"), 2400).await;
    assert_eq!(again["counter_offer"], 2055, "{again}");
    // What the agent hears says nothing of the history.
    assert_eq!(again["message"], "I can do $2,055 on that one.");
    let said = again.to_string().to_lowercase();
    assert!(!said.contains("history") && !said.contains("earlier") && !said.contains("2,100"), "{again}");
    // Round 2 aims at 4.5 + 1.68 = 6.18% → $2,123.6 → $2,120.
    let r2 = offer(&app, "mem-a2", Some("700010"), 2300).await;
    assert_eq!(r2["counter_offer"], 2120, "{r2}");
    // The story says why; a different carrier still gets the schedule.
    let rounds = story_rounds(&app, "mem-a2").await;
    let why = rounds[0]["why"].as_str().unwrap_or_default();
    assert!(why.contains("Carrier history: 1 earlier negotiation") && why.contains("+4.5%"), "{why}");
    assert!(why.contains("Last deal: $2,100 on M-1"), "{why}");
    let first = story_rounds(&app, "mem-a1").await;
    assert!(first[0]["why"].as_str().unwrap_or_default().contains("40% of the way"), "{first:?}");
    let stranger = offer(&app, "mem-b1", Some("700020"), 2400).await;
    assert_eq!(stranger["counter_offer"], 2080, "{stranger}");
}

#[actix_web::test]
async fn the_carrier_is_known_from_its_verification_when_the_tool_omits_the_mc() {
    let app = app_with(|_| {}).await;
    first_call(&app, "mem-v1", Some("700010")).await;
    let (s, v) =
        json(app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": "700010", "call_id": "mem-v2"})).await).await;
    assert_eq!(s, 200, "{v}");
    let r1 = offer(&app, "mem-v2", None, 2400).await;
    assert_eq!(r1["counter_offer"], 2055, "{r1}");
}

/// A call that negotiates first and names its carrier later (a verification after the
/// deal): the negotiation becomes the carrier's, for memory and the carrier page alike.
#[actix_web::test]
async fn a_negotiation_made_before_the_carrier_was_known_counts_once_it_is() {
    let app = app_with(|_| {}).await;
    first_call(&app, "mem-l1", None).await;
    let (s, v) =
        json(app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": "MC-700010", "call_id": "mem-l1"})).await).await;
    assert_eq!(s, 200, "{v}");
    let again = offer(&app, "mem-l2", Some("700010"), 2400).await;
    assert_eq!(again["counter_offer"], 2055, "the earlier deal is the carrier's now: {again}");
    let (s, page) = json(app.get_as(DASHBOARD_KEY, "/api/v1/carriers/700010").await).await;
    assert_eq!(s, 200, "{page}");
    let calls: Vec<&str> =
        page["negotiations"].as_array().expect("a list").iter().filter_map(|n| n["call_id"].as_str()).collect();
    assert!(calls.contains(&"mem-l1"), "{page}");
}

#[actix_web::test]
async fn learning_off_restores_the_schedule_exactly() {
    let app = app_with(|s| s.negotiation.learning = false).await;
    first_call(&app, "off-1", Some("700010")).await;
    let r1 = offer(&app, "off-2", Some("700010"), 2400).await;
    assert_eq!(r1["counter_offer"], 2080, "{r1}");
    let r2 = offer(&app, "off-2", Some("700010"), 2300).await;
    assert_eq!(r2["counter_offer"], 2150, "{r2}");
    let (s, policy) = json(app.get_as(DASHBOARD_KEY, "/api/v1/negotiations/policy").await).await;
    assert_eq!(s, 200);
    assert_eq!(policy["memory"]["learning"], false, "{policy}");
    assert!(policy["memory"]["how"][0].as_str().unwrap_or_default().starts_with("Off"), "{policy}");
}

#[actix_web::test]
async fn memory_reads_only_its_window() {
    let app = app_with(|s| s.negotiation.memory_days = 30).await;
    first_call(&app, "old-1", Some("700010")).await;
    // Move that negotiation 31 days back: it is out of the window.
    let day = 86_400_000i64;
    app.exec_sql(&format!("UPDATE negotiations SET created_at = created_at - {} WHERE call_id = 'old-1'", 31 * day));
    let r1 = offer(&app, "old-2", Some("700010"), 2400).await;
    assert_eq!(r1["counter_offer"], 2080, "{r1}");
    let (_, policy) = json(app.get_as(DASHBOARD_KEY, "/api/v1/negotiations/policy").await).await;
    assert_eq!(
        (policy["memory"]["learning"].as_bool(), policy["memory"]["memory_days"].as_i64()),
        (Some(true), Some(30))
    );
}

/// Five agreements on Dallas → Atlanta dry van at $2.00 to $2.40 a mile; a new 1,000-mile
/// load there posted at $2,000 (markup ceiling $2,200) gets the lane's $2,400 only if higher.
async fn lane_app(lane_ceiling: bool) -> TestApp {
    let app = spawn_with(|s| s.negotiation.lane_ceiling = lane_ceiling).await;
    for (i, rate) in [1800, 1850, 1900, 1950, 2000].iter().enumerate() {
        let mut l = load(&format!("LN-{i}"), "Dallas, TX", "Atlanta, GA", "Dry Van", 2, *rate);
        l["miles"] = json!(1000);
        app.add_load(l).await;
        let body = json!({"call_id": format!("lane-{i}"), "load_id": format!("LN-{i}"), "carrier_offer": rate});
        let (s, a) = json(app.agent(EVALUATE, &body).await).await;
        assert_eq!((s, a["decision"].as_str()), (200, Some("accept")), "{a}");
    }
    let mut l = load("LN-new", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 1900);
    l["miles"] = json!(1000);
    app.add_load(l).await;
    app
}

async fn final_offer_on_the_new_load(app: &TestApp) -> Value {
    let mut last = Value::Null;
    for amount in [2500, 2450, 2400] {
        let body = json!({"call_id": "lane-new", "load_id": "LN-new", "carrier_offer": amount});
        last = json(app.agent(EVALUATE, &body).await).await.1;
    }
    last
}

#[actix_web::test]
async fn lane_rates_lower_the_ceiling_only_when_switched_on() {
    // Posted $1,900: the markup ceiling is $2,090; the lane's most per mile is $2.00 → $2,000.
    let on = lane_app(true).await;
    let r3 = final_offer_on_the_new_load(&on).await;
    assert_eq!((r3["decision"].as_str(), r3["final_offer"].as_i64()), (Some("reject"), Some(2000)), "{r3}");
    let rounds = story_rounds(&on, "lane-new").await;
    assert!(
        rounds[0]["why"].as_str().unwrap_or_default().contains("Ceiling lowered from $2,090 to $2,000"),
        "{rounds:?}"
    );
    let off = lane_app(false).await;
    let r3 = final_offer_on_the_new_load(&off).await;
    assert_eq!(r3["final_offer"], 2090, "{r3}");
}
