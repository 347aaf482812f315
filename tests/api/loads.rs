use crate::helpers::*;
use serde_json::{json, Value};

const SEARCH: &str = "/api/v1/loads/search";

async fn search(app: &TestApp, body: Value) -> Value {
    let (status, res) = json(app.agent(SEARCH, &body).await).await;
    assert_eq!(status, 200, "{res}");
    assert!(res["message"].as_str().is_some_and(|m| !m.is_empty()), "no message: {res}");
    res
}

fn ids(res: &Value) -> Vec<String> {
    res["loads"].as_array().unwrap().iter().map(|l| l["load_id"].as_str().unwrap().to_string()).collect()
}

async fn lane_catalogue(app: &TestApp) {
    for l in [
        load("T-DAL-ATL", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150),
        load("T-DAL-HOU-R", "Dallas, TX", "Houston, TX", "Reefer", 2, 1100),
        load("T-FTW-MEM", "Fort Worth, TX", "Memphis, TN", "Dry Van", 1, 1500),
        load("T-CHI-COL", "Chicago, IL", "Columbus, OH", "Flatbed", 3, 1200),
        load("T-SPR-IL", "Springfield, IL", "Chicago, IL", "Dry Van", 2, 900),
        load("T-SPR-MO", "Springfield, MO", "Dallas, TX", "Dry Van", 4, 1400),
    ] {
        app.add_load(l).await;
    }
}

#[actix_web::test]
async fn search_matches_lanes_by_city_state_and_name() {
    let app = spawn_app().await;
    lane_catalogue(&app).await;

    let res = search(&app, json!({"origin": "Dallas, TX", "max_results": 10})).await;
    let mut got = ids(&res);
    got.sort();
    assert_eq!(got, ["T-DAL-ATL", "T-DAL-HOU-R"]);
    let first = &res["loads"][0];
    assert_eq!(first["origin_city"], "Dallas");
    assert_eq!(first["origin_state"], "TX");
    assert!(first["match_score"].as_f64().is_some());
    assert!(first["rate_per_mile"].as_f64().is_some());
    assert!(first.get("max_rate").is_none(), "the agent never sees max_rate");

    for text in ["Dallas Texas", "dallas", "DALLAS, tx"] {
        let mut got = ids(&search(&app, json!({"origin": text, "max_results": 10})).await);
        got.sort();
        assert_eq!(got, ["T-DAL-ATL", "T-DAL-HOU-R"], "{text}");
    }
    let texas = ids(&search(&app, json!({"origin": "TX", "max_results": 10})).await);
    assert_eq!(texas.len(), 3);
    assert_eq!(ids(&search(&app, json!({"origin": "Texas", "max_results": 10})).await).len(), 3);
    // A bare name matches that city in every state.
    let mut spring = ids(&search(&app, json!({"origin": "springfield", "max_results": 10})).await);
    spring.sort();
    assert_eq!(spring, ["T-SPR-IL", "T-SPR-MO"]);
    // Destination by state name.
    assert_eq!(ids(&search(&app, json!({"destination": "Georgia"})).await), ["T-DAL-ATL"]);
}

#[actix_web::test]
async fn search_by_radius_reports_deadhead_and_widens_for_a_nearby_city() {
    let app = spawn_app().await;
    lane_catalogue(&app).await;
    let res = search(&app, json!({"origin": "Dallas, TX", "origin_radius_miles": "60", "equipment_type": "van"})).await;
    assert_eq!(ids(&res), ["T-DAL-ATL", "T-FTW-MEM"]);
    assert_eq!(res["loads"][0]["deadhead_miles"], 0.0);
    let d = res["loads"][1]["deadhead_miles"].as_f64().unwrap();
    assert!((20.0..45.0).contains(&d), "Fort Worth is ~30 miles from Dallas, got {d}");

    // Nothing leaves Arlington itself: widen to nearby cities and say so.
    let res = search(&app, json!({"origin": "Arlington, TX", "equipment_type": "dry van"})).await;
    assert!(!ids(&res).is_empty());
    assert_eq!(res["widened"], true);
    assert!(res["message"].as_str().unwrap().contains("Arlington"), "{res}");
}

#[actix_web::test]
async fn equipment_synonyms_and_pickup_window() {
    let app = spawn_app().await;
    lane_catalogue(&app).await;
    for (said, want) in [("refrigerated", "T-DAL-HOU-R"), ("reefer", "T-DAL-HOU-R"), ("53' dry van", "T-DAL-ATL")] {
        let res = search(&app, json!({"origin": "Dallas", "equipment_type": said})).await;
        assert_eq!(ids(&res), [want], "{said}");
    }
    assert_eq!(ids(&search(&app, json!({"origin": "Chicago", "equipment_type": "flat bed"})).await), ["T-CHI-COL"]);

    // T-DAL-HOU-R picks up in two days (local). A window on that day finds only it.
    let day = (chrono::Utc::now() - chrono::Duration::hours(6)).date_naive() + chrono::Duration::days(2);
    let res = search(&app, json!({"origin": "Dallas, TX", "pickup_date": day.to_string(), "max_results": 10})).await;
    assert_eq!(ids(&res), ["T-DAL-HOU-R"]);
    // The platform's date form works too.
    let spoken = format!("{} 12:00:00 AM UTC", day.format("%A, %B %-d, %Y"));
    let res = search(
        &app,
        json!({"origin": "Dallas, TX", "pickup_date": spoken, "pickup_window_hours": "48", "max_results": 10}),
    )
    .await;
    assert!(ids(&res).contains(&"T-DAL-HOU-R".to_string()), "{res}");
}

#[actix_web::test]
async fn ranking_puts_the_best_match_first_and_honours_max_results() {
    let app = spawn_app().await;
    app.add_load(load("LATE", "Dallas, TX", "Atlanta, GA", "Dry Van", 9, 2150)).await;
    app.add_load(load("SOON", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150)).await;
    app.add_load(load("MID", "Dallas, TX", "Atlanta, GA", "Dry Van", 4, 2150)).await;
    let res = search(&app, json!({"origin": "Dallas, TX", "max_results": 10})).await;
    assert_eq!(ids(&res), ["SOON", "MID", "LATE"]);
    let scores: Vec<f64> =
        res["loads"].as_array().unwrap().iter().map(|l| l["match_score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(ids(&search(&app, json!({"origin": "Dallas, TX", "max_results": "2"})).await).len(), 2);
    // Default is 3.
    assert_eq!(ids(&search(&app, json!({"origin": "Dallas, TX"})).await).len(), 3);
    let message = res["message"].as_str().unwrap();
    assert!(message.starts_with("I have a Dry Van from Dallas, TX to Atlanta, GA picking up"), "{message}");
    assert!(message.contains("$2,150"), "{message}");
}

#[actix_web::test]
async fn empty_search_is_200_with_a_helpful_message() {
    let app = spawn_app().await;
    lane_catalogue(&app).await;
    let res = search(&app, json!({"origin": "Dallas, TX", "equipment_type": "flatbed"})).await;
    assert_eq!(res["total"], 0);
    let message = res["message"].as_str().unwrap();
    assert!(message.contains("Flatbed"), "{message}");
    assert!(message.contains("Dry Van") || message.contains("Reefer"), "offers what exists: {message}");
    let res = search(&app, json!({"origin": "Atlantis"})).await;
    assert_eq!(res["total"], 0);
}

#[actix_web::test]
async fn booked_cancelled_and_past_loads_are_never_returned() {
    let app = spawn_app().await;
    app.add_load(load("OPEN", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150)).await;
    app.add_load(load("BOOKED", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150)).await;
    let mut cancelled = load("CANCELLED", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150);
    cancelled["status"] = json!("cancelled");
    app.add_load(cancelled).await;
    let mut past = load("PAST", "Dallas, TX", "Atlanta, GA", "Dry Van", 0, 2150);
    past["pickup_datetime"] = json!((chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339());
    app.add_load(past).await;
    // The index now holds BOOKED as available; the booking lands behind its back, as
    // from another instance, while the index is fresh (the quick path, no refresh).
    let res = search(&app, json!({"origin": "Dallas, TX", "max_results": 100})).await;
    assert_eq!(ids(&res), ["BOOKED", "OPEN"]);
    app.exec_sql("UPDATE loads SET status = 'booked', booked_call_id = 'c1' WHERE load_id = 'BOOKED'");

    let res = search(&app, json!({"origin": "Dallas, TX", "max_results": 100})).await;
    assert_eq!(ids(&res), ["OPEN"]);
    // Still listed for the dashboard, with status.
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?limit=10").await).await;
    assert_eq!(list["loads"].as_array().unwrap().len(), 4);
    let (_, booked) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?status=booked").await).await;
    assert_eq!(booked["loads"][0]["load_id"], "BOOKED");
}

#[actix_web::test]
async fn searches_are_recorded_for_the_call() {
    let app = spawn_app().await;
    lane_catalogue(&app).await;
    search(&app, json!({"origin": "Dallas, TX", "call_id": "call-42", "mc_number": "MC-123456"})).await;
    search(&app, json!({"origin": "Boise, ID", "call_id": "call-42"})).await;
    use carrier_sales::db::schema::searches;
    use diesel::prelude::*;
    let mut conn = app.app_state.db.connection().unwrap();
    let rows: Vec<(Option<String>, Option<String>, i32)> = searches::table
        .select((searches::call_id, searches::mc_number, searches::result_count))
        .order(searches::id.asc())
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (Some("call-42".into()), Some("123456".into()), 2));
    assert_eq!(rows[1].2, 0);
}

#[actix_web::test]
async fn loads_are_listed_with_cursor_pagination_and_fetched_by_id() {
    let app = spawn_app().await;
    for i in 0..7 {
        let mut l = load(&format!("P-{i}"), "Dallas, TX", "Atlanta, GA", "Dry Van", 1 + i, 2000 + i * 10);
        l["max_rate"] = json!(2500);
        app.add_load(l).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/loads?limit=3&cursor={c}"),
            None => "/api/v1/loads?limit=3".to_string(),
        };
        let (status, page) = json(app.get_as(DASHBOARD_KEY, &path).await).await;
        assert_eq!(status, 200);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert!(c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'));
                cursor = Some(c.to_string());
            }
            None => break,
        }
    }
    assert_eq!(seen, ["P-0", "P-1", "P-2", "P-3", "P-4", "P-5", "P-6"]);

    let (status, l) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/P-3").await).await;
    assert_eq!(status, 200);
    assert_eq!(l["max_rate"], 2500);
    assert_eq!(l["loadboard_rate"], 2030);
    assert!(chrono::DateTime::parse_from_rfc3339(l["pickup_datetime"].as_str().unwrap()).is_ok());
    // The agent may look a load up, without the broker's ceiling.
    let (status, l) = json(app.get_as(AGENT_KEY, "/api/v1/loads/P-3").await).await;
    assert_eq!(status, 200);
    assert!(l.get("max_rate").is_none());

    let (status, body) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/L-9999").await).await;
    assert_eq!(status, 404);
    assert_eq!(error_code(&body), "load_not_found");
    assert_eq!(body["error"]["field"], "load_id");
    let (status, _) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?limit=0").await).await;
    assert_eq!(status, 422);
    let (status, _) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?cursor=zz").await).await;
    assert_eq!(status, 422);
}

#[actix_web::test]
async fn upsert_updates_in_place_and_never_unbooks() {
    let app = spawn_app().await;
    let res = app.admin("/api/v1/loads", &load("U-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000)).await;
    assert_eq!(res.status(), 201);
    let res = app.admin("/api/v1/loads", &load("U-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2100)).await;
    let (status, body) = json(res).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], "updated");
    assert_eq!(body["load"]["loadboard_rate"], 2100);

    app.exec_sql("UPDATE loads SET status = 'booked' WHERE load_id = 'U-1'");
    let mut again = load("U-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2200);
    again["status"] = json!("available");
    let (status, body) = json(app.admin("/api/v1/loads", &again).await).await;
    assert_eq!(status, 409);
    assert_eq!(error_code(&body), "load_already_booked");

    let mut bad = load("U-2", "Nowhere", "Atlanta, GA", "Dry Van", 1, 2000);
    let (status, body) = json(app.admin("/api/v1/loads", &bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["field"], "origin");
    bad["origin"] = json!("Dallas, TX");
    bad["max_rate"] = json!(1500);
    let (status, body) = json(app.admin("/api/v1/loads", &bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["field"], "max_rate");
}

#[actix_web::test]
async fn import_reports_good_and_bad_rows() {
    let app = spawn_app().await;
    let rows = json!([
        load("I-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000),
        {"load_id": "I-2", "origin": "Dallas, TX"},
        load("I-3", "Chicago, IL", "Columbus, OH", "Flatbed", 2, 1200),
        {"load_id": "I-4", "origin": "Dallas, TX", "destination": "Atlanta, GA", "pickup_datetime": "2026-12-01T08:00:00-06:00",
         "equipment_type": "Dry Van", "loadboard_rate": "-5"}
    ]);
    let (status, report) = json(app.admin("/api/v1/loads/import", &rows).await).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 2);
    assert_eq!(report["rejected"].as_array().unwrap().len(), 2);
    assert_eq!(report["rejected"][0]["row"], 2);
    assert_eq!(report["rejected"][0]["load_id"], "I-2");
    assert_eq!(report["rejected"][1]["field"], "loadboard_rate");

    let csv = "load_id,origin,destination,pickup_datetime,equipment_type,loadboard_rate,miles\n\
               C-1,\"Dallas, TX\",\"Atlanta, GA\",2030-01-05 08:00,reefer,\"$2,400\",781\n\
               C-2,\"Dallas, TX\",\"Atlanta, GA\",not a date,Dry Van,2000,781\n\
               I-1,\"Dallas, TX\",\"Atlanta, GA\",2030-01-06T08:00:00-06:00,Dry Van,2050,781\n";
    let res = app
        .client
        .post(app.url("/api/v1/loads/import"))
        .header("X-API-Key", ADMIN_KEY)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let (status, report) = json(res).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 1);
    assert_eq!(report["updated"], 1);
    assert_eq!(report["rejected"][0]["field"], "pickup_datetime");
    let (_, c1) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/C-1").await).await;
    assert_eq!(c1["equipment_type"], "Reefer");
    assert_eq!(c1["loadboard_rate"], 2400);
    // 08:00 in Dallas in January is 14:00 UTC.
    assert_eq!(c1["pickup_datetime"], "2030-01-05T08:00:00-06:00");
}

#[actix_web::test]
async fn the_bundled_seed_is_imported_on_first_start() {
    let app = spawn_with(|s| s.loads.file = None).await;
    let (_, page) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?limit=500").await).await;
    let loads = page["loads"].as_array().unwrap();
    assert!(loads.len() >= 100, "{}", loads.len());
    let now = chrono::Utc::now();
    for l in loads {
        let rpm = l["rate_per_mile"].as_f64().unwrap();
        assert!((1.5..=4.0).contains(&rpm), "{} pays {rpm}/mile", l["load_id"]);
        let pickup = chrono::DateTime::parse_from_rfc3339(l["pickup_datetime"].as_str().unwrap()).unwrap();
        assert!(pickup > now, "development start-up keeps seed pickups in the future");
    }
    let equipment: std::collections::HashSet<&str> =
        loads.iter().map(|l| l["equipment_type"].as_str().unwrap()).collect();
    assert!(equipment.len() >= 5, "{equipment:?}");
}

/// A catalogue larger than one page of the index's first load: every load is indexed,
/// the last page's too.
#[actix_web::test]
async fn a_large_catalogue_is_indexed_whole_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loads.json");
    let mut loads: Vec<Value> =
        (0..4_500).map(|i| load(&format!("P-{i:05}"), "Dallas, TX", "Houston, TX", "Dry Van", 2, 900)).collect();
    loads.push(load("P-99999", "Boise, ID", "Reno, NV", "Reefer", 2, 1_800));
    std::fs::write(&file, serde_json::to_vec(&loads).unwrap()).unwrap();
    let app = spawn_with(|s| s.loads.file = Some(file.clone())).await;
    assert_eq!(app.load_index.len(), 4_501);
    let found = search(&app, json!({"origin": "Boise, ID"})).await;
    assert_eq!(found["loads"][0]["load_id"], "P-99999", "{found}");
    let dallas = search(&app, json!({"origin": "Dallas, TX", "max_results": 5})).await;
    assert_eq!(dallas["loads"].as_array().unwrap().len(), 5, "{dallas}");
}

/// A read that panics on the quick path fails its own request only: the pool drops the
/// connection it held, and searches keep working on every connection afterwards.
#[actix_web::test]
#[allow(clippy::result_large_err)] // AppError is the crate's error type
async fn a_panicking_quick_read_fails_alone() {
    let app = spawn_app().await;
    app.add_load(load("OPEN", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150)).await;
    let state = app.app_state.clone();
    for _ in 0..3 {
        let failed = state
            .db
            .read_then_write(
                carrier_sales::db::ReadCost::Brief,
                |_conn| -> carrier_sales::error::AppResult<()> { panic!("a bug in a read") },
                |_conn, ()| Ok(()),
            )
            .await;
        assert!(failed.is_err());
    }
    for _ in 0..8 {
        let res = search(&app, json!({"origin": "Dallas, TX"})).await;
        assert_eq!(ids(&res), ["OPEN"]);
    }
}
