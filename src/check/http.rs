//! Requests to the web servers a learner runs in the sandbox, for `http` checks: made with `curl` inside the
//! sandbox (whose network is the sandbox's own loopback), with every host name resolved to 127.0.0.1 as
//! `curl --resolve` does, so `https://example.test/` reaches the learner's nginx. The certificate a server presents
//! is read with `openssl s_client`.

use super::evaluate::Probe;
use super::pki::{certificate_fields, CertificateFields};

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A header's value (names compare without case); the last one when it is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The parts of a URL a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

/// Reads `http(s)://host[:port]/...`.
pub fn target(url: &str) -> Option<Target> {
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else {
        (false, url.strip_prefix("http://")?)
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()?),
        None => (authority, if https { 443 } else { 80 }),
    };
    if host.is_empty()
        || host.contains(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
    {
        return None;
    }
    Some(Target {
        https,
        host: host.to_string(),
        port,
    })
}

/// Requests `url` (not following redirects); `trust` is a CA file to verify the server's certificate against (a
/// path as the learner's commands see it), else the certificate is not verified.
pub fn request(probe: &mut dyn Probe, url: &str, trust: Option<&str>) -> Result<Response, String> {
    let target =
        target(url).ok_or_else(|| format!("'{url}' is not a URL this check can request"))?;
    let verification = match trust {
        Some(file) => format!("--cacert {}", sandbox::shell_quote(file)),
        None => "--insecure".to_string(),
    };
    let line = format!(
        "curl --silent --show-error --max-time 8 --noproxy '*' --dump-header - {verification} --resolve {}:{}:127.0.0.1 {}",
        target.host,
        target.port,
        sandbox::shell_quote(url)
    );
    let (status, output) = probe.run(&line)?;
    if status != 0 {
        let text = String::from_utf8_lossy(&output);
        let reason = text
            .lines()
            .find(|l| l.starts_with("curl:"))
            .unwrap_or(text.trim());
        return Err(match status {
            7 => format!("nothing answers on port {} ({reason})", target.port),
            60 => format!(
                "the certificate does not verify against {} ({reason})",
                trust.unwrap_or("the trusted CA")
            ),
            127 => "curl is not installed in the sandbox".to_string(),
            _ => format!("the request failed: {reason}"),
        });
    }
    parse_response(&output).ok_or_else(|| "the server's answer is not HTTP".to_string())
}

/// Splits `curl --dump-header -` output into status, headers and body.
fn parse_response(output: &[u8]) -> Option<Response> {
    let end = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, at + 4))
        .or_else(|| {
            output
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|at| (at, at + 2))
        })?;
    let head = String::from_utf8_lossy(&output[..end.0]);
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
        .collect();
    Some(Response {
        status,
        headers,
        body: output[end.1..].to_vec(),
    })
}

/// The certificate a TLS server on `url`'s host and port presents: its fields and its public key (PEM).
pub fn served_certificate(
    probe: &mut dyn Probe,
    url: &str,
) -> Result<(CertificateFields, String), String> {
    let target =
        target(url).ok_or_else(|| format!("'{url}' is not a URL this check can request"))?;
    let line = format!(
        "openssl s_client -connect 127.0.0.1:{} -servername {} </dev/null 2>/dev/null | \
         openssl x509 -noout -subject -issuer -ext subjectAltName -pubkey 2>&1",
        target.port, target.host
    );
    let (status, output) = probe.run(&line)?;
    let text = String::from_utf8_lossy(&output).into_owned();
    if status != 0 || !text.contains("subject=") {
        return Err(format!(
            "no TLS certificate is served on port {} (is the server listening with ssl there?)",
            target.port
        ));
    }
    let public_key = text
        .split("-----BEGIN PUBLIC KEY-----")
        .nth(1)
        .map(|rest| format!("-----BEGIN PUBLIC KEY-----{}", rest.trim_end()))
        .unwrap_or_default();
    Ok((certificate_fields(&text), public_key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_and_port() {
        assert_eq!(
            target("https://example.test/a?b"),
            Some(Target {
                https: true,
                host: "example.test".into(),
                port: 443
            })
        );
        assert_eq!(target("http://localhost:8080").map(|t| t.port), Some(8080));
        assert_eq!(target("ftp://x"), None);
        assert_eq!(target("http://a b/"), None);
        assert_eq!(target("http://$(reboot)/"), None);
    }

    #[test]
    fn responses_split_into_status_headers_and_body() {
        let response = parse_response(
            b"HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nLocation: https://example.test/\r\n\r\nbody",
        )
        .expect("a response");
        assert_eq!(response.status, 301);
        assert_eq!(response.header("location"), Some("https://example.test/"));
        assert_eq!(response.body, b"body");
    }
}
