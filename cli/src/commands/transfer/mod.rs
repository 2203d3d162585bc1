//! What `export` and `import` share: where the DynamoDB endpoint is and as whom to call it
//! ([`RemoteArgs`] → [`Remote`]), the table's description, the DynamoDB JSON lines format
//! ([`dynamo_json`]), gzip-aware files ([`files`]) and the progress display ([`progress`]).
//!
//! Both commands use only the public DynamoDB API (Scan, DescribeTable, BatchWriteItem,
//! PutItem), signed with the caller's AWS credentials, so they work against any extenddb
//! server — and against DynamoDB itself.

pub mod dynamo_json;
pub mod files;
pub mod progress;

use crate::config::{self, expand_home, Config};
use anyhow::{anyhow, bail, Context};
use clap::Args;
use extenddb_client::connection::Connection;
use extenddb_client::environment::{AwsEnvironment, FoundCredentials};
use extenddb_client::retry::{self, CallError, RetryPolicy};
use extenddb_client::transport::Endpoint;
use serde_json::{json, Value};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where and as whom to call DynamoDB (shared by `export` and `import`).
#[derive(Debug, Args, Clone)]
pub struct RemoteArgs {
    /// DynamoDB endpoint: https://HOST:PORT, http://HOST:PORT, or HOST:PORT (HTTPS unless the
    /// configuration turns TLS off). Default: the server of --config when given, else
    /// AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL / the AWS profile's, else the server of
    /// ./extenddb.toml.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The extenddb.toml whose server (address, port, TLS certificate) to call.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Region to sign requests for. Default: AWS_REGION / AWS_DEFAULT_REGION / the profile's,
    /// else the configuration's server.region, else us-east-1.
    #[arg(long)]
    pub region: Option<String>,
    /// PEM file of the certificates to trust. Default: AWS_CA_BUNDLE / the profile's
    /// ca_bundle, else the configuration's server.tls.cert when the endpoint is its server,
    /// else the Mozilla root certificates.
    #[arg(long, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,
    /// Attempts per request before giving up (throttling, server errors, lost connections
    /// and, for import, unprocessed items are retried with exponential backoff).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
}

/// A resolved endpoint with the caller's credentials and region.
pub struct Remote {
    /// The endpoint URL, as shown to the user.
    pub url: String,
    endpoint: Arc<Endpoint>,
    credentials: FoundCredentials,
    region: String,
    /// The retry policy of every call.
    pub policy: RetryPolicy,
}

/// What `export` and `import` need to know about a table.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// KeySchema attribute names, partition key first.
    pub key_names: Vec<String>,
    /// DescribeTable's ItemCount (an estimate: DynamoDB updates it about every six hours).
    pub item_count: u64,
    /// TableStatus.
    pub status: String,
}

impl Remote {
    /// Resolves `args` against the configuration and the AWS environment.
    pub fn resolve(args: &RemoteArgs) -> anyhow::Result<Remote> {
        let aws = AwsEnvironment::load();
        let explicit_config = match &args.config {
            Some(path) => Some(config::load(path, &config::Overrides::default())?),
            None => None,
        };
        let default_config = || -> anyhow::Result<Option<Config>> {
            let path = Path::new("extenddb.toml");
            if path.is_file() {
                Ok(Some(config::load(path, &config::Overrides::default())?))
            } else {
                Ok(None)
            }
        };
        // The endpoint, and the configuration whose server it is (for its certificate).
        let (url, server_of): (String, Option<Config>) =
            match (&args.endpoint, explicit_config, &aws.endpoint_url) {
                (Some(e), cfg, _) => {
                    let cfg = match cfg {
                        Some(c) => Some(c),
                        None => default_config()?,
                    };
                    let url = with_scheme(e, cfg.as_ref());
                    let server_of = cfg.filter(|c| is_server_of(&url, c));
                    (url, server_of)
                }
                (None, Some(cfg), _) => (server_url(&cfg), Some(cfg)),
                (None, None, Some(e)) => (e.clone(), None),
                (None, None, None) => match default_config()? {
                    Some(cfg) => (server_url(&cfg), Some(cfg)),
                    None => bail!(
                        "no endpoint: pass --endpoint URL, set AWS_ENDPOINT_URL_DYNAMODB, or run \
                         where extenddb.toml is (or pass --config FILE)"
                    ),
                },
            };
        let ca_bundle = args
            .ca_bundle
            .clone()
            .or(aws.ca_bundle.clone())
            .or_else(|| {
                server_of
                    .as_ref()
                    .filter(|c| c.server.tls.enabled)
                    .map(|c| expand_home(&c.server.tls.cert))
            });
        let endpoint = Endpoint::parse(&url, ca_bundle.as_deref())
            .with_context(|| format!("cannot use endpoint {url}"))?;
        let credentials = aws.credentials.clone().ok_or_else(|| {
            anyhow!(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or \
                 AWS_PROFILE naming a profile in ~/.aws/credentials (profile '{}' has none)",
                aws.profile
            )
        })?;
        let region = args
            .region
            .clone()
            .or(aws.region.clone())
            .or_else(|| server_of.as_ref().map(|c| c.server.region.clone()))
            .unwrap_or_else(|| "us-east-1".into());
        Ok(Remote {
            url,
            endpoint: Arc::new(endpoint),
            credentials,
            region,
            policy: RetryPolicy {
                max_attempts: args.max_attempts,
                ..RetryPolicy::default()
            },
        })
    }

    /// Opens one connection (each worker has its own).
    pub async fn connect(&self) -> anyhow::Result<Connection> {
        let conn = Connection::open(
            self.endpoint.clone(),
            self.credentials.credentials.clone(),
            &self.region,
        )
        .await
        .with_context(|| format!("cannot connect to {}", self.url))?;
        Ok(conn.with_session_token(self.credentials.session_token.clone())?)
    }

    /// Calls `op` with `body`, with retries; parses the JSON answer.
    pub async fn call(
        &self,
        conn: &mut Connection,
        op: &'static str,
        body: &Value,
    ) -> Result<Value, CallError> {
        let bytes = retry::call(conn, op, body.to_string().as_bytes(), &self.policy).await?;
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// DescribeTable, with a clear error when the table does not exist.
    pub async fn describe_table(
        &self,
        conn: &mut Connection,
        table: &str,
    ) -> anyhow::Result<TableInfo> {
        let answer = match self
            .call(conn, "DescribeTable", &json!({ "TableName": table }))
            .await
        {
            Ok(v) => v,
            Err(e) if e.kind() == Some("ResourceNotFoundException") => {
                bail!("table '{table}' does not exist at {}", self.url)
            }
            Err(e) => return Err(e).with_context(|| format!("cannot describe table '{table}'")),
        };
        let t = &answer["Table"];
        let mut keys: Vec<(String, String)> = t["KeySchema"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| {
                Some((
                    k["KeyType"].as_str()?.to_string(),
                    k["AttributeName"].as_str()?.to_string(),
                ))
            })
            .collect();
        // HASH sorts before RANGE.
        keys.sort();
        if keys.is_empty() {
            bail!("DescribeTable of '{table}' answered without a KeySchema");
        }
        Ok(TableInfo {
            key_names: keys.into_iter().map(|(_, name)| name).collect(),
            item_count: t["ItemCount"].as_u64().unwrap_or(0),
            status: t["TableStatus"].as_str().unwrap_or("").to_string(),
        })
    }
}

/// `host:port` → a URL, HTTPS unless `cfg` turns TLS off; a URL stays as it is.
fn with_scheme(endpoint: &str, cfg: Option<&Config>) -> String {
    if endpoint.contains("://") {
        return endpoint.to_string();
    }
    let tls = cfg.is_none_or(|c| c.server.tls.enabled);
    format!("{}://{endpoint}", if tls { "https" } else { "http" })
}

/// The URL a client on this machine uses to reach the server of `cfg`.
fn server_url(cfg: &Config) -> String {
    let host = match cfg.server.bind_addr {
        IpAddr::V4(a) if a.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(a) if a.is_unspecified() => "[::1]".to_string(),
        IpAddr::V6(a) => format!("[{a}]"),
        IpAddr::V4(a) => a.to_string(),
    };
    let scheme = if cfg.server.tls.enabled {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}:{}", cfg.server.port)
}

/// Whether `url` addresses the server of `cfg` from this machine (same port, and a loopback
/// name or the configured bind address), so that its generated certificate is the one to trust.
fn is_server_of(url: &str, cfg: &Config) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let host = uri.host().unwrap_or("").trim_matches(['[', ']']);
    let local = host == "localhost"
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip == cfg.server.bind_addr);
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    local && port == cfg.server.port
}

/// The path `path` with `suffix` appended to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_follow_the_configuration() {
        let mut cfg = Config::default();
        assert_eq!(server_url(&cfg), "https://127.0.0.1:8000");
        cfg.server.bind_addr = "0.0.0.0".parse().unwrap();
        cfg.server.tls.enabled = false;
        cfg.server.port = 9000;
        assert_eq!(server_url(&cfg), "http://127.0.0.1:9000");
        cfg.server.bind_addr = "::1".parse().unwrap();
        assert_eq!(server_url(&cfg), "http://[::1]:9000");
    }

    #[test]
    fn endpoints_without_scheme_default_to_https() {
        assert_eq!(
            with_scheme("127.0.0.1:9000", None),
            "https://127.0.0.1:9000"
        );
        let mut cfg = Config::default();
        cfg.server.tls.enabled = false;
        assert_eq!(
            with_scheme("127.0.0.1:9000", Some(&cfg)),
            "http://127.0.0.1:9000"
        );
        assert_eq!(with_scheme("http://h:1", None), "http://h:1");
    }

    #[test]
    fn only_local_urls_on_the_configured_port_are_the_configured_server() {
        let cfg = Config::default();
        assert!(is_server_of("https://127.0.0.1:8000", &cfg));
        assert!(is_server_of("https://localhost:8000", &cfg));
        assert!(is_server_of("https://[::1]:8000", &cfg));
        assert!(!is_server_of("https://127.0.0.1:9000", &cfg));
        assert!(!is_server_of(
            "https://dynamodb.us-east-1.amazonaws.com",
            &cfg
        ));
    }
}
