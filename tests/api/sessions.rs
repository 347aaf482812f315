//! Dashboard sessions: they end with the key that opened them, and a cookie never writes
//! on behalf of another origin.

use crate::helpers::*;
use carrier_sales::http::auth::{self, Scope};
use serde_json::json;

const SESSION: &str = "/api/v1/session";

/// A browser-like client that keeps cookies.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn signed_in(app: &TestApp, key: &str) -> reqwest::Client {
    let client = browser();
    let res = client.post(app.url(SESSION)).json(&json!({"api_key": key})).send().await.unwrap();
    assert_eq!(res.status(), 200, "sign-in with {key}");
    assert_eq!(client.get(app.url(SESSION)).send().await.unwrap().status(), 200);
    client
}

fn stored_key(app: &TestApp, name: &str, scope: Scope) -> (String, String) {
    let mut conn = app.app_state.pool.get().unwrap();
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
        let mut conn = app.app_state.pool.get().unwrap();
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
    let mut conn = app.app_state.pool.get().unwrap();
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
