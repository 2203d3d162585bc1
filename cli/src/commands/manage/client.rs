//! The management API client: where the server is (`--endpoint`, else extenddb.toml's
//! address and the running server's port from its pid file), what to trust (`--ca-bundle`,
//! else the configured certificate, `AWS_CA_BUNDLE`, or ~/.extenddb/tls/cert.pem), how to
//! authenticate (HTTP Basic, or the operator signature of `extenddb settings`), and typed
//! calls that turn error answers into `ApiFailure`s.

use super::transport::{self, Endpoint};
use crate::commands::pidfile;
use crate::config::{expand_home, Config};
use anyhow::{anyhow, Context};
use base64::Engine;
use extenddb_auth_builtin::{operator, DataKey};
use extenddb_server::management::api::{ErrorBody, Page};
use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::IpAddr;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// How requests are authenticated.
pub enum Auth {
    /// HTTP Basic: an admin name or `account_id/user_name`, and the password.
    Basic {
        /// The login.
        user: String,
        /// The password.
        password: Zeroizing<String>,
    },
    /// The operator signature, made with the deployment's data key.
    Operator(DataKey),
}

/// An error answer of the API.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiFailure {
    /// HTTP status.
    pub status: u16,
    /// The error code.
    pub code: String,
    /// The message.
    pub message: String,
}

/// A client of one server.
pub struct Client {
    /// Where.
    pub endpoint: Endpoint,
    auth: Auth,
}

/// Where the server of `config` (or `--endpoint`) listens, and what its HTTPS trusts.
pub fn endpoint(
    config: Option<&Config>,
    given: Option<&str>,
    ca_bundle: Option<PathBuf>,
) -> anyhow::Result<Endpoint> {
    let default_https = config.is_none_or(|c| c.server.tls.enabled);
    let (https, host, port) = match (given, config) {
        (Some(text), _) => Endpoint::parse(text, default_https)?,
        (None, Some(c)) => {
            let host = match c.server.bind_addr {
                IpAddr::V4(a) if a.is_unspecified() => "127.0.0.1".to_string(),
                IpAddr::V6(a) if a.is_unspecified() => "::1".to_string(),
                a => a.to_string(),
            };
            // The running server's port wins: `serve --port` may have overridden the file's.
            let port = pidfile::running(&expand_home(&c.server.pid_file))
                .ok()
                .flatten()
                .map_or(c.server.port, |r| r.port);
            (c.server.tls.enabled, host, port)
        }
        (None, None) => anyhow::bail!(
            "no extenddb.toml here to find the server in: pass --config <file> or --endpoint <host:port>"
        ),
    };
    let ca_bundle = ca_bundle.or_else(|| {
        let configured = config.map(|c| expand_home(&c.server.tls.cert));
        let home = expand_home(std::path::Path::new("~/.extenddb/tls/cert.pem"));
        configured
            .filter(|p| p.is_file())
            .or_else(|| std::env::var_os("AWS_CA_BUNDLE").map(PathBuf::from))
            .or_else(|| home.is_file().then_some(home))
    });
    Ok(Endpoint {
        https,
        host,
        port,
        ca_bundle,
    })
}

/// `s` percent-encoded as one path segment or query value.
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~+=,@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    /// A client of `endpoint` authenticating with `auth`.
    pub fn new(endpoint: Endpoint, auth: Auth) -> Client {
        Client { endpoint, auth }
    }

    /// Sends one request; answers the body of a 2xx answer, or the `ApiFailure`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> anyhow::Result<bytes::Bytes> {
        let body = match body {
            Some(b) => serde_json::to_vec(b).context("cannot encode the request")?,
            None => Vec::new(),
        };
        let authorization = match &self.auth {
            Auth::Basic { user, password } => {
                let pair = Zeroizing::new(format!("{user}:{}", password.as_str()));
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
                )
            }
            Auth::Operator(key) => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                let path_only = path.split('?').next().unwrap_or(path);
                operator::sign(key, method.as_str(), path_only, now, &body)
            }
        };
        let reply = transport::send(
            &self.endpoint,
            &method,
            path,
            &[("authorization", authorization)],
            body,
        )
        .await?;
        if (200..300).contains(&reply.status) {
            return Ok(reply.body);
        }
        Err(match serde_json::from_slice::<ErrorBody>(&reply.body) {
            Ok(e) => ApiFailure {
                status: reply.status,
                code: e.code,
                message: e.message,
            },
            Err(_) => ApiFailure {
                status: reply.status,
                code: format!("HTTP{}", reply.status),
                message: format!(
                    "unexpected answer from {}: {}",
                    self.endpoint.url(),
                    String::from_utf8_lossy(&reply.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ),
            },
        }
        .into())
    }

    /// A call whose answer is JSON of type `T`.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> anyhow::Result<T> {
        let bytes = self.call(method, path, body).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| anyhow!("unexpected answer from {}: {e}", self.endpoint.url()))
    }

    /// Every item of a list route, following `next_marker`.
    pub async fn list<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<Vec<T>> {
        let mut items = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &marker {
                Some(m) => format!("{path}{sep}max_items=1000&marker={}", seg(m)),
                None => format!("{path}{sep}max_items=1000"),
            };
            let page: Page<T> = self.json(Method::GET, &url, None::<&()>).await?;
            items.extend(page.items);
            match page.next_marker {
                Some(m) => marker = Some(m),
                None => return Ok(items),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(
            seg("alice+ops=x,y.z@corp_1-2"),
            "alice+ops=x,y.z%40corp_1-2".replace("%40", "@")
        );
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn the_endpoint_comes_from_the_config_unless_given() {
        let mut c = Config::default();
        c.server.port = 8123;
        c.server.bind_addr = "0.0.0.0".parse().unwrap();
        c.server.pid_file = PathBuf::from("/nonexistent/extenddb.pid");
        c.server.tls.cert = PathBuf::from("/nonexistent/cert.pem");
        let ep = endpoint(Some(&c), None, Some(PathBuf::from("/ca.pem"))).unwrap();
        assert_eq!(ep.url(), "https://127.0.0.1:8123");
        assert_eq!(ep.ca_bundle, Some(PathBuf::from("/ca.pem")));
        let ep = endpoint(Some(&c), Some("127.0.0.1:9000"), None).unwrap();
        assert_eq!(ep.url(), "https://127.0.0.1:9000");
        c.server.tls.enabled = false;
        assert_eq!(
            endpoint(Some(&c), None, None).unwrap().url(),
            "http://127.0.0.1:8123"
        );
        assert!(endpoint(None, None, None).is_err());
        assert_eq!(
            endpoint(None, Some("http://h:1"), None).unwrap().url(),
            "http://h:1"
        );
    }
}
