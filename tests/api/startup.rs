//! Starting, migrating and importing: several instances at once, the command line, the
//! limits of what an import may hold, TLS to PostgreSQL and the dashboard from a folder.

use crate::helpers::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use serde_json::{json, Value};
use std::sync::{Arc, Barrier};

fn seed_size() -> usize {
    serde_json::from_str::<Vec<Value>>(carrier_sales::loads::SEED_JSON).unwrap().len()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(url: &str, sql: &str) -> i64 {
    let (pool, _) = carrier_sales::db::connect(url, 1, std::time::Duration::from_secs(5)).unwrap();
    let mut conn = pool.get().unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut *conn).unwrap().n
}

/// The first deploy of two replicas: both find an empty database, both must come up, and
/// the seed is there once.
#[test]
fn two_instances_starting_together_on_an_empty_database_both_come_up() {
    let (_db, url) = TestDb::create();
    let barrier = Arc::new(Barrier::new(2));
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                let settings = test_settings(&url, None);
                barrier.wait();
                carrier_sales::app::prepare(settings).map(|_| ())
            })
        })
        .collect();
    for start in starts {
        start.join().unwrap().expect("both instances start");
    }
    assert_eq!(count(&url, "SELECT COUNT(*) AS n FROM loads") as usize, seed_size());
}

/// Two `migrate` commands at once (PostgreSQL's advisory lock; SQLite's file lock): both
/// succeed and every migration is recorded once.
#[test]
fn two_migrate_commands_at_once_both_succeed() {
    let (_db, url) = TestDb::create();
    let runs: Vec<_> = (0..2).map(|_| bin().arg("migrate").env("DATABASE_URL", &url).output().unwrap()).collect();
    // `output()` above ran them one after the other; now truly together.
    let (_db2, url2) = TestDb::create();
    let children: Vec<_> = (0..2)
        .map(|_| {
            bin()
                .arg("migrate")
                .env("DATABASE_URL", &url2)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let together: Vec<_> = children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap().count();
    for (out, url) in runs.iter().map(|o| (o, &url)).chain(together.iter().map(|o| (o, &url2))) {
        assert!(out.status.success(), "migrate failed: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            count(url, "SELECT COUNT(*) AS n FROM __diesel_schema_migrations") as usize,
            migrations,
            "each migration recorded once"
        );
    }
    let said: Vec<String> = runs.iter().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).collect();
    assert!(said[0].starts_with(&format!("{migrations} migration(s) applied")), "{said:?}");
    assert!(said[1].starts_with("0 migration(s) applied"), "{said:?}");
}

#[test]
fn import_loads_on_the_command_line_reports_each_row_and_fails_on_a_rejected_one() {
    let (_db, url) = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        serde_json::to_vec(&json!([
            load("CLI-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000),
            load("CLI-2", "Chicago, IL", "Columbus, OH", "Flatbed", 2, 1200)
        ]))
        .unwrap(),
    )
    .unwrap();
    let out = bin().args(["import-loads", good.to_str().unwrap()]).env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "inserted=2 updated=0 rejected=0");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "load_id,origin,destination,pickup_datetime,equipment_type,loadboard_rate\n\
         CLI-1,\"Dallas, TX\",\"Atlanta, GA\",2030-01-05 08:00,Dry Van,2100\n\
         CLI-3,\"Dallas, TX\",\"Atlanta, GA\",2030-01-05 08:00,Dry Van,-5\n",
    )
    .unwrap();
    let out = bin().args(["import-loads", bad.to_str().unwrap()]).env("DATABASE_URL", &url).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a rejected row is a failure the shell can see");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("inserted=0 updated=1 rejected=1"), "{stdout}");
    assert!(stdout.contains("row 2 (CLI-3): [loadboard_rate]"), "{stdout}");
    assert_eq!(count(&url, "SELECT COUNT(*) AS n FROM loads"), 2);

    let missing = bin().args(["import-loads", "/nonexistent/loads.json"]).env("DATABASE_URL", &url).output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/loads.json"));
}

/// Development start-up moves past seed pickups forward by whole weeks (same weekday and
/// local time); production leaves them, and never moves a load that is not seed.
#[test]
fn development_start_up_moves_past_seed_pickups_forward_by_whole_weeks() {
    let (_db, url) = TestDb::create();
    let prepared = carrier_sales::app::prepare(test_settings(&url, None)).unwrap();
    let mut conn = prepared.state.db.connection().unwrap();
    let week_ms = 7 * 24 * 3600 * 1000_i64;
    let now_ms = chrono::Utc::now().timestamp_millis();
    #[derive(diesel::QueryableByName)]
    struct Pickup {
        #[diesel(sql_type = diesel::sql_types::Text)]
        load_id: String,
    }
    let first: Pickup =
        diesel::sql_query("SELECT load_id FROM loads ORDER BY load_id LIMIT 1").get_result(&mut *conn).unwrap();
    // Ten days and a bit in the past: two whole weeks forward lands in the future.
    let past = now_ms - 10 * 24 * 3600 * 1000 - 123_000;
    let own = load("OWN-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000);
    carrier_sales::loads::import::import_records(&mut conn, &[own], chrono::Utc::now(), false).unwrap();
    conn.batch_execute(&format!("UPDATE loads SET pickup_at = {past} WHERE load_id IN ('{}', 'OWN-1')", first.load_id))
        .unwrap();
    drop(conn);
    drop(prepared);

    let mut production = test_settings(&url, None);
    production.loads.refresh_seed = Some(false);
    drop(carrier_sales::app::prepare(production).unwrap());
    let pickup_of = |id: &str| count(&url, &format!("SELECT pickup_at AS n FROM loads WHERE load_id = '{id}'"));
    assert_eq!(pickup_of(&first.load_id), past, "without the refresh nothing moves");

    drop(carrier_sales::app::prepare(test_settings(&url, None)).unwrap());
    assert_eq!(pickup_of(&first.load_id), past + 2 * week_ms, "two whole weeks forward");
    assert_eq!(pickup_of("OWN-1"), past, "a brokerage's own load is never moved");
}

/// A body over a route's configured limit is a 413 naming the limit; each of the three
/// limits is a setting.
#[actix_web::test]
async fn every_route_honours_its_configured_body_limit() {
    let app = spawn_with(|s| {
        s.server.body_limit_kb = 2;
        s.calls.finalize_limit_kb = 4;
        s.loads.import_limit_kb = 8;
    })
    .await;
    let padded = |kb: usize| json!({"origin": "Dallas, TX", "call_id": "limit-1", "notes": "x".repeat(kb * 1024)});
    let search = app.agent("/api/v1/loads/search", &padded(3)).await;
    assert_eq!(search.status(), 413);
    let (_, body) = json(search).await;
    assert_eq!(error_code(&body), "payload_too_large");

    // 3 KiB passes finalize's 4 KiB; 5 KiB does not.
    let finalize = |kb: usize| json!({"call_id": "limit-1", "transcript": "y".repeat(kb * 1024)});
    assert_eq!(app.agent("/api/v1/calls/finalize", &finalize(3)).await.status(), 200);
    assert_eq!(app.agent("/api/v1/calls/finalize", &finalize(5)).await.status(), 413);

    let rows = |n: usize| {
        Value::Array(
            (0..n).map(|i| load(&format!("LIM-{i}"), "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000)).collect(),
        )
    };
    let small = rows(8);
    assert!(serde_json::to_vec(&small).unwrap().len() > 2 * 1024, "over the JSON limit, under the import limit");
    let (status, report) = json(app.admin("/api/v1/loads/import", &small).await).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(app.admin("/api/v1/loads/import", &rows(40)).await.status(), 413);
}

/// An import holds at most 50,000 loads, and the answer lists the first 100 rejected rows
/// with a count of them all: a hostile array cannot make a gigabyte answer.
#[actix_web::test]
async fn an_import_is_capped_and_its_answer_stays_small() {
    let app = spawn_app().await;
    let zeros = format!("[{}0]", "0,".repeat(50_000));
    let res = app
        .client
        .post(app.url("/api/v1/loads/import"))
        .header("X-API-Key", ADMIN_KEY)
        .body(zeros)
        .send()
        .await
        .unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "too_many_loads");
    assert_eq!(body["error"]["field"], "loads");

    let wrapped = format!("{{\"note\": 1, \"loads\": [{}0]}}", "0,".repeat(50_000));
    let res =
        app.client.post(app.url("/api/v1/loads/import")).header("X-API-Key", ADMIN_KEY).body(wrapped).send().await;
    assert_eq!(res.unwrap().status(), 422);

    let mut rows: Vec<Value> = (0..250).map(|_| json!(0)).collect();
    rows.push(load("CAP-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000));
    let (status, report) = json(app.admin("/api/v1/loads/import", &Value::Array(rows)).await).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 1);
    assert_eq!(report["rejected_count"], 250);
    let listed = report["rejected"].as_array().unwrap();
    assert_eq!(listed.len(), 100);
    assert_eq!(listed[0]["row"], 1);
    assert_eq!(listed[99]["row"], 100);

    let (status, body) = json(app.admin("/api/v1/loads/import", &json!({"loads": "nope"})).await).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("loads")), "{body}");
}

/// `LOADS_FILE` is held to the same cap: start-up refuses a file of more than 50,000 loads.
#[test]
fn a_loads_file_over_the_cap_is_refused_at_start() {
    let (_db, url) = TestDb::create();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.json");
    std::fs::write(&file, format!("[{}0]", "0,".repeat(50_000))).unwrap();
    let err = carrier_sales::app::prepare(test_settings(&url, Some(file))).err().expect("refused");
    assert!(format!("{err:#}").contains("at most 50000 loads"), "{err:#}");
}

/// libpq is built with TLS: `sslmode=require` encrypts, `verify-full` checks the server's
/// certificate against the CA bundle named by `sslrootcert` (the local server's snakeoil
/// certificate is for `localhost`).
#[test]
fn postgres_connections_use_tls_when_asked() {
    let Some(admin) = std::env::var("TEST_DATABASE_URL").ok().filter(|v| !v.is_empty()) else {
        return; // PostgreSQL only.
    };
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let tls_of = |url: &str| -> Result<bool, String> {
        let mut conn = diesel::PgConnection::establish(url).map_err(|e| e.to_string())?;
        diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .get_result::<Ssl>(&mut conn)
            .map(|s| s.ssl)
            .map_err(|e| e.to_string())
    };
    let sep = if admin.contains('?') { '&' } else { '?' };
    assert_eq!(tls_of(&format!("{admin}{sep}sslmode=require")), Ok(true));
    assert_eq!(tls_of(&format!("{admin}{sep}sslmode=disable")), Ok(false));
    let snakeoil = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    if std::path::Path::new(snakeoil).exists() {
        let at_localhost = admin.replace("@127.0.0.1", "@localhost");
        let verified = format!("{at_localhost}{sep}sslmode=verify-full&sslrootcert={snakeoil}");
        assert_eq!(tls_of(&verified), Ok(true));
        // The public CA bundle does not vouch for a self-signed certificate: refused.
        let wrong_ca = format!("{at_localhost}{sep}sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt");
        assert!(tls_of(&wrong_ca).is_err());
    }
    // The app itself opens its pool over TLS.
    let (_db, url) = TestDb::create();
    let prepared = carrier_sales::app::prepare(test_settings(&format!("{url}{sep}sslmode=require"), None)).unwrap();
    let mut conn = prepared.state.db.connection().unwrap();
    conn.batch_execute("SELECT 1").unwrap();
}

/// `WEB_DIR` serves the dashboard from a folder (actix-files) with the same fallback rules
/// as the embedded copy, and never a file outside it.
#[actix_web::test]
async fn the_dashboard_can_be_served_from_a_directory() {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(web.path().join("index.html"), "<title>Our Brokerage</title>").unwrap();
    std::fs::write(web.path().join("assets/app-1234.js"), "console.log('branded')").unwrap();
    let dir = web.path().to_path_buf();
    let app = spawn_with(|s| s.server.web_dir = Some(dir)).await;

    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("content-security-policy"));
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.text().await.unwrap(), "<title>Our Brokerage</title>");
    let res = app.client.get(app.url("/assets/app-1234.js")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    // Changed on disk, served at once (a `vite build --watch` loop).
    std::fs::write(web.path().join("index.html"), "<title>Rebuilt</title>").unwrap();
    let res = app.client.get(app.url("/calls/abc")).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "<title>Rebuilt</title>");
    assert_eq!(app.client.get(app.url("/assets/nope.js")).send().await.unwrap().status(), 404);
    for escape in ["/..%2f..%2fetc%2fpasswd", "/assets/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd"] {
        let res = app.client.get(app.url(escape)).send().await.unwrap();
        let text = res.text().await.unwrap();
        assert!(!text.contains("root:"), "{escape} leaked a file");
    }
    // The API is unaffected.
    assert_eq!(app.get_as(DASHBOARD_KEY, "/api/v1/loads").await.status(), 200);
}

#[test]
fn a_web_dir_without_a_dashboard_is_refused_at_start() {
    let empty = tempfile::tempdir().unwrap();
    let mut settings = carrier_sales::config::Settings::default();
    settings.server.web_dir = Some(empty.path().to_path_buf());
    let err = settings.validate().expect_err("refused");
    assert!(err.to_string().contains("WEB_DIR"), "{err}");
}
