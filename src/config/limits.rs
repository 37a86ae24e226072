//! The `[auth]` and `[server]` settings: sign-in throttling, password hashing, the reverse
//! proxies trusted to name the client, the hosts links may name, timeouts and the connection
//! cap. `docs/security.md` lists each with what it defends against.

use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    pub access_token_minutes: u64,
    pub refresh_token_days: u64,
    /// Failed sign-ins (or password changes) one client may make on one account before each
    /// further attempt waits: 1 s, then twice as long each time, up to `login_max_delay_seconds`.
    /// Across all clients, an account starts waiting after ten times as many.
    pub login_failures_before_delay: u32,
    /// The longest wait between two attempts on one account, in seconds. A correct password
    /// sent after the wait always signs in: nothing locks an account.
    pub login_max_delay_seconds: u64,
    /// Failed sign-ins allowed per client address per sliding minute, over all accounts.
    pub login_attempts_per_ip_per_minute: usize,
    /// Password hashes computed at once (each holds 19 MiB); unset: one per core.
    pub concurrent_password_hashes: Option<usize>,
    /// Seconds a request may rely on the signed-in user (role, access, active, firm active) as
    /// read by an earlier request, instead of re-reading it (`auth::callers`). Any change made
    /// through this server applies to the very next request whatever this says; this bounds how
    /// long a change made by another server or by `oasys user …` takes. 0: read every time.
    pub caller_cache_seconds: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            access_token_minutes: 15,
            refresh_token_days: 7,
            login_failures_before_delay: 5,
            login_max_delay_seconds: 30,
            login_attempts_per_ip_per_minute: 100,
            concurrent_password_hashes: None,
            caller_cache_seconds: 2,
        }
    }
}

impl AuthConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=3600).contains(&self.login_max_delay_seconds) {
            return Err(ConfigError::Invalid(
                "auth.login_max_delay_seconds must be between 1 and 3600".into(),
            ));
        }
        if self.caller_cache_seconds > 60 {
            return Err(ConfigError::Invalid(
                "auth.caller_cache_seconds must be between 0 and 60".into(),
            ));
        }
        if self.concurrent_password_hashes == Some(0) {
            return Err(ConfigError::Invalid(
                "auth.concurrent_password_hashes must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// How the server treats connections and what it believes about them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Reverse proxies (addresses or CIDR ranges) whose client header names the client. A
    /// request from any other peer is taken to come from that peer, whatever it says.
    pub trusted_proxies: Vec<String>,
    /// The header a trusted proxy names the client in.
    pub client_ip_header: ClientIpHeader,
    /// Host names (of the `Host` header) that page links may name when `public_url` is unset.
    pub allowed_hosts: Vec<String>,
    /// Seconds a client has to send a request's head (the request line and headers); an idle
    /// kept-alive connection is closed after as long.
    pub header_timeout_seconds: u64,
    /// Seconds a request body may go without sending anything.
    pub body_timeout_seconds: u64,
    /// Seconds from a request's head to its answer; past it the server answers 503.
    pub request_timeout_seconds: u64,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            trusted_proxies: Vec::new(),
            client_ip_header: ClientIpHeader::XForwardedFor,
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
            header_timeout_seconds: 15,
            body_timeout_seconds: 30,
            request_timeout_seconds: 120,
            max_connections: 1024,
        }
    }
}

/// Where a trusted proxy names the client. Only one is read: a proxy that appends to one
/// header passes the other through as the client wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientIpHeader {
    #[serde(rename = "x-forwarded-for")]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=…`.
    #[serde(rename = "forwarded")]
    Forwarded,
}

impl ServerConfig {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_seconds)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_seconds)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_seconds)
    }

    /// The parsed `trusted_proxies`.
    pub fn proxies(&self) -> Result<Vec<IpNet>, ConfigError> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                IpNet::parse(p).ok_or_else(|| {
                    ConfigError::Invalid(format!(
                        "server.trusted_proxies: {p:?} is not an address or a range such as 10.0.0.0/8"
                    ))
                })
            })
            .collect()
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.proxies()?;
        for (name, value) in [
            ("header_timeout_seconds", self.header_timeout_seconds),
            ("body_timeout_seconds", self.body_timeout_seconds),
            ("request_timeout_seconds", self.request_timeout_seconds),
        ] {
            if !(1..=86_400).contains(&value) {
                return Err(ConfigError::Invalid(format!(
                    "server.{name} must be between 1 and 86400 seconds"
                )));
            }
        }
        if self.max_connections == 0 {
            return Err(ConfigError::Invalid("server.max_connections must be at least 1".into()));
        }
        Ok(())
    }
}

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address (`127.0.0.1`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(text: &str) -> Option<IpNet> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let addr = canonical(addr.trim_start_matches('[').trim_end_matches(']').parse().ok()?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports) is
/// the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_their_addresses_and_no_others() {
        let net = IpNet::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.200.3.4")));
        assert!(net.contains(ip("::ffff:10.1.1.1")), "an IPv4-mapped peer");
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::1")));
        let one = IpNet::parse("127.0.0.1").unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6 = IpNet::parse("fd00::/8").unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(IpNet::parse("[::1]").unwrap().contains(ip("::1")));
        assert!(IpNet::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.9")));
        for bad in ["", "10.0.0.0/33", "::/129", "proxy.local", "10.0.0.0/x"] {
            assert_eq!(IpNet::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn trusted_proxies_come_from_the_environment_as_a_list() {
        let env: std::collections::HashMap<String, String> = [
            ("OASYS_SERVER__TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8"),
            ("OASYS_SERVER__CLIENT_IP_HEADER", "forwarded"),
            ("OASYS_AUTH__LOGIN_MAX_DELAY_SECONDS", "20"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let config = crate::config::Config::load(&crate::config::Flags::default(), &env).unwrap();
        assert_eq!(config.server.trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        assert_eq!(config.server.client_ip_header, ClientIpHeader::Forwarded);
        assert_eq!(config.auth.login_max_delay_seconds, 20);
        assert_eq!(config.server.proxies().unwrap().len(), 2);
    }

    #[test]
    fn bad_server_settings_are_named() {
        let bad = ServerConfig {
            trusted_proxies: vec!["10.0.0.0/8".into(), "gateway".into()],
            ..ServerConfig::default()
        };
        let e = bad.validate().unwrap_err().to_string();
        assert!(e.contains("server.trusted_proxies") && e.contains("gateway"), "{e}");
        let zero = ServerConfig {
            header_timeout_seconds: 0,
            ..ServerConfig::default()
        };
        assert!(
            zero.validate()
                .unwrap_err()
                .to_string()
                .contains("header_timeout_seconds")
        );
        assert!(ServerConfig::default().header_timeout() <= Duration::from_secs(30));
    }
}
