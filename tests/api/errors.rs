use crate::helpers::*;
use serde_json::json;

const SEARCH: &str = "/api/v1/loads/search";

#[actix_web::test]
async fn unparseable_json_is_400_in_the_error_shape() {
    let app = spawn_app().await;
    let res =
        app.client.post(app.url(SEARCH)).header("X-API-Key", AGENT_KEY).body("{\"origin\": ").send().await.unwrap();
    let (status, body) = json(res).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "invalid_json");
    let res = app.client.post(app.url(SEARCH)).header("X-API-Key", AGENT_KEY).body("").send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res = app.client.post(app.url(SEARCH)).header("X-API-Key", AGENT_KEY).body("[1,2]").send().await.unwrap();
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn json_is_read_whatever_the_content_type() {
    let app = spawn_app().await;
    for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let mut req = app.client.post(app.url(SEARCH)).header("X-API-Key", AGENT_KEY).body(r#"{"origin": "Dallas"}"#);
        if let Some(ct) = ct {
            req = req.header("Content-Type", ct);
        }
        assert_eq!(req.send().await.unwrap().status(), 200, "{ct:?}");
    }
}

#[actix_web::test]
async fn unusable_values_are_422_naming_the_field() {
    let app = spawn_app().await;
    for (body, field) in [
        (json!({"origin": "x".repeat(201)}), "origin"),
        (json!({"equipment_type": "v".repeat(201)}), "equipment_type"),
        (json!({"max_results": -1}), "max_results"),
        (json!({"max_results": "lots"}), "max_results"),
        (json!({"pickup_date": "someday"}), "pickup_date"),
        (json!({"origin_radius_miles": 5000}), "origin_radius_miles"),
        (json!({"mc_number": "abc"}), "mc_number"),
        (json!({"call_id": "c".repeat(129)}), "call_id"),
    ] {
        let (status, res) = json(app.agent(SEARCH, &body).await).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(res["error"]["field"], field, "{res}");
        error_code(&res);
    }
}

#[actix_web::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    let (status, body) = json(app.get_as(AGENT_KEY, "/api/v1/nothing-here").await).await;
    assert_eq!(status, 404);
    assert_eq!(error_code(&body), "not_found");
    let (status, body) = json(app.client.get(app.url("/api/elsewhere")).send().await.unwrap()).await;
    assert_eq!(status, 404);
    error_code(&body);

    let res = app.client.put(app.url(SEARCH)).header("X-API-Key", AGENT_KEY).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    let (status, body) = json(res).await;
    assert_eq!(status, 405);
    assert_eq!(error_code(&body), "method_not_allowed");
    let res = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET");
    assert_eq!(json(res).await.0, 405);
    // A route with two methods names both; a route with a path parameter is found too.
    let res = app.client.delete(app.url("/api/v1/calls/test")).header("X-API-Key", AGENT_KEY).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    let res = app.client.delete(app.url("/api/v1/loads")).header("X-API-Key", AGENT_KEY).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    let res = app.client.post(app.url("/api/v1/loads/L-1")).header("X-API-Key", AGENT_KEY).send().await.unwrap();
    assert_eq!((res.status().as_u16(), res.headers()["allow"].to_str().unwrap()), (405, "GET"));
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413() {
    let app = spawn_with(|s| s.server.body_limit_kb = 4).await;
    let big = json!({"origin": "Dallas", "padding": "x".repeat(8 * 1024)});
    let (status, body) = json(app.agent(SEARCH, &big).await).await;
    assert_eq!(status, 413);
    assert_eq!(error_code(&body), "payload_too_large");
    // Chunked (no Content-Length) too.
    let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(big.to_string().into_bytes())]);
    let res = app
        .client
        .post(app.url(SEARCH))
        .header("X-API-Key", AGENT_KEY)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).header("X-Request-Id", "call-abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "call-abc-123");
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(generated.len() >= 8);
    // Errors too, including auth failures.
    let res = app.client.post(app.url(SEARCH)).send().await.unwrap();
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
