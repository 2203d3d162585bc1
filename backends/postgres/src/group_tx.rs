//! One transaction for a group of write requests (write_groups.rs forms the groups): lock
//! every key the members read (sorted, session-level advisory locks, one statement) and read
//! them all, run each member's decider on its own slice, then apply every surviving member's
//! writes and commit in one statement (held_tx.rs: the keys stay locked from the read until
//! that commit). Two round trips and one WAL flush for the whole group; a group of one is a
//! lone write transaction.
//!
//! - A member whose decider fails (a failed condition, a cancelled transaction, validation)
//!   drops out with its error; deciders run before anything is written, so the others are
//!   untouched and no savepoint is needed.
//! - A member that reads a key an earlier member of the group writes (never seen in practice:
//!   members' read sets are disjoint and written keys outside them are index and history
//!   entries nobody reads) is handed back undecided, for a later group: its decider would
//!   otherwise see the item before a write that is committed with it.
//! - Writes of several members to one key not read (none in practice, see above) are applied
//!   in member order, the last winning: as if the members had committed one after the other.
//! - If the applying statement fails, nothing of the group was written. Alone,
//!   a member gets the error. In a group (unless PostgreSQL is out of reach), each survivor
//!   gets a transaction of its own: it locks and reads its keys again and, if they are as its
//!   decider saw them, applies the writes it decided, so one member's failure (a deadlock
//!   with another process, say) never becomes the others'.

use crate::error::store_err;
use crate::held_tx::HeldConn;
use crate::lock::sorted_lock_ids;
use crate::write_tx::{apply, extra_locks, lock_and_read};
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::traits::{ItemKey, StoredItem, WriteDecider, WriteOp, WriteOutcome};
use sqlx::PgPool;
use std::collections::HashSet;
use std::panic::AssertUnwindSafe;

/// One write request: the keys it locks and reads, their lock ids (sorted, distinct), and the
/// decider that turns what it read into writes.
pub(crate) struct Member {
    /// The keys read, in the decider's order.
    pub(crate) reads: Vec<ItemKey>,
    /// `sorted_lock_ids(reads)`.
    pub(crate) locks: Vec<i64>,
    /// Core's decider.
    pub(crate) decide: WriteDecider,
}

impl Member {
    /// A member reading `reads`.
    pub(crate) fn new(reads: Vec<ItemKey>, decide: WriteDecider) -> Member {
        Member {
            locks: sorted_lock_ids(&reads),
            reads,
            decide,
        }
    }
}

/// What became of one member of a group.
pub(crate) enum Finished {
    /// Its answer.
    Answer(Result<WriteOutcome, ApiError>),
    /// Not decided in this group: it must run in a later one.
    Deferred(Member),
}

/// A member whose decider returned writes, not yet committed.
struct Decided {
    slot: usize,
    reads: Vec<ItemKey>,
    before: Vec<Option<StoredItem>>,
    writes: Vec<WriteOp>,
}

/// Runs `members` as one transaction; answers one `Finished` per member, in order. If the
/// transaction cannot start or read (no decider ran), every member gets that error.
pub(crate) async fn run_group(pool: &PgPool, members: Vec<Member>) -> Vec<Finished> {
    let mut conn = match HeldConn::acquire(pool).await {
        Ok(conn) => conn,
        Err(e) => return fail_all(members, &e),
    };
    let all_reads: Vec<ItemKey> = members
        .iter()
        .flat_map(|m| m.reads.iter().cloned())
        .collect();
    let mut all_before = match conn.hold_read(&all_reads).await {
        Ok(b) => b.into_iter(),
        Err(e) => {
            conn.release().await;
            return fail_all(members, &e);
        }
    };
    let mut out: Vec<Option<Finished>> = Vec::with_capacity(members.len());
    let mut decided: Vec<Decided> = Vec::new();
    let mut written: HashSet<ItemKey> = HashSet::new();
    for (slot, m) in members.into_iter().enumerate() {
        let before: Vec<Option<StoredItem>> = all_before.by_ref().take(m.reads.len()).collect();
        if m.reads.iter().any(|k| written.contains(k)) {
            out.push(Some(Finished::Deferred(m)));
            continue;
        }
        let Member { reads, decide, .. } = m;
        match decide_caught(decide, &before) {
            Ok(writes) => {
                written.extend(writes.iter().filter_map(WriteOp::key).cloned());
                out.push(None);
                decided.push(Decided {
                    slot,
                    reads,
                    before,
                    writes,
                });
            }
            Err(e) => out.push(Some(Finished::Answer(Err(e)))),
        }
    }
    if decided.is_empty() {
        // Nothing to write, as a lone write whose condition failed: just unlock.
        conn.release().await;
        return out.into_iter().flatten().collect();
    }
    let writes: Vec<WriteOp> = decided
        .iter()
        .flat_map(|d| d.writes.iter().cloned())
        .collect();
    // Every key any member read is held (also those of members that dropped out), so the
    // applying statement locks only keys outside that set.
    let extra = extra_locks(&all_reads, &writes);
    drop(all_reads);
    let applied = conn.apply(&extra, &writes).await;
    drop(writes);
    if applied.is_err() {
        // Unlocked now (or the connection closed): the retries below lock the same keys
        // from other connections.
        conn.release().await;
    }
    drop(conn);
    match applied {
        Ok(()) => {
            for d in decided {
                out[d.slot] = Some(Finished::Answer(Ok(WriteOutcome {
                    before: d.before,
                    writes: d.writes,
                })));
            }
        }
        Err(e) if decided.len() == 1 || matches!(e, StoreError::Unavailable(_)) => {
            for d in decided {
                out[d.slot] = Some(Finished::Answer(Err(e.clone().into())));
            }
        }
        Err(e) => {
            tracing::debug!(error = %e, members = decided.len(), "a write group failed; its members retry alone");
            for d in decided {
                let slot = d.slot;
                out[slot] = Some(Finished::Answer(retry_alone(pool, d, &e).await));
            }
        }
    }
    out.into_iter().flatten().collect()
}

/// Every member answered with `e`.
fn fail_all(members: Vec<Member>, e: &StoreError) -> Vec<Finished> {
    members
        .iter()
        .map(|_| Finished::Answer(Err(e.clone().into())))
        .collect()
}

/// Runs a decider, turning a panic into an error (the group's other members go on).
fn decide_caught(
    decide: WriteDecider,
    before: &[Option<StoredItem>],
) -> Result<Vec<WriteOp>, ApiError> {
    std::panic::catch_unwind(AssertUnwindSafe(|| decide(before)))
        .unwrap_or_else(|_| Err(StoreError::Backend("a write decider panicked".into()).into()))
}

/// One member of a failed group on its own: applies its decided writes if its keys still hold
/// what it decided on; otherwise answers the group's error `failed` (nothing was written).
async fn retry_alone(
    pool: &PgPool,
    d: Decided,
    failed: &StoreError,
) -> Result<WriteOutcome, ApiError> {
    let mut tx = pool.begin().await.map_err(store_err)?;
    let now = lock_and_read(&mut tx, &d.reads).await?;
    if now != d.before {
        return Err(failed.clone().into());
    }
    apply(&mut *tx, &extra_locks(&d.reads, &d.writes), &d.writes).await?;
    tx.commit().await.map_err(store_err)?;
    Ok(WriteOutcome {
        before: d.before,
        writes: d.writes,
    })
}
