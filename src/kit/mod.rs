//! The voice-platform kit (`carrier-sales happyrobot kit`): the files an engineer copies into
//! HappyRobot to wire a workflow to this deployment: the agent's tools, the post-call and
//! session webhooks, the voice agent's settings, its keyterms and its prompt, with the
//! deployment's URL filled in. `docs/happyrobot/` holds this output for the example URL
//! (a test fails when they drift), so setting up or re-pointing a workflow is a copy from
//! generated files, never a hand edit of six places.
//!
//! Every value the platform fills is either one the published material names (each file
//! carries its `evidence`, see [`sources`]) or a tool parameter the agent fills. The call's
//! identity is always agent-filled: `verify_carrier` answers a `call_id` and the prompt
//! has the agent pass it on (SPEC §12.1), so nothing depends on a platform variable.

pub mod sources;
mod tools;

use anyhow::{bail, Context};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The URL the checked-in `docs/happyrobot/` files are generated for.
pub const EXAMPLE_BASE_URL: &str = "https://carrier-sales.example.com";

/// What stands for the agent key when it is not given (`--api-key-env`).
pub const KEY_PLACEHOLDER: &str = "<AGENT_API_KEY>";

/// The prompt is written by hand; the kit hands it out unchanged.
const PROMPT: &str = include_str!("../../docs/happyrobot/prompt.md");

/// Keyterms a speech-to-text model is biased towards; Deepgram's keyterm prompting takes
/// a limited list, so the load board's cities are cut to fit.
pub const MAX_KEYTERMS: usize = 100;

/// Words every carrier call uses, whatever the load board holds.
const TRUCKING_TERMS: &[&str] = &[
    "Acme Logistics",
    "MC",
    "MC number",
    "USDOT",
    "DOT number",
    "deadhead",
    "rate con",
    "reefer",
    "dry van",
    "flatbed",
    "step deck",
    "power only",
    "conestoga",
    "box truck",
    "load number",
    "lumper",
    "detention",
    "TONU",
    "all-in",
    "per mile",
    "zero",
    "oh",
    "niner",
];

/// The kit's files, path relative to the output folder → contents, for a deployment at
/// `base_url` whose agent key is `api_key` (or [`KEY_PLACEHOLDER`]), with keyterms from
/// `loads` (load records as `POST /loads` takes them).
pub fn files(base_url: &str, api_key: Option<&str>, loads: &[Value]) -> anyhow::Result<BTreeMap<String, String>> {
    let base = normalise_base_url(base_url)?;
    let key = api_key.unwrap_or(KEY_PLACEHOLDER);
    let mut out = BTreeMap::new();
    for tool in tools::all(&base, key) {
        let name = tool["name"].as_str().context("a tool has a name")?.to_string();
        out.insert(format!("tools/{name}.json"), pretty(&tool));
    }
    let terms = keyterms(loads);
    out.insert("keyterms.txt".into(), terms.iter().map(|t| format!("{t}\n")).collect());
    out.insert("voice-agent.json".into(), pretty(&voice_agent(&terms)));
    out.insert("prompt.md".into(), PROMPT.to_string());
    Ok(out)
}

/// Writes [`files`] under `dir`; returns the paths written.
pub fn write(dir: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    for (path, contents) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&target, contents).with_context(|| format!("writing {}", target.display()))?;
        written.push(target.display().to_string());
    }
    Ok(written)
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// `https://host[:port][/prefix]` without a trailing slash. Plain `http://` only for a
/// local address (the platform calls from the internet, over HTTPS).
pub fn normalise_base_url(raw: &str) -> anyhow::Result<String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
        (Some(rest), _) => rest,
        (None, Some(rest)) if rest.starts_with("localhost") || rest.starts_with("127.0.0.1") => rest,
        (None, Some(_)) => bail!("--base-url must be https:// (the voice platform calls over the internet): {raw}"),
        _ => bail!("--base-url must start with https://: {raw}"),
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', ' ', '{', '}', '"']) {
        bail!("--base-url must be a plain URL such as https://carrier-sales.example.com: {raw}");
    }
    Ok(url.to_string())
}

/// The speech-to-text keyterms: the trucking words above, the board's equipment, then its
/// cities, most frequent first, up to [`MAX_KEYTERMS`].
pub fn keyterms(loads: &[Value]) -> Vec<String> {
    let mut terms: Vec<String> = TRUCKING_TERMS.iter().map(|t| t.to_string()).collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut equipment: BTreeMap<String, usize> = BTreeMap::new();
    for load in loads {
        for side in ["origin", "destination"] {
            if let Some(place) = load[side].as_str() {
                let city = place.split(',').next().unwrap_or("").trim();
                if !city.is_empty() {
                    *counts.entry(city.to_string()).or_default() += 1;
                }
            }
        }
        if let Some(e) = load["equipment_type"].as_str().map(str::trim).filter(|e| !e.is_empty()) {
            *equipment.entry(e.to_string()).or_default() += 1;
        }
    }
    let by_count = |m: BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().map(|(k, _)| k)
    };
    for term in by_count(equipment).chain(by_count(counts)) {
        if terms.len() >= MAX_KEYTERMS {
            break;
        }
        if !terms.iter().any(|t| t.eq_ignore_ascii_case(&term)) {
            terms.push(term);
        }
    }
    terms
}

/// The voice agent node's settings a live deployment needs.
fn voice_agent(keyterms: &[String]) -> Value {
    json!({
        "what": "The voice agent node's settings. Set each in the node's form; the names are the platform's where evidence is given.",
        "first_message": "Acme Logistics, carrier desk. Can I get your MC number?",
        "prompt_file": "prompt.md",
        "transcriber": {
            "id": "deepgram-nova-3-multi",
            "name": "Deepgram Nova 3 Multilingual",
            "enable_denoised_stt": true,
            "why": "Required: without a transcriber the agent speaks but never hears the caller.",
            "evidence": sources::TRANSCRIBER
        },
        "keyterms": {
            "file": "keyterms.txt",
            "count": keyterms.len(),
            "why": "Biases speech-to-text towards MC numbers, trailer names and the cities on our board (generated from the load board: re-run the kit after the board's lanes change).",
            "evidence": sources::AGENT_CONFIG
        },
        "call_limits": {
            "max_call_duration": 600,
            "max_silence_hold_duration": 8,
            "unit": "seconds",
            "why": "A booking takes 3 to 6 minutes; a call left open by a dropped line ends on its own.",
            "evidence": sources::AGENT_CONFIG
        },
        "voicemail": {
            "voice_mail": "hangup",
            "why": "An outbound test call that reaches voicemail hangs up instead of pitching to a machine; the session ends with status voicemail.",
            "evidence": sources::VOICEMAIL
        },
        "record": true,
        "interruptions": "on (carriers talk over agents)",
        "message_while_tool_runs": {
            "verify_carrier": "One moment while I pull up your authority.",
            "search_loads": "Let me see what I have for you.",
            "how": "No per-tool setting for a message while a tool runs was found in the published material. If the tool form offers one, paste these; otherwise the prompt's rule covers it (say the sentence, then call the tool).",
            "evidence": sources::FILLER
        },
        "transfer": {
            "number_from": "transfer_to_rep's response field `transfer_to` (the rep's phone in E.164, e.g. +13125552368)",
            "fallback_number": "<FALLBACK_TRANSFER_NUMBER>",
            "fallback_when": "`transfer_to` is null (a rep reached by extension) or the tool failed",
            "action": "No HappyRobot call-transfer action is named in the published material: add the voice agent's transfer in the editor and insert the number from the transfer_to_rep tool's response (or the fallback). Numbers must be routable E.164.",
            "when_it_fails": "The booking stands and the rep sees it on the dashboard with the carrier's callback number; if the carrier cannot be reached, a manager releases it from the call page (POST /api/v1/bookings/{booking_id}/cancel, admin) and the load is offered again.",
            "evidence": sources::E164
        }
    })
}

/// `carrier-sales happyrobot kit`: writes the kit for `base_url` into `out`.
pub fn command(base_url: &str, out: &Path, api_key_env: Option<&str>, loads_file: Option<&Path>) -> anyhow::Result<()> {
    let key = match api_key_env {
        None => None,
        Some(name) => Some(
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .with_context(|| format!("--api-key-env {name}: the variable is not set"))?,
        ),
    };
    let loads: Vec<Value> = match loads_file {
        None => serde_json::from_str(crate::loads::SEED_JSON).context("the bundled load board")?,
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            crate::loads::import::records_from_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{}", serde_json::json!(e.body())))?
        }
    };
    let files = files(base_url, key.as_deref(), &loads)?;
    for path in write(out, &files)? {
        println!("{path}");
    }
    if key.is_none() {
        eprintln!("The agent key is written as {KEY_PLACEHOLDER}; pass --api-key-env NAME to fill it in.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_https_and_plain() {
        assert_eq!(normalise_base_url(" https://cs.example.com/ ").unwrap(), "https://cs.example.com");
        assert_eq!(normalise_base_url("https://cs.example.com/brokerage").unwrap(), "https://cs.example.com/brokerage");
        assert_eq!(normalise_base_url("http://localhost:8080").unwrap(), "http://localhost:8080");
        for bad in ["cs.example.com", "http://cs.example.com", "https://", "https://cs.example.com/?a=1", "ftp://x"] {
            assert!(normalise_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keyterms_come_from_the_board_most_frequent_first_within_the_limit() {
        let loads: Vec<Value> = (0..200)
            .map(
                |i| json!({"origin": format!("City{i}, TX"), "destination": "Atlanta, GA", "equipment_type": "Hopper"}),
            )
            .collect();
        let terms = keyterms(&loads);
        assert_eq!(terms.len(), MAX_KEYTERMS);
        assert_eq!(terms[..TRUCKING_TERMS.len()], TRUCKING_TERMS.iter().map(|t| t.to_string()).collect::<Vec<_>>());
        assert_eq!(terms[TRUCKING_TERMS.len()], "Hopper");
        assert_eq!(terms[TRUCKING_TERMS.len() + 1], "Atlanta", "the most frequent city first");
        let no_dupes: std::collections::BTreeSet<String> = terms.iter().map(|t| t.to_lowercase()).collect();
        assert_eq!(no_dupes.len(), terms.len());
    }
}
