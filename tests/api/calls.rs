use crate::helpers::*;
use serde_json::{json, Value};

const FINALIZE: &str = "/api/v1/calls/finalize";

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/happyrobot/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

async fn finalize(app: &TestApp, body: &Value) -> Value {
    let (s, b) = json(app.agent(FINALIZE, body).await).await;
    assert_eq!(s, 200, "{b}");
    b
}

async fn call_story(app: &TestApp, call_id: &str) -> Value {
    let (s, b) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls/{call_id}")).await).await;
    assert_eq!(s, 200, "{b}");
    b
}

#[actix_web::test]
async fn the_platforms_end_of_call_body_is_recorded_once() {
    let app = spawn_app().await;
    let body = fixture("end_of_call_extract.json");
    let first = finalize(&app, &body).await;
    assert_eq!(first["call_id"], "ses_5b1e8d7c2f6a4e93");
    assert_eq!(first["outcome"], "booked");
    assert_eq!(first["created"], true);
    // "Booked" is the agent's label; the sentiment was "" so the service scored it.
    assert_eq!(first["outcome_classified_by"], "agent");
    assert_eq!(first["sentiment_classified_by"], "service");
    assert_eq!(first["classified_by"], "service");
    // No booking was recorded for this call: the agent's label stays, flagged.
    assert_eq!(first["outcome_conflict"], true);

    // The webhook retried: same record.
    let again = finalize(&app, &body).await;
    assert_eq!(again["created"], false);
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(list["calls"].as_array().unwrap().len(), 1);

    let story = call_story(&app, "ses_5b1e8d7c2f6a4e93").await;
    let call = &story["call"];
    assert_eq!(call["mc_number"], "1515");
    assert_eq!(call["agreed_rate"], 2350);
    assert_eq!(call["initial_carrier_offer"], 2650);
    assert_eq!(call["negotiation_rounds"], 2);
    assert_eq!(call["transferred"], true);
    assert_eq!(call["duration_seconds"], Value::Null, "0 means no value");
    assert_eq!(call["started_at"], "2026-11-21T15:01:44Z");
    assert_eq!(call["transcript"].as_array().unwrap().len(), 9);
    assert_eq!(call["transcript"][1]["role"], "carrier");
    assert_eq!(call["extracted"]["equipment"], "53' dry van");
}

#[actix_web::test]
async fn transcripts_arrive_in_every_form() {
    let app = spawn_app().await;
    let turns = json!([{"role": "assistant", "content": "Can I get your MC?"}, {"role": "user", "content": "Sure, it's 700010. Sounds good, thanks!"}]);
    for (i, transcript) in [
        turns.clone(),
        json!(turns.to_string()),
        json!("Agent: Can I get your MC?\nCarrier: Sure, it's 700010. Sounds good, thanks!"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("t-{i}");
        finalize(&app, &json!({"call_id": id, "transcript": transcript})).await;
        let story = call_story(&app, &id).await;
        let t = story["call"]["transcript"].as_array().unwrap();
        assert_eq!(t.len(), 2, "{transcript}");
        assert_eq!(t[1]["role"], "carrier");
        assert_eq!(t[1]["content"], "Sure, it's 700010. Sounds good, thanks!");
    }
}

#[actix_web::test]
async fn a_partial_finalize_is_completed_by_a_later_one() {
    let app = spawn_app().await;
    let first = finalize(&app, &json!({"call_id": "p1", "mc_number": "MC-700010", "duration_seconds": "95"})).await;
    assert_eq!(first["created"], true);
    let second = finalize(&app, &json!({"call_id": "p1", "carrier_name": "Prairie Lantern Transport", "outcome": "Callback Requested", "sentiment": "NEUTRAL", "duration_seconds": ""})).await;
    assert_eq!(second["created"], false);
    assert_eq!(second["outcome"], "callback_requested");
    assert_eq!(second["classified_by"], "agent");
    let call = &call_story(&app, "p1").await["call"];
    assert_eq!(call["mc_number"], "700010");
    assert_eq!(call["carrier_name"], "Prairie Lantern Transport");
    assert_eq!(call["duration_seconds"], 95, "a missing value never erases a stored one");
    // A third finalize without labels keeps the agent's.
    let third = finalize(&app, &json!({"call_id": "p1", "summary": "Wants a call tomorrow."})).await;
    assert_eq!(third["outcome"], "callback_requested");
    assert_eq!(third["sentiment"], "neutral");
}

#[actix_web::test]
async fn the_service_classifies_from_recorded_facts_when_the_agent_does_not() {
    let app = spawn_app().await;
    app.add_load(load("F-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    // A booked call.
    let (s, _) = json(
        app.agent(
            "/api/v1/calls/handoff",
            &json!({"call_id": "f-booked", "load_id": "F-1", "mc_number": 700010, "agreed_rate": 2000}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    let b = finalize(
        &app,
        &json!({"call_id": "f-booked", "outcome": "", "sentiment": "n/a",
        "transcript": "Carrier: That works, really appreciate it."}),
    )
    .await;
    assert_eq!(b["outcome"], "booked");
    assert_eq!(b["sentiment"], "positive");
    assert_eq!(b["classified_by"], "service");
    assert_eq!(b["outcome_conflict"], false);

    // A search with nothing found and no negotiation.
    let (s, _) =
        json(app.agent("/api/v1/loads/search", &json!({"origin": "Boise, ID", "call_id": "f-none"})).await).await;
    assert_eq!(s, 200);
    let n = finalize(&app, &json!({"call_id": "f-none", "outcome": "not a label"})).await;
    assert_eq!(n["outcome"], "no_matching_loads");
    assert_eq!(n["outcome_classified_by"], "service");
}

#[actix_web::test]
async fn finalize_refuses_unusable_values() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"call_id": "x".repeat(129), "outcome": "booked"}), "call_id"),
        (json!({"outcome": "booked", "agreed_rate": "-5"}), "agreed_rate"),
        (json!({"call_id": "x", "mc_number": "abc"}), "mc_number"),
        (json!({"call_id": "x", "transferred": "perhaps"}), "transferred"),
        (json!({"call_id": "x", "started_at": "yesterday-ish"}), "started_at"),
        (json!({"call_id": "x", "transcript": "x".repeat(200_001)}), "transcript"),
        (json!({"call_id": "x", "carrier_name": "n".repeat(201)}), "carrier_name"),
        (json!({"call_id": "x", "extracted": [1, 2]}), "extracted"),
    ] {
        let (s, b) = json(app.agent(FINALIZE, &body).await).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(b["error"]["field"], field);
    }
    // Nothing was stored by the refused requests.
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(list["calls"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn calls_are_filtered_and_paginated() {
    let app = spawn_app().await;
    for i in 0..7 {
        let outcome = if i % 2 == 0 { "booked" } else { "carrier_declined" };
        let started = format!("2026-11-{:02}T15:00:00Z", 10 + i);
        finalize(
            &app,
            &json!({"call_id": format!("call-{i}"), "carrier_name": format!("Carrier {i} Freight"),
            "mc_number": 700010 + i, "outcome": outcome, "sentiment": "positive", "started_at": started}),
        )
        .await;
    }
    let (_, booked) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls?outcome=booked").await).await;
    assert_eq!(booked["calls"].as_array().unwrap().len(), 4);
    assert!(booked["calls"].as_array().unwrap().iter().all(|c| c["outcome"] == "booked"));
    let (_, by_mc) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls?mc_number=MC-700013").await).await;
    assert_eq!(by_mc["calls"][0]["call_id"], "call-3");
    let (_, by_q) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls?q=carrier%205").await).await;
    assert_eq!(by_q["calls"].as_array().unwrap().len(), 1);
    let (_, period) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls?from=2026-11-12&to=2026-11-13").await).await;
    let ids: Vec<&str> = period["calls"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["call-3", "call-2"], "newest first, `to` date inclusive");

    let mut seen = Vec::new();
    let mut path = "/api/v1/calls?limit=3".to_string();
    loop {
        let (_, page) = json(app.get_as(DASHBOARD_KEY, &path).await).await;
        seen.extend(page["calls"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/calls?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["call-6", "call-5", "call-4", "call-3", "call-2", "call-1", "call-0"]);

    for bad in ["outcome=won", "sentiment=meh", "mc_number=abc", "from=soon", "limit=-1"] {
        let (s, _) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls?{bad}")).await).await;
        assert_eq!(s, 422, "{bad}");
    }
    let (s, b) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/nope").await).await;
    assert_eq!(s, 404);
    assert_eq!(error_code(&b), "call_not_found");

    let res = app.get_as(DASHBOARD_KEY, "/api/v1/calls/export.csv?outcome=booked").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("call_id,started_at"));
    assert_eq!(lines.len(), 5, "{csv}");
}

/// `%` and `_` are LIKE wildcards: `q` must match them literally, not drop them.
#[actix_web::test]
async fn search_matches_ids_with_underscores_and_percent_signs_literally() {
    let app = spawn_app().await;
    for id in ["ses_5b1e8d7c", "ses5b1e8d7c", "sesX5b1e8d7c", "run_50%_off", "run_50x_off", r"back\slash_1"] {
        finalize(&app, &json!({"call_id": id, "outcome": "other", "sentiment": "neutral"})).await;
    }
    let found = |q: &'static str| {
        let app = &app;
        async move {
            let url = reqwest::Url::parse_with_params(&app.url("/api/v1/calls"), [("q", q)]).unwrap();
            let res = app.client.get(url).header("X-API-Key", DASHBOARD_KEY).send().await.unwrap();
            let (s, b) = json(res).await;
            assert_eq!(s, 200, "{q}: {b}");
            let mut ids: Vec<String> =
                b["calls"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap().to_string()).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(found("ses_5b1e").await, ["ses_5b1e8d7c"]);
    assert_eq!(found("SES_5B1E8D7C").await, ["ses_5b1e8d7c"], "case-insensitive");
    assert_eq!(found("50%_").await, ["run_50%_off"]);
    assert_eq!(found("%").await, ["run_50%_off"]);
    assert_eq!(found("_").await, [r"back\slash_1", "run_50%_off", "run_50x_off", "ses_5b1e8d7c"]);
    assert_eq!(found(r"k\s").await, [r"back\slash_1"], "the escape character itself is literal");
    assert_eq!(found(r"\").await, [r"back\slash_1"]);
    let csv = app.get_as(DASHBOARD_KEY, "/api/v1/calls/export.csv?q=ses_5b1e").await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

#[actix_web::test]
async fn a_calls_story_is_told_in_time_order() {
    let app = spawn_app().await;
    app.add_load(load("S-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let call = "story-1";
    app.agent("/api/v1/loads/search", &json!({"origin": "Dallas, TX", "call_id": call})).await;
    app.agent("/api/v1/negotiations/evaluate", &json!({"call_id": call, "load_id": "S-1", "carrier_offer": 2400}))
        .await;
    app.agent("/api/v1/negotiations/evaluate", &json!({"call_id": call, "load_id": "S-1", "carrier_offer": 2080}))
        .await;
    let (s, _) = json(
        app.agent(
            "/api/v1/calls/handoff",
            &json!({"call_id": call, "load_id": "S-1", "mc_number": 700010, "agreed_rate": 2080}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200);
    finalize(&app, &json!({"call_id": call, "outcome": "booked", "sentiment": "positive"})).await;

    let story = call_story(&app, call).await;
    let kinds: Vec<&str> = story["timeline"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    // The handoff verified the carrier on the spot (none was on record).
    assert_eq!(kinds, ["search", "negotiation_round", "negotiation_round", "verification", "booking", "finalize"]);
    assert_eq!(story["negotiations"][0]["rounds"][0]["counter_offer"], 2080);
    assert_eq!(story["booking"]["agreed_rate"], 2080);
    assert_eq!(story["call"]["lane"], "Dallas, TX → Atlanta, GA");
    assert_eq!(story["call"]["loadboard_rate"], 2000);
    assert_eq!(story["call"]["negotiation_rounds"], 2);
    assert_eq!(story["searches"][0]["result_count"], 1);
    // The premium is the server's figure: $80 over $2,000 posted is +4.0%.
    assert_eq!(story["call"]["premium_usd"], 80);
    assert_eq!(story["call"]["premium_pct"], 4.0);
    assert_eq!(story["call"]["in_progress"], false, "finalized");
}

/// A call is in progress until it has an outcome or an end, or the platform says its
/// session is over; without word from the platform, for an hour after it began.
#[actix_web::test]
async fn a_call_is_in_progress_until_it_ends() {
    let app = spawn_app().await;
    let live = |list: &Value, id: &str| {
        list["calls"].as_array().unwrap().iter().find(|c| c["call_id"] == id).unwrap()["in_progress"].clone()
    };
    let (s, _) =
        json(app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": "700010", "call_id": "call-live-1"})).await).await;
    assert_eq!(s, 200);
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(live(&list, "call-live-1"), true, "{list}");
    assert_eq!(list["calls"][0]["premium_usd"], Value::Null, "no deal, no premium");

    finalize(&app, &json!({"call_id": "call-live-1", "outcome": "no_matching_loads", "sentiment": "neutral"})).await;
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(live(&list, "call-live-1"), false, "{list}");
}

#[actix_web::test]
async fn session_events_set_the_calls_times_and_status() {
    let app = spawn_app().await;
    // The session starts before any tool runs: kept, not a call yet.
    let mut started = fixture("session_status_changed.json");
    started["data"]["status"] = json!({"previous": "queued", "current": "in-progress"});
    started["time"] = json!("2026-11-21T15:01:44Z");
    let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &started).await).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!((b["session_id"].as_str(), b["call_id"].as_str()), (Some("ses_5b1e8d7c2f6a4e93"), None), "{b}");
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(list["calls"].as_array().unwrap().len(), 0, "a session alone is not a call");
    // The first tool of a call with that id: the call takes the session's start.
    let (s, _) = json(
        app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": "700010", "call_id": "ses_5b1e8d7c2f6a4e93"})).await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(call_story(&app, "ses_5b1e8d7c2f6a4e93").await["call"]["started_at"], "2026-11-21T15:01:44Z");
    let ended = fixture("session_status_changed.json");
    let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &ended).await).await;
    assert_eq!(s, 200);
    assert_eq!(b["call_id"], "ses_5b1e8d7c2f6a4e93");
    let call = &call_story(&app, "ses_5b1e8d7c2f6a4e93").await["call"];
    assert_eq!(call["platform_status"], "completed");
    assert_eq!(call["started_at"], "2026-11-21T15:01:44Z");
    assert_eq!(call["ended_at"], "2026-11-21T15:04:12Z");
    assert_eq!(call["duration_seconds"], 148);
    assert_eq!(call["run_id"], "run_7f3c2a91e04b4d0c");

    let (s, b) =
        json(app.agent("/api/v1/webhooks/happyrobot", &json!({"type": "session.transcript_ready", "data": {}})).await)
            .await;
    assert_eq!(s, 202);
    assert_eq!(b["ignored"], true);
    let mut bad = fixture("session_status_changed.json");
    bad["data"]["status"]["current"] = json!("exploded");
    let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &bad).await).await;
    assert_eq!(s, 422);
    assert_eq!(b["error"]["field"], "data.status.current");
    let (s, _) = json(app.agent("/api/v1/webhooks/happyrobot", &json!({"type": "session.status_changed"})).await).await;
    assert_eq!(s, 422);
}

/// The payload as the platform documents it (docs.happyrobot.ai, session status change
/// payload contract): UUID ids, `schema_version`, `status.updated_at`, `use_case.version`
/// as a string. Settings name our workflow; another workflow's sessions are not calls.
#[actix_web::test]
async fn published_session_events_of_our_workflow_are_recorded_and_others_ignored() {
    let ours = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
    let app = spawn_with(|s| s.happyrobot.workflow_ids = vec![ours.to_string()]).await;
    let event = fixture("session_status_changed_published.json");
    let session = event["data"]["session_id"].as_str().unwrap().to_string();
    let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &event).await).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!((b["session_id"].as_str(), b["call_id"].as_str()), (Some(session.as_str()), None));
    // The call has the id verify issued; the end-of-call record names the session beside it.
    let (s, f) = json(
        app.agent(
            "/api/v1/calls/finalize",
            &json!({"call_id": "call-linked", "session_id": session, "outcome": "abandoned"}),
        )
        .await,
    )
    .await;
    assert_eq!((s, f["call_id"].as_str()), (200, Some("call-linked")), "{f}");
    let call = &call_story(&app, "call-linked").await["call"];
    assert_eq!(call["platform_status"], "completed", "{call}");
    // The change's own time, not the envelope's.
    assert_eq!(call["ended_at"], "2026-11-21T15:04:11Z", "{call}");
    // Later events of the linked session land on the call.
    let mut failed = event.clone();
    failed["data"]["status"] =
        json!({"previous": "completed", "current": "failed", "updated_at": "2026-11-21T15:05:00Z"});
    let (_, b) = json(app.agent("/api/v1/webhooks/happyrobot", &failed).await).await;
    assert_eq!(b["call_id"], "call-linked");
    assert_eq!(call_story(&app, "call-linked").await["call"]["platform_status"], "failed");

    let mut other = event.clone();
    other["data"]["use_case_id"] = json!("00000000-0000-4000-8000-000000000000");
    other["data"]["session_id"] = json!("another-workflows-session");
    let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &other).await).await;
    assert_eq!(s, 202, "{b}");
    assert_eq!((b["ignored"].as_bool(), b["reason"].as_str()), (Some(true), Some("other_workflow")));
    let mut unnamed = other.clone();
    unnamed["data"].as_object_mut().unwrap().remove("use_case_id");
    let (s, _) = json(app.agent("/api/v1/webhooks/happyrobot", &unnamed).await).await;
    assert_eq!(s, 202, "an event that does not say its workflow is not ours once workflows are named");
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(list["calls"].as_array().unwrap().len(), 1, "{list}");

    let mut bad = event.clone();
    bad["data"]["status"]["updated_at"] = json!("soon");
    let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &bad).await).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("data.status.updated_at")));
}

#[actix_web::test]
async fn live_events_reach_a_connected_dashboard() {
    use futures_util::StreamExt;
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/events")).header("X-API-Key", DASHBOARD_KEY).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = res.bytes_stream();
    // Let the stream subscribe, then act as the agent.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    finalize(&app, &json!({"call_id": "live-1", "outcome": "abandoned", "sentiment": "neutral"})).await;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !text.contains("live-1") {
        let chunk =
            tokio::time::timeout_at(deadline, stream.next()).await.expect("an event within 10 s").unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: call.finalized"), "{text}");
    let data_line = text.lines().find(|l| l.starts_with("data: ") && l.contains("live-1")).unwrap();
    let event: Value = serde_json::from_str(&data_line[6..]).unwrap();
    assert_eq!(event["kind"], "call.finalized");
    assert_eq!(event["payload"]["outcome"], "abandoned");
    assert!(event["id"].as_i64().unwrap() > 0);
}
