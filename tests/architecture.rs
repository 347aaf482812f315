//! The rooms and arrows of DESIGN.md, checked on the source: every `crate::…` path a file
//! names (in `use` lines, grouped uses and inline paths) must follow the allowed arrows.
//!
//! - Domains (`bookings`, `calls`, `carriers`, `loads`, `negotiation`, `metrics`) may use
//!   another domain only along: negotiation → loads; bookings → negotiation, loads,
//!   carriers; any domain → `calls::record` (the one door into calls). Never another
//!   room's `routes`, `handlers` or `store`: what a room shares it re-exports.
//! - Below the domains (`db`, `error`, `types`, `vocab`, `paging`, `time`, `parse`, `geo`,
//!   `config`, `telemetry`, `speech`, `state`, `events`, `webhooks`, the `http` plumbing) nothing uses
//!   a domain or the top.
//! - The top (`app`, `cli`, `simulate`, `kit`, and the wiring files `http/mod.rs` and
//!   `http/openapi.rs`) assembles everything; only `main.rs` and the top use `app`.
//! - `web::block` and `pool.get()` appear only in `db/` and the stores; the concrete
//!   connections (`DbConnection::Sqlite(…)`, `on_backend!`) only in `db/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const DOMAINS: &[&str] = &["bookings", "calls", "carriers", "loads", "negotiation", "metrics"];
const TOP: &[&str] = &["app", "cli", "simulate", "kit", "main", "lib"];
/// Files of `http/` that wire the domains in (routes, the OpenAPI document).
const WIRING: &[&str] = &["src/http/mod.rs", "src/http/openapi.rs"];

fn allowed(from: &str, to: &str, path: &[String]) -> bool {
    if from == to {
        return true;
    }
    if to == "calls" {
        return path.get(1).is_some_and(|p| p == "record");
    }
    matches!(
        (from, to),
        ("negotiation", "loads") | ("bookings", "negotiation") | ("bookings", "loads") | ("bookings", "carriers")
    )
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/loads/store.rs` → `loads`.
fn room_of(rel: &str) -> String {
    let rest = rel.trim_start_matches("src/");
    let first = rest.split('/').next().unwrap_or(rest);
    first.trim_end_matches(".rs").to_string()
}

/// The source without comments and string literals, so prose never counts as a path.
fn code_only(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                    }
                    if escaped {
                        escaped = false;
                    } else if n == '\\' {
                        escaped = true;
                    } else if n == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every `crate::a::b…` path in `code`, with grouped uses (`crate::{a::b, c}`) expanded
/// one level, as segment lists without `crate`.
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut found = vec![];
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let segs = segments(item.trim());
                if !segs.is_empty() {
                    found.push(segs);
                }
            }
        } else {
            let segs = segments(rest);
            if !segs.is_empty() {
                found.push(segs);
            }
        }
    }
    found
}

fn segments(s: &str) -> Vec<String> {
    let mut segs = vec![];
    let mut rest = s;
    loop {
        let len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        segs.push(rest[..len].to_string());
        match rest[len..].strip_prefix("::") {
            Some(more) => rest = more,
            None => break,
        }
    }
    segs
}

fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).expect("under the crate").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("readable source");
            (rel, text)
        })
        .collect()
}

/// The arrows a file breaks, as "file → path (why)".
fn violations(rel: &str, text: &str) -> Vec<String> {
    let from = room_of(rel);
    let from_domain = DOMAINS.contains(&from.as_str());
    let wiring = WIRING.contains(&rel) || TOP.contains(&from.as_str());
    let mut out = BTreeSet::new();
    for path in crate_paths(&code_only(text)) {
        let to = path[0].as_str();
        let shown = format!("{rel} → crate::{}", path.join("::"));
        if to == "app" && !TOP.contains(&from.as_str()) {
            out.insert(format!("{shown} (only the top assembles the app)"));
        } else if from_domain && (TOP.contains(&to) || (to == "http" && path.get(1).is_some_and(|p| p == "openapi"))) {
            out.insert(format!("{shown} (a domain never uses the top or the document's wiring)"));
        } else if from_domain && DOMAINS.contains(&to) && !allowed(&from, to, &path) {
            out.insert(format!("{shown} (no arrow {from} → {to} in DESIGN.md)"));
        } else if from_domain
            && to != from
            && DOMAINS.contains(&to)
            && path.get(1).is_some_and(|p| ["routes", "handlers", "store"].contains(&p.as_str()))
        {
            out.insert(format!("{shown} (use what the room re-exports, not its internals)"));
        } else if !from_domain && !wiring && (DOMAINS.contains(&to) || TOP.contains(&to)) {
            out.insert(format!("{shown} (below the domains nothing uses a domain or the top)"));
        }
    }
    out.into_iter().collect()
}

#[test]
fn rooms_keep_to_the_arrows() {
    let broken: Vec<String> = sources().iter().flat_map(|(rel, text)| violations(rel, text)).collect();
    assert!(broken.is_empty(), "forbidden arrows:\n{}", broken.join("\n"));
}

#[test]
fn database_mechanics_stay_in_db_and_the_stores() {
    let mut broken = vec![];
    for (rel, text) in sources() {
        if rel.starts_with("src/db/") {
            continue;
        }
        let code = code_only(&text);
        for needle in ["on_backend!", "per_backend!", "DbConnection::Sqlite(", "DbConnection::Postgresql("] {
            if code.contains(needle) {
                broken.push(format!("{rel} uses {needle}"));
            }
        }
        let store = rel.ends_with("/store.rs") || rel.contains("/store/");
        if store {
            continue;
        }
        for needle in ["web::block", "pool.get()", ".pool.get("] {
            if code.contains(needle) {
                broken.push(format!("{rel} uses {needle}"));
            }
        }
    }
    assert!(broken.is_empty(), "outside db/ and the stores:\n{}", broken.join("\n"));
}

/// The checker itself: each rule fires on a file that breaks it and stays quiet otherwise.
#[test]
fn the_checker_sees_each_kind_of_forbidden_arrow() {
    let cases = [
        ("src/loads/routes.rs", "use crate::bookings::Booking;", true),
        ("src/loads/routes.rs", "let x = crate::calls::store::row(conn);", true),
        ("src/loads/routes.rs", "crate::calls::record::touch(conn, id, None, None, now)?;", false),
        ("src/bookings/store.rs", "use crate::{loads::LoadRow, negotiation::NegotiationRow};", false),
        ("src/bookings/store.rs", "use crate::{loads::store::LoadRow};", true),
        ("src/negotiation/routes.rs", "use crate::app::Application;", true),
        ("src/metrics/store.rs", "use crate::calls::Outcome;", true),
        ("src/parse/mod.rs", "use crate::loads::LoadRow;", true),
        ("src/http/auth/mod.rs", "use crate::state::AppState;", false),
        ("src/http/mod.rs", ".configure(crate::loads::configure)", false),
        ("src/calls/routes.rs", "// see crate::bookings::Booking\nlet s = \"crate::loads::x\";", false),
        ("src/calls/routes.rs", "body = crate::http::openapi::Thing", true),
    ];
    for (rel, text, broken) in cases {
        assert_eq!(!violations(rel, text).is_empty(), broken, "{rel}: {text}");
    }
}
