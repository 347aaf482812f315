//! Where each voice-platform fact the kit relies on was published. Every platform-side name
//! in the generated files carries one of these (`evidence`), or says it is unconfirmed.
//! Facts only: no text was copied.

/// The webhook node's "API Key" authentication option sends the key in an `api-key` header.
pub const API_KEY_HEADER: &str =
    "docs.happyrobot.ai/integrations/webhook (Actions: authentication options; API Key sends an `api-key` header)";

/// Webhook nodes build their body from key-value pairs, or from a raw text template.
pub const BODY_MODES: &str = "heartr8dev/inbound-carrier-sales scripts/setup_happyrobot.py (webhook configuration: `data` as key-value pairs, or `bodyMode: raw` with `rawBody`)";

/// Values are inserted as variables from the editor's picker: `{{<node index>.<field>}}` or
/// `{{<persistent id>.<field>}}`, never by a node's display name.
pub const VARIABLE_FORMS: &str = "api-evangelist/happyrobot mcp/happyrobot-mcp.yml (prompt `variable-guide`: node-index and persistent-id references)";

/// A tool's own parameters, as filled by the agent, are referenced through the tool node.
pub const TOOL_PARAMETER_REFS: &str =
    "heartr8dev/inbound-carrier-sales scripts/setup_happyrobot.py (post-call body referencing tool parameters, e.g. the verify tool's `mc_number`)";

/// AI Extract outputs sit under `.response.`.
pub const EXTRACT_RESPONSE: &str =
    "heartr8dev/inbound-carrier-sales agent/PROVISIONING.md, Gotchas (AI Extract outputs are read under `.response.`)";

/// The voice agent node exposes the call's duration (seconds).
pub const AGENT_DURATION: &str =
    "heartr8dev/inbound-carrier-sales scripts/setup_happyrobot.py (the voice agent node's `duration` in the post-call body)";

/// Session status events: CloudEvents 1.0 posted to the URL set in the workspace settings.
pub const SESSION_EVENTS: &str = "docs.happyrobot.ai webhook-payload-contract/session-status-change (workspace settings; CloudEvents 1.0 `session.status_changed`; `data.use_case_id`, `data.status.updated_at`)";

/// A voice agent without a transcriber speaks but never hears the caller.
pub const TRANSCRIBER: &str =
    "heartr8dev/inbound-carrier-sales agent/PROVISIONING.md, Gotchas (no transcriber: the agent cannot hear); agent/config.yaml (`transcriber`, `enable_denoised_stt`)";

/// Keyterms, call limits and recording of the live deployment.
pub const AGENT_CONFIG: &str = "heartr8dev/inbound-carrier-sales agent/config.yaml (`keyterms`, `max_call_duration`, `max_silence_hold_duration`, `record`)";

/// Voicemail handling on the voice agent.
pub const VOICEMAIL: &str =
    "heartr8dev/inbound-carrier-sales agent/workflows/inbound_carrier_sales.json (`voice_mail: hangup`); session status `voicemail` (docs.happyrobot.ai session-status-change)";

/// Filler messages exist on sessions (`is_filler`), but no tool setting for them was found.
pub const FILLER: &str = "api-evangelist/happyrobot openapi/happyrobot-platform-v1-openapi.json (session messages carry `is_filler`); no per-tool setting found in published material";

/// Phone numbers the platform dials are routable E.164; fictional 555-01xx numbers are refused.
pub const E164: &str =
    "heartr8dev/inbound-carrier-sales agent/PROVISIONING.md (outbound `to`: routable E.164 only, test numbers refused)";

/// Triggers: the REST runs endpoint and incoming hooks.
pub const RUNS: &str = "api-evangelist/happyrobot openapi/happyrobot-workflows-api-openapi.yml (POST /workflows/{workflow_id}/runs: Bearer key, `payload`, `environment`; answers `run_id`)";

/// A web call from the editor needs a predefined-webhook trigger and an outbound voice agent.
pub const WEB_CALL: &str = "heartr8dev/inbound-carrier-sales agent/PROVISIONING.md (Web Call: predefined-webhook trigger with `room_name`, outbound voice agent; trigger params are not filled by the editor's test)";

/// Browser calls are opened with a voice token.
pub const VOICE_TOKENS: &str =
    "api-evangelist/happyrobot openapi/happyrobot-voice-api-openapi.yml (POST /voice/tokens/: `workflow_id` → `url`, `token`, `room_name`, `run_id`)";

/// Inbound calls: an inbound-to-number trigger with an inbound voice agent.
pub const INBOUND: &str =
    "heartr8dev/inbound-carrier-sales agent/PROVISIONING.md (inbound-to-number trigger, inbound voice agent, a number with an inbound trunk)";
