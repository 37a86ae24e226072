//! Who the client is, and what address it reached us at.
//!
//! The client: the peer address of the connection, unless the peer is one of
//! `server.trusted_proxies`: then the address that proxy names in its header
//! (`server.client_ip_header`), read from the right, skipping hops that are trusted proxies
//! themselves. Everything left of the first untrusted hop was written by the client and could
//! say anything, so it is never believed.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

use crate::config::{ClientIpHeader, Config, ConfigError, IpNet, ServerConfig, canonical};

/// Where page links point (`scheme://host[:port][/prefix]`), set on every request by
/// `server::guard` after removing whatever the client sent under this name, and read by
/// `http::conventions::page_link`.
pub const LINK_BASE: HeaderName = HeaderName::from_static("x-oasys-link-base");

/// The base of the links in an answer: `public_url` when set; else `http://` and the request's
/// `Host` when its name is one of `server.allowed_hosts`; else `http://` and the listen address.
/// A `Host` header is the client's to write, so links never name a host the operator did not.
pub fn link_base(config: &Config, headers: &HeaderMap) -> HeaderValue {
    let public = config.public_url.as_deref().map(|u| u.trim_end_matches('/'));
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| allowed_host(h, &config.server.allowed_hosts));
    let base = match (public, host) {
        (Some(url), _) => url.to_owned(),
        (None, Some(host)) => format!("http://{host}"),
        (None, None) => format!("http://{}", config.listen),
    };
    HeaderValue::from_str(&base).unwrap_or_else(|_| HeaderValue::from_static("http://localhost"))
}

/// `name` or `name:port`, where `name` is on the list (ignoring case) and `port` is a number.
fn allowed_host(host: &str, allowed: &[String]) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && (!name.contains(':') || name.ends_with(']')) => (name, Some(port)),
        _ => (host, None),
    };
    port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        && allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// The client address the server settled on for a request (a request extension).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// How client addresses are found: the trusted proxies and the header they write.
#[derive(Debug, Clone)]
pub struct ClientAddrs {
    proxies: Vec<IpNet>,
    header: ClientIpHeader,
}

impl ClientAddrs {
    pub fn new(server: &ServerConfig) -> Result<ClientAddrs, ConfigError> {
        Ok(ClientAddrs {
            proxies: server.proxies()?,
            header: server.client_ip_header,
        })
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.trusted(client) {
            return client;
        }
        let hops = match self.header {
            ClientIpHeader::XForwardedFor => hops(headers, "x-forwarded-for", address),
            ClientIpHeader::Forwarded => hops(headers, header::FORWARDED.as_str(), forwarded_for),
        };
        for hop in hops.into_iter().rev() {
            // An unreadable hop (`unknown`, an obfuscated name) ends the walk at the proxy that
            // wrote it: its clients share one address rather than choose their own.
            let Some(ip) = hop else { break };
            client = ip;
            if !self.trusted(ip) {
                break;
            }
        }
        client
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.proxies.iter().any(|net| net.contains(ip))
    }
}

/// The comma-separated hops of every instance of `name`, in order, each read by `read`.
fn hops(headers: &HeaderMap, name: &str, read: impl Fn(&str) -> Option<IpAddr>) -> Vec<Option<IpAddr>> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| {
            let text = value.to_str().unwrap_or("");
            text.split(',').map(|hop| read(hop.trim())).collect::<Vec<_>>()
        })
        .collect()
}

/// `203.0.113.9`, `203.0.113.9:4711`, `2001:db8::1`, `[2001:db8::1]:4711`.
fn address(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| text.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
        .map(canonical)
}

/// The `for=` of one RFC 7239 element: `for=192.0.2.60;proto=https;by=203.0.113.43`.
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then(|| address(value))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn addrs(proxies: &[&str], header: ClientIpHeader) -> ClientAddrs {
        ClientAddrs::new(&ServerConfig {
            trusted_proxies: proxies.iter().map(|p| (*p).to_owned()).collect(),
            client_ip_header: header,
            ..ServerConfig::default()
        })
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let a = addrs(&[], ClientIpHeader::XForwardedFor);
        let h = headers(&[("x-forwarded-for", "198.51.100.7")]);
        assert_eq!(a.client(ip("127.0.0.1"), &h), ip("127.0.0.1"));
        let a = addrs(&["10.0.0.0/8"], ClientIpHeader::XForwardedFor);
        assert_eq!(a.client(ip("192.0.2.1"), &h), ip("192.0.2.1"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let a = addrs(&["127.0.0.1", "10.0.0.0/8"], ClientIpHeader::XForwardedFor);
        let peer = ip("127.0.0.1");
        // The client wrote 1.1.1.1 itself; the proxy appended the address it saw.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(a.client(peer, &h), ip("203.0.113.9"));
        let two = headers(&[("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.9:5000")]);
        assert_eq!(a.client(peer, &two), ip("203.0.113.9"));
        assert_eq!(a.client(peer, &headers(&[])), peer, "no header: the proxy itself");
        let all_trusted = headers(&[("x-forwarded-for", "10.1.1.1, 10.0.0.5")]);
        assert_eq!(a.client(peer, &all_trusted), ip("10.1.1.1"));
        let garbage = headers(&[("x-forwarded-for", "1.1.1.1, nonsense")]);
        assert_eq!(a.client(peer, &garbage), peer, "an unreadable hop is not believed");
        let v6 = headers(&[("x-forwarded-for", "[2001:db8::7]:443")]);
        assert_eq!(a.client(ip("::ffff:127.0.0.1"), &v6), ip("2001:db8::7"));
        // Only the configured header is read.
        let other = headers(&[("forwarded", "for=198.51.100.1")]);
        assert_eq!(a.client(peer, &other), peer);
    }

    #[test]
    fn links_name_public_url_else_an_allowed_host_else_the_listen_address() {
        let mut config = Config::default();
        let base = |config: &Config, host: &'static str| {
            link_base(config, &headers(&[("host", host)]))
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(base(&config, "localhost:8000"), "http://localhost:8000");
        assert_eq!(base(&config, "127.0.0.1:41234"), "http://127.0.0.1:41234");
        assert_eq!(base(&config, "[::1]:8000"), "http://[::1]:8000");
        for evil in [
            "evil.example",
            "localhost.evil.example",
            "localhost:80/x",
            "localhost:x",
            "evil@localhost",
        ] {
            assert_eq!(base(&config, evil), "http://127.0.0.1:8000", "{evil}");
        }
        config.server.allowed_hosts = vec!["Books.Example.com".into()];
        assert_eq!(base(&config, "books.example.com"), "http://books.example.com");
        assert_eq!(base(&config, "localhost:8000"), "http://127.0.0.1:8000");
        config.public_url = Some("https://books.example.com/oasys/".into());
        assert_eq!(base(&config, "evil.example"), "https://books.example.com/oasys");
    }

    #[test]
    fn forwarded_is_read_when_configured() {
        let a = addrs(&["127.0.0.1"], ClientIpHeader::Forwarded);
        let h = headers(&[(
            "forwarded",
            "for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=127.0.0.1",
        )]);
        assert_eq!(a.client(ip("127.0.0.1"), &h), ip("2001:db8:cafe::17"));
        let hidden = headers(&[("forwarded", "For=unknown")]);
        assert_eq!(a.client(ip("127.0.0.1"), &hidden), ip("127.0.0.1"));
        let xff = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(a.client(ip("127.0.0.1"), &xff), ip("127.0.0.1"));
    }
}
