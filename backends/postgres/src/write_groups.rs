//! Grouped write transactions: the `ItemStore::write` requests queued while earlier ones run
//! go to PostgreSQL as one transaction (group_tx.rs), so that they share its round trips and
//! its commit's WAL flush — the cost that dominated a write needing the old item (a stream's
//! old image, point-in-time history, indexes, conditions, UpdateItem). Each request is still
//! answered only after the commit that holds its writes.
//!
//! As with coalesce.rs, at most `SLOTS` transactions are in flight; a request that finds a
//! free slot and nothing else queued runs at once on its own task (a group of one: latency
//! without contention unchanged), and requests that queue while every slot is busy are
//! taken, oldest first, by the next slot to free up.
//!
//! Order per key: a group never holds two requests reading the same key (same lock id), and
//! no request is taken while a key it reads is in a group in flight in this process, or read
//! by an older request still queued: so the requests of one process that read one key commit
//! in the order they arrived. Across processes the key's advisory lock orders them, as before.
//! A request whose submitter stopped waiting before its group formed is dropped unsent.

use crate::group_tx::{run_group, Finished, Member};
use extenddb_core::error::{ApiError, StoreError};
use extenddb_core::traits::{ItemKey, WriteDecider, WriteOutcome};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// Group transactions in flight at once (each holds a connection until its commit). Two
/// measured better than four or eight on streamed PutItem at 16 and 64 clients (bigger
/// groups: fewer statements and commits per request) and as well as one, which would let a
/// group waiting for a key another server holds stall every write of this process.
const SLOTS: usize = 2;
/// Requests per group at most.
const MAX_MEMBERS: usize = 64;
/// Keys read per group at most (a larger request still forms a group of its own).
const MAX_KEYS: usize = 256;

type Answer = Result<WriteOutcome, ApiError>;

/// A queued request and where its answer goes.
struct Queued {
    id: u64,
    member: Member,
    tx: oneshot::Sender<Answer>,
}

/// What the queue's mutex guards.
#[derive(Default)]
struct State {
    queue: VecDeque<Queued>,
    /// Lock ids read by the groups in flight, with how many members hold each.
    busy: HashMap<i64, u32>,
}

/// Groups concurrent write transactions.
pub(crate) struct WriteGroups {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for WriteGroups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteGroups")
    }
}

struct Inner {
    pool: PgPool,
    state: Mutex<State>,
    slots: Arc<Semaphore>,
    next_id: AtomicU64,
    /// Transactions that ran more than one request, and the requests they ran.
    grouped: AtomicU64,
    grouped_members: AtomicU64,
}

impl WriteGroups {
    /// Groups writes to `pool`.
    pub(crate) fn new(pool: &PgPool) -> WriteGroups {
        WriteGroups {
            inner: Arc::new(Inner {
                pool: pool.clone(),
                state: Mutex::new(State::default()),
                slots: Arc::new(Semaphore::new(SLOTS)),
                next_id: AtomicU64::new(0),
                grouped: AtomicU64::new(0),
                grouped_members: AtomicU64::new(0),
            }),
        }
    }

    /// `(transactions that ran more than one request, requests they ran)` so far.
    pub(crate) fn grouped(&self) -> (u64, u64) {
        (
            self.inner.grouped.load(Ordering::Relaxed),
            self.inner.grouped_members.load(Ordering::Relaxed),
        )
    }

    /// Runs one write transaction (`ItemStore::write`), alone or in a group.
    pub(crate) async fn write(&self, reads: Vec<ItemKey>, decide: WriteDecider) -> Answer {
        let inner = &self.inner;
        let id = inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let member = Member::new(reads, decide);
        inner.lock().queue.push_back(Queued { id, member, tx });
        let Ok(permit) = Arc::clone(&inner.slots).try_acquire_owned() else {
            // Every slot is busy; a slot holder runs this request when it frees up.
            return wait(rx).await;
        };
        let mut group = inner.take_group();
        if group.is_empty() {
            // A key of this request is in a group in flight, whose slot takes it after.
            Arc::clone(inner).release(permit);
            return wait(rx).await;
        }
        if group.len() == 1 && group[0].id == id {
            if let Some(mine) = group.pop() {
                // Alone: run on this task. The guard frees the keys and the slot however this
                // future ends (cancelled included) and hands the slot on.
                let _held = Held {
                    inner: Arc::clone(inner),
                    locks: mine.member.locks.clone(),
                    permit: Some(permit),
                };
                return match run_group(&inner.pool, vec![mine.member]).await.pop() {
                    Some(Finished::Answer(answer)) => answer,
                    _ => Err(
                        StoreError::Backend("a write group of one did not answer".into()).into(),
                    ),
                };
            }
        }
        // Others' requests (perhaps with this one): a task of its own, so that they are not
        // cancelled with this request's future.
        tokio::spawn(Arc::clone(inner).drive(permit, group));
        wait(rx).await
    }
}

impl Inner {
    /// Runs `first`, then groups while requests are queued, holding one slot.
    async fn drive(self: Arc<Self>, permit: OwnedSemaphorePermit, first: Vec<Queued>) {
        let mut group = first;
        loop {
            if group.is_empty() {
                group = self.take_group();
            }
            if group.is_empty() {
                self.release(permit);
                return;
            }
            self.run(std::mem::take(&mut group)).await;
        }
    }

    /// Runs one group, answers its members, and queues again (first) those it deferred.
    async fn run(self: &Arc<Self>, group: Vec<Queued>) {
        if group.len() > 1 {
            self.grouped.fetch_add(1, Ordering::Relaxed);
            self.grouped_members
                .fetch_add(group.len() as u64, Ordering::Relaxed);
        }
        let locks: Vec<i64> = group
            .iter()
            .flat_map(|q| q.member.locks.iter().copied())
            .collect();
        // Frees the group's keys even if this future is dropped (the runtime shutting down).
        let mut held = Held {
            inner: Arc::clone(self),
            locks,
            permit: None,
        };
        let mut waiters = Vec::with_capacity(group.len());
        let mut members = Vec::with_capacity(group.len());
        for q in group {
            waiters.push((q.id, q.tx));
            members.push(q.member);
        }
        let finished = run_group(&self.pool, members).await;
        let mut deferred = Vec::new();
        for ((id, tx), f) in waiters.into_iter().zip(finished) {
            match f {
                // The requester may have gone away; nothing to do then.
                Finished::Answer(answer) => {
                    let _ = tx.send(answer);
                }
                Finished::Deferred(member) => deferred.push(Queued { id, member, tx }),
            }
        }
        let mut state = self.lock();
        for q in deferred.into_iter().rev() {
            state.queue.push_front(q);
        }
        free(&mut state.busy, &std::mem::take(&mut held.locks));
    }

    /// Gives the slot back; if requests that can run now are queued (their submitters found
    /// every slot busy, or the keys they wait for were just freed), takes a slot again and
    /// runs them from a new task.
    fn release(self: Arc<Self>, permit: OwnedSemaphorePermit) {
        drop(permit);
        if !self.runnable() {
            return;
        }
        let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() else {
            return; // another slot holder will run them
        };
        // Outside a runtime (shutting down) there is nobody left to answer anyway.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(self.drive(permit, Vec::new()));
        }
    }

    /// The next group: queued requests, oldest first, that read no key of a group in flight
    /// nor of an older request left queued, up to `MAX_MEMBERS` requests and `MAX_KEYS` keys.
    /// Marks their keys busy. Drops requests whose submitter stopped waiting.
    fn take_group(&self) -> Vec<Queued> {
        let mut state = self.lock();
        let State { queue, busy } = &mut *state;
        queue.retain(|q| !q.tx.is_closed());
        let mut skipped: HashSet<i64> = HashSet::new();
        let mut group: Vec<Queued> = Vec::new();
        let mut keys = 0;
        let mut left = VecDeque::with_capacity(queue.len());
        for q in queue.drain(..) {
            let locks = &q.member.locks;
            let fits = group.len() < MAX_MEMBERS
                && (group.is_empty() || keys + locks.len() <= MAX_KEYS)
                && locks
                    .iter()
                    .all(|l| !busy.contains_key(l) && !skipped.contains(l));
            if fits {
                keys += locks.len();
                for l in locks {
                    *busy.entry(*l).or_insert(0) += 1;
                }
                group.push(q);
            } else {
                skipped.extend(locks.iter().copied());
                left.push_back(q);
            }
        }
        *queue = left;
        group
    }

    /// Whether `take_group` would take anything now.
    fn runnable(&self) -> bool {
        let state = self.lock();
        let mut skipped: HashSet<i64> = HashSet::new();
        for q in state.queue.iter().filter(|q| !q.tx.is_closed()) {
            let locks = &q.member.locks;
            if locks
                .iter()
                .all(|l| !state.busy.contains_key(l) && !skipped.contains(l))
            {
                return true;
            }
            skipped.extend(locks.iter().copied());
        }
        false
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state holds plain data; a panic elsewhere while it was locked leaves it valid.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Marks `locks` no longer read by a group in flight.
fn free(busy: &mut HashMap<i64, u32>, locks: &[i64]) {
    for l in locks {
        if let Some(n) = busy.get_mut(l) {
            *n -= 1;
            if *n == 0 {
                busy.remove(l);
            }
        }
    }
}

/// Keys (and, for a request run on its own task, the slot) of a group in flight: freed on
/// drop, then the slot is handed on.
struct Held {
    inner: Arc<Inner>,
    locks: Vec<i64>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.locks.is_empty() {
            free(&mut self.inner.lock().busy, &self.locks);
        }
        if let Some(permit) = self.permit.take() {
            Arc::clone(&self.inner).release(permit);
        }
    }
}

/// Waits for a queued request's answer.
async fn wait(rx: oneshot::Receiver<Answer>) -> Answer {
    rx.await
        .unwrap_or_else(|_| Err(StoreError::Backend("a write group was abandoned".into()).into()))
}

#[cfg(test)]
#[path = "write_groups_tests.rs"]
mod tests;
