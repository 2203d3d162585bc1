//! How the PostgreSQL store is doing, for `/metrics` and the readiness endpoint: the data
//! pool's use, and a check that both databases answer and the catalog's schema is the one
//! this build expects.

use crate::{PgStore, CATALOG_VERSION};
use extenddb_core::traits::{PoolStatus, Readiness};

/// Tries of the readiness query when the connection it got turns out dead.
const DEAD_CONNECTION_TRIES: usize = 3;

impl PgStore {
    /// The data pool's connections: serving a request, idle, and the most it opens.
    pub(crate) fn data_pool_status(&self) -> PoolStatus {
        let pool = self.data_pool();
        let open = pool.size();
        let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(open);
        PoolStatus {
            in_use: open - idle,
            idle,
            max: pool.options().get_max_connections(),
        }
    }

    /// Ready when the data database answers a trivial query and the catalog holds this
    /// build's schema version, each through its pool (so a pool that hands out no connection
    /// within its acquire timeout, because PostgreSQL is gone or every connection is busy,
    /// makes the store not ready).
    pub(crate) async fn check_ready(&self) -> Readiness {
        // A connection that died while idle (PostgreSQL restarted) fails once and is dropped
        // by the pool: a few more tries clear such leftovers instead of reporting them.
        let mut last = None;
        for _ in 0..DEAD_CONNECTION_TRIES {
            match sqlx::query("SELECT 1").execute(self.data_pool()).await {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(e @ (sqlx::Error::Io(_) | sqlx::Error::Protocol(_))) => last = Some(e),
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = last {
            return Readiness::NotReady(format!(
                "data database: {}",
                crate::PgError::from_query(e)
            ));
        }
        match self.catalog_version().await {
            Ok(v) if v == CATALOG_VERSION => Readiness::Ready,
            Ok(v) => Readiness::NotReady(format!(
                "catalog schema version {v} is not this build's {CATALOG_VERSION}; run \
                 `extenddb migrate` with the matching binary"
            )),
            Err(e) => Readiness::NotReady(format!("catalog database: {e}")),
        }
    }
}
