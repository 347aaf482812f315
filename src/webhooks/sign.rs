//! The signature a receiver checks (SPEC §13.1), in the scheme Stripe made familiar:
//! `X-CarrierSales-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
//! keyed with the endpoint's secret (the whole `whsec_…` string, as shown once at
//! registration). Signing the time with the body lets a receiver refuse replays older
//! than it likes; the event id (`X-CarrierSales-Event-Id`) lets it drop duplicates.

use ring::hmac;

/// A new endpoint's signing secret: 24 random bytes, hex, with a prefix that says what it
/// is when it turns up in a config file.
pub fn new_secret() -> String {
    format!("whsec_{}", crate::http::auth::random_hex(24))
}

/// The `X-CarrierSales-Signature` value for `body` sent at `unix_secs`.
pub fn signature(secret: &str, unix_secs: i64, body: &[u8]) -> String {
    format!("t={unix_secs},v1={}", hex_hmac(secret.as_bytes(), &[unix_secs.to_string().as_bytes(), b".", body]))
}

fn hex_hmac(key: &[u8], parts: &[&[u8]]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut ctx = hmac::Context::with_key(&key);
    for part in parts {
        ctx.update(part);
    }
    crate::http::auth::hex(ctx.sign().as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hex_hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let s = signature("whsec_abc", 1_700_000_000, br#"{"id":"evt_1"}"#);
        assert_eq!(s, format!("t=1700000000,v1={}", hex_hmac(b"whsec_abc", &[b"1700000000.{\"id\":\"evt_1\"}"])));
        assert_ne!(s, signature("whsec_abc", 1_700_000_001, br#"{"id":"evt_1"}"#));
        assert_ne!(s, signature("whsec_abd", 1_700_000_000, br#"{"id":"evt_1"}"#));
        assert_ne!(s, signature("whsec_abc", 1_700_000_000, br#"{"id":"evt_2"}"#));
    }

    #[test]
    fn secrets_are_new_each_time() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.starts_with("whsec_") && a.len() == 6 + 48);
        assert_ne!(a, b);
    }
}
