//! The HappyRobot kit is what an engineer copies into the voice platform, so it is held to
//! what the platform publishes and what the service accepts: `docs/happyrobot/` is exactly
//! `carrier-sales happyrobot kit` for the example URL; two URLs give kits that differ only
//! in the URL; every tool's parameters exist in the OpenAPI document with compatible
//! types; the call's identity never rides on a platform variable; every platform-side
//! value names its evidence or says it is unconfirmed; and the examples, played in order,
//! are accepted by the real endpoints and make one call.

use crate::helpers::*;
use crate::openapi::{document, resolve, violations};
use carrier_sales::kit;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each tool file and the endpoint its request names.
const TOOLS: &[(&str, &str)] = &[
    ("verify_carrier", "/api/v1/fmcsa/verify"),
    ("search_loads", "/api/v1/loads/search"),
    ("evaluate_offer", "/api/v1/negotiations/evaluate"),
    ("transfer_to_rep", "/api/v1/calls/handoff"),
    ("end_of_call", "/api/v1/calls/finalize"),
    ("session_events", "/api/v1/webhooks/happyrobot"),
];

/// Written by hand beside the generated files.
const HAND_WRITTEN: &[&str] = &["README.md", "extract-and-classify.md"];

/// The id the examples after verify carry (the agent passes verify's answer on).
const EXAMPLE_CALL_ID: &str = "call_5b1e8d7c2f6a4e93b0a1c2d3";

fn kit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/happyrobot")
}

fn tool(name: &str) -> Value {
    let path = kit_dir().join(format!("tools/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

fn seed_loads() -> Vec<Value> {
    serde_json::from_str(carrier_sales::loads::SEED_JSON).unwrap()
}

/// Every file under `dir`, relative path → contents.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_checked_in_kit_is_the_commands_output_for_the_example_url() {
    let want = kit::files(kit::EXAMPLE_BASE_URL, None, &seed_loads()).unwrap();
    let mut on_disk = read_tree(&kit_dir());
    for hand in HAND_WRITTEN {
        assert!(on_disk.remove(*hand).is_some(), "{hand} is part of the kit");
    }
    let want_names: BTreeSet<&String> = want.keys().collect();
    let disk_names: BTreeSet<&String> = on_disk.keys().collect();
    assert_eq!(
        disk_names, want_names,
        "docs/happyrobot holds exactly the generated files (regenerate: carrier-sales happyrobot kit --base-url {} --out docs/happyrobot)",
        kit::EXAMPLE_BASE_URL
    );
    for (path, contents) in &want {
        assert!(
            on_disk[path] == *contents,
            "docs/happyrobot/{path} drifted from the kit command's output (regenerate: carrier-sales happyrobot kit --base-url {} --out docs/happyrobot)",
            kit::EXAMPLE_BASE_URL
        );
    }
    let names: BTreeSet<String> = TOOLS.iter().map(|(n, _)| format!("tools/{n}.json")).collect();
    assert!(names.iter().all(|n| want.contains_key(n)), "every tool is generated");
}

#[test]
fn the_command_writes_kits_that_differ_only_in_the_url() {
    let (a_url, b_url) = ("https://cs-a.example.net", "https://broker-b.example.org/carrier-desk");
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    for (dir, url) in dirs.iter().zip([a_url, b_url]) {
        let out = bin()
            .args(["happyrobot", "kit", "--base-url", url, "--out"])
            .arg(dir.path())
            .env("KIT_TEST_AGENT_KEY", "agent-key-for-the-kit")
            .args(["--api-key-env", "KIT_TEST_AGENT_KEY"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (a, b) = (read_tree(dirs[0].path()), read_tree(dirs[1].path()));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let mut differing = 0;
    for (path, text) in &a {
        assert_eq!(text.replace(a_url, b_url), b[path], "{path}: differs in more than the URL");
        differing += usize::from(text != &b[path]);
        assert!(!text.contains(kit::KEY_PLACEHOLDER), "{path}: the key from --api-key-env is filled in");
    }
    assert_eq!(differing, TOOLS.len(), "every tool names the URL; nothing else does");
    assert!(a["tools/verify_carrier.json"].contains("agent-key-for-the-kit"));

    // A URL the platform cannot call is refused, naming the flag.
    let out = bin()
        .args(["happyrobot", "kit", "--base-url", "http://broker.example.com", "--out"])
        .arg(dirs[0].path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base-url"));
}

/// The body entries of a tool, as `(key, value source)`.
fn body(t: &Value) -> Vec<(String, Value)> {
    t["request"]["body"]
        .as_array()
        .map(|entries| entries.iter().map(|e| (e["key"].as_str().unwrap().to_string(), e["value"].clone())).collect())
        .unwrap_or_default()
}

#[test]
fn every_tool_is_complete_and_carries_the_call_by_an_agent_filled_parameter() {
    let all = read_tree(&kit_dir());
    for (path, text) in &all {
        if path.ends_with(".json") || path.ends_with(".txt") {
            assert!(!text.contains("{{"), "{path}: no template syntax is guessed at; values come from the picker");
        }
    }
    for (name, endpoint) in TOOLS {
        let t = tool(name);
        assert_eq!(t["name"], *name);
        assert!(t["description"].as_str().is_some_and(|d| d.len() > 80), "{name}: a real description");
        assert_eq!(t["request"]["method"], "POST", "{name}");
        assert_eq!(t["request"]["url"], format!("{}{endpoint}", kit::EXAMPLE_BASE_URL), "{name}: url");
        assert!(t["example_body"].is_object(), "{name}: an example body");
        assert!(!t["response_fields"].as_array().unwrap().is_empty(), "{name}");
        if *name == "session_events" {
            assert_eq!(t["request"]["headers"][0]["key"], "api-key");
            assert!(t["where_evidence"].as_str().is_some_and(|e| e.contains("docs.happyrobot.ai")));
            continue;
        }
        assert_eq!(t["request"]["authentication"]["header"], "api-key", "{name}: the platform's API Key option");
        assert!(t["request"]["authentication"]["evidence"].is_string());
        assert_eq!(t["request"]["body_mode"], "key-value", "{name}: the platform serialises each value itself");
        let params: BTreeMap<String, Value> = t["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_string(), p.clone()))
            .collect();
        let entries = body(&t);
        let keys: BTreeSet<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys.len(), entries.len(), "{name}: body keys are unique");
        for (key, source) in &entries {
            if let Some(p) = source.get("parameter") {
                assert!(params.contains_key(p.as_str().unwrap()), "{name}: `{key}` names no parameter");
            } else if source.get("node").is_some() {
                let evidenced = source["evidence"].as_str().is_some_and(|e| !e.is_empty());
                let flagged = source["unconfirmed"].as_str().is_some_and(|u| u.len() > 40);
                assert!(evidenced || flagged, "{name}: `{key}` neither cites its source nor says it is unconfirmed");
            } else {
                assert!(source.get("static").is_some(), "{name}: `{key}` has no source");
            }
        }
        for p in params.keys() {
            assert!(entries.iter().any(|(_, s)| s["parameter"] == p.as_str()), "{name}: parameter {p} is never sent");
        }
        // The call is carried by what the agent (or an earlier tool's parameter) holds,
        // never by a platform variable.
        let call = entries.iter().find(|(k, _)| k == "call_id").map(|(_, s)| s).expect("call_id is sent");
        if *name == "end_of_call" {
            assert_eq!(call["node"], "search_loads (tool)", "{call}");
            assert_eq!(call["field"], "call_id");
        } else {
            assert_eq!(call["parameter"], "call_id", "{name}");
            assert_eq!(params["call_id"]["required"], false, "{name}: the MC finds the call when the agent forgets");
            assert!(t["response_fields"].as_array().unwrap().iter().any(|f| f["name"] == "call_id"), "{name}");
            assert!(t["response_fields"].as_array().unwrap().iter().any(|f| f["name"] == "message"), "{name}");
        }
        // The example is an instance of the body.
        let example_keys: BTreeSet<&str> = t["example_body"].as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(example_keys, keys, "{name}: the example has exactly the body's keys");
    }
    // The voice agent's settings a live deployment needs, with their evidence.
    let agent: Value = serde_json::from_str(&all["voice-agent.json"]).unwrap();
    assert!(agent["transcriber"]["id"].is_string() && agent["transcriber"]["evidence"].is_string());
    assert_eq!(agent["keyterms"]["count"].as_u64().unwrap() as usize, all["keyterms.txt"].lines().count());
    assert!(agent["transfer"]["number_from"].as_str().unwrap().contains("transfer_to"));
    for tool in ["verify_carrier", "search_loads"] {
        assert!(agent["message_while_tool_runs"][tool].is_string(), "{tool}");
    }
    let terms: BTreeSet<&str> = all["keyterms.txt"].lines().collect();
    for must in ["MC", "reefer", "Dallas", "Atlanta", "Step Deck"] {
        assert!(terms.iter().any(|t| t.eq_ignore_ascii_case(must)), "keyterm {must}");
    }
}

#[actix_web::test]
async fn every_tool_parameter_exists_in_the_openapi_document_with_a_compatible_type() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    for (name, endpoint) in TOOLS.iter().filter(|(n, _)| *n != "session_events") {
        let t = tool(name);
        let op = &doc["paths"][endpoint]["post"];
        let schema = resolve(&doc, &op["requestBody"]["content"]["application/json"]["schema"]);
        let props = schema["properties"].as_object().unwrap_or_else(|| panic!("{endpoint}: no request schema"));
        let types: BTreeMap<String, String> = t["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap().to_string(), p["type"].as_str().unwrap().to_string()))
            .collect();
        for (key, _) in body(&t) {
            // `extracted.<name>` keys fold into `extracted`.
            let field = if key.starts_with("extracted.") { "extracted" } else { key.as_str() };
            let prop = props.get(field).unwrap_or_else(|| panic!("{name}: `{key}` is not a field of {endpoint}"));
            let prop = resolve(&doc, prop);
            let sample = match types.get(&key).map(String::as_str) {
                Some("number") => json!(2450),
                Some("boolean") => json!(true),
                _ => continue,
            };
            let v = violations(&doc, prop, &sample, &key);
            assert!(v.is_empty(), "{name}: a {} `{key}` does not fit {endpoint}: {v:?}", types[&key]);
        }
        // And what the platform really sends (text) fits too: the examples.
        let v = violations(&doc, schema, &t["example_body"], "$");
        assert!(v.is_empty() || *name == "end_of_call", "{name}: example does not fit: {v:?}");
    }
}

/// Posts a tool's example the way the platform would: to its URL's path, with the key in
/// the `api-key` header, the body as the platform serialises it.
async fn send(app: &TestApp, name: &str, body: &Value) -> (u16, Value) {
    let t = tool(name);
    let url = t["request"]["url"].as_str().unwrap();
    let path = url.strip_prefix(kit::EXAMPLE_BASE_URL).unwrap();
    let req = app.client.post(app.url(path)).header("api-key", AGENT_KEY).header("Content-Type", "application/json");
    json(req.body(body.to_string()).send().await.expect("request")).await
}

/// The tool's example with the call id verify issued in place of the example's.
fn example(name: &str, call_id: &str) -> Value {
    let mut body = tool(name)["example_body"].clone();
    if body.get("call_id").is_some_and(|c| c == EXAMPLE_CALL_ID) {
        body["call_id"] = json!(call_id);
    }
    body
}

async fn send_example(app: &TestApp, name: &str, call_id: &str) -> Value {
    let t = tool(name);
    let (status, answer) = send(app, name, &example(name, call_id)).await;
    assert!((200..300).contains(&status), "{name}: example refused with {status}: {answer}");
    for f in t["response_fields"].as_array().unwrap() {
        let field = f["name"].as_str().unwrap();
        if f["optional"] != true {
            let found = field.split('.').try_fold(&answer, |cur, seg| match seg.strip_suffix("[]") {
                Some(n) => cur.get(n)?.as_array()?.first(),
                None => cur.get(seg),
            });
            assert!(found.is_some(), "{name}: documented field `{field}` missing from {answer}");
        }
    }
    answer
}

#[actix_web::test]
async fn the_examples_are_accepted_by_the_real_endpoints_and_make_one_call() {
    let ours = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";
    let app = spawn_with(|s| s.happyrobot.workflow_ids = vec![ours.to_string()]).await;
    // The load the examples talk about: posted $2,150, no max_rate (ceiling $2,365).
    app.add_load(load("L-1001", "Dallas, TX", "Atlanta, GA", "Dry Van", 1, 2150)).await;

    // Verify without an id: the service issues the call's id.
    let v = send_example(&app, "verify_carrier", "").await;
    assert_eq!(v["status"], "eligible", "{v}");
    let call_id = v["call_id"].as_str().unwrap().to_string();
    assert!(call_id.starts_with("call_"), "{v}");

    let s = send_example(&app, "search_loads", &call_id).await;
    assert_eq!(s["call_id"], call_id.as_str());
    assert_eq!(s["loads"][0]["load_id"], "L-1001", "{s}");
    assert!(s["loads"][0]["pitch"].as_str().is_some_and(|p| p.contains("$2,150")), "{s}");

    // "$2,450" on a $2,150 load is round 1: a counter; the carrier takes it.
    let e = send_example(&app, "evaluate_offer", &call_id).await;
    assert_eq!((e["decision"].as_str(), e["round"].as_i64()), (Some("counter"), Some(1)), "{e}");
    let mut take = example("evaluate_offer", &call_id);
    take["carrier_offer"] = json!(format!("${}", e["counter_offer"]));
    let (status, deal) = send(&app, "evaluate_offer", &take).await;
    assert_eq!((status, deal["decision"].as_str()), (200, Some("accept")), "{deal}");

    let handoff = example("transfer_to_rep", &call_id);
    let amount: f64 = handoff["agreed_rate"].as_str().unwrap().replace(',', "").parse().unwrap();
    assert_eq!(amount, deal["agreed_rate"].as_f64().unwrap(), "the handoff example is the deal");
    let h = send_example(&app, "transfer_to_rep", &call_id).await;
    assert_eq!(h["transferred"], true, "{h}");
    assert!(h["transfer_to"].as_str().is_some_and(|n| n.starts_with('+')), "{h}");
    let again = send_example(&app, "transfer_to_rep", &call_id).await;
    assert_eq!(again["booking_id"], h["booking_id"], "a retried handoff is the same booking");

    let f = send_example(&app, "end_of_call", &call_id).await;
    assert_eq!((f["call_id"].as_str(), f["outcome"].as_str()), (Some(call_id.as_str()), Some("booked")), "{f}");
    assert_eq!(f["outcome_conflict"], false, "the example's labels match the record: {f}");

    // All of it is one call, with the extracted fields folded together.
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(list["calls"].as_array().unwrap().len(), 1, "{list}");
    let (_, story) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls/{call_id}")).await).await;
    let kinds: BTreeSet<&str> =
        story["timeline"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    for kind in ["verification", "search", "negotiation_round", "booking", "finalize"] {
        assert!(kinds.contains(kind), "no {kind} in the call's story: {kinds:?}");
    }
    assert_eq!(story["call"]["extracted"]["equipment"], "53' dry van", "{story}");
    assert_eq!(story["call"]["extracted"]["current_location"], "Dallas, TX");
    assert_eq!(story["call"]["transcript"].as_array().map(Vec::len), Some(9));
    assert_eq!(story["call"]["duration_seconds"], 312);

    // The platform's session event for this workflow lands on the call the end-of-call
    // record linked it to; another workflow's is not recorded.
    let ev = send_example(&app, "session_events", &call_id).await;
    assert_eq!((ev["status"].as_str(), ev["call_id"].as_str()), (Some("completed"), Some(call_id.as_str())), "{ev}");
    let (_, story) = json(app.get_as(DASHBOARD_KEY, &format!("/api/v1/calls/{call_id}")).await).await;
    assert_eq!(story["call"]["platform_status"], "completed");
    let (_, list) = json(app.get_as(DASHBOARD_KEY, "/api/v1/calls").await).await;
    assert_eq!(list["calls"].as_array().unwrap().len(), 1, "the session is not a second call: {list}");
    let mut other = tool("session_events")["example_body"].clone();
    other["data"]["use_case_id"] = json!("another-workflow");
    let (status, _) = send(&app, "session_events", &other).await;
    assert_eq!(status, 202);
}

#[actix_web::test]
async fn the_kit_headers_carry_the_key_the_service_checks() {
    let app = spawn_app().await;
    let t = tool("verify_carrier");
    let path = t["request"]["url"].as_str().unwrap().strip_prefix(kit::EXAMPLE_BASE_URL).unwrap().to_string();
    // The same request with a dashboard key in the `api-key` header: the scope is wrong.
    let res =
        app.client.post(app.url(&path)).header("api-key", DASHBOARD_KEY).json(&t["example_body"]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res = app.client.post(app.url(&path)).json(&t["example_body"]).send().await.unwrap();
    assert_eq!(res.status(), 401);
}
