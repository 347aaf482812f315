//! The live dashboard feed (`GET /api/v1/events`): nothing skipped when transactions
//! commit out of id order, a dead poller made visible, streams that end with their
//! credential and are capped per key.

use crate::helpers::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

/// An open SSE response and everything read from it so far.
struct Sse {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>>>>,
    text: String,
}

impl Sse {
    async fn open(app: &TestApp, headers: &[(&str, &str)]) -> Sse {
        let mut req = app.client.get(app.url("/api/v1/events"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        let mut sse = Sse { stream: Box::pin(res.bytes_stream()), text: String::new() };
        assert!(sse.read_until(|t| t.contains(": connected"), Duration::from_secs(5)).await);
        sse
    }

    /// Reads until `done(text)`; `false` when the stream ended or `within` ran out first.
    async fn read_until(&mut self, done: impl Fn(&str) -> bool, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        while !done(&self.text) {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return false,
            }
        }
        true
    }

    /// `true` when the server ends the stream within `within`.
    async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(None) | Ok(Some(Err(_))) => return true,
                Err(_) => return false,
            }
        }
    }

    /// The `call_id`s of the events received, in order.
    fn call_ids(&self) -> Vec<String> {
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .filter_map(|e| e["call_id"].as_str().map(str::to_string))
            .collect()
    }
}

fn insert_event(call_id: &str) -> String {
    format!(
        "INSERT INTO events (kind, call_id, payload_json, created_at) VALUES ('call.finalized', '{call_id}', '{{}}', {})",
        chrono::Utc::now().timestamp_millis()
    )
}

fn newest_event_id(conn: &mut diesel::PgConnection) -> i64 {
    use carrier_sales::db::schema::events;
    events::table.select(diesel::dsl::max(events::id)).first::<Option<i64>>(conn).unwrap().unwrap()
}

#[actix_web::test]
async fn an_event_committed_after_a_later_one_still_reaches_every_stream() {
    let app = spawn_app().await;
    let mut live = Sse::open(&app, &[("X-API-Key", DASHBOARD_KEY)]).await;
    match &app.db {
        TestDb::Postgres { admin_url, name } => {
            // "early" takes its id first but commits last, after "late" was read.
            let (base, _) = admin_url.rsplit_once('/').unwrap();
            let mut open_tx = diesel::PgConnection::establish(&format!("{base}/{name}")).unwrap();
            open_tx.batch_execute(&format!("BEGIN; {};", insert_event("early"))).unwrap();
            let early_id = newest_event_id(&mut open_tx);
            app.exec_sql(&insert_event("late"));
            tokio::time::sleep(Duration::from_millis(1500)).await;
            // A dashboard reconnecting now, having seen everything before "early".
            let resume = (early_id - 1).to_string();
            let mut resumed = Sse::open(&app, &[("X-API-Key", DASHBOARD_KEY), ("Last-Event-ID", &resume)]).await;
            open_tx.batch_execute("COMMIT").unwrap();
            for sse in [&mut live, &mut resumed] {
                let got = sse
                    .read_until(|t| t.contains("\"late\"") && t.contains("\"early\""), Duration::from_secs(10))
                    .await;
                assert!(got, "an event was skipped: {}", sse.text);
                assert_eq!(sse.call_ids(), ["early", "late"], "{}", sse.text);
            }
        }
        TestDb::Sqlite { .. } => {
            // One writer at a time: ids always commit in order, so this is the plain case.
            app.exec_sql(&insert_event("early"));
            app.exec_sql(&insert_event("late"));
            let got = live.read_until(|t| t.contains("\"late\""), Duration::from_secs(10)).await;
            assert!(got, "{}", live.text);
            assert_eq!(live.call_ids(), ["early", "late"]);
            let newest: i64 = {
                use carrier_sales::db::schema::events;
                let mut conn = app.app_state.db.connection().unwrap();
                events::table.select(diesel::dsl::max(events::id)).first::<Option<i64>>(&mut *conn).unwrap().unwrap()
            };
            let resume = (newest - 2).to_string();
            let mut resumed = Sse::open(&app, &[("X-API-Key", DASHBOARD_KEY), ("Last-Event-ID", &resume)]).await;
            assert!(resumed.read_until(|t| t.contains("\"late\""), Duration::from_secs(5)).await);
            assert_eq!(resumed.call_ids(), ["early", "late"]);
        }
    }
}

async fn metric(app: &TestApp, name: &str) -> Option<f64> {
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    text.lines().find_map(|l| l.strip_prefix(&format!("carrier_sales_{name} "))).and_then(|v| v.trim().parse().ok())
}

#[actix_web::test]
async fn a_live_feed_that_cannot_read_the_outbox_shows_in_metrics_and_readiness() {
    let app = spawn_app().await;
    let (status, body) = json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["live_events"]["status"], "ok", "{body}");

    app.exec_sql("ALTER TABLE events RENAME TO events_away");
    let degraded = eventually(Duration::from_secs(10), || async {
        let (status, body) = json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
        // The API still works: a degraded live feed does not fail readiness.
        assert_eq!(status, 200, "{body}");
        body["live_events"]["status"] == "degraded" && body["live_events"]["consecutive_failures"].as_u64() > Some(0)
    })
    .await;
    assert!(degraded, "readyz never reported the dead live feed");
    assert!(
        eventually(Duration::from_secs(5), || async { metric(&app, "events_poller_healthy").await == Some(0.0) }).await
    );
    assert!(metric(&app, "events_poller_failures_total").await.unwrap() >= 1.0);

    app.exec_sql("ALTER TABLE events_away RENAME TO events");
    assert!(
        eventually(Duration::from_secs(10), || async { metric(&app, "events_poller_healthy").await == Some(1.0) })
            .await
    );
    let (_, body) = json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(body["live_events"], json!({"status": "ok", "last_read_secs_ago": 0, "consecutive_failures": 0}));
}

#[actix_web::test]
async fn a_stream_ends_when_its_session_is_signed_out() {
    let app = spawn_app().await;
    let res =
        app.client.post(app.url("/api/v1/session")).json(&json!({"api_key": DASHBOARD_KEY})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let set_cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let mut sse = Sse::open(&app, &[("Cookie", &cookie)]).await;

    let res = app.client.delete(app.url("/api/v1/session")).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(sse.ends_within(Duration::from_secs(10)).await, "the stream outlived its session: {}", sse.text);
}

#[actix_web::test]
async fn a_stream_ends_when_its_key_is_revoked() {
    let app = spawn_app().await;
    let (id, key) = {
        let mut conn = app.app_state.db.connection().unwrap();
        carrier_sales::http::auth::create_stored_key(
            &mut conn,
            "wallboard",
            carrier_sales::http::auth::Scope::Dashboard,
        )
        .unwrap()
    };
    let mut sse = Sse::open(&app, &[("X-API-Key", &key)]).await;
    carrier_sales::cli::keys_revoke(&app.app_state.settings, &id).unwrap();
    assert!(sse.ends_within(Duration::from_secs(10)).await, "the stream outlived its key: {}", sse.text);
    assert_eq!(app.get_as(&key, "/api/v1/events").await.status(), 401);
}

#[actix_web::test]
async fn one_key_may_hold_only_so_many_streams() {
    let app = spawn_with(|s| s.events.max_streams_per_key = 2).await;
    let mut open = vec![
        Sse::open(&app, &[("X-API-Key", DASHBOARD_KEY)]).await,
        Sse::open(&app, &[("X-API-Key", DASHBOARD_KEY)]).await,
    ];
    let (status, body) = json(app.get_as(DASHBOARD_KEY, "/api/v1/events").await).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(error_code(&body), "too_many_streams");
    // Another key has its own allowance.
    let _admin = Sse::open(&app, &[("X-API-Key", ADMIN_KEY)]).await;
    // A closed stream gives its place back.
    drop(open.pop());
    let freed = eventually(Duration::from_secs(20), || async {
        app.get_as(DASHBOARD_KEY, "/api/v1/events").await.status() == 200
    })
    .await;
    assert!(freed, "a closed stream still counts against its key");
}
