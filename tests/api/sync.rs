//! Loads from the TMS (SPEC §13.2): snapshots and deltas through `POST /loads/sync`, and
//! the polled `LOADS_FEED_URL` going through the same code.

use crate::helpers::*;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn sync(app: &TestApp, body: Value) -> (u16, Value) {
    json(app.admin("/api/v1/loads/sync", &body).await).await
}

async fn a_load(app: &TestApp, id: &str) -> Value {
    let (status, body) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/loads/{id}")).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn board(ids: &[&str]) -> Vec<Value> {
    ids.iter().map(|id| load(id, "Dallas, TX", "Atlanta, GA", "Dry Van", 3, 2000)).collect()
}

/// Absolute times, as a TMS sends them: the same list applied twice is the same list.
fn fixed(mut loads: Vec<Value>) -> Vec<Value> {
    for l in &mut loads {
        let o = l.as_object_mut().unwrap();
        for k in ["pickup_day_offset", "pickup_time", "delivery_day_offset", "delivery_time"] {
            o.remove(k);
        }
        o.insert("pickup_datetime".into(), json!("2031-03-04T08:00:00-06:00"));
        o.insert("delivery_datetime".into(), json!("2031-03-06T15:00:00-05:00"));
    }
    loads
}

#[actix_web::test]
async fn a_snapshot_is_the_board_and_applying_it_again_changes_nothing() {
    let app = spawn_app().await;
    let (status, first) = sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["T-1", "T-2", "T-3"]))})).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!((first["inserted"].as_i64(), first["withdrawn"].as_i64()), (Some(3), Some(0)));
    let (_, again) = sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["T-1", "T-2", "T-3"]))})).await;
    assert_eq!(again, json!({"inserted": 0, "updated": 0, "withdrawn": 0, "unchanged": 3, "rejected": []}));

    // T-3 is gone from the TMS and T-2's rate changed.
    let mut next = fixed(board(&["T-1", "T-2"]));
    next[1]["loadboard_rate"] = json!(2100);
    let (_, report) = sync(&app, json!({"mode": "snapshot", "loads": next.clone()})).await;
    assert_eq!(
        (report["updated"].as_i64(), report["withdrawn"].as_i64(), report["unchanged"].as_i64()),
        (Some(1), Some(1), Some(1)),
        "{report}"
    );
    let gone = a_load(&app, "T-3").await;
    assert_eq!(
        (gone["status"].as_str(), gone["status_reason"].as_str()),
        (Some("cancelled"), Some("withdrawn_by_sync"))
    );
    assert_eq!(a_load(&app, "T-2").await["loadboard_rate"], 2100);
    let (_, same) = sync(&app, json!({"mode": "snapshot", "loads": next})).await;
    assert_eq!((same["unchanged"].as_i64(), same["withdrawn"].as_i64()), (Some(2), Some(0)), "withdrawn once: {same}");

    // Listed again, it is back on the board.
    let (_, back) = sync(&app, json!({"mode": "delta", "loads": fixed(board(&["T-3"]))})).await;
    assert_eq!(back["updated"], 1, "{back}");
    let t3 = a_load(&app, "T-3").await;
    assert_eq!((t3["status"].as_str(), t3["status_reason"].as_str()), (Some("available"), None));
}

#[actix_web::test]
async fn a_sync_never_touches_a_booked_load() {
    let app = spawn_app().await;
    sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["B-1", "B-2"]))})).await;
    let handoff = json!({"call_id": "sync-b", "load_id": "B-1", "mc_number": 700010, "agreed_rate": 2000});
    let (status, body) = json(app.agent("/api/v1/calls/handoff", &handoff).await).await;
    assert_eq!(status, 200, "{body}");

    // Not in the snapshot: a booked load stays booked.
    let (_, report) = sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["B-2"]))})).await;
    assert_eq!(report["withdrawn"], 0, "{report}");
    assert_eq!(a_load(&app, "B-1").await["status"], "booked");
    // Listed with another rate, or as cancelled: untouched.
    let mut changed = fixed(board(&["B-1", "B-2"]));
    changed[0]["loadboard_rate"] = json!(1500);
    changed[0]["status"] = json!("cancelled");
    let (_, report) = sync(&app, json!({"mode": "delta", "loads": changed})).await;
    assert_eq!(report["unchanged"], 2, "{report}");
    let b1 = a_load(&app, "B-1").await;
    assert_eq!((b1["status"].as_str(), b1["loadboard_rate"].as_i64()), (Some("booked"), Some(2000)));
}

#[actix_web::test]
async fn a_delta_changes_only_what_it_lists_and_can_withdraw() {
    let app = spawn_app().await;
    sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["D-1", "D-2"]))})).await;
    let mut cancelled = fixed(board(&["D-2"]));
    cancelled[0]["status"] = json!("cancelled");
    let (_, report) =
        sync(&app, json!({"mode": "delta", "loads": [fixed(board(&["D-9"]))[0].clone(), cancelled[0].clone()]})).await;
    assert_eq!((report["inserted"].as_i64(), report["withdrawn"].as_i64()), (Some(1), Some(1)), "{report}");
    assert_eq!(a_load(&app, "D-1").await["status"], "available", "a delta leaves the rest alone");
    assert_eq!(a_load(&app, "D-2").await["status_reason"], "withdrawn_by_sync");
}

#[actix_web::test]
async fn a_broken_or_empty_snapshot_is_refused_whole() {
    let app = spawn_app().await;
    sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["E-1", "E-2"]))})).await;
    for (body, field) in [
        (json!({"mode": "snapshot", "loads": []}), "loads"),
        (json!({"mode": "snapshot", "loads": [{"load_id": "E-1"}, {"origin": "Dallas, TX"}]}), "loads"),
        (json!({"mode": "snapshot", "loads": {"E-1": {}}}), "loads"),
        (json!({"loads": fixed(board(&["E-1"]))}), "mode"),
        (json!({"mode": "replace", "loads": fixed(board(&["E-1"]))}), "mode"),
    ] {
        let (status, answer) = sync(&app, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    for id in ["E-1", "E-2"] {
        assert_eq!(a_load(&app, id).await["status"], "available", "nothing was withdrawn");
    }

    // One broken entry among good ones: reported by position, and its load not withdrawn.
    let mut mixed = fixed(board(&["E-2"]));
    mixed.push(json!({"load_id": "E-1", "origin": "Nowhere, ZZ", "destination": "Atlanta, GA"}));
    let (status, report) = sync(&app, json!({"mode": "snapshot", "loads": mixed})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rejected"][0]["index"], 1);
    assert_eq!(report["rejected"][0]["load_id"], "E-1");
    assert_eq!(report["rejected"][0]["field"], "origin", "{report}");
    assert_eq!(report["withdrawn"], 0);
    assert_eq!(a_load(&app, "E-1").await["status"], "available");

    // An entry that is not a load at all is named as one.
    let (status, report) = sync(&app, json!({"mode": "delta", "loads": [null, 5]})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rejected"][1]["field"], "loads", "{report}");
    assert!(report["rejected"][1]["message"].as_str().unwrap().contains("Each load"), "{report}");

    let (status, _) =
        json(app.post_as(DASHBOARD_KEY, "/api/v1/loads/sync", &json!({"mode": "delta", "loads": []})).await).await;
    assert_eq!(status, 403, "syncing is for admins");
}

/// A TMS feed: answers its current list with an ETag, 304 to a matching If-None-Match,
/// or what the script says next.
#[derive(Default)]
struct FeedState {
    body: Mutex<(String, String)>,
    script: Mutex<VecDeque<(u16, String)>>,
    conditional: Mutex<usize>,
}

async fn feed(req: HttpRequest, state: web::Data<Arc<FeedState>>) -> HttpResponse {
    if let Some((status, body)) = state.script.lock().unwrap().pop_front() {
        return HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).body(body);
    }
    let (etag, body) = state.body.lock().unwrap().clone();
    if req.headers().get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        *state.conditional.lock().unwrap() += 1;
        return HttpResponse::NotModified().finish();
    }
    HttpResponse::Ok().insert_header(("etag", etag)).content_type("application/json").body(body)
}

async fn feed_status(app: &TestApp) -> Value {
    json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/sync").await).await.1
}

#[actix_web::test]
async fn the_feed_is_polled_and_a_failing_feed_changes_nothing() {
    let state = Arc::new(FeedState::default());
    *state.body.lock().unwrap() = ("\"v1\"".into(), Value::Array(fixed(board(&["F-1", "F-2"]))).to_string());
    let data = web::Data::new(state.clone());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(feed)))
        .workers(1)
        .shutdown_timeout(0)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let url = format!("http://127.0.0.1:{}/loads.json", server.addrs()[0].port());
    actix_web::rt::spawn(server.run());
    // Two failures queued after the first (good) poll: an error status, then an empty list.
    state.script.lock().unwrap().extend([(500, "down".to_string()), (200, "[]".to_string())]);
    let script = state.script.lock().unwrap().drain(..).collect::<Vec<_>>();
    let feed_url = url.clone();
    let app = spawn_with(move |s| {
        s.loads.feed_url = Some(feed_url);
        s.loads.feed_interval_secs = 1;
    })
    .await;

    let applied =
        eventually(Duration::from_secs(10), || async { feed_status(&app).await["last_report"]["inserted"] == 2 }).await;
    assert!(applied, "{}", feed_status(&app).await);
    assert_eq!(a_load(&app, "F-1").await["status"], "available");
    let first = feed_status(&app).await;
    assert_eq!(first["feed_url"], url);
    assert!(first["last_error"].is_null(), "{first}");

    state.script.lock().unwrap().extend(script);
    let failed = eventually(Duration::from_secs(10), || async {
        feed_status(&app).await["last_error"].as_str().is_some_and(|e| e.contains("HTTP 500"))
    })
    .await;
    assert!(failed, "{}", feed_status(&app).await);
    let refused = eventually(Duration::from_secs(10), || async {
        feed_status(&app).await["last_error"].as_str().is_some_and(|e| e.contains("empty"))
    })
    .await;
    assert!(refused, "{}", feed_status(&app).await);
    assert_eq!(feed_status(&app).await["consecutive_failures"], 2);
    for id in ["F-1", "F-2"] {
        assert_eq!(a_load(&app, id).await["status"], "available", "a failing feed withdraws nothing");
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("carrier_sales_loads_feed_polls_total{outcome=\"failed\"} 2"), "{metrics}");

    // Back to normal: the same ETag is asked for and answered 304.
    let recovered = eventually(Duration::from_secs(10), || async { *state.conditional.lock().unwrap() > 0 }).await;
    assert!(recovered);
    let ok =
        eventually(Duration::from_secs(5), || async { feed_status(&app).await["consecutive_failures"] == 0 }).await;
    assert!(ok, "{}", feed_status(&app).await);
}

#[actix_web::test]
async fn the_board_as_get_loads_answers_it_syncs_back_unchanged() {
    let app = spawn_app().await;
    sync(&app, json!({"mode": "snapshot", "loads": fixed(board(&["R-1", "R-2"]))})).await;
    let mut with_max = fixed(board(&["R-3"]));
    with_max[0]["max_rate"] = json!(2300);
    sync(&app, json!({"mode": "delta", "loads": with_max})).await;
    let (status, page) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?limit=500").await).await;
    assert_eq!(status, 200, "{page}");
    let listed = page["loads"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let (status, report) = sync(&app, json!({"mode": "snapshot", "loads": listed})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report, json!({"inserted": 0, "updated": 0, "withdrawn": 0, "unchanged": 3, "rejected": []}));
}
