//! A process-local cache of table definitions behind `Catalog::get_table`, kept coherent with
//! other extenddb processes over the same catalog database by LISTEN/NOTIFY.
//!
//! Protocol (docs/architecture.md, "Table-definition cache"):
//! - every catalog write of a table (create, put, delete) sends `NOTIFY extenddb_tables` with
//!   the table's `[account_id, name]` in the writing statement's own transaction, so the
//!   notification is delivered exactly when the change is committed;
//! - a listener task holds one catalog connection in `LISTEN extenddb_tables` and drops the
//!   entry a notification names; the writing process also drops it itself after its commit;
//! - entries are served only while the listener is known to be listening. When its connection
//!   is lost, caching stops and the cache is emptied; it restarts, empty again, once `LISTEN`
//!   is re-established, because notifications sent in between were missed;
//! - every table write also bumps the catalog-wide `tables_version` (catalog_meta) in its
//!   statement; a checker task reads it every `CHECK_EVERY` and empties the cache when it
//!   moved, and entries are served only within `VALIDITY` of the start of the last check that
//!   succeeded. So a missed notification (a listener connection that hangs without an error,
//!   say) leaves a definition stale for at most about `CHECK_EVERY` plus one catalog round
//!   trip, and never for more than `VALIDITY`: a hit at time t needs a check begun after
//!   t − `VALIDITY`, which saw every change committed before it began;
//! - a lookup that raced with an invalidation does not store what it read (a generation
//!   counter), and every entry expires after `MAX_AGE` anyway (a write made behind
//!   extenddb's back, by hand in SQL, bumps nothing).

use extenddb_core::model::table::TableDefinition;
use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use tokio::task::AbortHandle;

/// The NOTIFY channel of table-definition changes.
pub(crate) const CHANNEL: &str = "extenddb_tables";

/// The longest an entry is served without a fresh catalog read.
const MAX_AGE: Duration = Duration::from_secs(5);

/// Longest pause between attempts to re-establish the listener.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How often the checker reads the catalog-wide tables version.
pub(crate) const CHECK_EVERY: Duration = Duration::from_millis(500);

/// How long after the start of the last successful version check entries are served: the
/// bound on staleness when notifications and checks both fail.
pub(crate) const VALIDITY: Duration = Duration::from_secs(2);

/// Reads the catalog-wide tables version (absent until the first table write).
const VERSION_SQL: &str = "SELECT value FROM catalog_meta WHERE key = 'tables_version'";

/// The NOTIFY payload naming one table.
pub(crate) fn payload(account_id: &str, name: &str) -> String {
    serde_json::json!([account_id, name]).to_string()
}

struct Entry {
    def: Option<Arc<TableDefinition>>,
    at: Instant,
}

#[derive(Default)]
struct State {
    /// True while the listener holds `LISTEN`; entries are neither served nor stored otherwise.
    listening: bool,
    /// When the last successful version check began; entries are served only within
    /// `VALIDITY` of it.
    checked: Option<Instant>,
    /// The tables version that check read (`Some(None)`: no table written yet).
    seen_version: Option<Option<String>>,
    /// Bumped by every invalidation; a lookup stores its result only if unchanged.
    generation: u64,
    /// account id → table name → entry.
    entries: HashMap<String, HashMap<String, Entry>>,
}

/// What a lookup found.
pub(crate) enum Lookup {
    /// A fresh entry: the table's definition, or `None` for a table known not to exist.
    Hit(Option<Arc<TableDefinition>>),
    /// Read the catalog, then `store` the result with this generation.
    Miss(u64),
}

/// The cache of one `PgStore` (shared by its clones). Dropping it stops its listener.
#[derive(Default)]
pub(crate) struct TableCache {
    state: RwLock<State>,
    /// The listener and the version checker.
    task: Mutex<Vec<AbortHandle>>,
    /// The listener's own one-connection pool (not a connection of the catalog pool, which
    /// may be as small as one).
    listener_pool: Option<PgPool>,
}

impl std::fmt::Debug for TableCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableCache").finish_non_exhaustive()
    }
}

impl TableCache {
    /// A cache whose listener task holds one extra connection to the catalog database (made
    /// with `catalog`'s options) until the cache is dropped or `stop`ped.
    pub(crate) fn start(catalog: &PgPool) -> Arc<TableCache> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_lazy_with((*catalog.connect_options()).clone());
        let cache = Arc::new(TableCache {
            state: RwLock::default(),
            task: Mutex::default(),
            listener_pool: Some(pool.clone()),
        });
        let listener = tokio::spawn(listen(Arc::downgrade(&cache), pool)).abort_handle();
        let checker = tokio::spawn(check(Arc::downgrade(&cache), catalog.clone())).abort_handle();
        *lock(&cache.task) = vec![listener, checker];
        cache
    }

    /// Looks a table up.
    pub(crate) fn lookup(&self, account_id: &str, name: &str) -> Lookup {
        let state = read(&self.state);
        if state.listening && state.checked.is_some_and(|c| c.elapsed() < VALIDITY) {
            if let Some(e) = state.entries.get(account_id).and_then(|t| t.get(name)) {
                if e.at.elapsed() < MAX_AGE {
                    return Lookup::Hit(e.def.clone());
                }
            }
        }
        Lookup::Miss(state.generation)
    }

    /// Stores what a catalog read returned, unless an invalidation happened since `generation`
    /// was handed out (the read may predate the change it announced).
    pub(crate) fn store(
        &self,
        generation: u64,
        account_id: &str,
        name: &str,
        def: Option<Arc<TableDefinition>>,
    ) {
        let mut state = write(&self.state);
        if !state.listening || state.generation != generation {
            return;
        }
        state
            .entries
            .entry(account_id.to_string())
            .or_default()
            .insert(
                name.to_string(),
                Entry {
                    def,
                    at: Instant::now(),
                },
            );
    }

    /// Forgets one table (after this process changed it, or a notification named it).
    pub(crate) fn invalidate(&self, account_id: &str, name: &str) {
        let mut state = write(&self.state);
        state.generation += 1;
        if let Some(tables) = state.entries.get_mut(account_id) {
            tables.remove(name);
        }
    }

    /// Forgets everything and sets whether entries may be served from now on.
    fn reset(&self, listening: bool) {
        let mut state = write(&self.state);
        state.generation += 1;
        state.entries.clear();
        state.listening = listening;
    }

    /// Records a version check that began at `started` and read `version`: a version other
    /// than the one seen before empties the cache (a change whose notification may have been
    /// missed); then entries are served until `started + VALIDITY`.
    fn checked(&self, started: Instant, version: Option<String>) {
        let mut state = write(&self.state);
        if state.seen_version.as_ref() != Some(&version) {
            state.generation += 1;
            state.entries.clear();
            state.seen_version = Some(version);
        }
        if state.checked.is_none_or(|c| c < started) {
            state.checked = Some(started);
        }
    }

    /// Handles one notification payload; one that cannot be read empties the whole cache.
    fn notified(&self, payload: &str) {
        match serde_json::from_str::<(String, String)>(payload) {
            Ok((account_id, name)) => self.invalidate(&account_id, &name),
            Err(_) => {
                let listening = read(&self.state).listening;
                self.reset(listening);
            }
        }
    }

    /// Whether entries are being served (the listener is listening and a version check
    /// succeeded within `VALIDITY`).
    pub(crate) fn is_serving(&self) -> bool {
        let state = read(&self.state);
        state.listening && state.checked.is_some_and(|c| c.elapsed() < VALIDITY)
    }

    /// Stops the listener and caching and closes the listener's connection (`PgStore::close`).
    pub(crate) async fn stop(&self) {
        for task in lock(&self.task).drain(..) {
            task.abort();
        }
        self.reset(false);
        if let Some(pool) = &self.listener_pool {
            pool.close().await;
        }
    }
}

impl Drop for TableCache {
    fn drop(&mut self) {
        for task in lock(&self.task).drain(..) {
            task.abort();
        }
    }
}

// A panic while a guard is held cannot leave the map half-updated in a way that matters (at
// worst an entry is missing), so a poisoned lock is simply used.
fn read(l: &RwLock<State>) -> std::sync::RwLockReadGuard<'_, State> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn write(l: &RwLock<State>) -> std::sync::RwLockWriteGuard<'_, State> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

fn lock(l: &Mutex<Vec<AbortHandle>>) -> std::sync::MutexGuard<'_, Vec<AbortHandle>> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

/// The version checker: reads the tables version every `CHECK_EVERY` through the catalog
/// pool. A failed read changes nothing, so entries stop being served `VALIDITY` after the last
/// check that succeeded. Ends when the cache is gone or the pool closed.
async fn check(cache: Weak<TableCache>, catalog: PgPool) {
    loop {
        if catalog.is_closed() {
            return;
        }
        let started = Instant::now();
        let read = sqlx::query_scalar::<_, String>(VERSION_SQL)
            .fetch_optional(&catalog)
            .await;
        match (cache.upgrade(), read) {
            (None, _) => return,
            (Some(c), Ok(version)) => c.checked(started, version),
            (Some(_), Err(e)) => {
                tracing::debug!(error = %e, "table cache: cannot read the tables version")
            }
        }
        tokio::time::sleep_until((started + CHECK_EVERY).into()).await;
    }
}

async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // A lost connection must surface as `Ok(None)` before anything reconnects, so that the
    // cache stops serving for the whole gap.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// The listener task: (re)connect, empty the cache and serve it while listening; on any loss
/// stop serving and try again. Ends when the cache is gone or the pool closed.
async fn listen(cache: Weak<TableCache>, pool: PgPool) {
    let mut backoff = Duration::from_millis(50);
    loop {
        if pool.is_closed() {
            return;
        }
        let mut listener = match connect(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "table cache: cannot LISTEN; serving from the catalog");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = Duration::from_millis(50);
        match cache.upgrade() {
            Some(c) => c.reset(true),
            None => return,
        }
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => match cache.upgrade() {
                    Some(c) => c.notified(n.payload()),
                    None => return,
                },
                Ok(None) => {
                    tracing::warn!("table cache: listener connection lost; reconnecting");
                    break;
                }
                Err(e) => {
                    if pool.is_closed() {
                        if let Some(c) = cache.upgrade() {
                            c.reset(false);
                        }
                        return;
                    }
                    tracing::warn!(error = %e, "table cache: listener failed; reconnecting");
                    break;
                }
            }
        }
        match cache.upgrade() {
            Some(c) => c.reset(false),
            None => return,
        }
    }
}

#[cfg(test)]
#[path = "table_cache_tests.rs"]
mod tests;
