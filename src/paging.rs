//! Keyset pagination shared by every list: the `limit` a client may ask for and the opaque
//! cursor that names where the next page starts (the last row's sort key, in hex).

use crate::error::{AppError, AppResult};
use serde::Deserialize;
use utoipa::IntoParams;

/// A page's size and position, for every keyset-paged list.
#[derive(Deserialize, IntoParams, Default, Clone)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 500 (larger values are capped at 500); default 50.
    #[param(pattern = r"^[\s\u0085]*\+?[0-9]*[\s\u0085]*$")]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// `limit` as a page size: 50 when absent, at most 500.
pub fn page_limit(raw: Option<&str>) -> AppResult<i64> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(50),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(n.min(500)),
            _ => Err(AppError::invalid("limit", "`limit` must be a whole number from 1 to 500.")),
        },
    }
}

/// Cursors are the hex of the last row's sort key, so they use only `[0-9a-f]`.
pub fn encode_cursor(key: &str) -> String {
    crate::http::auth::hex(key.as_bytes())
}

/// A list page's position: the last row's sort time and id, as a cursor.
pub fn encode_page_key(at: i64, id: &str) -> String {
    encode_cursor(&format!("{at}|{id}"))
}

/// The position a `cursor` query value names; `None` for the first page.
pub fn decode_page_key(raw: Option<&str>) -> AppResult<Option<(i64, String)>> {
    let Some(raw) = raw.filter(|c| !c.is_empty()) else { return Ok(None) };
    let bad = || AppError::invalid("cursor", "`cursor` is not valid.");
    let key = decode_cursor(raw)?;
    let (at, id) = key.split_once('|').ok_or_else(bad)?;
    Ok(Some((at.parse::<i64>().map_err(|_| bad())?, id.to_string())))
}

pub fn decode_cursor(raw: &str) -> AppResult<String> {
    let bad = || AppError::invalid("cursor", "`cursor` is not one this API gave out.");
    if !raw.is_ascii() || !raw.len().is_multiple_of(2) || raw.len() > 1024 {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> =
        (0..raw.len()).step_by(2).map(|i| u8::from_str_radix(&raw[i..i + 2], 16).ok()).collect();
    String::from_utf8(bytes.ok_or_else(bad)?).map_err(|_| bad())
}

/// A page loaded with one row too many (`limit + 1`, newest first) cut to `limit` rows,
/// with the cursor of the next page when there is one (the last kept row's `key`).
pub fn split_page<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> (i64, &str)) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = if more {
        rows.last().map(|r| {
            let (at, id) = key(r);
            encode_page_key(at, id)
        })
    } else {
        None
    };
    (rows, next)
}
