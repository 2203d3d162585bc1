//! `Coordination` for several extenddb processes over one PostgreSQL: session advisory locks
//! on a connection of their own.
//!
//! Each server process holds one dedicated connection to the catalog database (outside both
//! pools) on which it
//! - takes the shared "member" lock: the processes holding it are the servers
//!   (`servers()`, counted in `pg_locks` every tick), and
//! - tries, every `TICK`, the exclusive lock of each background job it does not run yet
//!   (`pg_try_advisory_lock`): the process holding a job's lock runs the job.
//!
//! PostgreSQL releases a session's locks when its connection ends: at once when the process
//! dies on the same host or its socket is closed (kill -9 included), and within the TCP
//! keepalive time set on the session (`KEEPALIVE_SQL`: about 10 s) when the host vanishes.
//! The other processes take the jobs over at their next tick, and resume from what the store
//! holds (every job does). This process stops claiming its jobs when a tick fails or has not
//! succeeded for `GRACE` — a hung connection included — so after a network loss it stops
//! within `GRACE` while PostgreSQL hands the locks to another process after its keepalive
//! timeout: the overlap is bounded by `GRACE` and jobs are safe under overlap anyway
//! (core::traits::coordination).
//!
//! Not through a transaction-pooling proxy (PgBouncer's transaction mode): session locks need
//! a session of their own (docs/scaling.md).

use crate::error::PgError;
use crate::options::PgOptions;
use extenddb_core::traits::{Coordination, Job};
use sqlx::{PgConnection, Row};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::AbortHandle;

/// Pause between ticks: how soon a free job is taken over and a server count changes.
pub const TICK: Duration = Duration::from_secs(1);

/// How long after the last successful tick this process still claims its jobs.
pub const GRACE: Duration = Duration::from_secs(3);

/// The longest a tick's statement may take before the connection is given up.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(2);

/// Longest pause between attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The high 32 bits of every lock key ("EDBC"), so extenddb's keys stay apart from other
/// users of advisory locks in the catalog database.
const NAMESPACE: i64 = 0x4544_4243 << 32;

/// The shared lock every server holds.
const MEMBER_KEY: i64 = NAMESPACE | 0xFFFF;

/// Server-side TCP keepalives of the session, so PostgreSQL notices a vanished host (and
/// frees its jobs) within about 10 s instead of the system's default of hours.
const KEEPALIVE_SQL: [&str; 3] = [
    "SET tcp_keepalives_idle = 5",
    "SET tcp_keepalives_interval = 2",
    "SET tcp_keepalives_count = 3",
];

/// One tick: try the jobs' locks not held yet (answering those taken) and count the members.
const TICK_SQL: &str = "SELECT \
     (SELECT coalesce(array_agg(k), '{}') FROM unnest($1::int8[]) AS k \
      WHERE pg_try_advisory_lock(k)), \
     (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
      AND classid = ($2::int8 >> 32)::oid AND objid = ($2::int8 & 4294967295)::oid \
      AND objsubid = 1)";

/// The lock key of `job`.
fn job_key(job: Job) -> i64 {
    NAMESPACE | i64::from(job.id())
}

/// What the lock task learned, read by `runs` and `servers`.
struct Shared {
    /// Per job (by `Job::id`): this session holds its lock.
    held: Vec<AtomicBool>,
    /// Members counted at the last tick.
    servers: AtomicU32,
    /// When the last successful tick began.
    ok_at: Mutex<Option<Instant>>,
}

impl Shared {
    fn fresh(&self) -> bool {
        let ok_at = *self.ok_at.lock().unwrap_or_else(|e| e.into_inner());
        ok_at.is_some_and(|t| t.elapsed() < GRACE)
    }

    fn lost(&self) {
        for h in &self.held {
            h.store(false, Ordering::Release);
        }
        *self.ok_at.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The coordination of one server process. Dropping it (or `stop`) ends its session, which
/// frees its jobs for the others.
pub struct PgCoordination {
    shared: Arc<Shared>,
    task: AbortHandle,
}

impl std::fmt::Debug for PgCoordination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCoordination")
            .field("servers", &self.servers())
            .finish_non_exhaustive()
    }
}

impl PgCoordination {
    /// Joins the servers over the catalog database `opts` names: starts the lock task (in
    /// the current tokio runtime), which connects, takes the member lock and claims free
    /// jobs every `TICK`. Until its first tick this process runs no job and counts itself
    /// alone.
    pub fn start(opts: &PgOptions) -> Arc<PgCoordination> {
        let shared = Arc::new(Shared {
            held: Job::ALL.iter().map(|_| AtomicBool::new(false)).collect(),
            servers: AtomicU32::new(1),
            ok_at: Mutex::new(None),
        });
        let task = tokio::spawn(run(opts.clone(), shared.clone())).abort_handle();
        Arc::new(PgCoordination { shared, task })
    }

    /// Leaves: ends the session (its locks are freed) and stops claiming jobs.
    pub fn stop(&self) {
        self.task.abort();
        self.shared.lost();
    }
}

impl Drop for PgCoordination {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Coordination for PgCoordination {
    fn runs(&self, job: Job) -> bool {
        self.shared
            .held
            .get(usize::from(job.id()))
            .is_some_and(|h| h.load(Ordering::Acquire))
            && self.shared.fresh()
    }

    fn servers(&self) -> u32 {
        self.shared.servers.load(Ordering::Acquire).max(1)
    }
}

/// The lock task: (re)connect, join, tick; on any failure drop every claim and start over.
async fn run(opts: PgOptions, shared: Arc<Shared>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match session(&opts, &shared).await {
            Ok(()) => return,
            Err(e) => {
                shared.lost();
                tracing::warn!(error = %e, "coordination: session lost; background jobs released");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One session: connect, take the member lock, then tick until something fails (it never
/// ends otherwise). Every step has `STATEMENT_TIMEOUT`.
async fn session(opts: &PgOptions, shared: &Shared) -> Result<(), PgError> {
    let mut conn = within(opts.connect_one(&opts.catalog_db)).await?;
    within(join(&mut conn)).await?;
    loop {
        let started = Instant::now();
        within(tick(&mut conn, shared)).await?;
        *shared.ok_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(started);
        tokio::time::sleep_until((started + TICK).into()).await;
    }
}

/// Sets the session's keepalives and takes the member lock.
async fn join(conn: &mut PgConnection) -> Result<(), PgError> {
    // One statement each: a multi-statement string needs the simple protocol (`raw_sql`),
    // whose future sqlx cannot move into a spawned task here.
    for set in KEEPALIVE_SQL {
        sqlx::query(set)
            .execute(&mut *conn)
            .await
            .map_err(PgError::from_query)?;
    }
    sqlx::query("SELECT pg_advisory_lock_shared($1)")
        .bind(MEMBER_KEY)
        .execute(&mut *conn)
        .await
        .map_err(PgError::from_query)?;
    Ok(())
}

/// Claims the free jobs and counts the servers.
async fn tick(conn: &mut PgConnection, shared: &Shared) -> Result<(), PgError> {
    let want: Vec<i64> = Job::ALL
        .iter()
        .filter(|j| !shared.held[usize::from(j.id())].load(Ordering::Acquire))
        .map(|j| job_key(*j))
        .collect();
    let row = sqlx::query(TICK_SQL)
        .bind(want)
        .bind(MEMBER_KEY)
        .fetch_one(&mut *conn)
        .await
        .map_err(PgError::from_query)?;
    let taken: Vec<i64> = row.try_get(0).map_err(PgError::from_query)?;
    let members: i64 = row.try_get(1).map_err(PgError::from_query)?;
    for job in Job::ALL {
        if taken.contains(&job_key(job)) {
            shared.held[usize::from(job.id())].store(true, Ordering::Release);
            tracing::info!(
                job = job.name(),
                "coordination: this server now runs the job"
            );
        }
    }
    shared.servers.store(
        u32::try_from(members).unwrap_or(1).max(1),
        Ordering::Release,
    );
    Ok(())
}

/// Runs `f` within `STATEMENT_TIMEOUT`.
async fn within<T>(f: impl std::future::Future<Output = Result<T, PgError>>) -> Result<T, PgError> {
    tokio::time::timeout(STATEMENT_TIMEOUT, f)
        .await
        .unwrap_or_else(|_| Err(PgError::from_query(sqlx::Error::PoolTimedOut)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_in_the_namespace() {
        let mut keys: Vec<i64> = Job::ALL.iter().map(|j| job_key(*j)).collect();
        keys.push(MEMBER_KEY);
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n);
        assert!(keys.iter().all(|k| k >> 32 == 0x4544_4243 && *k > 0));
    }

    #[test]
    fn claims_lapse_after_the_grace_time() {
        let shared = Shared {
            held: vec![AtomicBool::new(true)],
            servers: AtomicU32::new(2),
            ok_at: Mutex::new(Some(Instant::now())),
        };
        assert!(shared.fresh());
        *shared.ok_at.lock().unwrap() = Instant::now().checked_sub(GRACE);
        assert!(!shared.fresh());
        shared.lost();
        assert!(!shared.held[0].load(Ordering::Acquire));
    }
}
