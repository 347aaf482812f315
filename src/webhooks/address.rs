//! Where a webhook may go (SPEC §13.1), against server-side request forgery: an admin
//! registering `http://169.254.169.254/latest/meta-data/…` must not make this service
//! read its own cloud credentials to a receiver's logs.
//!
//! Addresses fall into three kinds:
//! - never reachable: link-local (`169.254.0.0/16`, `fe80::/10`, where AWS, GCP and Azure
//!   serve instance metadata), AWS's IPv6 metadata address `fd00:ec2::254`, unspecified
//!   (`0.0.0.0` and `::` reach this host on Linux), broadcast and multicast;
//! - reachable only with `CARRIER_SALES__WEBHOOKS__ALLOW_PRIVATE=true`: loopback, the
//!   RFC 1918 ranges, shared address space (`100.64.0.0/10`) and unique-local IPv6
//!   (`fc00::/7`), for a TMS inside the same network;
//! - public: everything else.
//!
//! IPv4 written inside IPv6 (mapped `::ffff:a.b.c.d` and the NAT64 prefix `64:ff9b::/96`,
//! which reaches `169.254.169.254` from an IPv6-only subnet) is judged as the IPv4 it
//! carries. The URL is checked at registration and every address is checked again at
//! delivery, after DNS resolution ([`GuardedResolver`]), so a name that later resolves
//! somewhere else is refused then; redirects are never followed.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// What an address is, for a webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    Public,
    /// Loopback or a private range: allowed only when the operator says so.
    Private(&'static str),
    /// Never allowed.
    Forbidden(&'static str),
}

/// The kind of `ip` (see the module docs).
pub fn classify(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, ..] = ip.octets();
    if ip.is_link_local() {
        Reach::Forbidden("a link-local address (cloud instance metadata)")
    } else if a == 0 {
        Reach::Forbidden("an unspecified address")
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Reach::Forbidden("a broadcast, multicast or reserved address")
    } else if ip.is_loopback() {
        Reach::Private("a loopback address")
    } else if ip.is_private() {
        Reach::Private("a private address")
    } else if a == 100 && (64..128).contains(&b) {
        Reach::Private("a shared (carrier-grade NAT) address")
    } else {
        Reach::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Reach {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let o = ip.octets();
        return classify_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        Reach::Forbidden("the AWS instance metadata address")
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Reach::Forbidden("a link-local address")
    } else if ip.is_unspecified() {
        Reach::Forbidden("an unspecified address")
    } else if ip.is_multicast() {
        Reach::Forbidden("a multicast address")
    } else if ip.is_loopback() {
        Reach::Private("a loopback address")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Reach::Private("a unique-local (private) address")
    } else {
        Reach::Public
    }
}

/// Why `ip` may not be reached, or `None` when it may.
pub fn refusal(ip: IpAddr, allow_private: bool) -> Option<String> {
    match classify(ip) {
        Reach::Public => None,
        Reach::Private(_) if allow_private => None,
        Reach::Private(kind) => Some(format!(
            "{ip} is {kind}; set CARRIER_SALES__WEBHOOKS__ALLOW_PRIVATE=true to send webhooks inside your network"
        )),
        Reach::Forbidden(kind) => Some(format!("{ip} is {kind}, which webhooks may never reach")),
    }
}

/// The reasons a URL cannot be a webhook endpoint, before any DNS lookup; the host and
/// port to resolve when it can.
pub fn check_url(raw: &str, https_only: bool) -> Result<(reqwest::Url, String, u16), String> {
    let raw = raw.trim();
    if raw.len() > 2048 {
        return Err("`url` is longer than 2048 characters.".into());
    }
    let url = reqwest::Url::parse(raw).map_err(|e| format!("`url` is not a URL ({e})."))?;
    match url.scheme() {
        "https" => {}
        "http" if !https_only => {}
        "http" => return Err("`url` must be https:// in production.".into()),
        other => return Err(format!("`url` must be an https:// URL, not {other}://.")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("`url` must not carry credentials: receivers check the signature instead.".into());
    }
    if url.fragment().is_some() {
        return Err("`url` must not have a #fragment.".into());
    }
    let host = match bare_host(&url) {
        Some(h) if !h.is_empty() => h.to_string(),
        _ => return Err("`url` has no host.".into()),
    };
    let port = url.port_or_known_default().unwrap_or(443);
    Ok((url, host, port))
}

/// The IP a URL's host is written as, if it is one (reqwest connects to it without
/// asking the resolver, so it is checked on its own).
pub fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    bare_host(url)?.parse().ok()
}

/// The URL's host without the brackets an IPv6 address is written in.
fn bare_host(url: &reqwest::Url) -> Option<&str> {
    Some(url.host_str()?.trim_start_matches('[').trim_end_matches(']'))
}

/// Resolves `host` and refuses it when any address it names may not be reached (a name
/// that answers with one public and one metadata address is refused, not filtered).
pub async fn resolve_checked(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            tokio::net::lookup_host((host, port)).await.map_err(|e| format!("{host} does not resolve ({e})"))?.collect()
        }
    };
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve to any address"));
    }
    for addr in &addrs {
        if let Some(why) = refusal(addr.ip(), allow_private) {
            return Err(if host.parse::<IpAddr>().is_ok() { why } else { format!("{host} resolves to {why}") });
        }
    }
    Ok(addrs)
}

/// reqwest's resolver for webhook deliveries: the system's lookup, then every address
/// checked (see [`resolve_checked`]).
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs = resolve_checked(name.as_str(), 0, allow_private)
                .await
                .map_err(|why| -> Box<dyn std::error::Error + Send + Sync> { why.into() })?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Reach {
        classify(s.parse().unwrap())
    }

    #[test]
    fn metadata_and_link_local_are_forbidden_in_every_spelling() {
        for ip in [
            "169.254.169.254",
            "169.254.0.1",
            "fe80::1",
            "febf::1",
            "fd00:ec2::254",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "0.0.0.0",
            "::",
            "255.255.255.255",
            "224.0.0.1",
            "ff02::1",
        ] {
            assert!(matches!(kind(ip), Reach::Forbidden(_)), "{ip} must be forbidden, was {:?}", kind(ip));
            assert!(refusal(ip.parse().unwrap(), true).is_some(), "{ip} refused even with private allowed");
        }
    }

    #[test]
    fn loopback_and_private_ranges_need_the_operator_s_consent() {
        for ip in [
            "127.0.0.1",
            "127.8.9.1",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "::ffff:10.1.2.3",
            "64:ff9b::a00:1",
        ] {
            assert!(matches!(kind(ip), Reach::Private(_)), "{ip} must be private, was {:?}", kind(ip));
            assert!(refusal(ip.parse().unwrap(), false).is_some());
            assert_eq!(refusal(ip.parse().unwrap(), true), None);
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "64:ff9b::808:808", "fe00::1"] {
            assert_eq!(kind(ip), Reach::Public, "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_before_any_lookup() {
        assert!(check_url("https://tms.example.com/hooks", true).is_ok());
        assert_eq!(check_url("http://tms.example.com/hooks", false).unwrap().2, 80);
        assert!(check_url("http://tms.example.com/hooks", true).unwrap_err().contains("https"));
        assert!(check_url("ftp://tms.example.com/", false).unwrap_err().contains("ftp"));
        assert!(check_url("https://user:pw@tms.example.com/", false).unwrap_err().contains("credentials"));
        assert!(check_url("not a url", false).is_err());
        assert!(check_url(&format!("https://x.example/{}", "a".repeat(2100)), false).is_err());
        let (url, host, port) = check_url("https://[fd00:ec2::254]:8443/x", true).unwrap();
        assert_eq!((host.as_str(), port), ("fd00:ec2::254", 8443));
        assert_eq!(literal_ip(&url), Some("fd00:ec2::254".parse().unwrap()));
    }

    #[tokio::test]
    async fn a_resolved_name_is_judged_by_every_address() {
        let refused = resolve_checked("localhost", 80, false).await.unwrap_err();
        assert!(refused.contains("localhost resolves to") && refused.contains("loopback"), "{refused}");
        assert!(resolve_checked("localhost", 80, true).await.is_ok());
        assert!(resolve_checked("169.254.169.254", 80, true).await.unwrap_err().contains("never"));
    }
}
