use crate::helpers::*;

#[actix_web::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let (status, body) = json(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    let (status, body) = json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ready");
}

#[actix_web::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    match &app.db {
        TestDb::Sqlite { path, .. } => {
            std::fs::remove_file(path).unwrap();
        }
        TestDb::Postgres { admin_url, name } => {
            use diesel::connection::SimpleConnection;
            use diesel::Connection;
            let mut conn = diesel::PgConnection::establish(admin_url).unwrap();
            conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).unwrap();
        }
    }
    let (status, body) = json(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(status, 503);
    assert_eq!(error_code(&body), "database_unavailable");
    // Liveness is not readiness.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[actix_web::test]
async fn dashboard_is_served_with_spa_fallback() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains("<title>Carrier Sales</title>"), "{html}");
    let script = html.split("src=\"").nth(1).and_then(|s| s.split('"').next()).expect("a module script");
    let res = app.client.get(app.url(script)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("immutable"));

    // A client-side route reloads into the app shell.
    let res = app.client.get(app.url("/calls/abc")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<title>Carrier Sales</title>"));
    // A missing asset is a 404, not the shell.
    assert_eq!(app.client.get(app.url("/assets/nope.js")).send().await.unwrap().status(), 404);
}

/// The embedded text files are stored gzipped: sent as they are to a client that takes
/// gzip, inflated for one that does not, the same bytes either way.
#[actix_web::test]
async fn embedded_files_are_sent_gzipped_to_who_takes_it_and_plain_otherwise() {
    let app = spawn_app().await;
    let get = |path: &str, encoding: Option<&str>| {
        let mut req = app.client.get(app.url(path));
        if let Some(e) = encoding {
            req = req.header("accept-encoding", e);
        }
        req.send()
    };
    let plain = get("/docs/swagger-ui-bundle.js", None).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    assert!(plain.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(plain.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let text = plain.bytes().await.unwrap();
    assert!(text.len() > 500_000 && text.starts_with(b"/*"), "{} bytes", text.len());

    let packed = get("/docs/swagger-ui-bundle.js", Some("br;q=1.0, gzip;q=0.8")).await.unwrap();
    assert_eq!(packed.headers()["content-encoding"], "gzip");
    let gz = packed.bytes().await.unwrap();
    assert!(gz.len() * 3 < text.len(), "{} of {}", gz.len(), text.len());
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    // `q=0` refuses it.
    let refused = get("/docs/swagger-ui-bundle.js", Some("gzip;q=0")).await.unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    assert_eq!(refused.bytes().await.unwrap(), text);

    // The app shell too, with its charset.
    let shell = get("/calls/abc", Some("gzip")).await.unwrap();
    assert_eq!(shell.headers()["content-encoding"], "gzip");
    assert_eq!(shell.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(shell.headers()["cache-control"], "no-cache");
}
