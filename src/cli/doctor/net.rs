//! The network checks of `oasys doctor`: the listen port or the server answering on it (over a
//! minimal HTTP/1.1 GET, as the binary carries no HTTP client), and the mail server.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::{Report, is_loopback_host, url_host};
use crate::config::{Config, SmtpConfig};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Where to ask for `/api/health/`: (host:port to connect to and name in `Host`, path prefix).
fn target(config: &Config, url: Option<&str>) -> Result<(String, String), String> {
    match url {
        Some(url) => {
            let Some(rest) = url.strip_prefix("http://") else {
                return Err(format!(
                    "{url}: only http:// URLs can be asked; use the server's own listen address"
                ));
            };
            let (authority, prefix) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let authority = if authority.contains(':') && !authority.ends_with(']') {
                authority.to_owned()
            } else {
                format!("{authority}:80")
            };
            let prefix = prefix.trim_matches('/');
            let prefix = if prefix.is_empty() {
                String::new()
            } else {
                format!("/{prefix}")
            };
            Ok((authority, prefix))
        }
        None => {
            let addr: SocketAddr = config
                .listen
                .parse()
                .map_err(|_| format!("listen = {:?} is not an address", config.listen))?;
            let ip = match addr.ip() {
                IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
                IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
                ip => ip,
            };
            Ok((SocketAddr::new(ip, addr.port()).to_string(), String::new()))
        }
    }
}

/// The listen port is free, or an OASYS server answers on it; with `require`, only the latter.
pub(super) fn server(report: &mut Report, config: &Config, url: Option<&str>, require: bool) {
    let check = "server";
    let (authority, prefix) = match target(config, url) {
        Ok(t) => t,
        Err(e) => return report.fail(check, e, "give --url http://HOST:PORT"),
    };
    if url.is_none() && !require {
        match TcpListener::bind(&config.listen) {
            Ok(listener) => {
                drop(listener);
                return report.ok(
                    check,
                    format!("{} is free: `oasys serve` can listen there", config.listen),
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {} // someone listens: ask them
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return report.fail(
                    check,
                    format!("cannot listen on {}: {e}", config.listen),
                    "use a port of 1024 or above behind a reverse proxy (ports below need CAP_NET_BIND_SERVICE)",
                );
            }
            Err(e) => {
                return report.fail(
                    check,
                    format!("cannot listen on {}: {e}", config.listen),
                    "set listen to an address of this machine, e.g. 127.0.0.1:8000",
                );
            }
        }
    }
    let health_url = format!("http://{authority}{prefix}/api/health/");
    match get(&authority, &format!("{prefix}/api/health/")) {
        Ok((200, body)) => {
            let health: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let version = health["version"].as_str().unwrap_or("?");
            let backend = health["database"]["backend"].as_str().unwrap_or("?");
            report.ok(
                check,
                format!("{health_url}: OASYS {version} answers, {backend} reachable"),
            );
            if !require && version != env!("CARGO_PKG_VERSION") {
                report.warn(
                    check,
                    format!(
                        "the server runs {version}, this binary is {}",
                        env!("CARGO_PKG_VERSION")
                    ),
                    "restart the server to run the installed version (systemctl restart oasys)",
                );
            }
        }
        Ok((503, _)) => report.fail(
            check,
            format!("{health_url}: the server answers, its database does not"),
            "see the database lines above and the server's log (journalctl -u oasys)",
        ),
        Ok((status, _)) => report.fail(
            check,
            format!("{health_url} answered {status}: another program holds this address"),
            "stop it, or set listen (and --url) to the address OASYS serves on",
        ),
        Err(e) => report.fail(
            check,
            format!("{health_url}: {e}"),
            if require {
                "start the server (systemctl start oasys) and see its log"
            } else {
                "the port is taken but nothing answers HTTP there: stop that program or change listen"
            },
        ),
    }
}

/// A minimal HTTP/1.1 GET (the binary carries no HTTP client): (status, body).
fn get(authority: &str, path: &str) -> Result<(u16, String), String> {
    let addrs: Vec<SocketAddr> = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .collect();
    let mut last = format!("{authority} resolves to no address");
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("no answer: {e}"),
        }
    }
    let mut stream = stream.ok_or(last)?;
    let io = |e: std::io::Error| format!("no answer: {e}");
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: oasys-doctor\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    stream.take(1024 * 1024).read_to_end(&mut raw).map_err(io)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("not an HTTP answer")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| head.starts_with("HTTP/"))
        .ok_or("not an HTTP answer")?;
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "transfer-encoding:chunked");
    Ok((status, if chunked { dechunk(body) } else { body.to_owned() }))
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

pub(super) fn smtp(report: &mut Report, smtp: &SmtpConfig) {
    let check = "smtp";
    if !smtp.enabled() {
        return report.ok(
            check,
            "off: documents are not e-mailed (set smtp.url and smtp.from to send them)",
        );
    }
    let from = smtp.from.as_deref().unwrap_or("");
    if let Some(dir) = &smtp.file_dir {
        report.warn(
            check,
            format!(
                "smtp.file_dir = {}: messages are written there as .eml files, not sent",
                dir.display()
            ),
            "unset smtp.file_dir to send through smtp.url",
        );
        if !dir.is_dir() {
            report.fail(
                check,
                format!("{} does not exist", dir.display()),
                format!("install -d -m 700 {}", dir.display()),
            );
        }
        return;
    }
    let Some(url) = smtp.url.as_deref() else { return };
    let tls = url.starts_with("smtps://") || url.contains("tls=required");
    let host = url_host(url);
    let authority = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = authority.split(['/', '?']).next().unwrap_or(authority);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let has_password = url.split_once("://").is_some_and(|(_, r)| r.contains('@'));
    let port = authority
        .rsplit_once(':')
        .filter(|(_, p)| !p.ends_with(']'))
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(if url.starts_with("smtps://") {
            465
        } else if tls {
            587
        } else {
            25
        });
    if has_password && !tls && !is_loopback_host(host) {
        report.warn(
            check,
            format!("smtp.url sends the password to {host} without TLS"),
            "use smtps://… (port 465) or add ?tls=required (STARTTLS, port 587)",
        );
    }
    let host_only = host.trim_start_matches('[').trim_end_matches(']');
    let reachable = (host_only, port)
        .to_socket_addrs()
        .map_err(|e| e.to_string())
        .and_then(|mut addrs| {
            addrs
                .find_map(|a| TcpStream::connect_timeout(&a, TIMEOUT).ok())
                .ok_or_else(|| "no answer".to_owned())
        });
    match reachable {
        Ok(_) => report.ok(
            check,
            format!("{host}:{port} accepts connections; documents are sent as {from}"),
        ),
        Err(e) => report.warn(
            check,
            format!("cannot reach {host}:{port}: {e}"),
            "check smtp.url and that this machine may connect to the mail server (firewall, port)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_asked_on_the_listen_address_or_the_url() {
        let config = Config {
            listen: "0.0.0.0:8123".into(),
            ..Config::default()
        };
        assert_eq!(target(&config, None).unwrap(), ("127.0.0.1:8123".into(), String::new()));
        assert_eq!(
            target(&config, Some("http://books.internal/oasys/")).unwrap(),
            ("books.internal:80".into(), "/oasys".into())
        );
        assert_eq!(
            target(&config, Some("http://127.0.0.1:9000")).unwrap(),
            ("127.0.0.1:9000".into(), String::new())
        );
        assert!(target(&config, Some("https://books.example.com")).is_err());
        assert_eq!(dechunk("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "hello world");
    }
}
