//! The simulator and demo-data, in-process against real apps.

use crate::helpers::{self, TestDb, AGENT_KEY, DASHBOARD_KEY};
use carrier_sales::simulate::demo::{self, DemoOptions};
use carrier_sales::simulate::{self, SimOptions};
use serde_json::Value;

/// What a run did, call by call: the outcome played and the booking made.
fn calls_of(report: &simulate::Report) -> Vec<(String, Option<(String, i64)>)> {
    report
        .records
        .iter()
        .map(|r| (r.played.to_string(), r.booking.as_ref().map(|b| (b.load_id.clone(), b.agreed_cents))))
        .collect()
}

#[actix_web::test]
async fn the_same_seed_gives_the_same_summary_at_any_concurrency() {
    let mut runs = Vec::new();
    for concurrency in [1, 5] {
        // A fresh app with the bundled seed catalogue each time: the same initial data.
        let app = helpers::spawn_with(|s| s.loads.file = None).await;
        let mut opts = SimOptions::new(&app.address, AGENT_KEY, 40, 20_261_122);
        opts.concurrency = concurrency;
        let report = simulate::run(&opts).await.expect("simulator runs");
        let rendered = report.render();
        assert!(!report.failed(), "requests failed:\n{rendered}");
        assert_eq!(report.records.len(), 40);
        assert!(report.booked() > 0, "nothing booked:\n{rendered}");
        assert!(report.lost() + report.booked() < 40, "every call pitched?\n{rendered}");
        assert!(rendered.ends_with(&report.summary_line()));
        // Every call was closed and recorded; the service saw what was played.
        let recorded = report.records.iter().filter(|r| r.recorded.is_some()).count();
        assert_eq!(recorded, 40, "{rendered}");
        let agree = report.records.iter().filter(|r| r.recorded.as_deref() == Some(r.played)).count();
        assert!(agree >= 36, "the service recorded too many calls differently:\n{rendered}");
        // Bookings went through the API: the dashboard sees them.
        let (status, summary) = helpers::json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary").await).await;
        assert_eq!(status, 200);
        assert_eq!(summary["bookings"].as_u64(), Some(report.booked() as u64), "{summary}");
        assert_eq!(summary["calls"].as_u64(), Some(40));
        runs.push((report.summary_line(), calls_of(&report)));
    }
    assert_eq!(runs[0].0, runs[1].0, "summary lines differ");
    assert_eq!(runs[0].1, runs[1].1, "calls went differently");
    let line = &runs[0].0;
    assert!(line.starts_with("booked=") && line.contains(" lost=") && line.contains(" avg_premium_pct="), "{line}");
}

#[actix_web::test]
async fn the_simulator_reports_a_dead_server_instead_of_panicking() {
    let mut opts = SimOptions::new("http://127.0.0.1:9", AGENT_KEY, 3, 1);
    opts.request_timeout = std::time::Duration::from_secs(2);
    let report = simulate::run(&opts).await.expect("runs");
    assert!(report.failed());
    assert!(report.transport_errors > 0);
    assert_eq!(report.booked(), 0);
}

#[actix_web::test]
async fn a_wrong_key_fails_the_smoke_test() {
    let app = helpers::spawn_with(|s| s.loads.file = None).await;
    let report = simulate::run(&SimOptions::new(&app.address, "not-a-key-0123456789abcdef", 2, 1)).await.unwrap();
    assert!(report.failed());
    assert!(report.errors.keys().any(|k| k.contains("401")), "{:?}", report.errors);
}

/// The URL of a test app's database, so a second app (demo-data's own) can open it.
fn database_url(db: &TestDb) -> String {
    match db {
        TestDb::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
        TestDb::Postgres { admin_url, name } => {
            let (base, _) = admin_url.rsplit_once('/').expect("a database in the URL");
            format!("{base}/{name}")
        }
    }
}

#[actix_web::test]
async fn demo_data_spreads_calls_over_past_days_and_leaves_the_seed_board_alone() {
    // The dashboard reads through this app; demo-data starts its own app on the same
    // database (SQLite file or PostgreSQL database), as `carrier-sales demo-data` does.
    let app = helpers::spawn_with(|s| s.loads.file = None).await;
    let settings = helpers::test_settings(&database_url(&app.db), None);
    let mut opts = DemoOptions::new(4, 5, 7);
    opts.concurrency = 3;
    let demo = demo::run(settings, &opts).await.expect("demo-data runs");
    let rendered = demo.render("test");
    assert!(!demo.report.failed(), "{rendered}");
    assert!(demo.days.len() >= 3, "{rendered}");
    assert_eq!(demo.calls_backdated, demo.report.records.len());
    assert!(demo.report.booked() > 0, "{rendered}");

    let (status, series) =
        helpers::json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/timeseries?bucket=day").await).await;
    assert_eq!(status, 200, "{series}");
    let points = series["points"].as_array().expect("points");
    let days_with_calls = points.iter().filter(|p| p["calls"].as_u64().unwrap_or(0) > 0).count();
    assert!(days_with_calls >= 2, "calls on {days_with_calls} day(s): {series}");
    let calls: u64 = points.iter().map(|p| p["calls"].as_u64().unwrap_or(0)).sum();
    assert_eq!(calls, demo.report.records.len() as u64, "{series}");
    let booked_days = points.iter().filter(|p| p["booked"].as_u64().unwrap_or(0) > 0).count();
    assert!(booked_days >= 1, "{series}");

    let (status, summary) = helpers::json(app.get_as(DASHBOARD_KEY, "/api/v1/metrics/summary").await).await;
    assert_eq!(status, 200);
    assert!(summary["bookings"].as_u64().unwrap_or(0) > 0, "{summary}");
    assert_eq!(summary["bookings"].as_u64(), Some(demo.report.booked() as u64), "{summary}");

    // The live seed board was not consumed, and no demo load is left for sale.
    let (_, booked) = helpers::json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?status=booked&limit=500").await).await;
    let booked = booked["loads"].as_array().cloned().unwrap_or_default();
    assert!(!booked.is_empty());
    assert!(booked.iter().all(|l| l["load_id"].as_str().unwrap_or("").starts_with("DEMO-")), "{booked:?}");
    let (_, available) =
        helpers::json(app.get_as(DASHBOARD_KEY, "/api/v1/loads?status=available&limit=500").await).await;
    let available: Vec<&Value> = available["loads"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    assert!(available.iter().any(|l| l["load_id"].as_str().unwrap_or("").starts_with("L-")));
    assert!(!available.iter().any(|l| l["load_id"].as_str().unwrap_or("").starts_with("DEMO-")));
}
