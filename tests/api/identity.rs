//! Call identity (SPEC §12.1): the chain holds together when the platform leaves the call
//! id missing, empty or unrendered, from the agent's own memory and the caller's MC.

use crate::helpers::*;
use serde_json::{json, Value};

const VERIFY: &str = "/api/v1/fmcsa/verify";
const SEARCH: &str = "/api/v1/loads/search";
const EVALUATE: &str = "/api/v1/negotiations/evaluate";
const HANDOFF: &str = "/api/v1/calls/handoff";
const FINALIZE: &str = "/api/v1/calls/finalize";
const UNRENDERED: &str = "{{session.id}}";

async fn ok(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, b) = json(app.agent(path, &body).await).await;
    assert_eq!(s, 200, "{path} {body}: {b}");
    b
}

async fn calls(app: &TestApp) -> Vec<Value> {
    let (s, b) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(s, 200, "{b}");
    b["calls"].as_array().unwrap().clone()
}

/// Posted $2,000: counters $2,080 then $2,150.
async fn app_with_load() -> TestApp {
    let app = spawn_app().await;
    app.add_load(load("ID-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app
}

#[actix_web::test]
async fn the_whole_chain_works_with_the_call_id_left_unrendered() {
    let app = app_with_load().await;
    let v = ok(&app, VERIFY, json!({"mc_number": "MC-700010", "call_id": UNRENDERED})).await;
    assert_eq!(v["status"], "eligible", "{v}");
    let id = v["call_id"].as_str().expect("verify answers a call_id").to_string();
    assert!(id.starts_with("call_") && id.len() <= 64, "{id}");

    let s = ok(&app, SEARCH, json!({"origin": "Dallas, TX", "call_id": UNRENDERED, "mc_number": "MC-700010"})).await;
    assert_eq!(s["call_id"], id.as_str());
    assert_eq!(s["loads"][0]["load_id"], "ID-1", "{s}");

    let offer =
        |amount: i64| json!({"call_id": UNRENDERED, "load_id": "ID-1", "carrier_offer": amount, "mc_number": "700010"});
    let r1 = ok(&app, EVALUATE, offer(2400)).await;
    assert_eq!((r1["round"].as_i64(), r1["counter_offer"].as_i64()), (Some(1), Some(2080)), "{r1}");
    assert_eq!(r1["call_id"], id.as_str());
    let r2 = ok(&app, EVALUATE, offer(2300)).await;
    assert_eq!((r2["round"].as_i64(), r2["counter_offer"].as_i64()), (Some(2), Some(2150)), "{r2}");
    assert_eq!(r2["call_id"], id.as_str());
    let r3 = ok(&app, EVALUATE, offer(2150)).await;
    assert_eq!((r3["round"].as_i64(), r3["decision"].as_str()), (Some(3), Some("accept")), "{r3}");
    assert_eq!(r3["call_id"], id.as_str());

    let h = ok(
        &app,
        HANDOFF,
        json!({"call_id": UNRENDERED, "load_id": "ID-1", "mc_number": "MC 700010", "agreed_rate": "$2,150"}),
    )
    .await;
    assert_eq!(h["call_id"], id.as_str());
    assert!(h["booking_id"].is_string(), "{h}");

    let f = ok(
        &app,
        FINALIZE,
        json!({"call_id": UNRENDERED, "mc_number": "700010", "outcome": "booked", "sentiment": "positive",
               "transcript": "Agent: MC number?\nCarrier: 700010."}),
    )
    .await;
    assert_eq!(f["call_id"], id.as_str());
    assert_eq!(f["created"], true);
    assert_eq!(f["outcome_conflict"], false, "the booking is on the same call: {f}");

    // ONE call, with its verification, search, three rounds and booking.
    let all = calls(&app).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let (_, story) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls/{id}")).await).await;
    assert_eq!(story["negotiations"][0]["rounds"].as_array().map(Vec::len), Some(3), "{story}");
    assert_eq!(story["booking"]["load_id"], "ID-1", "{story}");
    assert_eq!(story["call"]["outcome"], "booked");
    assert_eq!(story["verification"]["status"], "eligible", "{story}");
    assert!(!story["searches"].as_array().unwrap().is_empty(), "{story}");
}

#[actix_web::test]
async fn verify_keeps_a_given_id_takes_the_aliases_and_issues_one_otherwise() {
    let app = spawn_app().await;
    let given = ok(&app, VERIFY, json!({"mc_number": "700010", "call_id": "ses_given"})).await;
    assert_eq!(given["call_id"], "ses_given");
    let alias = ok(&app, VERIFY, json!({"mc_number": "700010", "call_id": "", "session_id": "ses_alias"})).await;
    assert_eq!(alias["call_id"], "ses_alias");
    let run = ok(&app, VERIFY, json!({"mc_number": "700010", "run_id": "run_7"})).await;
    assert_eq!(run["call_id"], "run_7");
    let mut issued = Vec::new();
    for missing in [json!(null), json!("null"), json!("  "), json!("{call_id}"), json!("{{ session.id }}")] {
        let v = ok(&app, VERIFY, json!({"mc_number": "700010", "call_id": missing})).await;
        let id = v["call_id"].as_str().unwrap().to_string();
        assert!(id.starts_with("call_"), "{missing}: {id}");
        issued.push(id);
    }
    issued.sort();
    issued.dedup();
    assert_eq!(issued.len(), 5, "every verify without an id gets its own");
    // A value that cannot be an id is refused, naming the field it came in.
    let (s, b) = json(app.agent(VERIFY, &json!({"mc_number": "700010", "session_id": "x".repeat(200)})).await).await;
    assert_eq!((s, error_code(&b)), (422, "invalid_value".to_string()));
    assert_eq!(b["error"]["field"], "session_id");
}

#[actix_web::test]
async fn without_a_call_and_without_an_mc_each_tool_does_what_spec_says() {
    let app = app_with_load().await;
    let s = ok(&app, SEARCH, json!({"origin": "Dallas", "call_id": UNRENDERED})).await;
    assert_eq!(s["call_id"], Value::Null, "an unattributed search: {s}");
    assert_eq!(s["total"], 1);

    let (st, b) =
        json(app.agent(EVALUATE, &json!({"call_id": "", "load_id": "ID-1", "carrier_offer": 2100})).await).await;
    assert_eq!((st, error_code(&b)), (422, "missing_field".to_string()), "{b}");
    assert_eq!(b["error"]["field"], "call_id");
    let (st, b) = json(app.agent(HANDOFF, &json!({"load_id": "ID-1", "agreed_rate": 2000})).await).await;
    assert_eq!((st, error_code(&b)), (422, "missing_field".to_string()), "{b}");
    assert_eq!(b["error"]["field"], "call_id");
    // With the call but not the MC, the handoff still needs the MC.
    let (st, b) =
        json(app.agent(HANDOFF, &json!({"call_id": "c-9", "load_id": "ID-1", "agreed_rate": 2000})).await).await;
    assert_eq!((st, b["error"]["field"].as_str()), (422, Some("mc_number")), "{b}");

    // Finalize drops nothing: a new record under an issued id.
    let f = ok(&app, FINALIZE, json!({"call_id": UNRENDERED, "outcome": "abandoned"})).await;
    let id = f["call_id"].as_str().unwrap();
    assert!(id.starts_with("call_"), "{f}");
    assert_eq!(f["created"], true);
    let all = calls(&app).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["call_id"], id);
}

#[actix_web::test]
async fn a_chain_that_never_verified_holds_together_by_its_mc() {
    let app = app_with_load().await;
    let offer = |amount: i64| json!({"load_id": "ID-1", "carrier_offer": amount, "mc_number": "MC-700010"});
    let r1 = ok(&app, EVALUATE, offer(2400)).await;
    let id = r1["call_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("call_"), "{r1}");
    let r2 = ok(&app, EVALUATE, offer(2300)).await;
    assert_eq!((r2["call_id"].as_str(), r2["round"].as_i64()), (Some(id.as_str()), Some(2)), "{r2}");
    let f = ok(&app, FINALIZE, json!({"session_id": UNRENDERED, "mc_number": "700010"})).await;
    assert_eq!(f["call_id"], id.as_str());
    assert_eq!(calls(&app).await.len(), 1);
}

#[actix_web::test]
async fn two_carriers_calling_at_once_keep_their_own_calls() {
    let app = app_with_load().await;
    app.add_load(load("ID-2", "Dallas, TX", "Memphis, TN", "Dry Van", 2, 1500)).await;
    let a = ok(&app, VERIFY, json!({"mc_number": "700010"})).await["call_id"].as_str().unwrap().to_string();
    let b = ok(&app, VERIFY, json!({"mc_number": "700020"})).await["call_id"].as_str().unwrap().to_string();
    assert_ne!(a, b);
    for (mc, load, want) in [("700010", "ID-1", &a), ("700020", "ID-2", &b), ("700010", "ID-1", &a)] {
        let r = ok(&app, EVALUATE, json!({"load_id": load, "carrier_offer": 9000, "mc_number": mc})).await;
        assert_eq!(r["call_id"], want.as_str(), "{mc}: {r}");
    }
    // A different offer (the same one again would be a webhook retry of round 1).
    let r = ok(&app, EVALUATE, json!({"load_id": "ID-2", "carrier_offer": 8000, "mc_number": "700020"})).await;
    assert_eq!((r["call_id"].as_str(), r["round"].as_i64()), (Some(b.as_str()), Some(2)));
}

#[actix_web::test]
async fn a_finished_or_old_call_is_not_reused_but_a_retried_finalize_is_the_same_record() {
    let app = spawn_app().await;
    let a = ok(&app, VERIFY, json!({"mc_number": "700010"})).await["call_id"].as_str().unwrap().to_string();
    let f1 = ok(&app, FINALIZE, json!({"mc_number": "700010", "outcome": "carrier_declined"})).await;
    assert_eq!((f1["call_id"].as_str(), f1["created"].as_bool()), (Some(a.as_str()), Some(true)));
    // The webhook retried at once: the same record.
    let f2 = ok(&app, FINALIZE, json!({"mc_number": "700010", "outcome": "carrier_declined"})).await;
    assert_eq!((f2["call_id"].as_str(), f2["created"].as_bool()), (Some(a.as_str()), Some(false)));
    // Once the retry window has passed, the finalized call is over: a new call for the MC.
    app.exec_sql("UPDATE calls SET finalized_at = finalized_at - 60000");
    let s = ok(&app, SEARCH, json!({"origin": "Dallas", "mc_number": "700010"})).await;
    let next = s["call_id"].as_str().unwrap().to_string();
    assert_ne!(next, a);
    // Three hours later nothing of today's calls is "in progress".
    let v = ok(&app, VERIFY, json!({"mc_number": "700020", "call_id": "older"})).await;
    assert_eq!(v["call_id"], "older");
    app.exec_sql("UPDATE verifications SET created_at = created_at - 10800000 WHERE call_id = 'older'");
    app.exec_sql("UPDATE calls SET updated_at = updated_at - 10800000 WHERE call_id = 'older'");
    let s = ok(&app, SEARCH, json!({"origin": "Dallas", "mc_number": "700020"})).await;
    assert_ne!(s["call_id"], "older", "{s}");
    assert!(s["call_id"].as_str().unwrap().starts_with("call_"));
}
