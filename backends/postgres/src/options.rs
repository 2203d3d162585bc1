//! `PgOptions`: where the two databases are and how many connections each pool may hold.

use crate::error::PgError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::time::Duration;

/// The smallest pool the guide allows; smaller configured values are raised to it (with a
/// warning) by the configuration layer.
pub const MIN_POOL_SIZE: u32 = 10;

/// How long a request waits for a pooled connection by default before it is answered with a
/// retryable error: long enough to ride out a burst that keeps every connection busy, well
/// under the SDKs' own timeouts (boto3 reads for 60 s, the Java SDK v2 for 30 s).
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// How to reach PostgreSQL and which databases to use.
#[derive(Clone, PartialEq, Eq)]
pub struct PgOptions {
    /// Host name or IP address; a path starting with `/` is a Unix-socket directory.
    pub host: String,
    /// Port (also names the Unix socket file).
    pub port: u16,
    /// Role to log in as.
    pub user: String,
    /// Password; `None` logs in without one (peer/ident or trust authentication).
    pub password: Option<String>,
    /// The catalog database (metadata).
    pub catalog_db: String,
    /// The data database (items).
    pub data_db: String,
    /// Connections to the data database.
    pub pool_size: u32,
    /// Connections to the catalog database; `None` means `pool_size`.
    pub catalog_pool_size: Option<u32>,
    /// Longest wait for a pooled connection (including opening one) before the request is
    /// refused as unavailable; this is also how long a lost server is retried per request.
    pub acquire_timeout: Duration,
}

impl std::fmt::Debug for PgOptions {
    // By hand so that the password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("catalog_db", &self.catalog_db)
            .field("data_db", &self.data_db)
            .field("pool_size", &self.pool_size)
            .field("catalog_pool_size", &self.catalog_pool_size)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            host: "localhost".into(),
            port: 5432,
            user: "extenddb".into(),
            password: None,
            catalog_db: "extenddb_catalog".into(),
            data_db: "extenddb".into(),
            pool_size: 20,
            catalog_pool_size: None,
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
        }
    }
}

impl PgOptions {
    /// The catalog pool's size: `catalog_pool_size`, or `pool_size` when unset.
    pub fn effective_catalog_pool_size(&self) -> u32 {
        self.catalog_pool_size.unwrap_or(self.pool_size)
    }

    /// `host:port`, or the socket path, for messages.
    pub fn target(&self) -> String {
        if self.host.starts_with('/') {
            format!("{}/.s.PGSQL.{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Connection options for database `db`.
    pub fn connect_options(&self, db: &str) -> PgConnectOptions {
        let mut o = PgConnectOptions::new_without_pgpass()
            .port(self.port)
            .username(&self.user)
            .database(db)
            .application_name("extenddb");
        o = if self.host.starts_with('/') {
            o.socket(&self.host)
        } else {
            o.host(&self.host)
        };
        if let Some(p) = &self.password {
            o = o.password(p);
        }
        o
    }

    /// A pool of up to `size` connections to `db`. One connection is opened (and closed) first,
    /// without retries, so that a wrong host, password or database name is reported at once.
    pub async fn pool(&self, db: &str, size: u32) -> Result<PgPool, PgError> {
        use sqlx::Connection;
        let probe = self.connect_one(db).await?;
        // A failed goodbye does not make the server less reachable.
        let _ = probe.close().await;
        Ok(self.lazy_pool(db, size, self.acquire_timeout))
    }

    /// A pool of up to `size` connections to `db` that connects on first use, waiting at most
    /// `acquire_timeout` for a connection (replicas: short, so a down one is skipped fast).
    pub(crate) fn lazy_pool(&self, db: &str, size: u32, acquire_timeout: Duration) -> PgPool {
        // No ping before handing out a connection: sqlx's default `test_before_acquire`
        // costs a round trip on every acquire, i.e. on every request. A connection that died
        // while idle fails its next query instead, and sqlx then discards it. A lost server is
        // reconnected by the pool itself: each acquire retries opening a connection, with
        // backoff, until `acquire_timeout`.
        // Generic plans for every prepared statement: the coalesced reads' statements take
        // arrays, and PostgreSQL's default (`auto`) keeps re-planning them for each execution
        // because a custom plan, knowing the array's length, always looks cheaper; that
        // planning cost more CPU than the execution. Every statement here is a key lookup or
        // a key-range scan whose generic plan is the index scan anyway.
        let options = self
            .connect_options(db)
            .options([("plan_cache_mode", "force_generic_plan")]);
        PgPoolOptions::new()
            .max_connections(size.max(1))
            .min_connections(0)
            .test_before_acquire(false)
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(options)
    }

    /// One connection to `db` (administration, verification).
    pub async fn connect_one(&self, db: &str) -> Result<sqlx::PgConnection, PgError> {
        use sqlx::ConnectOptions;
        self.connect_options(db)
            .connect()
            .await
            .map_err(|e| PgError::from_connect(e, &self.target(), &self.user, db))
    }
}

/// Checks that `name` can be used unquoted-safe as a database or role name.
pub(crate) fn check_identifier(name: &str) -> Result<(), PgError> {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    let rest_ok = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if first_ok && rest_ok && name.len() <= 63 {
        Ok(())
    } else {
        Err(PgError::BadName(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_pool_defaults_to_pool_size() {
        let mut o = PgOptions::default();
        assert_eq!(o.effective_catalog_pool_size(), 20);
        o.catalog_pool_size = Some(33);
        assert_eq!(o.effective_catalog_pool_size(), 33);
    }

    #[test]
    fn password_is_redacted_in_debug() {
        let o = PgOptions {
            password: Some("hunter2".into()),
            ..PgOptions::default()
        };
        let s = format!("{o:?}");
        assert!(!s.contains("hunter2") && s.contains("<redacted>"), "{s}");
    }

    #[test]
    fn identifiers() {
        assert!(check_identifier("extenddb_catalog").is_ok());
        assert!(check_identifier("_x9").is_ok());
        for bad in ["", "9a", "Caps", "a-b", "a;drop", &"a".repeat(64)] {
            assert!(check_identifier(bad).is_err(), "{bad}");
        }
    }
}
