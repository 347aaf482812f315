//! Dashboard sessions: they end with the key that opened them, and a cookie never writes
//! on behalf of another origin.

use crate::helpers::*;
use carrier_sales::http::auth::{self, Scope};
use serde_json::json;

const SESSION: &str = "/api/v1/session";

/// A browser-like client that keeps cookies.
fn browser() -> reqwest::Client {
    carrier_sales::http::tls::client_builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn signed_in(app: &TestApp, key: &str) -> reqwest::Client {
    let client = browser();
    let res = client.post(app.url(SESSION)).json(&json!({"api_key": key})).send().await.unwrap();
    assert_eq!(res.status(), 200, "sign-in with {key}");
    assert_eq!(client.get(app.url(SESSION)).send().await.unwrap().status(), 200);
    client
}

fn stored_key(app: &TestApp, name: &str, scope: Scope) -> (String, String) {
    let mut conn = app.app_state.db.connection().unwrap();
    auth::create_stored_key(&mut conn, name, scope).unwrap()
}

#[actix_web::test]
async fn revoking_a_key_ends_the_sessions_it_opened_at_once() {
    let app = spawn_app().await;
    let (laptop_id, laptop_key) = stored_key(&app, "ops laptop", Scope::Admin);
    let (tablet_id, tablet_key) = stored_key(&app, "ops tablet", Scope::Dashboard);
    let laptop = signed_in(&app, &laptop_key).await;
    let tablet = signed_in(&app, &tablet_key).await;
    let other = signed_in(&app, DASHBOARD_KEY).await;

    // `keys revoke` (the same function the CLI calls).
    let ended = {
        let mut conn = app.app_state.db.connection().unwrap();
        auth::revoke_stored_key(&mut conn, &laptop_id).unwrap()
    };
    assert_eq!(ended, Some(1));
    let (status, body) = json(laptop.get(app.url("/api/v1/loads")).send().await.unwrap()).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(laptop.get(app.url(SESSION)).send().await.unwrap().status(), 401);

    // Revoked by another instance's CLI, whose session rows are still there: refused too.
    app.exec_sql(&format!("UPDATE api_keys SET revoked_at = 1 WHERE id = '{tablet_id}'"));
    assert_eq!(tablet.get(app.url(SESSION)).send().await.unwrap().status(), 401);

    // Sessions opened with other keys go on.
    assert_eq!(other.get(app.url(SESSION)).send().await.unwrap().status(), 200);
    let mut conn = app.app_state.db.connection().unwrap();
    assert_eq!(auth::revoke_stored_key(&mut conn, &laptop_id).unwrap(), None, "already revoked");
}

#[actix_web::test]
async fn removing_a_key_from_api_keys_ends_its_sessions_after_a_restart() {
    const LEAVING: &str = "admin-key-that-will-be-removed-0123";
    let first =
        spawn_with(|s| s.auth.api_keys.push(carrier_sales::config::Secret::new(format!("admin:{LEAVING}")))).await;
    let leaving = signed_in(&first, LEAVING).await;
    let staying = signed_in(&first, ADMIN_KEY).await;

    // Restarted (or another instance) on the same database, without that key.
    let mut settings = first.app_state.settings.as_ref().clone();
    settings.auth.api_keys.retain(|k| !k.expose().contains(LEAVING));
    let second = carrier_sales::app::Application::build(settings).await.expect("second app builds");
    let address = format!("http://127.0.0.1:{}", second.port());
    let handle = second.server_handle();
    actix_web::rt::spawn(second.run_until_stopped());

    let gone = leaving.get(format!("{address}{SESSION}")).send().await.unwrap().status();
    let kept = staying.get(format!("{address}{SESSION}")).send().await.unwrap().status();
    handle.stop(false).await;
    assert_eq!(gone, 401, "a session whose key was removed must end");
    assert_eq!(kept, 200, "a session whose key stays goes on");
}

// ------------------------------------------------------------ sign-in throttling per client

const WRONG_KEY: &str = "wrong-key-0000000000000";

async fn sign_in_from(app: &TestApp, header: &str, client: &str, key: &str) -> u16 {
    let res =
        app.client.post(app.url(SESSION)).header(header, client).json(&json!({"api_key": key})).send().await.unwrap();
    res.status().as_u16()
}

#[actix_web::test]
async fn sign_in_throttling_behind_a_trusted_proxy_counts_each_client() {
    let app = spawn_with(|s| s.server.trusted_proxies = vec!["127.0.0.0/8".into(), "::1/128".into()]).await;
    const XFF: &str = "X-Forwarded-For";
    for _ in 0..auth::SIGN_INS_PER_MINUTE {
        assert_eq!(sign_in_from(&app, XFF, "203.0.113.7", WRONG_KEY).await, 401);
    }
    assert_eq!(sign_in_from(&app, XFF, "203.0.113.7", DASHBOARD_KEY).await, 429, "the guesser is throttled");
    // Writing a made-up address in front does not make the guesser someone else.
    assert_eq!(sign_in_from(&app, XFF, "192.0.2.99, 203.0.113.7", DASHBOARD_KEY).await, 429);
    // Another client behind the same proxy is not locked out.
    assert_eq!(sign_in_from(&app, XFF, "203.0.113.8", DASHBOARD_KEY).await, 200);
    assert_eq!(sign_in_from(&app, XFF, "2001:db8::8", DASHBOARD_KEY).await, 200);
}

#[actix_web::test]
async fn sign_in_throttling_on_fly_counts_each_fly_client_ip() {
    let app = spawn_with(|s| {
        s.server.trusted_proxies = vec!["127.0.0.0/8".into(), "::1/128".into()];
        s.server.client_ip_header = carrier_sales::config::ClientIpHeader::FlyClientIp;
    })
    .await;
    for _ in 0..auth::SIGN_INS_PER_MINUTE {
        assert_eq!(sign_in_from(&app, "Fly-Client-IP", "203.0.113.7", WRONG_KEY).await, 401);
    }
    assert_eq!(sign_in_from(&app, "Fly-Client-IP", "203.0.113.7", DASHBOARD_KEY).await, 429);
    assert_eq!(sign_in_from(&app, "Fly-Client-IP", "203.0.113.8", DASHBOARD_KEY).await, 200);
}

#[actix_web::test]
async fn forwarded_client_addresses_from_an_untrusted_peer_are_ignored() {
    let app = spawn_app().await;
    for i in 0..auth::SIGN_INS_PER_MINUTE {
        let status = sign_in_from(&app, "X-Forwarded-For", &format!("203.0.113.{i}"), WRONG_KEY).await;
        assert_eq!(status, 401);
    }
    assert_eq!(sign_in_from(&app, "X-Forwarded-For", "198.51.100.1", DASHBOARD_KEY).await, 429);
    assert_eq!(sign_in_from(&app, "Fly-Client-IP", "198.51.100.2", DASHBOARD_KEY).await, 429);
}

// ------------------------------------------------- cookie-authenticated writes, same origin

const LOADS: &str = "/api/v1/loads";

/// Creates a load the way a form on another page could: a "simple" request, no preflight.
async fn create_load(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let body = load(id, "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000).to_string();
    let mut req = client.post(app.url(LOADS)).header("Content-Type", "text/plain").body(body);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    json(req.send().await.unwrap()).await
}

async fn load_exists(app: &TestApp, id: &str) -> bool {
    app.get_as(ADMIN_KEY, &format!("{LOADS}/{id}")).await.status() == 200
}

#[actix_web::test]
async fn a_signed_in_browser_cannot_write_from_another_origin() {
    let app = spawn_app().await;
    let admin = signed_in(&app, ADMIN_KEY).await;
    let own = app.address.clone();

    let (status, body) = create_load(&app, &admin, "L-EVIL", &[("Origin", "https://evil.example")]).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "cross_origin_refused");
    assert!(!load_exists(&app, "L-EVIL").await, "a refused write must not store anything");
    for (id, headers) in [
        ("L-SIB", vec![("Sec-Fetch-Site", "same-site")]),
        ("L-CROSS", vec![("Sec-Fetch-Site", "cross-site")]),
        ("L-NULL", vec![("Origin", "null")]),
        ("L-PORT", vec![("Origin", "http://127.0.0.1:1")]),
    ] {
        let (status, body) = create_load(&app, &admin, id, &headers).await;
        assert_eq!(status, 403, "{id}: {body}");
        assert!(!load_exists(&app, id).await, "{id}");
    }

    // The dashboard itself, and callers that are not browser pages, may write.
    let (status, body) =
        create_load(&app, &admin, "L-OWN", &[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")]).await;
    assert!(status < 300, "{status} {body}");
    let (status, body) = create_load(&app, &admin, "L-CURL", &[]).await;
    assert!(status < 300, "{status} {body}");
    assert!(load_exists(&app, "L-OWN").await && load_exists(&app, "L-CURL").await);

    // Reads are not affected, and a key is not a cookie: it is sent on purpose.
    let res = admin.get(app.url(LOADS)).header("Origin", "https://evil.example").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (status, body) =
        create_load(&app, &app.client, "L-KEY", &[("X-API-Key", ADMIN_KEY), ("Origin", "https://evil.example")]).await;
    assert!(status < 300, "{status} {body}");

    // Neither sign-in nor sign-out can be driven from another origin.
    let res = browser()
        .post(app.url(SESSION))
        .header("Origin", "https://evil.example")
        .json(&json!({"api_key": ADMIN_KEY}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    let res = admin.delete(app.url(SESSION)).header("Sec-Fetch-Site", "cross-site").send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(admin.get(app.url(SESSION)).send().await.unwrap().status(), 200, "still signed in");
    let res = browser().post(app.url(SESSION)).header("Origin", own.as_str()).json(&json!({"api_key": ADMIN_KEY}));
    assert_eq!(res.send().await.unwrap().status(), 200);
}

#[actix_web::test]
async fn cors_origins_and_trusted_forwarded_hosts_count_as_the_dashboards_own() {
    let app = spawn_with(|s| s.auth.cors_origins = vec!["https://ops.example.com".into()]).await;
    let admin = signed_in(&app, ADMIN_KEY).await;
    let listed = [("Origin", "https://ops.example.com"), ("Sec-Fetch-Site", "same-site")];
    let (status, body) = create_load(&app, &admin, "L-OPS", &listed).await;
    assert!(status < 300, "{status} {body}");
    let (status, _) = create_load(&app, &admin, "L-EVIL", &[("Origin", "https://evil.example.com")]).await;
    assert_eq!(status, 403);

    // A TLS-terminating proxy in front that is not yet trusted: the page is `https://`
    // on our own host, which only whoever runs this host can serve.
    let upgraded = app.address.replace("http://", "https://");
    let (status, body) = create_load(&app, &admin, "L-TLS", &[("Origin", upgraded.as_str())]).await;
    assert!(status < 300, "{status} {body}");

    // Behind a proxy the browser's origin is the proxy's scheme and host. Those headers
    // are believed only from a trusted proxy.
    let proxied = [
        ("Origin", "https://dash.example.net"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "dash.example.net"),
    ];
    let (status, _) = create_load(&app, &admin, "L-FWD", &proxied).await;
    assert_eq!(status, 403, "forwarded host from an untrusted peer");
    let behind = spawn_with(|s| s.server.trusted_proxies = vec!["127.0.0.0/8".into(), "::1/128".into()]).await;
    let admin = signed_in(&behind, ADMIN_KEY).await;
    let (status, body) = create_load(&behind, &admin, "L-FWD", &proxied).await;
    assert!(status < 300, "{status} {body}");
}
