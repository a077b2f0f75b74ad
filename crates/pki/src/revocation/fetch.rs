//! Fetching OCSP answers and CRLs: a `Fetcher` trait (so tests and embedders can observe or
//! replace every network access) and the default blocking HTTP/1.0 client over `std::net`
//! with OpenSSL for https. Only http/https, connect and read timeouts, a response size cap,
//! no redirects, optional host allow-list.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod};

/// One request for revocation data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    pub url: String,
    /// `Some` for an OCSP POST (body, content type); `None` for a GET.
    pub post: Option<(Vec<u8>, &'static str)>,
    pub timeout: Duration,
    pub max_bytes: usize,
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("URL not allowed: {0}")]
    NotAllowed(String),
    #[error("network error: {0}")]
    Network(String),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("response larger than {0} bytes")]
    TooLarge(usize),
    #[error("bad HTTP response: {0}")]
    BadResponse(String),
}

/// Performs revocation fetches. Blocking; the verifier runs it off the async runtime.
pub trait Fetcher: Send + Sync {
    fn fetch(&self, req: &FetchRequest) -> Result<Vec<u8>, FetchError>;
}

/// Splits `http(s)://host[:port]/path` into (tls, host, port, path).
pub fn parse_url(url: &str) -> Result<(bool, String, u16, String), FetchError> {
    let bad = || FetchError::NotAllowed(url.to_owned());
    let (tls, rest) = if let Some(r) = url.strip_prefix("http://") {
        (false, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (true, r)
    } else {
        return Err(bad());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') || path.contains(['\r', '\n', ' ']) {
        return Err(bad());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            (h, p.parse::<u16>().map_err(|_| bad())?)
        }
        _ => (authority, if tls { 443 } else { 80 }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:".contains(&b))
    {
        return Err(bad());
    }
    Ok((tls, host.to_ascii_lowercase(), port, path.to_owned()))
}

/// The default client.
#[derive(Debug, Default, Clone)]
pub struct HttpFetcher;

impl Fetcher for HttpFetcher {
    fn fetch(&self, req: &FetchRequest) -> Result<Vec<u8>, FetchError> {
        let (tls, host, port, path) = parse_url(&req.url)?;
        let net = |e: std::io::Error| FetchError::Network(e.to_string());
        let addr = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(net)?
            .next()
            .ok_or_else(|| FetchError::Network(format!("{host} does not resolve")))?;
        let tcp = TcpStream::connect_timeout(&addr, req.timeout).map_err(net)?;
        tcp.set_read_timeout(Some(req.timeout)).map_err(net)?;
        tcp.set_write_timeout(Some(req.timeout)).map_err(net)?;
        let mut head = match &req.post {
            Some((body, ctype)) => format!(
                "POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes(),
            None => format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .into_bytes(),
        };
        if let Some((body, _)) = &req.post {
            head.extend_from_slice(body);
        }
        let raw = if tls {
            let connector = SslConnector::builder(SslMethod::tls_client())
                .map_err(|e| FetchError::Network(e.to_string()))?
                .build();
            let mut stream = connector
                .connect(&host, tcp)
                .map_err(|e| FetchError::Network(e.to_string()))?;
            stream.write_all(&head).map_err(net)?;
            read_capped(&mut stream, req.max_bytes)?
        } else {
            let mut stream = tcp;
            stream.write_all(&head).map_err(net)?;
            read_capped(&mut stream, req.max_bytes)?
        };
        parse_response(&raw, req.max_bytes)
    }
}

fn read_capped(stream: &mut impl Read, max_body: usize) -> Result<Vec<u8>, FetchError> {
    let cap = max_body.saturating_add(16 * 1024);
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.len() > cap {
                    return Err(FetchError::TooLarge(max_body));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // TLS peers often close without close_notify; what arrived is judged below.
            Err(_) if !out.is_empty() => return Ok(out),
            Err(e) => return Err(FetchError::Network(e.to_string())),
        }
    }
}

/// Parses an HTTP/1.x response (status 200 only, Content-Length or to EOF, or chunked).
pub fn parse_response(raw: &[u8], max_body: usize) -> Result<Vec<u8>, FetchError> {
    let bad = |m: &str| FetchError::BadResponse(m.to_owned());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no header end"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| bad("header not text"))?;
    let body = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("status line"))?;
    if status != 200 {
        return Err(FetchError::Status(status));
    }
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<usize>().map_err(|_| bad("content-length"))?);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    let body = if chunked {
        dechunk(body).ok_or_else(|| bad("chunked body"))?
    } else if let Some(len) = length {
        body.get(..len).ok_or_else(|| bad("short body"))?.to_vec()
    } else {
        body.to_vec()
    };
    if body.len() > max_body {
        return Err(FetchError::TooLarge(max_body));
    }
    Ok(body)
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = body.get(line_end + 2..)?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rules() {
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("file:///etc/passwd").is_err());
        assert!(parse_url("http://user@host/").is_err());
        assert_eq!(
            parse_url("http://10.0.0.1/ocsp").unwrap(),
            (false, "10.0.0.1".into(), 80, "/ocsp".into())
        );
        assert_eq!(parse_url("https://Ocsp.example:8443").unwrap().2, 8443);
    }

    #[test]
    fn response_parsing() {
        let r = b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabcdef";
        assert_eq!(parse_response(r, 10).unwrap(), b"abc");
        let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        assert_eq!(parse_response(r, 10).unwrap(), b"abc");
        let r = b"HTTP/1.1 302 Found\r\nLocation: http://evil/\r\n\r\n";
        assert_eq!(parse_response(r, 10), Err(FetchError::Status(302)));
        let r = b"HTTP/1.0 200 OK\r\n\r\n0123456789abc";
        assert_eq!(parse_response(r, 10), Err(FetchError::TooLarge(10)));
    }
}
