use crate::helpers::*;
use serde_json::{json, Value};

const EVALUATE: &str = "/api/v1/negotiations/evaluate";
const HANDOFF: &str = "/api/v1/calls/handoff";

/// Posted $2,000, no max_rate: ceiling $2,200; counters $2,080 then $2,150.
async fn app_with_load() -> TestApp {
    let app = spawn_app().await;
    app.add_load(load("N-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app
}

async fn offer(app: &TestApp, call: &str, amount: Value) -> (u16, Value) {
    json(app.agent(EVALUATE, &json!({"call_id": call, "load_id": "N-1", "carrier_offer": amount})).await).await
}

#[actix_web::test]
async fn rounds_are_counted_by_the_service_and_counters_rise() {
    let app = app_with_load().await;
    let (s, r1) = offer(&app, "c1", json!("$2,400")).await;
    assert_eq!(s, 200, "{r1}");
    assert_eq!(r1["decision"], "counter");
    assert_eq!(r1["round"], 1);
    assert_eq!(r1["rounds_remaining"], 2);
    assert_eq!(r1["counter_offer"], 2080);
    assert_eq!(r1["final"], false);
    assert_eq!(r1["message"], "I can do $2,080 on that one.");
    assert_eq!(r1["loadboard_rate"], 2000);

    let (_, r2) = offer(&app, "c1", json!(2300)).await;
    assert_eq!(r2["round"], 2);
    assert_eq!(r2["counter_offer"], 2150);

    let (_, r3) = offer(&app, "c1", json!("2,250")).await;
    assert_eq!(r3["round"], 3);
    assert_eq!(r3["decision"], "reject");
    assert_eq!(r3["final_offer"], 2200);
    assert_eq!(r3["final"], true);
    assert!(r3["message"].as_str().unwrap().contains("$2,200; that's my final offer"), "{r3}");

    // A fourth, different offer: closed, with the final state.
    let (s, r4) = offer(&app, "c1", json!(2240)).await;
    assert_eq!(s, 409);
    assert_eq!(error_code(&r4), "negotiation_closed");
    assert_eq!(r4["negotiation"]["final_offer"], 2200);
    assert_eq!(r4["negotiation"]["rounds"], 3);

    // Taking the standing final offer is accepted, round stays 3.
    let (s, take) = offer(&app, "c1", json!(2200)).await;
    assert_eq!(s, 200, "{take}");
    assert_eq!(take["decision"], "accept");
    assert_eq!(take["agreed_rate"], 2200);
    assert_eq!(take["round"], 3);
    // And the handoff at that rate is allowed.
    let (s, h) = json(
        app.agent(HANDOFF, &json!({"call_id": "c1", "load_id": "N-1", "mc_number": "MC-700010", "agreed_rate": 2200}))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
}

#[actix_web::test]
async fn a_retried_request_does_not_consume_a_round() {
    let app = app_with_load().await;
    let (_, first) = offer(&app, "c2", json!(2400)).await;
    let (_, again) = offer(&app, "c2", json!("2400")).await;
    assert_eq!(first, again);
    let (_, next) = offer(&app, "c2", json!(2300)).await;
    assert_eq!(next["round"], 2);
}

#[actix_web::test]
async fn the_same_offer_after_the_retry_window_is_the_next_round() {
    let app = spawn_with(|s| s.negotiation.retry_window_secs = 0).await;
    app.add_load(load("N-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let (_, first) = offer(&app, "c3", json!(2400)).await;
    assert_eq!(first["round"], 1);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (_, second) = offer(&app, "c3", json!(2400)).await;
    assert_eq!(second["round"], 2, "holding firm counts as the next round");
    assert_eq!(second["counter_offer"], 2150);
}

#[actix_web::test]
async fn accepting_our_counter_or_asking_posted_is_a_deal() {
    let app = app_with_load().await;
    let (_, r) = offer(&app, "c4", json!(2000)).await;
    assert_eq!(r["decision"], "accept");
    assert_eq!(r["agreed_rate"], 2000);
    assert_eq!(r["round"], 1);
    assert_eq!(r["message"], "We have a deal at $2,000. Let me get you over to a rep to lock it in.");

    let (_, _) = offer(&app, "c5", json!(2400)).await;
    let (_, r) = offer(&app, "c5", json!(2080)).await;
    assert_eq!(r["decision"], "accept");
    assert_eq!(r["agreed_rate"], 2080);
    // Negotiations are per call: c4's deal does not close c5's.
    let (s, _) = offer(&app, "c4", json!(2100)).await;
    assert_eq!(s, 409);
}

#[actix_web::test]
async fn max_rate_is_the_ceiling_and_never_shown_to_the_agent() {
    let app = spawn_app().await;
    let mut l = load("N-M", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000);
    l["max_rate"] = json!(2500);
    app.add_load(l).await;
    let call = |amount: i64| json!({"call_id": "m1", "load_id": "N-M", "carrier_offer": amount});
    let (_, r1) = json(app.agent(EVALUATE, &call(3000)).await).await;
    assert_eq!(r1["counter_offer"], 2200); // 2000 + 40% of 500
    assert!(r1.get("max_rate").is_none() && !r1.to_string().contains("2500"), "{r1}");
    let (_, _) = json(app.agent(EVALUATE, &call(2900)).await).await;
    let (_, r3) = json(app.agent(EVALUATE, &call(2500)).await).await;
    assert_eq!(r3["decision"], "accept");
    assert_eq!(r3["agreed_rate"], 2500);
}

#[actix_web::test]
async fn evaluate_refuses_missing_loads_and_bad_offers() {
    let app = app_with_load().await;
    let (s, b) =
        json(app.agent(EVALUATE, &json!({"call_id": "x", "load_id": "L-9999", "carrier_offer": 2000})).await).await;
    assert_eq!(s, 404);
    assert_eq!(error_code(&b), "load_not_found");
    for (body, field) in [
        (json!({"call_id": "x", "load_id": "N-1", "carrier_offer": -5}), "carrier_offer"),
        (json!({"call_id": "x", "load_id": "N-1", "carrier_offer": "lots"}), "carrier_offer"),
        (json!({"call_id": "x", "load_id": "N-1"}), "carrier_offer"),
        (json!({"load_id": "N-1", "carrier_offer": 2000}), "call_id"),
        (json!({"call_id": "x", "carrier_offer": 2000}), "load_id"),
    ] {
        let (s, b) = json(app.agent(EVALUATE, &body).await).await;
        assert_eq!(s, 422, "{body}");
        assert_eq!(b["error"]["field"], field);
    }
}

#[actix_web::test]
async fn booked_loads_cannot_be_negotiated_or_booked_again() {
    let app = app_with_load().await;
    let (s, h) = json(
        app.agent(HANDOFF, &json!({"call_id": "win", "load_id": "N-1", "mc_number": 700010, "agreed_rate": "2000"}))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["transferred"], true);
    assert!(h["booking_id"].as_str().unwrap().starts_with("BK-"));
    assert!(h["rep"]["name"].as_str().is_some());
    assert!(h["summary"].as_str().unwrap().contains("N-1"));

    let (s, b) = offer(&app, "lose", json!(2000)).await;
    assert_eq!(s, 409);
    assert_eq!(error_code(&b), "load_already_booked");
    let (s, b) = json(
        app.agent(HANDOFF, &json!({"call_id": "lose", "load_id": "N-1", "mc_number": 700011, "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(error_code(&b), "load_already_booked");

    // The same call retrying gets the same booking.
    let (s, again) = json(
        app.agent(HANDOFF, &json!({"call_id": "win", "load_id": "N-1", "mc_number": 700010, "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(again["booking_id"], h["booking_id"]);
}

#[actix_web::test]
async fn handoff_checks_the_rate_against_the_negotiation() {
    let app = app_with_load().await;
    // No negotiation: at most the posted rate.
    let (s, b) = json(
        app.agent(HANDOFF, &json!({"call_id": "r1", "load_id": "N-1", "mc_number": 700010, "agreed_rate": 2100})).await,
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(error_code(&b), "rate_not_agreed");
    assert_eq!(b["error"]["field"], "agreed_rate");

    let (_, _) = offer(&app, "r2", json!(2400)).await; // counter 2080
    let (_, _) = offer(&app, "r2", json!(2150)).await; // ≤ c2 = 2150 → accept 2150
    let (s, _) = json(
        app.agent(HANDOFF, &json!({"call_id": "r2", "load_id": "N-1", "mc_number": 700010, "agreed_rate": 2200})).await,
    )
    .await;
    assert_eq!(s, 409, "more than agreed");
    let (s, h) = json(
        app.agent(
            HANDOFF,
            &json!({"call_id": "r2", "load_id": "N-1", "mc_number": 700010, "agreed_rate": "$2,150.00"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["agreed_rate"], 2150);
}

#[actix_web::test]
async fn reps_rotate_round_robin() {
    let app = spawn_with(|s| s.sales_reps = vec!["Ann:+1-555-0001".into(), "Bob:ext 12".into()]).await;
    let mut names = Vec::new();
    for i in 0..4 {
        let id = format!("RR-{i}");
        app.add_load(load(&id, "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
        let (s, h) = json(
            app.agent(
                HANDOFF,
                &json!({"call_id": format!("call-{i}"), "load_id": id, "mc_number": 700010, "agreed_rate": 2000}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 200, "{h}");
        names.push(h["rep"]["name"].as_str().unwrap().to_string());
        if h["rep"]["name"] == "Bob" {
            assert_eq!(h["rep"]["extension"], "12");
        }
    }
    assert_eq!(names, ["Ann", "Bob", "Ann", "Bob"]);
}

#[actix_web::test]
async fn handoff_books_load_exactly_once_under_concurrency() {
    let app = app_with_load().await;
    let url = app.url(HANDOFF);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let client = app.client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("X-API-Key", AGENT_KEY)
                    .json(&json!({"call_id": format!("race-{i}"), "load_id": "N-1", "mc_number": 700010, "agreed_rate": 2000}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let conflict = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!((ok, conflict), (1, 49), "{statuses:?}");

    use carrier_sales::db::schema::bookings;
    use diesel::prelude::*;
    let mut conn = app.app_state.db.connection().unwrap();
    let n: i64 = bookings::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 1);
}

#[actix_web::test]
async fn concurrent_offers_never_double_count_a_round() {
    let app = app_with_load().await;
    let url = app.url(EVALUATE);
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let client = app.client.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let res = client
                    .post(url)
                    .header("X-API-Key", AGENT_KEY)
                    .json(&json!({"call_id": "same-call", "load_id": "N-1", "carrier_offer": 2300 + i}))
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut rounds = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status == 200 {
            rounds.push(body["round"].as_u64().unwrap());
        } else {
            assert_eq!(status, 409, "{body}");
        }
    }
    rounds.sort();
    // Each round number answered at most once; never beyond 3.
    let mut dedup = rounds.clone();
    dedup.dedup();
    assert_eq!(rounds, dedup, "a round was counted twice: {rounds:?}");
    assert!(rounds.iter().all(|r| *r <= 3));
    assert_eq!(rounds, (1..=rounds.len() as u64).collect::<Vec<_>>());
}

#[actix_web::test]
async fn the_policy_is_shown_read_only() {
    let app = spawn_app().await;
    let (s, p) = json(app.get_as(DASHBOARD_KEY, "/api/v1/negotiations/policy").await).await;
    assert_eq!(s, 200);
    assert_eq!(p["max_rounds"], 3);
    assert_eq!(p["max_markup"], 0.1);
    assert_eq!(p["concession_schedule"], json!([0.4, 0.75, 1.0]));
    assert_eq!(p["rounding_step"], 5);
    assert_eq!(app.get_as(AGENT_KEY, "/api/v1/negotiations/policy").await.status(), 403);
}

#[actix_web::test]
async fn handoff_refuses_an_ineligible_or_unknown_carrier() {
    let app = app_with_load().await;
    for (mc, call) in [("MC-700040", "inel"), ("799999", "unknown-mc")] {
        let (s, b) = json(
            app.agent(HANDOFF, &json!({"call_id": call, "load_id": "N-1", "mc_number": mc, "agreed_rate": 2000})).await,
        )
        .await;
        assert_eq!(s, 409, "{b}");
        assert_eq!(error_code(&b), "carrier_ineligible");
        assert_eq!(b["error"]["field"], "mc_number");
    }
    // Nothing was booked.
    let (_, l) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/N-1").await).await;
    assert_eq!(l["status"], "available");
    // The on-the-spot verification was recorded against the call.
    let (_, story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/inel").await).await;
    assert_eq!(story["verification"]["status"], "ineligible");

    // An eligible carrier verified earlier in the call books, and the rep hears about it.
    let (s, _) = json(app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": "700010", "call_id": "ok"})).await).await;
    assert_eq!(s, 200);
    let (s, h) = json(
        app.agent(HANDOFF, &json!({"call_id": "ok", "load_id": "N-1", "mc_number": "700010", "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["verification_pending"], false);
    let summary = h["summary"].as_str().unwrap();
    assert!(summary.contains("FMCSA verification: eligible"), "{summary}");
    assert!(summary.contains("Prairie Lantern Transport"), "the carrier's name comes from FMCSA: {summary}");
}

#[actix_web::test]
async fn handoff_goes_ahead_flagged_when_fmcsa_is_unreachable() {
    let app = spawn_with(|s| {
        s.fmcsa.web_key = Some(carrier_sales::config::Secret::new("live-key"));
        // Nothing listens on port 9: every lookup fails at once.
        s.fmcsa.base_url = "http://127.0.0.1:9/qc/services".into();
        s.fmcsa.timeout_ms = 500;
    })
    .await;
    app.add_load(load("N-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let (s, h) = json(
        app.agent(HANDOFF, &json!({"call_id": "down", "load_id": "N-1", "mc_number": "123456", "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["verification_pending"], true);
    assert!(h["summary"].as_str().unwrap().contains("VERIFICATION PENDING"), "{h}");
}

#[actix_web::test]
async fn a_retried_handoff_returns_its_booking_even_if_the_carrier_became_ineligible() {
    let app = app_with_load().await;
    app.add_load(load("N-2", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let body = json!({"call_id": "turn", "load_id": "N-1", "mc_number": "700010", "agreed_rate": 2000});
    let (s, first) = json(app.agent(HANDOFF, &body).await).await;
    assert_eq!(s, 200, "{first}");

    // The carrier's latest verification now says ineligible: a new handoff is refused...
    app.exec_sql(
        "UPDATE verifications SET status = 'ineligible', eligible = false, \
         reasons_json = '[\"NOT_ALLOWED_TO_OPERATE\"]' WHERE mc_number = '700010'",
    );
    let (s, refused) = json(
        app.agent(HANDOFF, &json!({"call_id": "turn-2", "load_id": "N-2", "mc_number": "700010", "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 409, "{refused}");
    assert_eq!(error_code(&refused), "carrier_ineligible");

    // ...but the retry of the handoff that booked gets the same booking.
    let (s, again) = json(app.agent(HANDOFF, &body).await).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["booking_id"], first["booking_id"]);
    assert_eq!(again["rep"], first["rep"]);
}

#[actix_web::test]
async fn a_retried_evaluate_gets_its_answer_even_after_the_load_was_booked() {
    let app = app_with_load().await;
    app.add_load(load("N-2", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;

    // Another call books the load between the evaluate and its retry.
    let (_, first) = offer(&app, "slow", json!(2400)).await;
    assert_eq!(first["decision"], "counter");
    let (s, h) = json(
        app.agent(HANDOFF, &json!({"call_id": "fast", "load_id": "N-1", "mc_number": "700010", "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    let (s, again) = offer(&app, "slow", json!(2400)).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again, first);
    // A new offer is refused: the load is gone.
    let (s, b) = offer(&app, "slow", json!(2300)).await;
    assert_eq!(s, 409);
    assert_eq!(error_code(&b), "load_already_booked");

    // The same call accepts, books, and the accept is retried.
    let evaluate = json!({"call_id": "deal", "load_id": "N-2", "carrier_offer": 2000});
    let (_, accepted) = json(app.agent(EVALUATE, &evaluate).await).await;
    assert_eq!(accepted["decision"], "accept");
    let (s, h) = json(
        app.agent(HANDOFF, &json!({"call_id": "deal", "load_id": "N-2", "mc_number": "700010", "agreed_rate": 2000}))
            .await,
    )
    .await;
    assert_eq!(s, 200, "{h}");
    let (s, again) = json(app.agent(EVALUATE, &evaluate).await).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again, accepted);
}
