//! The client's address behind reverse proxies. Tessera usually runs behind one (nginx, a load
//! balancer); then the TCP peer is the proxy and the client is in `X-Forwarded-For`. That header
//! is believed only when the peer is a configured trusted proxy (`trusted_proxies`, CIDR
//! ranges): the client is the right-most address that is not itself a trusted proxy, so a
//! client cannot pick its own address (for audit records and per-address rate limits) by
//! sending the header itself. No trusted proxies configured (the default): the peer address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use tessera_app::state::AppState;

/// The client address of a request, as decided by [`resolve`]; read by [`crate::context::ReqCtx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Parses `trusted_proxies` entries: CIDR ranges (`10.0.0.0/8`) or single addresses.
pub fn parse_trusted(entries: &[String]) -> Result<Vec<IpNet>, String> {
    entries
        .iter()
        .map(|e| {
            let e = e.trim();
            e.parse::<IpNet>()
                .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("trusted proxy `{e}` is not an address or CIDR range"))
        })
        .collect()
}

/// The client of a request whose TCP peer is `peer`, given its `X-Forwarded-For` values.
pub fn resolve<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = canonical(ip);
                if !is_trusted(&client) {
                    break;
                }
            }
            // Garbage in the chain: the last address a trusted proxy vouched for stands.
            Err(_) => break,
        }
    }
    client
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, from dual-stack sockets) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Middleware: puts the request's [`ClientIp`] in its extensions.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        let values = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = resolve(peer.ip(), values, &state.settings.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let trusted = parse_trusted(&["10.0.0.0/8".into(), "192.0.2.7".into()]).unwrap();
        // A client sending the header itself does not choose its address.
        let direct = resolve(ip("203.0.113.9"), ["1.2.3.4"].into_iter(), &trusted);
        assert_eq!(direct, ip("203.0.113.9"));
        // Through the proxy: the right-most untrusted hop, not the spoofed left-most one.
        let proxied = resolve(
            ip("10.1.2.3"),
            ["1.2.3.4, 198.51.100.20", "192.0.2.7"].into_iter(),
            &trusted,
        );
        assert_eq!(proxied, ip("198.51.100.20"));
        // Dual-stack sockets report the proxy as ::ffff:10.1.2.3.
        let mapped = resolve(
            ip("::ffff:10.1.2.3"),
            ["198.51.100.20"].into_iter(),
            &trusted,
        );
        assert_eq!(mapped, ip("198.51.100.20"));
        // Garbage stops the walk at the last trusted hop.
        let junk = resolve(
            ip("10.1.2.3"),
            ["198.51.100.20, nonsense"].into_iter(),
            &trusted,
        );
        assert_eq!(junk, ip("10.1.2.3"));
        // No header: the proxy itself.
        assert_eq!(
            resolve(ip("10.1.2.3"), std::iter::empty(), &trusted),
            ip("10.1.2.3")
        );
        // Nothing trusted: always the peer.
        assert_eq!(
            resolve(ip("10.1.2.3"), ["1.2.3.4"].into_iter(), &[]),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(parse_trusted(&["10.0.0.0/33".into()]).is_err());
        assert!(parse_trusted(&["proxy.example".into()]).is_err());
        assert_eq!(parse_trusted(&["::1".into()]).unwrap().len(), 1);
    }
}
