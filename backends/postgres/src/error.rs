//! `PgError`: what can go wrong talking to PostgreSQL, phrased for an operator (what failed and
//! how to fix it), and its mapping onto core's `StoreError`.

use extenddb_core::error::StoreError;

/// PostgreSQL backend failures.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The server could not be reached at all.
    #[error(
        "cannot reach PostgreSQL at {target}: {reason} (is it running, and are host/port right?)"
    )]
    Unreachable {
        /// host:port or socket path.
        target: String,
        /// The driver's words.
        reason: String,
    },
    /// The server refused the credentials.
    #[error("PostgreSQL refused user '{user}': {reason} (check the user and password)")]
    AuthFailed {
        /// The user name.
        user: String,
        /// The server's words.
        reason: String,
    },
    /// The database does not exist.
    #[error("database '{0}' does not exist (run `extenddb init`, or fix catalog_db/data_db)")]
    MissingDatabase(String),
    /// The catalog has no schema (migrations never ran).
    #[error("the catalog has no extenddb schema (run `extenddb migrate --config <file>`)")]
    NotInitialized,
    /// A name that cannot be a PostgreSQL identifier here.
    #[error("'{0}' is not a valid database or role name (use a-z, 0-9 and _, starting with a letter or _, at most 63 characters)")]
    BadName(String),
    /// Applying migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A query failed.
    #[error("PostgreSQL error: {0}")]
    Query(String),
    /// Two transactions conflicted (deadlock, serialization failure, lock timeout).
    #[error("conflict: {0}")]
    Conflict(String),
    /// PostgreSQL cannot be used now: no connection within the acquire timeout (unreachable,
    /// or every connection busy), a connection lost, the server shutting down or full.
    #[error("PostgreSQL unavailable: {0}")]
    Unavailable(String),
}

/// SQLSTATEs that mean "another transaction got in the way; retrying may succeed".
const CONFLICT_CODES: [&str; 3] = ["40001", "40P01", "55P03"];

/// SQLSTATEs that mean "the server cannot serve now": shutting down (57P01–57P03), too many
/// connections (53300); class 08 (connection exceptions) is matched by prefix.
const UNAVAILABLE_CODES: [&str; 4] = ["57P01", "57P02", "57P03", "53300"];

impl PgError {
    /// Classifies an error from a query on an established connection (or from acquiring one).
    pub(crate) fn from_query(e: sqlx::Error) -> PgError {
        match &e {
            sqlx::Error::Database(db) => {
                let code = db.code();
                let code = code.as_deref().unwrap_or_default();
                if CONFLICT_CODES.contains(&code) {
                    return PgError::Conflict(db.message().to_string());
                }
                if code.starts_with("08") || UNAVAILABLE_CODES.contains(&code) {
                    return PgError::Unavailable(db.message().to_string());
                }
            }
            sqlx::Error::PoolTimedOut => {
                return PgError::Unavailable(
                    "no connection within storage.postgres.acquire_timeout_ms (PostgreSQL \
                     unreachable, or every pooled connection busy)"
                        .to_string(),
                )
            }
            sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                return PgError::Unavailable(e.to_string())
            }
            _ => {}
        }
        PgError::Query(e.to_string())
    }

    /// Classifies an error from connecting to `db` as `user` at `target`.
    pub(crate) fn from_connect(e: sqlx::Error, target: &str, user: &str, db: &str) -> PgError {
        match &e {
            sqlx::Error::Database(d) => match d.code().as_deref() {
                Some("3D000") => PgError::MissingDatabase(db.to_string()),
                Some("28P01") | Some("28000") => PgError::AuthFailed {
                    user: user.to_string(),
                    reason: d.message().to_string(),
                },
                _ => PgError::Query(d.message().to_string()),
            },
            sqlx::Error::Io(io) => PgError::Unreachable {
                target: target.to_string(),
                reason: io.to_string(),
            },
            sqlx::Error::PoolTimedOut => PgError::Unreachable {
                target: target.to_string(),
                reason: "timed out".to_string(),
            },
            other => PgError::Query(other.to_string()),
        }
    }
}

impl From<PgError> for StoreError {
    fn from(e: PgError) -> Self {
        match e {
            PgError::Conflict(m) => StoreError::Conflict(m),
            e @ PgError::Unavailable(_) => StoreError::Unavailable(e.to_string()),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// A query error straight to core's error.
pub(crate) fn store_err(e: sqlx::Error) -> StoreError {
    PgError::from_query(e).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_map_to_store_conflicts() {
        let e: StoreError = PgError::Conflict("deadlock detected".into()).into();
        assert!(matches!(e, StoreError::Conflict(m) if m == "deadlock detected"));
        let e: StoreError = PgError::Query("boom".into()).into();
        assert!(matches!(e, StoreError::Backend(m) if m == "PostgreSQL error: boom"));
    }

    #[test]
    fn an_unreachable_server_is_unavailable_not_a_failure() {
        for e in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            let e: StoreError = PgError::from_query(e).into();
            assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
        }
        let e: StoreError = PgError::from_query(sqlx::Error::RowNotFound).into();
        assert!(matches!(e, StoreError::Backend(_)), "{e}");
    }

    #[test]
    fn messages_name_the_fix() {
        let e = PgError::MissingDatabase("extenddb".into());
        assert_eq!(
            e.to_string(),
            "database 'extenddb' does not exist (run `extenddb init`, or fix catalog_db/data_db)"
        );
    }
}
