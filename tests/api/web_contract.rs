//! The dashboard's types are generated from `web/src/lib/openapi.json`, so that copy must
//! be the document the server serves: a response shape changed on the server without
//! `make openapi` fails here, and then the dashboard's type check (`make web-check`) shows
//! which components read a field the document no longer has.

use crate::helpers::*;
use crate::openapi::document;
use serde_json::Value;
use std::path::Path;

const COMMITTED: &str = "web/src/lib/openapi.json";
const REGENERATE: &str = "regenerate it with `make openapi` (carrier-sales openapi --out web/src/lib/openapi.json)";

/// The first place two documents differ, as a JSON pointer, for a readable failure.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(v), Some(w)) => first_difference(v, w, &format!("{at}/{k}")),
                _ => Some(format!("{at}/{k}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| first_difference(v, w, &format!("{at}/{i}")))
        }
        _ => (a != b).then(|| at.to_string()),
    }
}

#[actix_web::test]
async fn the_dashboards_copy_of_the_document_is_what_the_server_serves() {
    let app = spawn_app().await;
    let served = document(&app).await;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{COMMITTED}: {e}; {REGENERATE}"));
    let committed: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{COMMITTED} is not JSON: {e}; {REGENERATE}"));
    if let Some(at) = first_difference(&committed, &served, "") {
        panic!("{COMMITTED} differs from the served document at {at:?}; {REGENERATE}");
    }

    // The command writes exactly the committed bytes, so regenerating leaves no diff.
    let out = bin().arg("openapi").output().expect("carrier-sales openapi runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout == text.as_bytes(), "{COMMITTED} is not byte for byte the command's output; {REGENERATE}");
}
