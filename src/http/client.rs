//! Where a request comes from: the client's address (sign-in throttling counts per
//! client), and the scheme and host the browser asked for (a signed-in browser may change
//! data only from the dashboard's own origin, SPEC §3).
//!
//! Behind Fly's proxy or an AWS load balancer the connecting peer is the proxy, and the
//! client is only named in headers (`Fly-Client-IP` or `X-Forwarded-For`,
//! `X-Forwarded-Proto`, `X-Forwarded-Host`). Anyone can write those headers, so they are
//! believed only when the peer is in `TRUSTED_PROXIES`.

use crate::config::{ClientIpHeader, ServerSettings};
use crate::error::{AppError, ErrorCode};
use actix_web::http::header::{HeaderMap, HOST, ORIGIN};
use actix_web::http::Method;
use actix_web::HttpRequest;
use anyhow::anyhow;
use std::net::{IpAddr, SocketAddr};

/// An address block: `10.0.0.0/8`, `fdaa::/16`, or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
        };
        (prefix <= max).then(|| Cidr { network: masked(addr, prefix), prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.network.is_ipv4() && masked(ip, self.prefix) == self.network
    }
}

fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & mask).into())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & mask).into())
        }
    }
}

/// An address as proxies write it: `203.0.113.7`, `2001:db8::7`, `[2001:db8::7]`, or with
/// a port.
fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let ip = s
        .parse::<IpAddr>()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| s.strip_prefix('[')?.strip_suffix(']')?.parse().ok())?;
    Some(ip.to_canonical())
}

/// The proxies in front of us (`TRUSTED_PROXIES`) and the header they name the client in.
#[derive(Clone, Debug, Default)]
pub struct Proxies {
    trusted: Vec<Cidr>,
    client_header: ClientIpHeader,
}

impl Proxies {
    pub fn from_settings(s: &ServerSettings) -> anyhow::Result<Proxies> {
        let trusted = s
            .trusted_proxies
            .iter()
            .map(|entry| {
                Cidr::parse(entry).ok_or_else(|| {
                    anyhow!("TRUSTED_PROXIES entry `{entry}` is not an IP address or CIDR block (e.g. 10.0.0.0/16, fdaa::/16)")
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Proxies { trusted, client_header: s.client_ip_header })
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|block| block.contains(ip))
    }

    fn peer_is_trusted(&self, req: &HttpRequest) -> bool {
        req.peer_addr().is_some_and(|a| self.trusts(a.ip()))
    }

    /// The client's address: the peer itself, unless the peer is a trusted proxy.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        self.client_ip_from(req.peer_addr()?.ip(), req.headers())
    }

    fn client_ip_from(&self, peer: IpAddr, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        match self.client_header {
            // Fly's proxy sets this header itself, whatever the client sent.
            ClientIpHeader::FlyClientIp => {
                Some(headers.get("fly-client-ip").and_then(|v| parse_ip(v.to_str().ok()?)).unwrap_or(peer))
            }
            // Each proxy appends the address it was reached from. Walking from the right
            // past our own proxies, the first address we do not trust is the client's;
            // whatever is left of it the client wrote itself and proves nothing.
            ClientIpHeader::XForwardedFor => {
                let hops: Vec<&str> = headers
                    .get_all("x-forwarded-for")
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .collect();
                let mut client = peer;
                for hop in hops.iter().rev() {
                    let Some(ip) = parse_ip(hop) else { break };
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                Some(client)
            }
        }
    }

    /// The last value a trusted proxy put in a forwarding header (the one it appended).
    fn forwarded<'a>(&self, req: &'a HttpRequest, name: &str) -> Option<&'a str> {
        if !self.peer_is_trusted(req) {
            return None;
        }
        let value = req.headers().get(name)?.to_str().ok()?;
        value.rsplit(',').next().map(str::trim).filter(|v| !v.is_empty())
    }

    /// `https` when we serve TLS ourselves or a trusted proxy says the client used it.
    pub fn scheme(&self, req: &HttpRequest) -> &'static str {
        if req.app_config().secure() {
            return "https";
        }
        match self.forwarded(req, "x-forwarded-proto").map(str::to_ascii_lowercase).as_deref() {
            Some("https") => "https",
            _ => "http",
        }
    }

    fn host(&self, req: &HttpRequest) -> Option<String> {
        let host = match self.forwarded(req, "x-forwarded-host") {
            Some(h) => h,
            None => match req.headers().get(HOST) {
                Some(h) => h.to_str().ok()?,
                None => req.uri().authority()?.as_str(),
            },
        };
        Some(host.trim().to_ascii_lowercase())
    }

    /// `origin` is where the browser sees this service. Over plain HTTP, `https://` with
    /// our own host counts too: that is a TLS-terminating proxy in front which is not (yet)
    /// in `TRUSTED_PROXIES`, and only whoever runs this host can serve a page there.
    fn is_own_origin(&self, req: &HttpRequest, origin: &str) -> bool {
        let Some(host) = self.host(req) else { return false };
        let scheme = self.scheme(req);
        origin == join_origin(scheme, &host) || (scheme == "http" && origin == join_origin("https", &host))
    }

    /// A cookie-authenticated request that changes state must come from the dashboard's
    /// own origin (or a `CORS_ORIGINS` entry). `SameSite=Strict` keeps other sites'
    /// requests from carrying the cookie, but not a sibling subdomain's; the browser's
    /// `Origin` and `Sec-Fetch-Site` say where a request was made. A request with neither
    /// header is not from a browser page, and is allowed.
    pub fn refuse_cross_origin(&self, req: &HttpRequest, cors_origins: &[String]) -> Result<(), AppError> {
        if is_safe(req.method()) {
            return Ok(());
        }
        let headers = req.headers();
        // Present but unreadable (or `null`) counts as another origin.
        let origin = headers.get(ORIGIN).map(|v| v.to_str().ok().and_then(normalize_origin));
        let listed = match &origin {
            Some(Some(o)) => cors_origins.iter().filter_map(|c| normalize_origin(c)).any(|c| &c == o),
            _ => false,
        };
        let same_origin = match &origin {
            None => true,
            Some(None) => false,
            Some(Some(o)) => listed || self.is_own_origin(req, o),
        };
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).map(str::trim);
        let other_site =
            fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site") || s.eq_ignore_ascii_case("same-site"));
        // A `CORS_ORIGINS` entry is another site on purpose; any other site is refused.
        if same_origin && (listed || !other_site) {
            return Ok(());
        }
        Err(AppError::new(
            ErrorCode::CrossOriginRefused,
            "A signed-in browser may change data only from the dashboard's own origin; other callers use an API key.",
        ))
    }
}

fn is_safe(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE].contains(method)
}

/// `scheme://host[:port]`, lower case, without the scheme's default port.
fn join_origin(scheme: &str, host: &str) -> String {
    let default_port = match scheme {
        "https" => Some(":443"),
        "http" => Some(":80"),
        _ => None,
    };
    let host = default_port.and_then(|p| host.strip_suffix(p)).unwrap_or(host);
    format!("{scheme}://{host}")
}

fn normalize_origin(s: &str) -> Option<String> {
    let (scheme, host) = s.trim().split_once("://")?;
    let host = host.strip_suffix('/').unwrap_or(host);
    if scheme.is_empty() || host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return None;
    }
    Some(join_origin(&scheme.to_ascii_lowercase(), &host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn proxies(blocks: &[&str], client_header: ClientIpHeader) -> Proxies {
        let s = ServerSettings {
            trusted_proxies: blocks.iter().map(|b| b.to_string()).collect(),
            client_ip_header: client_header,
            ..ServerSettings::default()
        };
        Proxies::from_settings(&s).unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(HeaderName::from_static(name), HeaderValue::from_str(value).unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_blocks_parse_and_match_both_families() {
        let v4 = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(v4.contains(ip("10.1.255.3")));
        assert!(!v4.contains(ip("10.2.0.1")));
        assert!(v4.contains(ip("::ffff:10.1.0.9")), "an IPv4-mapped peer is the IPv4 address");
        let v6 = Cidr::parse("fdaa::/16").unwrap();
        assert!(v6.contains(ip("fdaa:0:1::3")));
        assert!(!v6.contains(ip("fdab::1")));
        assert!(!v6.contains(ip("10.1.0.1")));
        assert!(Cidr::parse("192.0.2.7").unwrap().contains(ip("192.0.2.7")));
        assert!(!Cidr::parse("192.0.2.7").unwrap().contains(ip("192.0.2.8")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.1")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("2001:db8::1")));
        assert!(Cidr::parse("10.1.2.3/8").unwrap().contains(ip("10.200.0.1")), "host bits are ignored");
        for bad in
            ["", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "10.0.0.0/-1", "10.0.0.0/+8", "fly", "10.0.0.0/0008"]
        {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_invalid_trusted_proxies_entry_stops_start_up_naming_the_variable() {
        let mut s = crate::config::Settings::default();
        s.server.trusted_proxies = vec!["10.0.0.0/8".into(), "10.0.0.0/33".into()];
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("TRUSTED_PROXIES") && err.contains("10.0.0.0/33"), "{err}");
    }

    /// The only test that sets these variables (the environment is the process's).
    #[test]
    fn trusted_proxies_are_read_from_the_environment() {
        std::env::set_var("TRUSTED_PROXIES", "10.0.0.0/16, fdaa::/16");
        std::env::set_var("CARRIER_SALES__SERVER__CLIENT_IP_HEADER", "fly-client-ip");
        let loaded = crate::config::Settings::load();
        std::env::set_var("TRUSTED_PROXIES", "10.0.0.0/16,proxy.internal");
        let refused = crate::config::Settings::load();
        std::env::remove_var("TRUSTED_PROXIES");
        std::env::remove_var("CARRIER_SALES__SERVER__CLIENT_IP_HEADER");
        let s = loaded.unwrap();
        assert_eq!(s.server.trusted_proxies, ["10.0.0.0/16", "fdaa::/16"]);
        assert_eq!(s.server.client_ip_header, ClientIpHeader::FlyClientIp);
        let err = format!("{:#}", refused.unwrap_err());
        assert!(err.contains("TRUSTED_PROXIES") && err.contains("proxy.internal"), "{err}");
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let p = proxies(&["10.0.0.0/8", "fdaa::/16"], ClientIpHeader::XForwardedFor);
        let xff = |v: &str| headers(&[("x-forwarded-for", v)]);
        // From an untrusted peer the header is ignored.
        assert_eq!(p.client_ip_from(ip("198.51.100.1"), &xff("203.0.113.7")), Some(ip("198.51.100.1")));
        // From a trusted proxy: the right-most address it does not trust.
        assert_eq!(p.client_ip_from(ip("10.0.0.2"), &xff("203.0.113.7")), Some(ip("203.0.113.7")));
        assert_eq!(p.client_ip_from(ip("10.0.0.2"), &xff("1.1.1.1, 203.0.113.7, 10.0.0.9")), Some(ip("203.0.113.7")));
        assert_eq!(p.client_ip_from(ip("fdaa::2"), &xff("2001:db8::7")), Some(ip("2001:db8::7")));
        assert_eq!(p.client_ip_from(ip("::ffff:10.0.0.2"), &xff("[2001:db8::7]:4711")), Some(ip("2001:db8::7")));
        // Spread over several header lines.
        let two = headers(&[("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(p.client_ip_from(ip("10.0.0.2"), &two), Some(ip("203.0.113.7")));
        // Nothing usable: the proxy is all we know.
        assert_eq!(p.client_ip_from(ip("10.0.0.2"), &HeaderMap::new()), Some(ip("10.0.0.2")));
        assert_eq!(p.client_ip_from(ip("10.0.0.2"), &xff("garbage")), Some(ip("10.0.0.2")));
        // A Fly header is not believed when the proxies name clients in X-Forwarded-For.
        let fly = headers(&[("fly-client-ip", "192.0.2.1"), ("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(p.client_ip_from(ip("10.0.0.2"), &fly), Some(ip("203.0.113.7")));

        let p = proxies(&["172.16.0.0/12"], ClientIpHeader::FlyClientIp);
        assert_eq!(p.client_ip_from(ip("172.19.0.1"), &fly), Some(ip("192.0.2.1")));
        assert_eq!(p.client_ip_from(ip("198.51.100.1"), &fly), Some(ip("198.51.100.1")));
    }

    #[test]
    fn origins_compare_without_default_ports_or_case() {
        assert_eq!(normalize_origin("HTTPS://Ops.Example.com:443").as_deref(), Some("https://ops.example.com"));
        assert_eq!(normalize_origin("http://localhost:8080/").as_deref(), Some("http://localhost:8080"));
        assert_eq!(normalize_origin("http://[::1]:80").as_deref(), Some("http://[::1]"));
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("https://a.example/path"), None);
        assert_eq!(join_origin("https", "ops.example.com:8443"), "https://ops.example.com:8443");
    }
}
