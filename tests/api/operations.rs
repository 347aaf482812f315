//! Booking release, test web calls, transcript retention, metrics.

use crate::helpers::*;
use serde_json::{json, Value};

async fn book(app: &TestApp, call: &str, load_id: &str, rate: i64) -> Value {
    let (s, b) = json(
        app.agent(
            "/api/v1/calls/handoff",
            &json!({"call_id": call, "load_id": load_id, "mc_number": 700010, "agreed_rate": rate}),
        )
        .await,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    b
}

#[actix_web::test]
async fn a_released_booking_puts_the_load_back_and_keeps_its_history() {
    let app = spawn_app().await;
    app.add_load(load("R-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let booking = book(&app, "rel-1", "R-1", 2000).await;
    let id = booking["booking_id"].as_str().unwrap();
    let path = format!("/api/v1/bookings/{id}/cancel");

    // Admin only, and a reason is required.
    assert_eq!(app.post_as(DASHBOARD_KEY, &path, &json!({"reason": "x"})).await.status(), 403);
    assert_eq!(app.post_as(AGENT_KEY, &path, &json!({"reason": "x"})).await.status(), 403);
    let (s, b) = json(app.admin(&path, &json!({})).await).await;
    assert_eq!(s, 422);
    assert_eq!(b["error"]["field"], "reason");

    let (s, cancelled) = json(app.admin(&path, &json!({"reason": "Carrier's truck broke down"})).await).await;
    assert_eq!(s, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "Carrier's truck broke down");
    assert!(cancelled["cancelled_by"].as_str().unwrap().contains("admin"));
    // Retried: same answer.
    let (s, again) = json(app.admin(&path, &json!({"reason": "again"})).await).await;
    assert_eq!(s, 200);
    assert_eq!(again["cancel_reason"], "Carrier's truck broke down");

    // The load is on the board again and can be booked by someone else.
    let (_, l) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/R-1").await).await;
    assert_eq!(l["status"], "available");
    let second = book(&app, "rel-2", "R-1", 2000).await;
    assert_ne!(second["booking_id"], booking["booking_id"]);

    // The first call's story shows the booking and its release.
    let (_, story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/rel-1").await).await;
    let kinds: Vec<&str> = story["timeline"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"booking") && kinds.contains(&"booking_cancelled"), "{kinds:?}");
    let (_, m) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary").await).await;
    assert_eq!(m["bookings_cancelled"], 1);
    assert_eq!(m["bookings"], 1);

    let (s, b) = json(app.admin("/api/v1/bookings/BK-NOPE/cancel", &json!({"reason": "x"})).await).await;
    assert_eq!(s, 404);
    assert_eq!(error_code(&b), "booking_not_found");
}

/// A fake of the voice platform's trigger endpoint: answers with `status` and records
/// the requests it got.
async fn fake_trigger(status: u16) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    let seen: std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>> = Default::default();
    let log = seen.clone();
    let server = HttpServer::new(move || {
        let log = log.clone();
        App::new().route(
            "/{path:.*}",
            web::post().to(move |req: HttpRequest, body: web::Json<Value>| {
                let log = log.clone();
                async move {
                    let header = |name: &str| {
                        req.headers().get(name).and_then(|v| v.to_str().ok()).map(|v| format!("{name}: {v}"))
                    };
                    // Which credential arrived, and how.
                    let auth = header("authorization").or_else(|| header("x-api-key")).unwrap_or_default();
                    log.lock().unwrap().push((auth, body.into_inner()));
                    // The platform's answers: the runs endpoint names its run; a hook queues.
                    let answer = if req.path().ends_with("/runs") {
                        json!({"run_id": "run_test_1", "queued_run_ids": ["run_test_1"], "status": "queued"})
                    } else {
                        json!({"queued_run_ids": ["run_hook_1"], "status": "queued"})
                    };
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(answer)
                }
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    (format!("http://127.0.0.1:{port}/trigger"), seen)
}

#[actix_web::test]
async fn a_test_call_goes_through_the_platforms_runs_endpoint_or_a_hook() {
    let (url, seen) = fake_trigger(200).await;
    let base = url.strip_suffix("/trigger").unwrap().to_string();
    let runs = format!("{base}/api/v2/workflows/wf-test/runs");
    let app = spawn_with(|s| {
        s.happyrobot.trigger_url = Some(runs.clone());
        s.happyrobot.api_key = Some(carrier_sales::config::Secret::new("hr-test-key"));
        s.happyrobot.environment = "development".into();
    })
    .await;
    let (_, status) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/test").await).await;
    assert_eq!(status["enabled"], true);
    let (s, b) =
        json(app.post_as(DASHBOARD_KEY, "/api/v1/calls/test", &json!({"phone_number": "+1 (312) 555-2368"})).await)
            .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!((b["started"].as_bool(), b["run_id"].as_str()), (Some(true), Some("run_test_1")));
    {
        let got = seen.lock().unwrap().clone();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "authorization: Bearer hr-test-key", "the REST API takes the platform key as Bearer");
        assert_eq!(got[0].1["environment"], "development");
        assert_eq!(got[0].1["payload"]["phone_number"], "+13125552368", "{:?}", got[0].1);
    }
    // A fictional number is refused here, before the platform refuses it.
    let (s, b) =
        json(app.post_as(DASHBOARD_KEY, "/api/v1/calls/test", &json!({"phone_number": "+1 555 010 0100"})).await).await;
    assert_eq!((s, b["error"]["field"].as_str()), (422, Some("phone_number")), "{b}");
    assert_eq!(seen.lock().unwrap().len(), 1);
    // The agent's key cannot start test calls.
    assert_eq!(app.post_as(AGENT_KEY, "/api/v1/calls/test", &json!({})).await.status(), 403);

    // An incoming hook: its own key in x-api-key, the payload as the body.
    let hook = format!("{base}/hooks/carrier-test");
    let app = spawn_with(|s| {
        s.happyrobot.trigger_url = Some(hook.clone());
        s.happyrobot.api_key = Some(carrier_sales::config::Secret::new("hook-node-key"));
    })
    .await;
    let (s, b) =
        json(app.post_as(DASHBOARD_KEY, "/api/v1/calls/test", &json!({"phone_number": "312 555 2368"})).await).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["run_id"], "run_hook_1");
    let got = seen.lock().unwrap().clone();
    assert_eq!(got[1].0, "x-api-key: hook-node-key");
    assert_eq!(got[1].1["phone_number"], "+13125552368");
    assert_eq!(got[1].1["test"], true);
}

#[actix_web::test]
async fn a_refused_or_unconfigured_test_call_says_why() {
    let (url, _) = fake_trigger(401).await;
    let app = spawn_with(|s| {
        s.happyrobot.trigger_url = Some(url.clone());
        s.happyrobot.api_key = Some(carrier_sales::config::Secret::new("bad"));
    })
    .await;
    let (s, b) = json(app.post_as(DASHBOARD_KEY, "/api/v1/calls/test", &json!({})).await).await;
    assert_eq!(s, 502);
    assert_eq!(error_code(&b), "platform_refused");

    let plain = spawn_app().await;
    let (_, status) = json(plain.get_as(DASHBOARD_KEY, "/api/v1/calls/test").await).await;
    assert_eq!(status["enabled"], false);
    let (s, b) = json(plain.post_as(DASHBOARD_KEY, "/api/v1/calls/test", &json!({})).await).await;
    assert_eq!(s, 404);
    assert_eq!(error_code(&b), "test_calls_not_configured");
}

#[actix_web::test]
async fn a_trigger_url_that_redirects_is_not_followed_and_the_key_stays_home() {
    let (elsewhere, seen) = fake_trigger(200).await;
    let origin = elsewhere.strip_suffix("/trigger").unwrap().to_string();
    let (redirect, hits) = crate::carriers::redirector(307, &origin, "{}").await;
    let app = spawn_with(move |s| {
        s.happyrobot.trigger_url = Some(format!("{redirect}/trigger"));
        s.happyrobot.api_key = Some(carrier_sales::config::Secret::new("hr-secret-key"));
    })
    .await;
    let (s, b) = json(app.post_as(DASHBOARD_KEY, "/api/v1/calls/test", &json!({})).await).await;
    assert_eq!(s, 502, "{b}");
    assert_eq!(error_code(&b), "platform_redirected");
    assert!(b["error"]["message"].as_str().unwrap().contains("HAPPYROBOT_TRIGGER_URL"), "{b}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(seen.lock().unwrap().is_empty(), "the key went to the other host");
}

#[actix_web::test]
async fn old_transcripts_are_removed_and_the_call_stays() {
    let app = spawn_app().await;
    let old = (chrono::Utc::now() - chrono::Duration::days(120)).to_rfc3339();
    let recent = (chrono::Utc::now() - chrono::Duration::days(5)).to_rfc3339();
    for (id, started) in [("old", &old), ("recent", &recent)] {
        let (s, _) = json(
            app.agent(
                "/api/v1/calls/finalize",
                &json!({"call_id": id, "started_at": started,
            "outcome": "other", "sentiment": "neutral", "transcript": "Carrier: hello"}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 200);
    }
    let removed = {
        let mut conn = app.app_state.db.connection().unwrap();
        carrier_sales::calls::purge_transcripts(&mut conn, 90, carrier_sales::db::to_ms(chrono::Utc::now())).unwrap()
    };
    assert_eq!(removed, 1);
    let (_, old_story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/old").await).await;
    assert_eq!(old_story["call"]["transcript"], Value::Null);
    assert_eq!(old_story["call"]["outcome"], "other", "the rest of the record stays");
    let (_, recent_story) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls/recent").await).await;
    assert_eq!(recent_story["call"]["transcript"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn metrics_add_up_for_a_known_set_of_calls() {
    let app = spawn_app().await;
    // Empty period: zeros, not errors.
    let (s, empty) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary").await).await;
    assert_eq!(s, 200, "{empty}");
    assert_eq!(empty["calls"], 0);
    assert_eq!(empty["booking_rate"], 0.0);
    assert_eq!(empty["avg_premium_pct"], Value::Null);

    app.add_load(load("M-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app.add_load(load("M-2", "Dallas, TX", "Atlanta, GA", "Dry Van", 3, 1000)).await;
    // Call A: negotiates to $2,080 on M-1 and books. Call B: books M-2 at posted.
    // Call C: searches Boise, finds nothing.
    app.agent("/api/v1/loads/search", &json!({"origin": "Dallas, TX", "call_id": "A"})).await;
    app.agent("/api/v1/negotiations/evaluate", &json!({"call_id": "A", "load_id": "M-1", "carrier_offer": 2400})).await;
    app.agent("/api/v1/negotiations/evaluate", &json!({"call_id": "A", "load_id": "M-1", "carrier_offer": 2080})).await;
    book(&app, "A", "M-1", 2080).await;
    book(&app, "B", "M-2", 1000).await;
    app.agent("/api/v1/loads/search", &json!({"origin": "Boise, ID", "equipment_type": "reefer", "call_id": "C"}))
        .await;
    for (id, outcome, sentiment) in
        [("A", "booked", "positive"), ("B", "booked", "neutral"), ("C", "no_matching_loads", "negative")]
    {
        let (s, _) = json(
            app.agent(
                "/api/v1/calls/finalize",
                &json!({"call_id": id, "outcome": outcome, "sentiment": sentiment, "duration_seconds": 100}),
            )
            .await,
        )
        .await;
        assert_eq!(s, 200);
    }
    let (_, m) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary").await).await;
    assert_eq!(m["calls"], 3);
    // B booked at the posted rate without a search or a counter-offer: it passed those
    // stages all the same. C's search found nothing.
    assert_eq!(m["funnel"]["pitched"], 2);
    assert_eq!(m["funnel"]["negotiated"], 2);
    assert_eq!(m["funnel"]["booked"], 2);
    assert_eq!(m["booking_rate"], 0.667);
    assert_eq!(m["booked_revenue"], 3080);
    assert_eq!(m["avg_agreed_rate"], 1540.0);
    assert_eq!(m["avg_posted_rate"], 1500.0);
    assert_eq!(m["avg_premium_usd"], 40.0);
    assert_eq!(m["avg_premium_pct"], 2.0); // (4% + 0%) / 2
    assert_eq!(m["avg_rounds_to_agreement"], 2.0);
    assert_eq!(m["searches"], 2);
    assert_eq!(m["searches_no_match"], 1);
    assert_eq!(m["unmet_demand"][0]["origin"], "Boise, ID");
    assert_eq!(m["unmet_demand"][0]["equipment_type"], "Reefer");
    assert_eq!(m["outcomes"]["booked"], 2);
    assert_eq!(m["outcomes"]["no_matching_loads"], 1);
    assert_eq!(m["sentiments"]["negative"], 1);
    assert_eq!(m["sentiment_by_outcome"]["booked"]["positive"], 1);
    assert_eq!(m["top_lanes"][0]["origin"], "Dallas, TX");
    assert_eq!(m["top_lanes"][0]["bookings"], 2);
    assert_eq!(m["top_equipment"][0]["equipment_type"], "Dry Van");
    assert_eq!(m["avg_call_duration_seconds"], 100.0);

    let (s, ts) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/timeseries?bucket=day").await).await;
    assert_eq!(s, 200);
    let points = ts["points"].as_array().unwrap();
    assert!(points.len() >= 30);
    let total_calls: i64 = points.iter().map(|p| p["calls"].as_i64().unwrap()).sum();
    let total_booked: i64 = points.iter().map(|p| p["booked"].as_i64().unwrap()).sum();
    assert_eq!((total_calls, total_booked), (3, 2));
    let (s, _) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/timeseries?bucket=week").await).await;
    assert_eq!(s, 422);
    let (s, _) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary?from=2026-12-01&to=2026-11-01").await).await;
    assert_eq!(s, 422);
}

/// The funnel is counted over the period's calls (a call's time is its start), each
/// stage holding the calls that got at least that far, so it never goes up.
#[actix_web::test]
async fn the_funnel_counts_the_periods_calls_and_never_goes_up() {
    let app = spawn_app().await;
    let now = chrono::Utc::now();
    // Every combination of the four steps, on calls started 0 to 4 days ago; each step
    // happens now, whatever the call's start.
    const VERIFY: u32 = 1;
    const SEARCH: u32 = 2;
    const NEGOTIATE: u32 = 4;
    const BOOK: u32 = 8;
    let mut model: Vec<(chrono::DateTime<chrono::Utc>, usize)> = Vec::new();
    for steps in 0..16u32 {
        let call = format!("F-{steps}");
        let load_id = format!("FL-{steps}");
        app.add_load(load(&load_id, "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
        if steps & VERIFY != 0 {
            let (s, b) =
                json(app.agent("/api/v1/fmcsa/verify", &json!({"mc_number": 700010, "call_id": call})).await).await;
            assert_eq!((s, b["status"].as_str()), (200, Some("eligible")), "{b}");
        }
        if steps & SEARCH != 0 {
            let (s, b) =
                json(app.agent("/api/v1/loads/search", &json!({"origin": "Dallas, TX", "call_id": call})).await).await;
            assert!(s == 200 && b["total"].as_i64() > Some(0), "{b}");
        }
        if steps & NEGOTIATE != 0 {
            let body = json!({"call_id": call, "load_id": load_id, "carrier_offer": 2000});
            let (s, b) = json(app.agent("/api/v1/negotiations/evaluate", &body).await).await;
            assert_eq!((s, b["decision"].as_str()), (200, Some("accept")), "{b}");
        }
        if steps & BOOK != 0 {
            book(&app, &call, &load_id, 2000).await;
        }
        let started = now - chrono::Duration::days(i64::from(steps % 5));
        let body =
            json!({"call_id": call, "started_at": started.to_rfc3339(), "outcome": "other", "sentiment": "neutral"});
        let (s, b) = json(app.agent("/api/v1/calls/finalize", &body).await).await;
        assert_eq!(s, 200, "{b}");
        // The furthest stage reached: 0 called, 1 verified, 2 pitched, 3 negotiated, 4 booked.
        let reached = [BOOK, NEGOTIATE, SEARCH, VERIFY].iter().position(|s| steps & s != 0).map_or(0, |i| 4 - i);
        model.push((started, reached));
    }

    let day = |n: i64| (now - chrono::Duration::days(n)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let periods: Vec<(String, Option<String>)> = vec![
        (day(30), None),
        (day(5), Some(day(3))),
        (day(3), Some(day(1))),
        (day(4), Some(day(0))),
        (day(1), None),
        (day(2), Some(day(1))),
    ];
    for (from, to) in periods {
        let mut path = format!("/api/v1/metrics/summary?from={}", from.replace('+', "%2B"));
        if let Some(to) = &to {
            path.push_str(&format!("&to={}", to.replace('+', "%2B")));
        }
        let (s, m) = json(app.get_as(DASHBOARD_KEY, &path).await).await;
        assert_eq!(s, 200, "{m}");
        let f = &m["funnel"];
        let got: Vec<i64> =
            ["calls", "verified", "pitched", "negotiated", "booked"].iter().map(|k| f[k].as_i64().unwrap()).collect();
        let from_t = chrono::DateTime::parse_from_rfc3339(&from).unwrap();
        let to_t = to.as_deref().map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap());
        let in_period: Vec<usize> = model
            .iter()
            .filter(|(at, _)| *at >= from_t && to_t.is_none_or(|t| *at < t))
            .map(|(_, reached)| *reached)
            .collect();
        let expected: Vec<i64> = (0..5).map(|stage| in_period.iter().filter(|r| **r >= stage).count() as i64).collect();
        assert_eq!(got, expected, "{path}: {f}");
        assert!(got.windows(2).all(|w| w[0] >= w[1]), "{path}: the funnel goes up: {f}");
        assert_eq!(m["calls"], f["calls"]);
        assert_eq!(
            m["booking_rate"].as_f64().unwrap(),
            if got[0] == 0 { 0.0 } else { ((got[4] as f64 / got[0] as f64) * 1000.0).round() / 1000.0 }
        );
    }
}

/// A call finalized a moment ago counts in the default period at once, in the summary
/// and in the time series. (Over HTTP the read rarely lands in the call's millisecond;
/// `metrics::tests` pins that case down.)
#[actix_web::test]
async fn a_call_just_recorded_counts_in_the_default_period() {
    let app = spawn_app().await;
    for i in 1..=100i64 {
        let body = json!({"call_id": format!("now-{i}"), "outcome": "other", "sentiment": "neutral"});
        let (s, b) = json(app.agent("/api/v1/calls/finalize", &body).await).await;
        assert_eq!(s, 200, "{b}");
        let (_, m) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary").await).await;
        assert_eq!(m["calls"], i, "summary after call {i}");
        let (_, ts) = json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/timeseries").await).await;
        let calls: i64 = ts["points"].as_array().unwrap().iter().map(|p| p["calls"].as_i64().unwrap()).sum();
        assert_eq!(calls, i, "time series after call {i}");
    }
}
