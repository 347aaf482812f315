//! The OpenAPI schemas of what `parse` accepts: the lenient input scalars (amounts as
//! numbers or strings such as `"$2,450"`, ids as strings or numbers, MC numbers in any
//! spelling, dates in several forms) and the output scalars every room shares (USD
//! amounts, RFC 3339 times). Written by hand because they describe the parser's
//! leniency, not a Rust type; each room's `views.rs` names them.

use serde_json::json;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaType};
use utoipa::openapi::{Ref, RefOr};
use utoipa::ToSchema;

pub fn raw(v: serde_json::Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(v).expect("a valid schema"))
}

macro_rules! raw_schema {
    ($(#[$doc:meta])* $name:ident = $json:tt) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                raw(json!($json))
            }
        }
        impl ToSchema for $name {}
    };
}

raw_schema!(
    /// A USD amount in a request.
    LenientAmount = {
        "type": ["number", "string"],
        "minimum": 0,
        "maximum": 1_000_000,
        "description": "US dollars: a number (`2450`, `2450.5`) or a string such as `\"2450\"`, `\"2,450\"`, `\"$2,450.00\"` or `\"2450 USD\"`; rounded to the cent. `0`, `\"\"`, `\"null\"`, `\"none\"` and `\"N/A\"` mean no value. Negative or above 1,000,000 is a 422.",
        "examples": [2450, "$2,450"]
    }
);

raw_schema!(
    /// A whole count in a request.
    LenientCount = {
        "type": ["integer", "string"],
        "minimum": 0,
        "description": "A whole number, as a number or a string (`3`, `\"3\"`, `\"1,200\"`). `\"\"`, `\"null\"` and `\"N/A\"` mean no value.",
        "examples": [3, "3"]
    }
);

raw_schema!(
    /// A number in a request.
    LenientNumber = {
        "type": ["number", "string"],
        "description": "A number, as a number or a string (`150`, `\"150\"`). `0`, `\"\"`, `\"null\"` and `\"N/A\"` mean no value.",
        "examples": [150, "150"]
    }
);

raw_schema!(
    /// A yes/no value in a request.
    LenientBool = {
        "type": ["boolean", "string", "integer"],
        "description": "`true`, `\"true\"`, `\"yes\"`, `\"Y\"`, `1` and their negatives (`false`, `\"no\"`, `\"N\"`, `0`); `\"\"` and `\"null\"` mean no value.",
        "examples": [true, "yes"]
    }
);

raw_schema!(
    /// An identifier in a request.
    IdInput = {
        "type": ["string", "number"],
        "maxLength": 128,
        "description": "An id as a string or a number, at most 128 characters. `0`, `\"\"`, `\"null\"` and `\"N/A\"` mean no value.",
        "examples": ["call-8f2a", "L-1001"]
    }
);

raw_schema!(
    /// A short text in a request.
    TextInput = {
        "type": ["string", "number"],
        "maxLength": 200,
        "description": "Text, at most 200 characters (a number is read as its digits). `\"\"`, `\"null\"`, `\"none\"` and `\"N/A\"` mean no value."
    }
);

raw_schema!(
    /// An MC (docket) number in a request.
    McInput = {
        "type": ["string", "integer"],
        "description": "An MC number in any of the platform's spellings: `123456`, `\"123456\"`, `\"MC123456\"`, `\"MC-123456\"`, `\"mc 123456\"`, `\"MC#123456\"` (at most 8 digits). `0`, `\"\"` and `\"null\"` mean no value; a value that cannot be an MC number is a 422.",
        "examples": ["MC-700010", 700010]
    }
);

raw_schema!(
    /// A USDOT number in a request.
    DotInput = {
        "type": ["string", "integer"],
        "description": "A USDOT number: digits only, at most 8, as a number or a string. `0`, `\"\"` and `\"null\"` mean no value.",
        "examples": ["9100010", 9100010]
    }
);

raw_schema!(
    /// A date or time in a request.
    DateTimeInput = {
        "type": ["string", "number"],
        "description": "RFC 3339 (`2026-11-24T08:00:00-06:00`), a date (`2026-11-24`), a local time (`2026-11-24 08:00`, `2026-11-24T08:00:00`), the platform's `Monday, November 24, 2026 08:00:00 AM UTC`, or epoch seconds or milliseconds. `\"\"` and `\"null\"` mean no value.",
        "examples": ["2026-11-24", "2026-11-24T08:00:00-06:00"]
    }
);

raw_schema!(
    /// A transcript in a request.
    TranscriptInput = {
        "oneOf": [
            {"type": "string", "maxLength": 200_000, "description": "Plain text; `Agent: ...` / `Carrier: ...` lines become turns. A JSON string holding a list of turns is read as that list."},
            {"type": "array", "items": {"type": ["object", "string", "null"], "description": "A `{\"role\", \"content\"}` turn (also `speaker`, `text`, `message`) or a line of text."}}
        ],
        "description": "The call's transcript, at most 200,000 characters. Roles are normalised to `agent` and `carrier`."
    }
);

raw_schema!(
    /// The `extracted` member of a finalize body.
    ExtractedInput = {
        "type": ["object", "string"],
        "description": "What the platform's extraction produced: a JSON object, or a string holding one; at most 64 KiB. Stored and shown on the call."
    }
);

raw_schema!(
    /// US dollars in an answer.
    Usd = {
        "type": "number",
        "description": "US dollars (2150 or 2150.5).",
        "examples": [2150]
    }
);

raw_schema!(
    /// A point in time in an answer.
    Timestamp = {
        "type": "string",
        "format": "date-time",
        "description": "RFC 3339 with an offset (`2026-11-24T08:00:00-06:00`, `2026-11-22T03:37:00Z`).",
        "examples": ["2026-11-24T08:00:00-06:00"]
    }
);

pub fn long_text(max: usize, required: bool, description: &str) -> Schema {
    let types: &[&str] = if required { &["string", "number"] } else { &["string", "number", "null"] };
    serde_json::from_value(json!({"type": types, "maxLength": max, "description": description}))
        .expect("a valid schema")
}

pub fn summary_text() -> Schema {
    long_text(10_000, false, "The agent's summary of the call, at most 10,000 characters.")
}

pub fn any_value() -> Schema {
    Schema::Object(ObjectBuilder::new().schema_type(SchemaType::AnyValue).build())
}

/// A member the server reads only in some cases (and ignores otherwise): its usual form,
/// but any value is taken when it is not read, so the schema does not narrow it.
pub fn read_sometimes(usual: &str, description: &str) -> Schema {
    Schema::AnyOf(
        AnyOfBuilder::new().item(Ref::from_schema_name(usual)).item(any_value()).description(Some(description)).build(),
    )
}
