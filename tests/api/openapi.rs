//! The OpenAPI document (`/api/v1/openapi.json`) and the docs page (`/docs`): every route
//! is described, errors share one schema, auth schemes match the routes, and real answers
//! fit the response schemas the document gives.

use crate::helpers::*;
use carrier_sales::error::ErrorCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

// Routes registered but deliberately left out of the document: static files, not API
// operations (`GET /docs/{file}`: the docs page's scripts and styles; the dashboard's files
// and its single-page-app fallback, the default service).

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

pub async fn document(app: &TestApp) -> Value {
    let res = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    res.json().await.expect("the document is JSON")
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(*m) {
                out.push((m.to_string(), path.clone(), op));
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`).
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("a local $ref");
            resolve(doc, doc.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {r}")))
        }
        None => v,
    }
}

/// A small JSON Schema (2020-12 subset) check, enough for the schemas this API uses.
pub fn violations(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(doc, schema);
    let mut out = vec![];
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = |ty: &str| match ty {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
            "object" => value.is_object(),
            "array" => value.is_array(),
            _ => false,
        };
        if !types.iter().any(|t| fits(t)) {
            return vec![format!("{at}: {value} is not {types:?}")];
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(value) {
            out.push(format!("{at}: {value} is not one of {e:?}"));
        }
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time") {
        if let Some(s) = value.as_str() {
            if chrono::DateTime::parse_from_rfc3339(s).is_err() {
                out.push(format!("{at}: {s} is not an RFC 3339 date-time"));
            }
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            out.extend(violations(doc, s, value, at));
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            let fitting = alts.iter().filter(|s| violations(doc, s, value, at).is_empty()).count();
            if fitting == 0 || (key == "oneOf" && fitting > 1) {
                out.push(format!("{at}: {value} fits {fitting} of the {key} alternatives"));
            }
        }
    }
    if let Some(o) = value.as_object() {
        for r in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                out.push(format!("{at}: `{r}` is missing"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, v) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => out.extend(violations(doc, s, v, &format!("{at}.{k}"))),
                None => {
                    if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                        out.extend(violations(doc, extra, v, &format!("{at}.{k}")));
                    }
                }
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), value.as_array()) {
        for (i, v) in a.iter().enumerate() {
            out.extend(violations(doc, items, v, &format!("{at}[{i}]")));
        }
    }
    out
}

/// The JSON schema the document gives for this operation's answer with this status.
fn response_schema<'a>(doc: &'a Value, method: &str, path: &str, status: u16) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "no operation {method} {path}");
    let response = op["responses"]
        .get(status.to_string())
        .unwrap_or_else(|| panic!("{method} {path} does not document status {status}"));
    let response = resolve(doc, response);
    &response["content"]["application/json"]["schema"]
}

/// Asserts a real answer fits the documented schema for its status; returns the body.
pub async fn conforms(doc: &Value, method: &str, path: &str, res: reqwest::Response) -> (u16, Value) {
    let (status, body) = json(res).await;
    let schema = response_schema(doc, method, path, status);
    assert!(schema.is_object(), "{method} {path} {status}: no JSON schema");
    let v = violations(doc, schema, &body, "$");
    assert!(v.is_empty(), "{method} {path} {status} does not fit its schema:\n{}\n{body:#}", v.join("\n"));
    (status, body)
}

#[actix_web::test]
async fn the_document_is_public_openapi_3_1() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1."), "{version}");
    assert!(doc["info"]["title"].is_string());
    assert_eq!(doc["servers"][0]["url"], "/");
    let res = app.client.get(app.url("/api/v1/openapi.json")).header("X-API-Key", "wrong").send().await.unwrap();
    assert_eq!(res.status(), 200, "a wrong key does not matter on a public route");
}

#[actix_web::test]
async fn every_route_is_in_the_document_and_nothing_else() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let documented: Vec<(String, String)> = operations(&doc).into_iter().map(|(m, p, _)| (m, p)).collect();
    assert!(documented.len() >= 30, "the document lists {} operations", documented.len());
    for (method, path) in &documented {
        // Each documented operation is routed: no route miss, no 405.
        let url =
            app.url(&path.replace("{load_id}", "L-1").replace("{booking_id}", "BK-1").replace("{call_id}", "c-1"));
        let url = url.replace("{rejected_id}", "rj-1");
        let req = match method.as_str() {
            "get" => app.client.get(&url),
            "post" => app.client.post(&url).body("{}"),
            "delete" => app.client.delete(&url),
            m => panic!("{m} {path}: a method the service does not use"),
        };
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        assert!(status != 404 && status != 405, "{method} {path} is documented but not routed ({status})");
        // And the methods it does not document answer 405 naming the documented ones.
        let others: Vec<&str> = ["get", "post", "delete"]
            .into_iter()
            .filter(|m| !documented.iter().any(|(dm, dp)| dm == m && dp == path))
            .collect();
        for other in others {
            let res = match other {
                "get" => app.client.get(&url),
                "post" => app.client.post(&url).body("{}"),
                _ => app.client.delete(&url),
            }
            .send()
            .await
            .unwrap();
            assert_eq!(res.status().as_u16(), 405, "{other} {path} is routed but not documented");
        }
    }
    // Under the API prefix, anything the document does not name is a JSON 404.
    for path in ["/api/v1/nothing-here", "/api/v1/loads/search/extra", "/api/v1/carriers"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}: {body}");
    }
}

#[actix_web::test]
async fn operations_have_ids_tags_scopes_security_and_error_bodies() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut ids = BTreeSet::new();
    let key_schemes: BTreeSet<&str> = ["x_api_key", "api_key", "bearer"].into();
    let with_cookie: BTreeSet<&str> = ["x_api_key", "api_key", "bearer", "session_cookie"].into();
    for (method, path, op) in operations(&doc) {
        let name = format!("{method} {path}");
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{name}: no operationId"));
        assert!(ids.insert(id.to_string()), "{name}: duplicate operationId {id}");

        // Scope: in the tags and the description; security follows it.
        let tags: Vec<&str> = op["tags"].as_array().expect("tags").iter().map(|t| t.as_str().unwrap()).collect();
        let description = op["description"].as_str().unwrap_or("");
        let security: Vec<BTreeSet<String>> = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no security"))
            .iter()
            .map(|r| r.as_object().unwrap().keys().cloned().collect())
            .collect();
        let schemes: BTreeSet<&str> = security.iter().flatten().map(String::as_str).collect();
        let public = security.iter().any(BTreeSet::is_empty);
        assert!(!tags.is_empty(), "{name}: no tag");
        for tag in &tags {
            match *tag {
                "public" => assert!(public && description.starts_with("Public"), "{name}: public but secured"),
                "agent" => {
                    assert!(!public && description.contains("Scope: agent"), "{name}");
                    if tags.len() == 1 {
                        assert_eq!(schemes, key_schemes, "{name}: the agent's tools take keys only");
                    }
                }
                "dashboard" | "admin" => {
                    assert!(
                        !public && description.contains(&format!("Scope: {tag}")) || tags.contains(&"agent"),
                        "{name}"
                    );
                    assert_eq!(schemes, with_cookie, "{name}: keys or the session cookie");
                }
                other => panic!("{name}: unknown tag {other}"),
            }
        }
        for requirement in &security {
            assert!(requirement.len() <= 1, "{name}: a requirement needing two schemes at once");
        }

        // Responses: a success, and every error is the shared ErrorBody.
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{name}: no responses"));
        assert!(responses.keys().any(|s| s.starts_with('2')), "{name}: no success response");
        for (status, response) in responses {
            let response = resolve(&doc, response);
            assert!(response["headers"]["X-Request-Id"].is_object(), "{name} {status}: no X-Request-Id header");
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"];
                assert_eq!(schema["$ref"], "#/components/schemas/ErrorBody", "{name} {status}: not the ErrorBody");
            }
        }
        assert!(responses.contains_key("500"), "{name}: no 500");
        assert!(responses.contains_key("405"), "{name}: no 405 (declared once, for every operation)");
        if !public {
            for status in ["401", "403", "429", "503"] {
                assert!(responses.contains_key(status), "{name}: secured but no {status}");
            }
        }
        if let Some(body) = op.get("requestBody") {
            if body["content"]["application/json"].is_object() {
                for status in ["400", "413", "422"] {
                    assert!(responses.contains_key(status), "{name}: reads a JSON body but no {status}");
                }
            }
        }
    }
    assert_eq!(
        doc["components"]["responses"]["TooManyRequests"]["headers"]["Retry-After"]["schema"]["type"],
        "integer"
    );
}

#[actix_web::test]
async fn security_schemes_and_the_error_schema() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let s = &doc["components"]["securitySchemes"];
    assert_eq!(
        s["x_api_key"],
        json!({"type": "apiKey", "in": "header", "name": "X-API-Key", "description": s["x_api_key"]["description"]})
    );
    assert_eq!(
        (s["api_key"]["type"].as_str(), s["api_key"]["in"].as_str(), s["api_key"]["name"].as_str()),
        (Some("apiKey"), Some("header"), Some("api-key"))
    );
    assert_eq!((s["bearer"]["type"].as_str(), s["bearer"]["scheme"].as_str()), (Some("http"), Some("bearer")));
    assert_eq!(
        (
            s["session_cookie"]["type"].as_str(),
            s["session_cookie"]["in"].as_str(),
            s["session_cookie"]["name"].as_str()
        ),
        (Some("apiKey"), Some("cookie"), Some("cs_session"))
    );
    assert_eq!(
        (s["metrics_token"]["type"].as_str(), s["metrics_token"]["scheme"].as_str()),
        (Some("http"), Some("bearer"))
    );

    let error = &doc["components"]["schemas"]["ErrorBody"];
    assert_eq!(error["required"], json!(["error"]));
    let detail = resolve(&doc, &error["properties"]["error"]);
    let required: BTreeSet<&str> = detail["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(required, ["code", "message"].into());
    assert!(detail["properties"]["field"].is_object());
    // Real errors fit it, with and without `field`.
    for body in [
        json!({"error": {"code": "load_not_found", "message": "No load with id L-9.", "field": "load_id"}}),
        json!({"error": {"code": "missing_api_key", "message": "Send an API key."}}),
    ] {
        assert!(violations(&doc, error, &body, "$").is_empty());
    }
    assert!(!violations(&doc, error, &json!({"error": {"code": "x"}}), "$").is_empty());

    // Timestamps and money are described once and referenced.
    assert_eq!(doc["components"]["schemas"]["Timestamp"]["format"], "date-time");
    assert_eq!(doc["components"]["schemas"]["Usd"]["type"], "number");
    // Lenient request values are not narrowed: an offer may be "$2,450".
    let offer = resolve(&doc, &doc["components"]["schemas"]["EvaluateRequest"]["properties"]["carrier_offer"]);
    assert!(violations(&doc, offer, &json!("$2,450"), "$").is_empty());
    assert!(violations(&doc, offer, &json!(2450), "$").is_empty());
}

/// `ErrorDetail.code` is the `ErrorCode` enum, every code in it: an answer whose code the
/// enum does not list does not fit the document.
#[actix_web::test]
async fn the_document_lists_every_error_code() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let error = &doc["components"]["schemas"]["ErrorBody"];
    let detail = resolve(&doc, &error["properties"]["error"]);
    let code = resolve(&doc, &detail["properties"]["code"]);
    assert_eq!(code["type"], "string", "{code}");
    let listed: Vec<&str> = code["enum"].as_array().expect("an enum").iter().map(|v| v.as_str().unwrap()).collect();
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, all);
    let unknown = json!({"error": {"code": "no_such_code", "message": "Made up."}});
    assert!(!violations(&doc, error, &unknown, "$").is_empty());
}

#[actix_web::test]
async fn real_answers_fit_the_documented_schemas() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let d = &doc;

    let get = |key: &'static str, path: String| app.client.get(app.url(&path)).header("X-API-Key", key).send();
    let post = |key: &'static str, path: &'static str, body: Value| {
        app.client.post(app.url(path)).header("X-API-Key", key).json(&body).send()
    };

    conforms(d, "get", "/healthz", app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    conforms(d, "get", "/readyz", app.client.get(app.url("/readyz")).send().await.unwrap()).await;

    // Loads: one with a max_rate and miles, one without either.
    let mut with_max = load("L-1", "Dallas, TX", "Atlanta, GA", "Dry Van", 2, 2000);
    with_max["max_rate"] = json!("$2,300");
    let (status, _) =
        conforms(d, "post", "/api/v1/loads", post(ADMIN_KEY, "/api/v1/loads", with_max).await.unwrap()).await;
    assert_eq!(status, 201);
    let mut bare = json!({"load_id": "L-2", "origin": "Fort Worth, TX", "destination": "Houston, TX",
        "pickup_day_offset": 3, "equipment_type": "reefer", "loadboard_rate": "1,500"});
    conforms(d, "post", "/api/v1/loads", post(ADMIN_KEY, "/api/v1/loads", bare.clone()).await.unwrap()).await;
    bare["notes"] = json!("updated");
    let (status, _) = conforms(d, "post", "/api/v1/loads", post(ADMIN_KEY, "/api/v1/loads", bare).await.unwrap()).await;
    assert_eq!(status, 200);
    let import = json!([load("L-3", "Memphis, TN", "Chicago, IL", "Flatbed", 4, 1800), {"load_id": "L-4"}, 5]);
    let (_, report) =
        conforms(d, "post", "/api/v1/loads/import", post(ADMIN_KEY, "/api/v1/loads/import", import).await.unwrap())
            .await;
    assert_eq!(report["rejected"].as_array().unwrap().len(), 2);

    for key in [AGENT_KEY, ADMIN_KEY] {
        conforms(d, "get", "/api/v1/loads/{load_id}", get(key, "/api/v1/loads/L-1".into()).await.unwrap()).await;
    }
    let (status, _) =
        conforms(d, "get", "/api/v1/loads/{load_id}", get(AGENT_KEY, "/api/v1/loads/L-404".into()).await.unwrap())
            .await;
    assert_eq!(status, 404);
    let (_, page) =
        conforms(d, "get", "/api/v1/loads", get(DASHBOARD_KEY, "/api/v1/loads?limit=2".into()).await.unwrap()).await;
    let cursor = page["next_cursor"].as_str().expect("a second page").to_string();
    conforms(
        d,
        "get",
        "/api/v1/loads",
        get(DASHBOARD_KEY, format!("/api/v1/loads?limit=2&cursor={cursor}")).await.unwrap(),
    )
    .await;

    // The call: verify, search (with a radius, so deadhead miles), negotiate, hand off, finalize.
    for mc in ["MC-700010", "799999", "MC 700049"] {
        let body = json!({"mc_number": mc, "call_id": "call-1"});
        conforms(d, "post", "/api/v1/fmcsa/verify", post(AGENT_KEY, "/api/v1/fmcsa/verify", body).await.unwrap()).await;
    }
    let (status, _) = conforms(
        d,
        "post",
        "/api/v1/fmcsa/verify",
        post(AGENT_KEY, "/api/v1/fmcsa/verify", json!({"mc_number": "abc"})).await.unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    for body in [
        json!({"origin": "Dallas, TX", "origin_radius_miles": "150", "max_results": "5", "call_id": "call-1", "mc_number": 700010}),
        json!({"origin": "Fort Worth", "equipment_type": "refrigerated"}),
        json!({"origin": "Nowhere, ZZ"}),
    ] {
        conforms(d, "post", "/api/v1/loads/search", post(AGENT_KEY, "/api/v1/loads/search", body).await.unwrap()).await;
    }
    let evaluate = |call: &'static str, offer: Value| {
        post(
            AGENT_KEY,
            "/api/v1/negotiations/evaluate",
            json!({"call_id": call, "load_id": "L-1", "carrier_offer": offer}),
        )
    };
    for offer in [json!("$2,900"), json!(2850), json!(2800)] {
        conforms(d, "post", "/api/v1/negotiations/evaluate", evaluate("call-2", offer).await.unwrap()).await;
    }
    let (status, body) =
        conforms(d, "post", "/api/v1/negotiations/evaluate", evaluate("call-2", json!(2790)).await.unwrap()).await;
    assert_eq!((status, error_code(&body).as_str()), (409, "negotiation_closed"));
    let (_, answer) =
        conforms(d, "post", "/api/v1/negotiations/evaluate", evaluate("call-1", json!(2000)).await.unwrap()).await;
    assert_eq!(answer["decision"], "accept");
    let handoff = json!({"call_id": "call-1", "load_id": "L-1", "mc_number": "MC-700010", "agreed_rate": 2000});
    let (status, booked) =
        conforms(d, "post", "/api/v1/calls/handoff", post(AGENT_KEY, "/api/v1/calls/handoff", handoff).await.unwrap())
            .await;
    assert_eq!(status, 200);
    let ineligible = json!({"call_id": "call-3", "load_id": "L-2", "mc_number": "700049", "agreed_rate": 1500});
    let (status, _) = conforms(
        d,
        "post",
        "/api/v1/calls/handoff",
        post(AGENT_KEY, "/api/v1/calls/handoff", ineligible).await.unwrap(),
    )
    .await;
    assert_eq!(status, 409);
    let finalize = json!({
        "call_id": "call-1", "mc_number": "MC-700010", "outcome": "Booked", "sentiment": "positive",
        "agreed_rate": "$2,000", "negotiation_rounds": "1", "transferred": "yes",
        "started_at": "2026-11-24 08:00", "ended_at": "Monday, November 24, 2026 08:05:00 AM UTC",
        "transcript": [{"role": "assistant", "content": "MC number?"}, {"role": "user", "content": "700010"}],
        "extracted": "{\"lane\": \"DAL-ATL\"}"
    });
    conforms(d, "post", "/api/v1/calls/finalize", post(AGENT_KEY, "/api/v1/calls/finalize", finalize).await.unwrap())
        .await;
    conforms(
        d,
        "post",
        "/api/v1/calls/finalize",
        post(AGENT_KEY, "/api/v1/calls/finalize", json!({"call_id": "call-3"})).await.unwrap(),
    )
    .await;
    for event in [
        json!({"type": "session.status_changed", "time": "2026-11-24T08:00:00Z",
            "data": {"session_id": "call-1", "run_id": "run-1", "status": {"previous": "queued", "current": "in-progress"}}}),
        json!({"type": "session.status_changed", "data": {"session_id": "call-1", "status": "completed"}}),
        json!({"type": "session.created", "data": {}}),
    ] {
        conforms(
            d,
            "post",
            "/api/v1/webhooks/happyrobot",
            post(AGENT_KEY, "/api/v1/webhooks/happyrobot", event).await.unwrap(),
        )
        .await;
    }

    // A body that is not JSON even after repair: kept, listed, replayed.
    let broken = app
        .client
        .post(app.url("/api/v1/calls/finalize"))
        .header("X-API-Key", AGENT_KEY)
        .body("{\"call_id\": \"call-4\", \"summary\": \"said \"no\"\"}");
    let (status, kept) = conforms(d, "post", "/api/v1/calls/finalize", broken.send().await.unwrap()).await;
    assert_eq!(status, 400);
    let rejected_id = kept["rejected_id"].as_str().expect("rejected_id").to_string();
    conforms(
        d,
        "get",
        "/api/v1/webhooks/rejected",
        get(DASHBOARD_KEY, "/api/v1/webhooks/rejected".into()).await.unwrap(),
    )
    .await;
    let replay = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/rejected/{rejected_id}/replay")))
        .header("X-API-Key", ADMIN_KEY)
        .json(&json!({"call_id": "call-4", "summary": "said \"no\""}));
    let (status, _) =
        conforms(d, "post", "/api/v1/webhooks/rejected/{rejected_id}/replay", replay.send().await.unwrap()).await;
    assert_eq!(status, 200);

    // The dashboard's reads.
    conforms(d, "get", "/api/v1/calls", get(DASHBOARD_KEY, "/api/v1/calls?limit=1".into()).await.unwrap()).await;
    conforms(
        d,
        "get",
        "/api/v1/calls",
        get(DASHBOARD_KEY, "/api/v1/calls?outcome=booked&q=call".into()).await.unwrap(),
    )
    .await;
    for call in ["call-1", "call-2", "call-3"] {
        conforms(
            d,
            "get",
            "/api/v1/calls/{call_id}",
            get(DASHBOARD_KEY, format!("/api/v1/calls/{call}")).await.unwrap(),
        )
        .await;
    }
    conforms(d, "get", "/api/v1/metrics/summary", get(DASHBOARD_KEY, "/api/v1/metrics/summary".into()).await.unwrap())
        .await;
    for q in ["", "?bucket=hour&from=2026-01-01&to=2026-01-02", "?bucket=week"] {
        conforms(
            d,
            "get",
            "/api/v1/metrics/timeseries",
            get(DASHBOARD_KEY, format!("/api/v1/metrics/timeseries{q}")).await.unwrap(),
        )
        .await;
    }
    conforms(
        d,
        "get",
        "/api/v1/negotiations/policy",
        get(DASHBOARD_KEY, "/api/v1/negotiations/policy".into()).await.unwrap(),
    )
    .await;
    conforms(d, "get", "/api/v1/calls/test", get(DASHBOARD_KEY, "/api/v1/calls/test".into()).await.unwrap()).await;
    let (status, _) =
        conforms(d, "post", "/api/v1/calls/test", post(DASHBOARD_KEY, "/api/v1/calls/test", json!({})).await.unwrap())
            .await;
    assert_eq!(status, 404, "test calls are not configured in tests");

    // Cancel the booking (twice: a retry answers the same).
    let path = format!("/api/v1/bookings/{}/cancel", booked["booking_id"].as_str().unwrap());
    for _ in 0..2 {
        let res = app.client.post(app.url(&path)).header("X-API-Key", ADMIN_KEY).json(&json!({"reason": "no show"}));
        conforms(d, "post", "/api/v1/bookings/{booking_id}/cancel", res.send().await.unwrap()).await;
    }
    conforms(d, "get", "/api/v1/calls/{call_id}", get(DASHBOARD_KEY, "/api/v1/calls/call-1".into()).await.unwrap())
        .await;

    // Sessions and the auth errors.
    let res =
        app.client.post(app.url("/api/v1/session")).json(&json!({"api_key": DASHBOARD_KEY})).send().await.unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    conforms(d, "post", "/api/v1/session", res).await;
    let res = app.client.get(app.url("/api/v1/session")).header("Cookie", &cookie).send().await.unwrap();
    conforms(d, "get", "/api/v1/session", res).await;
    let res = app.client.post(app.url("/api/v1/session")).json(&json!({"api_key": AGENT_KEY})).send().await.unwrap();
    assert_eq!(conforms(d, "post", "/api/v1/session", res).await.0, 403);
    assert_eq!(conforms(d, "get", "/api/v1/loads", get(AGENT_KEY, "/api/v1/loads".into()).await.unwrap()).await.0, 403);
    let res = app.client.post(app.url("/api/v1/loads/search")).body("{}").send().await.unwrap();
    assert_eq!(conforms(d, "post", "/api/v1/loads/search", res).await.0, 401);
    let res = app
        .client
        .post(app.url("/api/v1/loads/search"))
        .header("api-key", AGENT_KEY)
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(conforms(d, "post", "/api/v1/loads/search", res).await.0, 400);
    let res = app.client.delete(app.url("/api/v1/session")).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.headers().contains_key("set-cookie"));
}

#[actix_web::test]
async fn the_docs_page_works_offline() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self';"), "scripts stay same-origin: {csp}");
    assert!(csp.contains("style-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"swagger-ui\""), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"), "{html}");

    // Every script and stylesheet the page names is served from here.
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with('/') || s.ends_with(".js") || s.ends_with(".css") || s.ends_with(".png"))
        .collect();
    assert!(assets.len() >= 4, "{assets:?}");
    for asset in assets {
        assert!(asset.starts_with("/docs/"), "not a local asset: {asset}");
        let res = app.client.get(app.url(asset)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{asset}");
    }
    let init = app.client.get(app.url("/docs/swagger-initializer.js")).send().await.unwrap().text().await.unwrap();
    assert!(init.contains("/api/v1/openapi.json"), "{init}");
    assert!(!init.contains("http://") && !init.contains("https://"), "{init}");
    assert_eq!(app.client.get(app.url("/docs/nope.js")).send().await.unwrap().status(), 404);
}
