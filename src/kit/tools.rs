//! The agent's four tools and the two webhooks the workflow sends, as the platform's forms
//! ask for them. Bodies use the key-value builder (each value inserted from the picker),
//! never a raw JSON template: a transcript's quotes and line breaks cannot break a body
//! the platform serialises itself ([`super::sources::BODY_MODES`]).

use super::sources;
use serde_json::{json, Value};

/// The id `verify_carrier` answered in the examples' call: the later examples carry it as
/// the agent passes it on (the kit test swaps in the id the service really issued).
pub const EXAMPLE_CALL_ID: &str = "call_5b1e8d7c2f6a4e93b0a1c2d3";

/// One body entry: `key` ← the tool's own parameter `name` (filled by the agent).
fn from_parameter(key: &str) -> Value {
    json!({"key": key, "value": {"parameter": key}})
}

/// One body entry: `key` ← an output of an earlier workflow node.
fn from_node(key: &str, node: &str, field: &str, evidence: &str) -> Value {
    json!({"key": key, "value": {"node": node, "field": field, "evidence": evidence}})
}

fn parameter(name: &str, kind: &str, required: bool, description: &str) -> Value {
    json!({"name": name, "type": kind, "required": required, "description": description})
}

fn response(name: &str, description: &str) -> Value {
    json!({"name": name, "description": description})
}

fn optional(name: &str, description: &str) -> Value {
    json!({"name": name, "description": description, "optional": true})
}

/// The request part every webhook shares: POST to the endpoint with the agent key.
fn request(base: &str, path: &str, key: &str, body: Vec<Value>) -> Value {
    json!({
        "method": "POST",
        "url": format!("{base}{path}"),
        "authentication": {
            "option": "API Key",
            "header": "api-key",
            "key": key,
            "evidence": sources::API_KEY_HEADER
        },
        "content_type": "application/json",
        "body_mode": "key-value",
        "body_mode_evidence": sources::BODY_MODES,
        "body": body
    })
}

fn call_id_parameter() -> Value {
    parameter(
        "call_id",
        "string",
        false,
        "The call_id verify_carrier returned for this call, exactly as given (e.g. call_5b1e8d7c...). Pass it every time. If you do not have one, leave it empty: the service finds the call from mc_number.",
    )
}

pub fn all(base: &str, key: &str) -> Vec<Value> {
    vec![
        verify_carrier(base, key),
        search_loads(base, key),
        evaluate_offer(base, key),
        transfer_to_rep(base, key),
        end_of_call(base, key),
        session_events(base, key),
    ]
}

fn verify_carrier(base: &str, key: &str) -> Value {
    json!({
        "name": "verify_carrier",
        "kind": "agent tool",
        "description": "Checks the caller's MC number with FMCSA and says whether Acme Logistics may book freight with them. Call it as soon as the carrier gives an MC number (or a USDOT number if they have no MC), before searching loads. Read the MC back to confirm it first. The answer's `call_id` names this call: remember it and pass it to every later tool. Then act on `status`: eligible → say `message` and ask about lane, equipment and pickup day; ineligible → say `message` and close the call politely (no loads, no booking); not_found → say `message`, ask them to read the number again and call this tool again with the new number (and the call_id); unavailable → say `message` and carry on (the booking will be flagged for the rep to verify).",
        "message_while_running": "One moment while I pull up your authority.",
        "parameters": [
            parameter("mc_number", "string", true, "The carrier's MC (docket) number as digits, e.g. 123456. Spoken 'MC one two three four five six' → 123456. A prefix like 'MC-' is fine."),
            parameter("dot_number", "string", false, "Only when the carrier has no MC number: their USDOT number, digits only. Leave empty otherwise."),
            parameter("call_id", "string", false, "Empty on the first check of a call. When checking another number in the same call, the call_id the first check returned."),
        ],
        "request": request(base, "/api/v1/fmcsa/verify", key, vec![
            from_parameter("mc_number"), from_parameter("dot_number"), from_parameter("call_id"),
        ]),
        "example_body": {"mc_number": "MC-700010", "dot_number": "", "call_id": ""},
        "response_fields": [
            response("call_id", "The call's id (issued by the service when none was sent): pass it as call_id to search_loads, evaluate_offer and transfer_to_rep."),
            response("status", "eligible | ineligible | not_found | unavailable: what to do next (see description)."),
            response("message", "One or two sentences to say to the carrier, ready to speak."),
            response("eligible", "true, false, or null when FMCSA could not be reached."),
            response("mc_number", "The MC as digits without prefix or leading zeros; reuse it in later tools."),
            optional("carrier.legal_name", "The company name FMCSA has on file (use it to greet them by name)."),
            response("reasons", "Codes of every failed FMCSA rule (for the record; never read codes aloud)."),
        ]
    })
}

fn search_loads(base: &str, key: &str) -> Value {
    json!({
        "name": "search_loads",
        "kind": "agent tool",
        "description": "Finds available loads that fit the carrier: where they are (origin), where they want to go (destination), their trailer (equipment) and when they can pick up. Call it after the carrier is verified and you know at least the origin or the equipment; call it again whenever the carrier changes what they want (another lane, another day, another trailer). Pitch the first load with its `pitch` sentence (or say `message`). Never invent loads, rates or details that the answer does not contain. When `loads` is empty, say `message`: it offers the alternatives that exist (other equipment on that lane, or the lane on other days).",
        "message_while_running": "Let me see what I have for you.",
        "parameters": [
            parameter("origin", "string", false, "Where the carrier is empty or wants to load: a city with its state ('Dallas, TX'), a city alone, or a state ('Texas'). Empty if unknown."),
            parameter("origin_radius_miles", "number", false, "How far from the origin city the carrier will deadhead, in miles, when they say so ('within 100 miles' → 100). Empty otherwise."),
            parameter("destination", "string", false, "Where the carrier wants to go: a city with state, a city, or a state ('headed to Georgia' → 'Georgia'). Empty if they will go anywhere."),
            parameter("equipment_type", "string", false, "The trailer in the carrier's words: 'dry van', '53 foot van', 'reefer', 'flatbed', 'step deck', 'power only', 'conestoga', 'box truck'. Empty or 'any' for anything."),
            parameter("pickup_date", "string", false, "The day the carrier can pick up, as YYYY-MM-DD (e.g. 2026-11-24). Empty when they did not say or you are not sure of the date: the search then prefers the soonest pickups."),
            parameter("mc_number", "string", false, "The verified MC number, digits only (from verify_carrier)."),
            call_id_parameter(),
        ],
        "request": request(base, "/api/v1/loads/search", key, vec![
            from_parameter("origin"), from_parameter("origin_radius_miles"), from_parameter("destination"),
            from_parameter("equipment_type"), from_parameter("pickup_date"), from_parameter("mc_number"),
            from_parameter("call_id"),
            json!({"key": "max_results", "value": {"static": "3"}}),
        ]),
        "example_body": {
            "origin": "dallas texas", "origin_radius_miles": "", "destination": "", "equipment_type": "53' dry van",
            "pickup_date": "", "mc_number": "MC-700010", "call_id": EXAMPLE_CALL_ID, "max_results": "3"
        },
        "response_fields": [
            response("call_id", "The call the search was recorded for."),
            response("message", "What to say: the best load's pitch (plus how many other options there are), or, when nothing fits, what does exist."),
            response("total", "How many loads came back (0 to 3)."),
            optional("loads[].load_id", "The load's id, e.g. L-1001: pass it exactly as given to evaluate_offer and transfer_to_rep."),
            optional("loads[].pitch", "One sentence pitching this load (lane, pickup in local time, miles, rate)."),
            optional("loads[].loadboard_rate", "The posted rate in USD: the opening price you offer."),
            optional("loads[].pickup_datetime", "Pickup time (RFC 3339, origin's local offset); the pitch already says it in words."),
            optional("loads[].delivery_datetime", "Delivery appointment, when the carrier asks."),
            optional("loads[].weight", "Weight in pounds, when the carrier asks."),
            optional("loads[].commodity_type", "What the freight is, when the carrier asks."),
            optional("loads[].notes", "Special requirements (food grade, tarps, straps...): mention them before agreeing a rate."),
            optional("loads[].deadhead_miles", "Miles from the carrier's city to the pickup, when the origin was a city."),
            response("widened", "true when nothing left the exact city and nearby cities (within 100 miles) were searched instead."),
        ]
    })
}

fn evaluate_offer(base: &str, key: &str) -> Value {
    json!({
        "name": "evaluate_offer",
        "kind": "agent tool",
        "description": "Decides the rate. Call it EVERY time the carrier names a price for a load, including when they accept the posted rate or take your last number. The service counts the rounds (at most 3 per load and call) and answers accept, counter or reject; never make up a number yourself. decision=counter → say `message` (it states `counter_offer`) and listen for their answer. decision=accept → say `message`, then call transfer_to_rep with `agreed_rate`. decision=reject (round 3) → say `message`: it states `final_offer` once; if the carrier takes it, call this tool again with that amount (it will accept), otherwise close politely or offer another load. An HTTP 409 means the negotiation on this load is closed: say the error's message.",
        "parameters": [
            parameter("load_id", "string", true, "The load being negotiated, exactly as search_loads returned it (e.g. L-1001)."),
            parameter("carrier_offer", "number", true, "The carrier's price for the whole load in US dollars, as a number: 'twenty-four fifty' → 2450, 'twenty-one hundred' → 2100, 'I'll take your twenty-two thirty-five' → 2235. Never a per-mile rate: multiply by the load's miles if they quote per mile."),
            parameter("mc_number", "string", false, "The verified MC number, digits only."),
            call_id_parameter(),
        ],
        "request": request(base, "/api/v1/negotiations/evaluate", key, vec![
            from_parameter("load_id"), from_parameter("carrier_offer"), from_parameter("mc_number"), from_parameter("call_id"),
        ]),
        "example_body": {"load_id": "L-1001", "carrier_offer": "$2,450", "mc_number": "MC-700010", "call_id": EXAMPLE_CALL_ID},
        "response_fields": [
            response("call_id", "The call the round was recorded for."),
            response("decision", "accept | counter | reject."),
            response("message", "The sentence to say: the counter, the deal, or the final offer."),
            optional("counter_offer", "With counter: our number in USD. The carrier may take it (call this tool again with it)."),
            optional("agreed_rate", "With accept: the rate to pass to transfer_to_rep."),
            optional("final_offer", "With reject (round 3): our last number, which stands if the carrier takes it."),
            response("final", "true when this answer ends the bargaining (accept or reject)."),
            response("round", "Which round this offer was (1 to 3)."),
            response("rounds_remaining", "Rounds left after this one (0 after accept or reject)."),
            response("loadboard_rate", "The posted rate of the load, USD."),
        ]
    })
}

fn transfer_to_rep(base: &str, key: &str) -> Value {
    json!({
        "name": "transfer_to_rep",
        "kind": "agent tool",
        "description": "Books the load at the agreed rate and picks the sales rep who takes the call over. Call it only right after evaluate_offer answered accept (use its `agreed_rate`), once per load. Say `message` (it names the rep), then transfer the call to `transfer_to` (the rep's number; use the fallback number if it is empty). Errors (HTTP 409): load_already_booked → say the error's message and offer the next load from your search or search again; rate_not_agreed → the rate differs from what evaluate_offer agreed: call evaluate_offer with the carrier's price first; carrier_ineligible → say the error's message and close politely.",
        "parameters": [
            parameter("load_id", "string", true, "The load agreed on, exactly as search_loads returned it."),
            parameter("mc_number", "string", true, "The carrier's verified MC number, digits only."),
            parameter("agreed_rate", "number", true, "The rate evaluate_offer agreed, in US dollars (its `agreed_rate`)."),
            parameter("carrier_name", "string", false, "The company name the carrier gave, if any; FMCSA's legal name is used otherwise."),
            call_id_parameter(),
        ],
        "request": request(base, "/api/v1/calls/handoff", key, vec![
            from_parameter("load_id"), from_parameter("mc_number"), from_parameter("agreed_rate"),
            from_parameter("carrier_name"), from_parameter("call_id"),
        ]),
        "example_body": {"load_id": "L-1001", "mc_number": "mc 700010", "agreed_rate": "2,235", "carrier_name": "", "call_id": EXAMPLE_CALL_ID},
        "response_fields": [
            response("call_id", "The call the booking belongs to."),
            response("message", "The transfer sentence to say, naming the rep."),
            response("transferred", "true: the load is booked and the rep assigned."),
            response("booking_id", "The booking reference (e.g. BK-3F9A2C1D07) if the carrier asks for one."),
            response("rep.name", "The sales rep taking over."),
            optional("transfer_to", "The number to transfer the call to, E.164 (e.g. +13125552368); null when the rep has an extension only: use the fallback number."),
            optional("rep.phone", "The rep's phone as configured."),
            optional("rep.extension", "The rep's extension, when the rep is reached by extension."),
            response("verification_pending", "true when FMCSA could not be reached: the rep confirms authority and insurance before dispatch."),
            response("summary", "One paragraph for the rep (not for the carrier)."),
        ]
    })
}

/// The fields the AI Extract node returns and the finalize body carries at its top level.
const EXTRACTED_FIELDS: &[&str] = &[
    "mc_number",
    "carrier_name",
    "load_id",
    "agreed_rate",
    "initial_carrier_offer",
    "negotiation_rounds",
    "transferred",
    "carrier_phone",
    "callback_at",
];

/// Extra extracted fields, kept under `extracted` (sent as `extracted.<name>` keys).
const EXTRA_FIELDS: &[&str] = &[
    "equipment",
    "current_location",
    "desired_destination",
    "available_date",
    "decline_reason",
    "callback_note",
    "notes_from_carrier",
];

fn end_of_call(base: &str, key: &str) -> Value {
    let mut body: Vec<Value> = vec![json!({
        "key": "call_id",
        "value": {"node": "search_loads (tool)", "field": "call_id", "evidence": sources::TOOL_PARAMETER_REFS,
                  "note": "The call_id the agent passed to search_loads. Empty when the carrier never got that far: the service then finds the call from mc_number, or records a new one (nothing is dropped)."}
    })];
    for f in EXTRACTED_FIELDS {
        body.push(from_node(f, "AI Extract", &format!("response.{f}"), sources::EXTRACT_RESPONSE));
    }
    for f in EXTRA_FIELDS {
        body.push(from_node(
            &format!("extracted.{f}"),
            "AI Extract",
            &format!("response.{f}"),
            sources::EXTRACT_RESPONSE,
        ));
    }
    for (key, node) in [("outcome", "AI Classify (outcome)"), ("sentiment", "AI Classify (sentiment)")] {
        body.push(json!({
            "key": key,
            "value": {"node": node, "field": "the label it chose", "evidence": null,
                      "unconfirmed": "No published material names the AI Classify node's output field (AI Extract's sit under `.response.`, so look there first in the picker). If it cannot be found, leave this entry out: the service classifies the call itself."}
        }));
    }
    body.push(from_node("duration_seconds", "Voice agent", "duration", sources::AGENT_DURATION));
    body.push(json!({
        "key": "transcript",
        "value": {"node": "Voice agent", "field": "transcript", "evidence": null,
                  "unconfirmed": "No published material names the voice agent's transcript output. Pick it from the variable picker if the voice agent offers one; otherwise leave this entry out: the service classifies from what the tools recorded."}
    }));
    body.push(json!({
        "key": "session_id",
        "value": {"node": "the platform's session", "field": "its id", "evidence": null,
                  "unconfirmed": "No published material names a variable holding the session's id. If the picker offers one, insert it: the session's status events (start, end, how it ended) then land on this call. Otherwise leave the row out: the call is recorded all the same."}
    }));
    json!({
        "name": "end_of_call",
        "kind": "webhook after the call",
        "description": "Not an agent tool: the workflow's webhook node that runs after the call ends, after the AI Extract and AI Classify nodes (see extract-and-classify.md). It records what happened (upsert by call: a retry never makes a second record). Every field may be empty; when outcome or sentiment is missing or not one of the labels, the service classifies the call itself and says so (classified_by: service). Keys `extracted.<name>` are kept together under `extracted` on the call page.",
        "parameters": [],
        "request": request(base, "/api/v1/calls/finalize", key, body),
        "example_body": {
            "call_id": EXAMPLE_CALL_ID,
            "mc_number": "MC 700010",
            "carrier_name": "Prairie Lantern Transport",
            "load_id": "L-1001",
            "agreed_rate": "$2,235.00",
            "initial_carrier_offer": "2450",
            "negotiation_rounds": "2",
            "transferred": "yes",
            "carrier_phone": "",
            "callback_at": "",
            "extracted.equipment": "53' dry van",
            "extracted.current_location": "Dallas, TX",
            "extracted.desired_destination": "",
            "extracted.available_date": "tomorrow",
            "extracted.decline_reason": "",
            "extracted.callback_note": "",
            "extracted.notes_from_carrier": "N/A",
            "outcome": "Booked",
            "sentiment": "Positive",
            "duration_seconds": "312",
            "session_id": "e3f4a5b6-c7d8-4e9f-a0b1-c2d3e4f5a6b7",
            "transcript": "Agent: Acme Logistics, carrier desk. Can I get your MC number?\nCarrier: Yeah, MC seven zero zero zero one zero.\nAgent: Thanks, I have you as Prairie Lantern Transport LLC out of Fort Worth, Texas, and you're all set to work with us. Where are you empty, and what are you pulling?\nCarrier: Empty in Dallas with a 53 foot dry van.\nAgent: I have a Dry Van from Dallas, TX to Atlanta, GA picking up tomorrow at 8 AM Central, 781 miles, paying $2,150.\nCarrier: I'd need twenty-four fifty on that.\nAgent: I can do $2,235 on that one.\nCarrier: Alright, twenty-two thirty-five works. Appreciate it.\nAgent: We have a deal at $2,235. Let me get you over to a rep to lock it in."
        },
        "response_fields": [
            response("call_id", "The call the record was made on."),
            response("outcome", "The outcome recorded (the agent's label when it is one, else the service's)."),
            response("sentiment", "The sentiment recorded."),
            response("classified_by", "agent when both labels came from the workflow, service when the service filled at least one."),
            response("outcome_conflict", "true when the workflow's outcome contradicts what the service recorded (e.g. booked with no booking); shown on the call page for review."),
            response("created", "true the first time the call is finalized, false for a retry or a later update."),
            response("message", "A one-line confirmation, for logs."),
        ]
    })
}

fn session_events(base: &str, key: &str) -> Value {
    json!({
        "name": "session_events",
        "kind": "platform webhook",
        "description": "Not an agent tool: the platform POSTs a CloudEvents 1.0 `session.status_changed` event each time a session changes status (queued, in-progress, completed, busy, missed, canceled, failed, voicemail). It is set in the WORKSPACE settings (webhooks), so every workflow's sessions arrive: put this workflow's id (the events' data.use_case_id) in HAPPYROBOT_WORKFLOW_IDS and the others are acknowledged (202) and ignored. The platform builds the body; you set only the URL and the api-key header. A session is never a call by itself: its status, start and end land on the call whose id is data.session_id, or on the call an end-of-call record linked to it (a session_id row beside call_id), whichever order they arrive in.",
        "sent_by": "platform",
        "where": "workspace settings → webhooks",
        "where_evidence": sources::SESSION_EVENTS,
        "parameters": [],
        "request": {
            "method": "POST",
            "url": format!("{base}/api/v1/webhooks/happyrobot"),
            "headers": [{"key": "api-key", "value": key}],
            "body": "built by the platform",
            "evidence": sources::SESSION_EVENTS
        },
        "example_body": {
            "specversion": "1.0",
            "id": "0b9e2f4c-6a1d-4c8e-9f3b-2d7a5e1c8b40",
            "source": "https://platform.happyrobot.ai",
            "type": "session.status_changed",
            "time": "2026-11-21T15:04:12.381Z",
            "datacontenttype": "application/json",
            "data": {
                "schema_version": "2025-01-01",
                "org_id": "7c1d9e2a-3b4f-4a5c-8d6e-9f0a1b2c3d4e",
                "run_id": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
                "session_id": "e3f4a5b6-c7d8-4e9f-a0b1-c2d3e4f5a6b7",
                "use_case_id": "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9",
                "version_id": "9a8b7c6d-5e4f-4321-9876-0fedcba98765",
                "status": {"previous": "in-progress", "current": "completed", "updated_at": "2026-11-21T15:04:11.902Z"},
                "org": {"name": "Acme Logistics"},
                "use_case": {"name": "Inbound carrier sales", "version": "47"}
            }
        },
        "response_fields": [
            response("accepted", "true."),
            response("session_id", "The platform's session (= data.session_id)."),
            response("call_id", "The call the session landed on: the call whose id is the session's, or the one an end-of-call record linked with session_id; null until there is one (the session is kept)."),
            response("status", "The session's current status as recorded."),
        ]
    })
}
