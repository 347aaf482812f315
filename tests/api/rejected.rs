//! Nothing lost from a webhook we cannot read (SPEC §12.2): bodies broken by a raw JSON
//! template are repaired when the repair changes no value, and otherwise kept, listed and
//! replayed by an admin.

use crate::helpers::*;
use serde_json::{json, Value};

const FINALIZE: &str = "/api/v1/calls/finalize";
const EVENTS: &str = "/api/v1/webhooks/happyrobot";
const REJECTED: &str = "/api/v1/webhooks/rejected";

/// The platform's raw body template with the transcript pasted in as text: the way a
/// `"transcript": "{{…}}"` template renders a multi-line transcript.
fn templated_finalize(call_id: &str, transcript: &str) -> String {
    format!(
        "{{\n  \"call_id\": \"{call_id}\",\n  \"mc_number\": \"MC-700010\",\n  \"outcome\": \"carrier_declined\",\n  \"transcript\": \"{transcript}\",\n}}"
    )
}

async fn post_raw(app: &TestApp, key: &str, path: &str, body: String) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(path))
        .header("X-API-Key", key)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    json(res).await
}

async fn rejected(app: &TestApp, query: &str) -> Value {
    let (s, b) = json(app.get_as(DASHBOARD_KEY, &format!("{REJECTED}{query}")).await).await;
    assert_eq!(s, 200, "{b}");
    b
}

async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    text.lines()
        .filter(|l| l.starts_with(name) && l.contains("/api/v1/calls/finalize"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[actix_web::test]
async fn a_transcript_with_raw_line_breaks_is_repaired_and_recorded() {
    let app = spawn_app().await;
    let before = metric(&app, "carrier_sales_webhooks_repaired_total").await;
    let body = templated_finalize("c-newlines", "Agent: What's your MC?\nCarrier: 700010.\r\nAgent:\tThanks.");
    assert!(serde_json::from_str::<Value>(&body).is_err(), "the body must really be broken");
    let (s, b) = post_raw(&app, AGENT_KEY, FINALIZE, body).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["call_id"], "c-newlines");
    let (_, story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/c-newlines").await).await;
    let turns = story["call"]["transcript"].as_array().unwrap();
    assert_eq!(turns.len(), 3, "{turns:?}");
    assert_eq!(turns[1]["content"], "700010.");
    assert_eq!(turns[2]["content"], "Thanks.");
    assert_eq!(rejected(&app, "").await["open"], 0);
    assert_eq!(metric(&app, "carrier_sales_webhooks_repaired_total").await, before + 1.0);
}

#[actix_web::test]
async fn unescaped_quotes_are_kept_listed_and_replayed_corrected() {
    let app = spawn_app().await;
    let body = templated_finalize("c-quotes", "Carrier: I said \"no\" to that rate.");
    let (s, b) = post_raw(&app, AGENT_KEY, FINALIZE, body.clone()).await;
    assert_eq!((s, error_code(&b)), (400, "invalid_json".to_string()), "{b}");
    let id = b["rejected_id"].as_str().expect("a rejected_id").to_string();
    assert!(b["error"]["message"].as_str().unwrap().contains(&id), "{b}");
    // Nothing was guessed at: no call.
    let (_, calls) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(calls["calls"].as_array().unwrap().len(), 0);

    let list = rejected(&app, "").await;
    assert_eq!(list["open"], 1);
    let entry = &list["rejected"][0];
    assert_eq!(entry["rejected_id"], id.as_str());
    assert_eq!(entry["route"], FINALIZE);
    assert_eq!(entry["body"], body.as_str(), "kept byte for byte");
    assert_eq!(entry["error_line"], 5, "{entry}");
    assert!(entry["error_column"].as_i64().unwrap() > 0);
    assert!(entry["request_id"].is_string());
    assert_eq!(entry["replayed_at"], Value::Null);
    // The agent key cannot read them (transcripts) nor replay.
    let (s, _) = json(app.get_as(AGENT_KEY, REJECTED).await).await;
    assert_eq!(s, 403);
    let replay = format!("{REJECTED}/{id}/replay");
    let corrected = json!({"call_id": "c-quotes", "mc_number": "MC-700010", "outcome": "carrier_declined",
                           "transcript": "Carrier: I said \"no\" to that rate."});
    let (s, _) = json(app.agent(&replay, &corrected).await).await;
    assert_eq!(s, 403);

    // Still not JSON: refused, nothing stored, the entry stays open.
    let (s, b) = post_raw(&app, ADMIN_KEY, &replay, "{\"call_id\": \"c-quotes\",".into()).await;
    assert_eq!((s, error_code(&b)), (400, "invalid_json".to_string()));
    // The route refuses the corrected body: its own answer, the entry stays open.
    let (s, b) = json(app.admin(&replay, &json!({"call_id": "c-quotes", "transferred": "perhaps"})).await).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("transferred")), "{b}");
    assert_eq!(rejected(&app, "?status=open").await["rejected"].as_array().unwrap().len(), 1);

    let (s, b) = json(app.admin(&replay, &corrected).await).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["call_id"], "c-quotes");
    assert_eq!(b["outcome"], "carrier_declined");
    assert_eq!(b["rejected_id"], id.as_str());
    assert!(b["replayed_at"].is_string());
    let (_, story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/c-quotes").await).await;
    assert_eq!(story["call"]["transcript"][0]["content"], "I said \"no\" to that rate.");

    let list = rejected(&app, "").await;
    assert_eq!(list["open"], 0);
    assert_eq!(list["rejected"][0]["replay_call_id"], "c-quotes");
    assert!(list["rejected"][0]["replayed_at"].is_string());
    assert_eq!(rejected(&app, "?status=open").await["rejected"].as_array().unwrap().len(), 0);
    assert_eq!(rejected(&app, "?status=replayed").await["rejected"].as_array().unwrap().len(), 1);

    let (s, b) = json(app.admin(&format!("{REJECTED}/rej_nope/replay"), &corrected).await).await;
    assert_eq!((s, error_code(&b)), (404, "rejected_not_found".to_string()));
    assert_eq!(b["error"]["field"], "rejected_id");
    let (s, b) = json(app.get_as(DASHBOARD_KEY, &format!("{REJECTED}?status=lost")).await).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("status")));
}

#[actix_web::test]
async fn session_events_are_repaired_or_kept_too() {
    let app = spawn_app().await;
    let (s, _) =
        json(app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": "700010", "call_id": "ses-1"})).await).await;
    assert_eq!(s, 200);
    let event = |status: &str| {
        format!(
            "{{\"specversion\": \"1.0\", \"type\": \"session.status_changed\", \"time\": \"2026-11-21T15:01:44Z\",\n \"data\": {{\"session_id\": \"ses-1\", \"status\": {{\"previous\": \"queued\", \"current\": \"{status}\"}},}},\n}}"
        )
    };
    let (s, b) = post_raw(&app, AGENT_KEY, EVENTS, event("in-progress")).await;
    assert_eq!(s, 200, "trailing commas are dropped: {b}");
    assert_eq!(b["status"], "in-progress");

    let broken = event("completed").replace("\"current\"", "current");
    let (s, b) = post_raw(&app, AGENT_KEY, EVENTS, broken).await;
    assert_eq!(s, 400, "{b}");
    let id = b["rejected_id"].as_str().unwrap().to_string();
    let entry = &rejected(&app, "").await["rejected"][0];
    assert_eq!(entry["route"], EVENTS);
    assert_eq!(entry["error_line"], 2);
    let fixed: Value = serde_json::from_str(&event("completed").replace(",}", "}").replace(",\n}", "\n}")).unwrap();
    let (s, b) = json(app.admin(&format!("{REJECTED}/{id}/replay"), &fixed).await).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["status"], "completed");
    let (_, story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/ses-1").await).await;
    assert_eq!(story["call"]["platform_status"], "completed", "{story}");
}

#[actix_web::test]
async fn only_an_authenticated_caller_can_leave_a_body_and_an_empty_one_is_not_kept() {
    let app = spawn_app().await;
    let res = app.client.post(app.url(FINALIZE)).body("{not json").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    let (s, b) = post_raw(&app, AGENT_KEY, FINALIZE, "   ".into()).await;
    assert_eq!((s, error_code(&b)), (400, "invalid_json".to_string()));
    assert_eq!(b.get("rejected_id"), None);
    assert_eq!(rejected(&app, "").await["rejected"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn the_list_pages_newest_first() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (s, b) = post_raw(&app, AGENT_KEY, FINALIZE, format!("{{\"call_id\": \"c{i}\" \"oops\"}}")).await;
        assert_eq!(s, 400);
        ids.push(b["rejected_id"].as_str().unwrap().to_string());
        app.exec_sql(&format!(
            "UPDATE rejected_webhooks SET received_at = {} WHERE rejected_id = '{}'",
            1_780_000_000_000i64 + i,
            ids[i as usize]
        ));
    }
    let first = rejected(&app, "?limit=2").await;
    let page: Vec<&str> =
        first["rejected"].as_array().unwrap().iter().map(|r| r["rejected_id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[4].as_str(), ids[3].as_str()]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = rejected(&app, &format!("?limit=2&cursor={cursor}")).await;
    let page: Vec<&str> =
        second["rejected"].as_array().unwrap().iter().map(|r| r["rejected_id"].as_str().unwrap()).collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(second["open"], 5);
}
