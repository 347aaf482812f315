use crate::helpers::*;
use serde_json::json;

const SEARCH: &str = "/api/v1/loads/search";

#[actix_web::test]
async fn each_key_header_form_is_accepted() {
    let app = spawn_app().await;
    let body = json!({"origin": "Dallas, TX"});
    for (name, value) in [
        ("X-API-Key", AGENT_KEY.to_string()),
        ("api-key", AGENT_KEY.to_string()),
        ("Authorization", format!("Bearer {AGENT_KEY}")),
    ] {
        let res = app.client.post(app.url(SEARCH)).header(name, value).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 200, "header {name}");
    }
}

#[actix_web::test]
async fn missing_or_wrong_key_is_401_whatever_the_body() {
    let app = spawn_app().await;
    let res = app.client.post(app.url(SEARCH)).body("{not json").send().await.unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), "missing_api_key");

    let res =
        app.client.post(app.url(SEARCH)).header("X-API-Key", "nope-nope-nope").body("{not json").send().await.unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&body), "invalid_api_key");

    let res =
        app.client.post(app.url(SEARCH)).header("Authorization", "Basic abc").json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn wrong_scope_is_403() {
    let app = spawn_app().await;
    // A dashboard key cannot call the agent's tools...
    let (status, body) = json(app.post_as(DASHBOARD_KEY, SEARCH, &json!({})).await).await;
    assert_eq!(status, 403);
    assert_eq!(error_code(&body), "forbidden");
    // ...an agent key cannot read the dashboard's lists or import loads.
    assert_eq!(app.get_as(AGENT_KEY, "/api/v1/loads").await.status(), 403);
    assert_eq!(
        app.post_as(AGENT_KEY, "/api/v1/loads", &load("L-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.post_as(DASHBOARD_KEY, "/api/v1/loads", &load("L-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2000))
            .await
            .status(),
        403
    );
    // An admin key reads what the dashboard reads.
    assert_eq!(app.get_as(ADMIN_KEY, "/api/v1/loads").await.status(), 200);
}

#[actix_web::test]
async fn a_stored_key_works_at_once_and_stops_when_revoked() {
    let app = spawn_app().await;
    let (id, key) = {
        let mut conn = app.app_state.db.connection().unwrap();
        carrier_sales::http::auth::create_stored_key(
            &mut conn,
            "ops laptop",
            carrier_sales::http::auth::Scope::Dashboard,
        )
        .unwrap()
    };
    assert_eq!(app.get_as(&key, "/api/v1/loads").await.status(), 200);
    assert_eq!(app.post_as(&key, SEARCH, &json!({})).await.status(), 403);
    app.exec_sql(&format!("UPDATE api_keys SET revoked_at = 1 WHERE id = '{id}'"));
    assert_eq!(app.get_as(&key, "/api/v1/loads").await.status(), 401);
}

#[actix_web::test]
async fn dashboard_signs_in_with_a_cookie_and_never_needs_the_key_again() {
    let app = spawn_app().await;
    let client = carrier_sales::http::tls::client_builder().cookie_store(true).build().unwrap();

    // Not signed in.
    assert_eq!(client.get(app.url("/api/v1/loads")).send().await.unwrap().status(), 401);

    // The agent's key cannot open the dashboard.
    let res = client.post(app.url("/api/v1/session")).json(&json!({"api_key": AGENT_KEY})).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res =
        client.post(app.url("/api/v1/session")).json(&json!({"api_key": "wrong-key-000000000"})).send().await.unwrap();
    assert_eq!(res.status(), 401);

    let res = client.post(app.url("/api/v1/session")).json(&json!({"api_key": DASHBOARD_KEY})).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains(DASHBOARD_KEY), "the cookie must not carry the key");

    assert_eq!(client.get(app.url("/api/v1/loads")).send().await.unwrap().status(), 200);
    assert_eq!(client.get(app.url("/api/v1/session")).send().await.unwrap().status(), 200);
    // The session cookie is not an agent credential.
    assert_eq!(client.post(app.url(SEARCH)).json(&json!({})).send().await.unwrap().status(), 401);

    assert_eq!(client.delete(app.url("/api/v1/session")).send().await.unwrap().status(), 204);
    assert_eq!(client.get(app.url("/api/v1/loads")).send().await.unwrap().status(), 401);
}
