//! The HappyRobot kit in `docs/happyrobot/tools/` is what an engineer copies into the
//! voice platform. Every file must be complete, its body template may only use variables
//! that exist (the tool's own parameters or the platform's), its URL must name the
//! endpoint it documents, and its example body, sent with the file's own headers, must be
//! accepted by the real endpoint. Played in order, the examples make one whole call.

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The session id every example carries as `call_id`: one call, stitched together.
const CALL_ID: &str = "ses_5b1e8d7c2f6a4e93";

/// Each tool file and the endpoint its `url` must name.
const TOOLS: &[(&str, &str)] = &[
    ("verify_carrier.json", "/api/v1/fmcsa/verify"),
    ("search_loads.json", "/api/v1/loads/search"),
    ("evaluate_offer.json", "/api/v1/negotiations/evaluate"),
    ("transfer_to_rep.json", "/api/v1/calls/handoff"),
    ("session_events.json", "/api/v1/webhooks/happyrobot"),
    ("end_of_call.json", "/api/v1/calls/finalize"),
];

/// Filled by the platform or by the engineer setting the tool up, never by the model.
const PLATFORM_VARIABLES: &[&str] =
    &["host", "agent_api_key", "session.id", "session.transcript", "session.started_at", "session.duration"];

/// What the platform fills in its own session events (`sent_by: platform`).
const EVENT_VARIABLES: &[&str] = &["event.id", "event.time", "run.id", "status.previous", "status.current"];

/// Workflow nodes whose outputs the end-of-call body uses, as `{{node.parameter}}`.
const NODE_PREFIXES: &[&str] = &["extract.", "classify."];

/// The fields `POST /calls/finalize` reads (SPEC §3.1).
const FINALIZE_FIELDS: &[&str] = &[
    "call_id",
    "mc_number",
    "carrier_name",
    "load_id",
    "outcome",
    "sentiment",
    "agreed_rate",
    "initial_carrier_offer",
    "negotiation_rounds",
    "transferred",
    "duration_seconds",
    "started_at",
    "ended_at",
    "transcript",
    "summary",
    "carrier_phone",
    "callback_at",
    "extracted",
];

fn tools_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/happyrobot/tools")
}

fn tool(file: &str) -> Value {
    let path = tools_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"))
}

/// Every `{{name}}` in the string values of `v`, trimmed.
fn placeholders(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                let after = &rest[start + 2..];
                let end = after.find("}}").unwrap_or_else(|| panic!("unclosed placeholder in {s:?}"));
                out.push(after[..end].trim().to_string());
                rest = &after[end + 2..];
            }
        }
        Value::Array(items) => items.iter().for_each(|i| out.extend(placeholders(i))),
        Value::Object(o) => o.values().for_each(|i| out.extend(placeholders(i))),
        _ => {}
    }
    out
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

fn param_names(t: &Value) -> BTreeSet<String> {
    t["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
}

/// The path of a tool's `url`: `https://{{host}}/api/v1/...` → `/api/v1/...`.
fn path_of(file: &str, t: &Value) -> String {
    let url = t["url"].as_str().unwrap_or_else(|| panic!("{file}: no url"));
    url.strip_prefix("https://{{host}}")
        .unwrap_or_else(|| panic!("{file}: url must start with https://{{{{host}}}}: {url}"))
        .to_string()
}

/// A response field by its documented path: `rep.name`, `carrier.legal_name`,
/// `loads[].load_id` (the first load).
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, seg| match seg.strip_suffix("[]") {
        Some(name) => cur.get(name)?.as_array()?.first(),
        None => cur.get(seg),
    })
}

/// Dollars from the platform-style text an example carries ("$2,235.00" → 2235).
fn dollars(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) => s.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect::<String>().parse().unwrap(),
        other => panic!("not an amount: {other}"),
    }
}

#[test]
fn every_tool_file_is_complete_and_uses_only_known_variables() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(tools_dir())
        .expect("docs/happyrobot/tools exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = TOOLS.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        on_disk, expected,
        "every tool file is listed in TOOLS (with its endpoint), and every listed one exists"
    );

    for (file, endpoint) in TOOLS {
        let t = tool(file);
        for key in [
            "name",
            "description",
            "parameters",
            "method",
            "url",
            "headers",
            "body_template",
            "example_body",
            "response_fields",
        ] {
            assert!(t.get(key).is_some(), "{file}: missing `{key}`");
        }
        assert_eq!(t["name"], file.trim_end_matches(".json"), "{file}: name matches the file");
        assert!(t["description"].as_str().is_some_and(|d| d.len() > 40), "{file}: a real description");
        assert_eq!(t["method"], "POST", "{file}");
        assert_eq!(path_of(file, &t), *endpoint, "{file}: url names the endpoint");
        assert_eq!(t["headers"]["api-key"], "{{agent_api_key}}", "{file}: the platform's API Key header");
        assert_eq!(t["headers"]["Content-Type"], "application/json", "{file}");
        assert!(t["body_template"].is_object() && t["example_body"].is_object(), "{file}: bodies are JSON objects");

        let params = param_names(&t);
        for p in t["parameters"].as_array().unwrap() {
            assert!(p["name"].is_string() && p["required"].is_boolean(), "{file}: parameter {p}");
            assert!(["string", "number", "boolean"].contains(&p["type"].as_str().unwrap_or("")), "{file}: type of {p}");
            assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()), "{file}: description of {p}");
        }
        assert_eq!(params.len(), t["parameters"].as_array().unwrap().len(), "{file}: parameter names are unique");

        // Every placeholder is a whole string value ("{{x}}"), and names something that exists.
        let platform_sent = t.get("sent_by").and_then(Value::as_str) == Some("platform");
        let used = placeholders(&t["body_template"]);
        for name in &used {
            let known = params.contains(name)
                || PLATFORM_VARIABLES.contains(&name.as_str())
                || (platform_sent && EVENT_VARIABLES.contains(&name.as_str()))
                || NODE_PREFIXES.iter().any(|pre| name.strip_prefix(pre).is_some_and(|p| params.contains(p)));
            assert!(known, "{file}: `{{{{{name}}}}}` is neither a parameter nor a platform variable");
        }
        for name in placeholders(&t["url"]).iter().chain(placeholders(&t["headers"]).iter()) {
            assert!(PLATFORM_VARIABLES.contains(&name.as_str()), "{file}: `{name}` in url/headers");
        }
        // Every parameter the model (or a node) fills is sent.
        for p in &params {
            let sent = used.iter().any(|u| u == p || NODE_PREFIXES.iter().any(|pre| u.strip_prefix(pre) == Some(p)));
            assert!(sent, "{file}: parameter `{p}` never reaches the body");
        }
        // The call is stitched by the session id.
        if platform_sent {
            assert_eq!(t["body_template"]["data"]["session_id"], "{{session.id}}", "{file}");
            assert_eq!(t["example_body"]["data"]["session_id"], CALL_ID, "{file}");
        } else {
            assert_eq!(t["body_template"]["call_id"], "{{session.id}}", "{file}: call_id is the session id");
            assert_eq!(t["example_body"]["call_id"], CALL_ID, "{file}: examples share one call");
        }
        // The example is an instance of the template.
        assert_eq!(
            keys(&t["example_body"]),
            keys(&t["body_template"]),
            "{file}: example and template have the same fields"
        );

        let fields = t["response_fields"].as_array().unwrap_or_else(|| panic!("{file}: response_fields is a list"));
        assert!(!fields.is_empty(), "{file}");
        for f in fields {
            assert!(f["name"].is_string() && f["description"].is_string(), "{file}: response field {f}");
        }
        if !platform_sent && *file != "end_of_call.json" {
            assert!(fields.iter().any(|f| f["name"] == "message"), "{file}: the agent is told to use `message`");
        }
    }

    // The end-of-call body only sends what finalize reads.
    let end = tool("end_of_call.json");
    for k in keys(&end["body_template"]) {
        assert!(FINALIZE_FIELDS.contains(&k.as_str()), "end_of_call.json: `{k}` is not a calls/finalize field");
    }
}

/// Posts a tool's body the way the platform would: to the path of its `url`, with the
/// headers of the file (the agent key in `api-key`).
async fn send(app: &TestApp, file: &str, body: &Value) -> (u16, Value) {
    let t = tool(file);
    let mut req = app.client.post(app.url(&path_of(file, &t)));
    for (name, value) in t["headers"].as_object().unwrap() {
        req = req.header(name.as_str(), value.as_str().unwrap().replace("{{agent_api_key}}", AGENT_KEY));
    }
    json(req.body(body.to_string()).send().await.expect("request")).await
}

/// Sends the file's example and checks the answer carries the documented fields.
async fn send_example(app: &TestApp, file: &str) -> Value {
    let t = tool(file);
    let (status, answer) = send(app, file, &t["example_body"]).await;
    assert!((200..300).contains(&status), "{file}: example refused with {status}: {answer}");
    for f in t["response_fields"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        if f["optional"] != true {
            assert!(lookup(&answer, name).is_some(), "{file}: documented field `{name}` missing from {answer}");
        }
    }
    answer
}

#[actix_web::test]
async fn the_examples_are_accepted_by_the_real_endpoints_and_make_one_call() {
    let app = spawn_app().await;
    // The load the examples talk about: posted $2,150, no max_rate (ceiling $2,365).
    app.add_load(load("L-1001", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150)).await;

    // Verify: the offline snapshot's eligible demo carrier.
    let v = send_example(&app, "verify_carrier.json").await;
    assert_eq!(v["status"], "eligible", "{v}");
    assert_eq!(v["mc_number"], "700010");

    // Search: the example finds the load the negotiation examples use.
    let s = send_example(&app, "search_loads.json").await;
    let evaluate = tool("evaluate_offer.json");
    let load_id = &evaluate["example_body"]["load_id"];
    assert_eq!(&s["loads"][0]["load_id"], load_id, "{s}");
    assert!(s["loads"][0]["pitch"].as_str().is_some_and(|p| p.contains("$2,150")), "{s}");
    assert!(s.get("max_rate").is_none() && s["loads"][0].get("max_rate").is_none());

    // Evaluate: "$2,450" on a $2,150 load is round 1: a counter.
    let e = send_example(&app, "evaluate_offer.json").await;
    assert_eq!(e["decision"], "counter", "{e}");
    assert_eq!(e["round"], 1);
    let counter = e["counter_offer"].as_f64().unwrap();
    // The carrier takes our counter: the same tool with our number is a deal.
    let mut take = evaluate["example_body"].clone();
    take["carrier_offer"] = json!(format!("${counter}"));
    let (status, deal) = send(&app, "evaluate_offer.json", &take).await;
    assert_eq!(status, 200, "{deal}");
    assert_eq!(deal["decision"], "accept", "{deal}");
    assert_eq!(deal["round"], 2);

    // Handoff at the agreed rate: the example's amount is that deal.
    let handoff = tool("transfer_to_rep.json");
    assert_eq!(dollars(&handoff["example_body"]["agreed_rate"]), deal["agreed_rate"].as_f64().unwrap());
    assert_eq!(&handoff["example_body"]["load_id"], load_id);
    let h = send_example(&app, "transfer_to_rep.json").await;
    assert_eq!(h["transferred"], true, "{h}");
    assert_eq!(h["verification_pending"], false);
    assert!(h["message"].as_str().unwrap().contains(h["rep"]["name"].as_str().unwrap()), "{h}");
    // A retried handoff (same call, same load) is the same booking.
    let again = send_example(&app, "transfer_to_rep.json").await;
    assert_eq!(again["booking_id"], h["booking_id"]);

    // The platform's session event for the same session.
    let ev = send_example(&app, "session_events.json").await;
    assert_eq!(ev["call_id"], CALL_ID);
    assert_eq!(ev["status"], "completed");

    // The end-of-call record agrees with what the service recorded.
    let end = tool("end_of_call.json");
    assert_eq!(dollars(&end["example_body"]["agreed_rate"]), deal["agreed_rate"].as_f64().unwrap());
    let f = send_example(&app, "end_of_call.json").await;
    assert_eq!(f["outcome"], "booked", "{f}");
    assert_eq!(f["sentiment"], "positive");
    assert_eq!(f["classified_by"], "agent");
    assert_eq!(f["outcome_conflict"], false, "the example's labels match the record: {f}");
    assert_eq!(f["created"], true);

    // All of it is one call in the dashboard.
    let (status, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(status, 200);
    let calls = list["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "one call, stitched by call_id: {list}");
    let (status, story) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls/{CALL_ID}")).await).await;
    assert_eq!(status, 200, "{story}");
    let kinds: BTreeSet<&str> =
        story["timeline"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    for kind in ["verification", "search", "negotiation_round", "booking", "session_status", "finalize"] {
        assert!(kinds.contains(kind), "no {kind} in the call's story: {kinds:?}");
    }
    assert_eq!(story["call"]["mc_number"], "700010");
    assert_eq!(story["call"]["platform_status"], "completed");
    assert_eq!(story["booking"]["agreed_rate"], deal["agreed_rate"]);
    assert_eq!(story["call"]["extracted"]["equipment"], "53' dry van");
}

#[actix_web::test]
async fn the_kit_headers_carry_the_key_the_service_checks() {
    let app = spawn_app().await;
    let t = tool("verify_carrier.json");
    // The same request with a dashboard key in the `api-key` header: the scope is wrong.
    let res = app
        .client
        .post(app.url(&path_of("verify_carrier.json", &t)))
        .header("api-key", DASHBOARD_KEY)
        .body(t["example_body"].to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // And with no key at all.
    let res =
        app.client.post(app.url(&path_of("verify_carrier.json", &t))).json(&t["example_body"]).send().await.unwrap();
    assert_eq!(res.status(), 401);
}
