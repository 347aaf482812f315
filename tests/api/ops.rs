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
