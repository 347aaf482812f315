//! The production surface: rate limits, CORS, TLS, security headers, Prometheus,
//! graceful shutdown, and the binary's own subcommands.

use crate::helpers::*;
use serde_json::json;

#[actix_web::test]
async fn each_key_is_rate_limited_on_its_own() {
    let app = spawn_with(|s| s.auth.rate_limit_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(app.agent("/api/v1/loads/search", &json!({})).await.status(), 200);
    }
    let res = app.agent("/api/v1/loads/search", &json!({})).await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let (_, body) = json(res).await;
    assert_eq!(error_code(&body), "rate_limited");
    // Another key still has its whole allowance.
    assert_eq!(app.get_as(DASHBOARD_KEY, "/api/v1/loads").await.status(), 200);
    // Health checks are never limited.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[actix_web::test]
async fn cors_is_closed_unless_origins_are_configured() {
    let closed = spawn_app().await;
    let preflight = |app: &TestApp| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/loads"))
            .header("Origin", "https://ops.example.com")
            .header("Access-Control-Request-Method", "GET")
            .send()
    };
    let res = preflight(&closed).await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());

    let open = spawn_with(|s| s.auth.cors_origins = vec!["https://ops.example.com".into()]).await;
    let res = preflight(&open).await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "https://ops.example.com");
    let res = open
        .client
        .request(reqwest::Method::OPTIONS, open.url("/api/v1/loads"))
        .header("Origin", "https://evil.example.com")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn the_binary_serves_https_itself() {
    let app = spawn_with(|s| s.server.tls_self_signed = true).await;
    assert!(app.url("/").starts_with("https://"));
    let res = app.client.get(app.url("/healthz")).send().await.expect("a TLS handshake with the made certificate");
    assert_eq!(res.status(), 200);
    // Every answer over HTTPS pins it: pages, API answers and errors alike.
    for path in ["/healthz", "/", "/api/v1/loads", "/api/v1/no-such-route"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains", "{path}");
    }
    let (s, _) = json(app.agent("/api/v1/loads/search", &json!({"origin": "Dallas"})).await).await;
    assert_eq!(s, 200);
    // The sign-in cookie is Secure over HTTPS.
    let res =
        app.client.post(app.url("/api/v1/session")).json(&json!({"api_key": DASHBOARD_KEY})).send().await.unwrap();
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
    // Plain HTTP to the TLS port does not get an answer.
    let plain = carrier_sales::http::tls::client_builder()
        .build()
        .unwrap()
        .get(app.url("/healthz").replace("https://", "http://"))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
}

#[actix_web::test]
async fn security_headers_are_on_every_response() {
    let app = spawn_app().await;
    for path in ["/", "/healthz", "/api/v1/loads"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("default-src 'self'"), "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP: {path}");
    }
}

#[actix_web::test]
async fn prometheus_metrics_are_exposed_and_can_be_protected() {
    let app = spawn_app().await;
    app.add_load(load("P-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000)).await;
    app.agent("/api/v1/negotiations/evaluate", &json!({"call_id": "m", "load_id": "P-1", "carrier_offer": 2400})).await;
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    for needle in [
        "carrier_sales_http_requests_total{method=\"POST\",route=\"/api/v1/negotiations/evaluate\",status=\"200\"}",
        "carrier_sales_http_request_duration_seconds_bucket",
        "carrier_sales_negotiation_decisions_total{decision=\"counter\"}",
        "carrier_sales_db_pool_connections{state=\"max\"} 4",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }

    let guarded = spawn_with(|s| s.auth.metrics_token = Some(carrier_sales::config::Secret::new("scrape-me"))).await;
    assert_eq!(guarded.client.get(guarded.url("/metrics")).send().await.unwrap().status(), 401);
    let res = guarded.client.get(guarded.url("/metrics")).bearer_auth("scrape-me").send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn shutdown_lets_an_in_flight_request_finish() {
    let app = spawn_app().await;
    // A request whose body arrives slowly is in flight when shutdown starts.
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Result<Vec<u8>, std::io::Error>>();
    let rx = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) });
    let request = app
        .client
        .post(app.url("/api/v1/loads/search"))
        .header("X-API-Key", AGENT_KEY)
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(rx))
        .send();
    let sender = async move {
        tx.send(Ok(b"{\"origin\": ".to_vec())).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        tx.send(Ok(b"\"Dallas\"}".to_vec())).unwrap();
        drop(tx);
    };
    let stopper = async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        app.stop_gracefully().await;
    };
    let (res, _, _) = tokio::join!(request, sender, stopper);
    let res = res.expect("the in-flight request gets its answer");
    assert_eq!(res.status(), 200);
    // After shutdown, nothing listens.
    assert!(app.client.get(app.url("/healthz")).send().await.is_err());
}

#[actix_web::test]
async fn keys_made_with_the_cli_work_on_a_running_server_at_once() {
    let app = spawn_app().await;
    let TestDb::Sqlite { path, .. } = &app.db else {
        // The CLI path is the same on PostgreSQL; the SQLite run covers it.
        return;
    };
    let url = format!("sqlite://{}", path.display());
    let out = bin()
        .args(["keys", "create", "--name", "night shift", "--scope", "dashboard"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "the key alone on stdout: {stdout:?}");
    let key = lines[0];
    assert!(key.len() >= 32 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'), "{key}");
    assert_eq!(app.get_as(key, "/api/v1/loads").await.status(), 200);

    let list = bin().args(["keys", "list"]).env("DATABASE_URL", &url).output().unwrap();
    let listing = String::from_utf8(list.stdout).unwrap();
    assert!(listing.contains("night shift") && listing.contains("dashboard") && !listing.contains(key), "{listing}");
    let id =
        listing.lines().find(|l| l.contains("night shift")).unwrap().split_whitespace().next().unwrap().to_string();
    let revoke = bin().args(["keys", "revoke", &id]).env("DATABASE_URL", &url).output().unwrap();
    assert!(revoke.status.success());
    assert_eq!(app.get_as(key, "/api/v1/loads").await.status(), 401);
}

#[actix_web::test]
async fn the_healthcheck_subcommand_reports_readiness() {
    let app = spawn_app().await;
    let port = app.url("/").rsplit(':').next().unwrap().trim_end_matches('/').to_string();
    let ok = tokio::task::spawn_blocking(move || bin().arg("healthcheck").env("PORT", &port).status())
        .await
        .unwrap()
        .unwrap();
    assert!(ok.success());
    // Nothing listens on port 9 here.
    let down = bin().arg("healthcheck").env("PORT", "9").status().unwrap();
    assert!(!down.success());
}

#[actix_web::test]
async fn production_refuses_to_start_without_a_real_api_key() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let base = |keys: Vec<&str>| {
        let mut s = test_settings(&url, None);
        s.env = carrier_sales::config::Mode::Production;
        s.fmcsa.offline = true;
        s.auth.api_keys = keys.into_iter().map(carrier_sales::config::Secret::new).collect();
        s
    };
    let err = carrier_sales::app::Application::build(base(vec![])).await.err().expect("no key: refused");
    assert!(err.to_string().contains("without an API key"), "{err}");
    let err =
        carrier_sales::app::Application::build(base(vec!["agent:changeme"])).await.err().expect("placeholder: refused");
    assert!(err.to_string().contains("placeholder"), "{err}");
    let ok = carrier_sales::app::Application::build(base(vec!["agent:9f8e7d6c5b4a39281706f5e4d3c2b1a0"])).await;
    assert!(ok.is_ok(), "a real key starts: {:?}", ok.err());
}

#[actix_web::test]
async fn development_without_keys_prints_a_generated_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("d.db").display());
    let mut s = test_settings(&url, None);
    s.auth.api_keys = vec![];
    let app = carrier_sales::app::Application::build(s).await.unwrap();
    let key = app.dev_key.clone().expect("a development key");
    assert!(key.len() >= 32);
    let port = app.port();
    actix_web::rt::spawn(app.run_until_stopped());
    let res = carrier_sales::http::tls::client_builder()
        .build()
        .unwrap()
        .get(format!("http://127.0.0.1:{port}/api/v1/loads"))
        .header("X-API-Key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
