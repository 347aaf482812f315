//! The simulator and demo-data, in-process against real apps.

use crate::helpers::{self, TestDb, AGENT_KEY, DASHBOARD_KEY};
use carrier_sales::simulate::demo::{self, DemoOptions};
use carrier_sales::simulate::population::{self, Calls, PopulationOptions, Row};
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

/// The repeat population's table must add up: every negotiation within what the oracle
/// could do, each carrier's first call counted once, shares in 0..=100.
fn assert_consistent(report: &population::PopulationReport, carriers: usize, calls: usize) {
    let rendered = report.render();
    assert!(!report.failed(), "{rendered}");
    for run in &report.runs {
        assert_eq!(run.negotiations.len(), carriers * calls, "{rendered}");
        let firsts: Vec<usize> = run.negotiations.iter().filter(|n| n.visit == 0).map(|n| n.carrier).collect();
        assert_eq!(firsts, (0..carriers).collect::<Vec<_>>(), "{rendered}");
        for n in &run.negotiations {
            assert!((1..=3).contains(&n.rounds), "{n:?}");
            assert!(!n.answers.is_empty(), "{n:?}");
            if let Some(agreed) = n.agreed_cents {
                assert!(agreed >= n.need_cents && agreed >= n.posted_cents && agreed <= n.ceiling_cents, "{n:?}");
                assert!(n.oracle_cents().is_some(), "booked where the oracle walks: {n:?}");
            }
            assert!(n.margin_cents() <= n.oracle_margin_cents(), "beat the oracle: {n:?}");
        }
    }
    let rows = report.rows();
    assert_eq!(rows.len(), 3 * (report.runs.len() + 1), "{rendered}");
    for group in rows.chunks(3) {
        let [all, first, repeat] = group else { unreachable!() };
        assert_eq!((all.calls, first.calls, repeat.calls), (Calls::All, Calls::First, Calls::Repeat));
        assert_eq!(first.negotiations, carriers, "{rendered}");
        assert_eq!(all.negotiations, first.negotiations + repeat.negotiations, "{rendered}");
        for r in group {
            let share = r.share_pct.expect("the oracle made some margin");
            assert!((0.0..=100.0).contains(&share), "{r:?}\n{rendered}");
            assert!((0.0..=100.0).contains(&r.booked_pct), "{r:?}");
        }
    }
    let oracle = &rows[rows.len() - 3];
    assert_eq!(oracle.mode, "oracle");
    assert!(rows.iter().all(|r| r.booked_pct <= oracle.booked_pct), "{rendered}");
    assert!(rendered.contains("| oracle | all |"), "{rendered}");
}

#[actix_web::test]
async fn repeat_callers_against_a_server_give_a_consistent_table_the_same_for_the_same_seed() {
    let mut tables = Vec::new();
    for _ in 0..2 {
        let app = helpers::spawn_with(|s| {
            s.loads.file = None;
            // A carrier holding firm waits out the retry window before repeating its offer.
            s.negotiation.retry_window_secs = 1;
        })
        .await;
        let target = population::Target {
            base_url: app.address.clone(),
            agent_key: AGENT_KEY.into(),
            dashboard_key: DASHBOARD_KEY.into(),
        };
        let report = population::run_against(&target, &PopulationOptions::new(5, 3, 21)).await.expect("runs");
        assert_consistent(&report, 5, 3);
        // Every call verified and negotiated through the API: the service recorded them.
        let (status, calls) = helpers::json(app.get_as(DASHBOARD_KEY, "/api/v1/calls?limit=100").await).await;
        assert_eq!(status, 200, "{calls}");
        assert_eq!(calls["calls"].as_array().map(Vec::len), Some(15), "{calls}");
        // Labelled by the server's address; the figures must not depend on it.
        tables.push(
            report
                .rows()
                .into_iter()
                .map(|r| Row { mode: r.mode.replace(&app.address, "server"), ..r })
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(tables[0], tables[1], "the same seed gave different tables");
}

#[actix_web::test]
async fn repeat_callers_play_memory_on_and_off_and_first_calls_are_answered_alike() {
    let report =
        population::run_local(&helpers::test_settings("sqlite://unused.db", None), &PopulationOptions::new(4, 2, 8))
            .await
            .expect("two in-process servers");
    assert_eq!(report.runs.iter().map(|r| r.mode.as_str()).collect::<Vec<_>>(), ["memory on", "memory off"]);
    assert_consistent(&report, 4, 2);
    assert_eq!(report.first_calls_identical(), Some((4, 4)), "{}", report.render());
    assert!(report.reading().contains("first calls answered identically with memory on and off: 4 of 4"));
}

#[actix_web::test]
async fn a_repeat_population_larger_than_the_snapshot_is_refused() {
    let err =
        population::run_local(&helpers::test_settings("sqlite://unused.db", None), &PopulationOptions::new(24, 1, 1))
            .await
            .expect_err("24 carriers");
    assert!(err.to_string().contains("--carriers must be 1 to 23"), "{err}");
}
