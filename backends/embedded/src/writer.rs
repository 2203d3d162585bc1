//! The writer thread and its group commit.
//!
//! redb runs one write transaction at a time and a durable commit costs an fsync, so every write
//! of the store (items, catalog, counters, settings) is a job sent to one dedicated thread. The
//! thread drains whatever jobs are queued (up to `max_batch`), runs them one after another inside
//! a single write transaction — each job sees the writes of the jobs before it — commits once
//! with `Durability::Immediate`, and only then answers every job. An acknowledged write has
//! therefore reached the disk. Batching happens on its own: while one commit waits for its
//! fsync, new requests queue up and ride in the next commit, so no artificial delay is added.
//!
//! Inside the batch, consecutive item writes share the open item tables and sum their stats
//! changes (see `batch`).
//!
//! A job whose own logic refuses (a failed condition, an existing table) writes nothing and is
//! answered with its error after the commit. A storage failure inside a job leaves the
//! transaction in an unknown state: the batch is aborted, every job that ran in it gets the
//! error, and the jobs that had not run yet are carried into the next batch.
//!
//! An I/O failure (a full disk, most often) begins a fault episode (`faults`; it ends when the
//! readiness check finds a large write fits again) and makes the thread reopen the database at
//! once (`db_slot`: redb refuses everything after an I/O error until then), so reads go on and
//! writes resume by themselves once the disk takes them again. While the file cannot be
//! reopened, writes are refused at once and the reopen is retried every `REOPEN_INTERVAL`;
//! while the file system stays full, writes are let through once per `TRY_WHILE_FULL` (a
//! delete may still fit in the file's free pages) and refused at once in between.
//! A job whose requester stopped waiting before it ran (its deadline passed, its client went
//! away) is dropped unrun: it was never acknowledged, and applying it later could overwrite a
//! newer write the client made since.

use crate::batch::Batch;
use crate::db_slot::DbSlot;
use crate::faults::Faults;
use extenddb_core::error::StoreError;
use redb::{Database, Durability};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Least time between two attempts to reopen a database that could not be reopened.
const REOPEN_INTERVAL: Duration = Duration::from_millis(500);
/// While the disk is full, how often a write is let through to the file when the file system
/// has no room: enough for a delete (which may fit in pages the file already has) to get
/// through on a client's retry, few enough that failing writes do not keep the thread
/// reopening (and perhaps repairing) the file, which also holds up reads.
const TRY_WHILE_FULL: Duration = Duration::from_secs(1);
/// Free bytes on the file system from which writes are let through at once during a full-disk
/// episode.
const ROOM_BYTES: u64 = 256 * 1024;

/// Answers a job after the batch ended: `None` when it committed, else why it did not.
type Finish = Box<dyn FnOnce(Option<&StoreError>) + Send>;

/// What running one job inside the batch transaction left behind.
struct Staged {
    finish: Finish,
    fatal: Option<redb::Error>,
}

/// One queued write: it can run inside the batch transaction, or be failed without running.
trait Job: Send {
    fn run(self: Box<Self>, batch: &mut Batch<'_>) -> Staged;
    fn fail(self: Box<Self>, error: &StoreError);
    /// True when nobody waits for the answer any more.
    fn abandoned(&self) -> bool;
}

/// A job computing `Result<T, E>` whose answer goes back through a oneshot channel. `work`'s
/// outer error is a storage failure (aborts the batch); its inner result is the job's answer.
struct TypedJob<T, E, W> {
    work: W,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, W> Job for TypedJob<T, E, W>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    W: FnOnce(&mut Batch<'_>) -> Result<Result<T, E>, redb::Error> + Send,
{
    fn run(self: Box<Self>, batch: &mut Batch<'_>) -> Staged {
        let TypedJob { work, reply } = *self;
        match work(batch) {
            Ok(answer) => Staged {
                finish: Box::new(move |failure: Option<&StoreError>| {
                    let answer = match failure {
                        None => answer,
                        Some(e) => Err(E::from(e.clone())),
                    };
                    // The caller may have stopped waiting (request cancelled); nothing to do.
                    let _ = reply.send(answer);
                }),
                fatal: None,
            },
            Err(e) => Staged {
                finish: Box::new(move |failure: Option<&StoreError>| {
                    let e = failure
                        .cloned()
                        .unwrap_or_else(|| StoreError::Backend("write transaction aborted".into()));
                    let _ = reply.send(Err(E::from(e)));
                }),
                fatal: Some(e),
            },
        }
    }

    fn fail(self: Box<Self>, error: &StoreError) {
        let _ = self.reply.send(Err(E::from(error.clone())));
    }

    fn abandoned(&self) -> bool {
        self.reply.is_closed()
    }
}

/// Counts of the writer's work, to show how well group commit batches.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Write transactions committed.
    pub(crate) commits: AtomicU64,
    /// Jobs answered from committed transactions.
    pub(crate) jobs: AtomicU64,
    /// Jobs dropped unrun because nobody waited for them any more.
    pub(crate) abandoned: AtomicU64,
}

/// Handle to the writer thread; dropping it stops the thread after the queued jobs and waits
/// for it, so the database file is closed when the last store handle is gone.
pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

/// What the writer thread works on.
struct Thread {
    slot: Arc<DbSlot>,
    faults: Arc<Faults>,
    counters: Arc<Counters>,
    max_batch: usize,
    /// When the last reopen was tried (successful or not).
    reopened_at: Option<Instant>,
    /// When the last batch failed for an I/O fault.
    failed_at: Option<Instant>,
}

impl Writer {
    /// Starts the writer thread over the database in `slot`, committing at most `max_batch`
    /// jobs at once and recording I/O failures in `faults`.
    pub(crate) fn start(
        slot: Arc<DbSlot>,
        faults: Arc<Faults>,
        max_batch: usize,
    ) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let counters = Arc::new(Counters::default());
        let mut state = Thread {
            slot,
            faults,
            counters: counters.clone(),
            max_batch: max_batch.max(1),
            reopened_at: None,
            failed_at: None,
        };
        let thread = std::thread::Builder::new()
            .name("extenddb-redb-writer".into())
            .spawn(move || state.run(&rx))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            counters,
        })
    }

    /// The writer's counters.
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Runs `work` in the next group commit and returns its answer once the commit is durable.
    pub(crate) async fn submit<T, E, W>(&self, work: W) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        W: FnOnce(&mut Batch<'_>) -> Result<Result<T, E>, redb::Error> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(TypedJob { work, reply });
        let stopped = || E::from(StoreError::Backend("the writer thread has stopped".into()));
        let Some(tx) = &self.tx else {
            return Err(stopped());
        };
        if tx.send(job).is_err() {
            return Err(stopped());
        }
        answer.await.unwrap_or_else(|_| Err(stopped()))
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the redb writer thread panicked");
            }
        }
    }
}

impl Thread {
    fn run(&mut self, rx: &mpsc::Receiver<Box<dyn Job>>) {
        let mut queue: VecDeque<Box<dyn Job>> = VecDeque::new();
        loop {
            if queue.is_empty() {
                match rx.recv() {
                    Ok(job) => queue.push_back(job),
                    Err(_) => return,
                }
            }
            while queue.len() < self.max_batch {
                match rx.try_recv() {
                    Ok(job) => queue.push_back(job),
                    Err(_) => break,
                }
            }
            let before = queue.len();
            queue.retain(|job| !job.abandoned());
            let dropped = (before - queue.len()) as u64;
            if dropped > 0 {
                self.counters
                    .abandoned
                    .fetch_add(dropped, Ordering::Relaxed);
            }
            let take = queue.len().min(self.max_batch);
            let batch: Vec<Box<dyn Job>> = queue.drain(..take).collect();
            if !batch.is_empty() {
                self.commit_batch(batch, &mut queue);
            }
        }
    }

    /// The open database, reopening it (at most every `REOPEN_INTERVAL`) when an I/O failure
    /// closed it.
    fn database(&mut self) -> Result<Arc<Database>, String> {
        if let Some(db) = self.slot.get() {
            return Ok(db);
        }
        if self.reopen_too_soon() {
            return Err("the store is closed after an I/O error; reopening soon".into());
        }
        self.reopen()?;
        self.slot
            .get()
            .ok_or_else(|| "the store could not be reopened".to_string())
    }

    fn reopen_too_soon(&self) -> bool {
        self.reopened_at
            .is_some_and(|at| at.elapsed() < REOPEN_INTERVAL)
    }

    /// During a full-disk episode: whether to refuse a batch without trying it, because the
    /// file system has no room and the last try failed less than `TRY_WHILE_FULL` ago.
    fn hold_back(&self) -> bool {
        self.faults.out_of_space()
            && self
                .failed_at
                .is_some_and(|at| at.elapsed() < TRY_WHILE_FULL)
            && self
                .faults
                .free_bytes()
                .is_none_or(|free| free < ROOM_BYTES)
    }

    fn reopen(&mut self) -> Result<(), String> {
        let started = Instant::now();
        self.reopened_at = Some(started);
        match self.slot.reopen() {
            Ok(()) => {
                tracing::info!(
                    millis = started.elapsed().as_millis() as u64,
                    "embedded store reopened after an I/O error"
                );
                Ok(())
            }
            Err(e) => {
                tracing::debug!(error = %e, "cannot reopen the embedded store yet");
                Err(e)
            }
        }
    }

    fn commit_batch(&mut self, batch: Vec<Box<dyn Job>>, queue: &mut VecDeque<Box<dyn Job>>) {
        if self.hold_back() {
            let e = self.faults.refuse(batch.len(), "out of disk space");
            return fail_all(batch, &e);
        }
        let db = match self.database() {
            Ok(db) => db,
            Err(why) => {
                let e = self.faults.refuse(batch.len(), &why);
                return fail_all(batch, &e);
            }
        };
        let mut txn = match db.begin_write() {
            Ok(txn) => txn,
            Err(e) => {
                let e = self.failure(db, e.into(), "cannot begin write transaction", batch.len());
                return fail_all(batch, &e);
            }
        };
        if let Err(e) = txn.set_durability(Durability::Immediate) {
            drop(txn);
            let e = self.failure(db, e.into(), "cannot set durability", batch.len());
            return fail_all(batch, &e);
        }
        let mut staged: Vec<Finish> = Vec::with_capacity(batch.len());
        let mut jobs = batch.into_iter();
        let mut fatal = None;
        {
            let mut shared = Batch::new(&txn);
            for job in jobs.by_ref() {
                let s = job.run(&mut shared);
                staged.push(s.finish);
                if let Some(e) = s.fatal {
                    fatal = Some(e);
                    break;
                }
            }
            // The stats the item writes summed are part of the commit.
            if fatal.is_none() {
                fatal = shared.close().err();
            }
        }
        // Jobs that did not run go first into the next batch, in their original order.
        for job in jobs.rev() {
            queue.push_front(job);
        }
        let failure = match fatal {
            Some(e) => {
                if let Err(abort) = txn.abort() {
                    tracing::debug!(error = %abort, "aborting a failed write transaction");
                }
                Some(self.failure(db, e, "write transaction failed", staged.len()))
            }
            None => match txn.commit() {
                Ok(()) => None,
                Err(e) => Some(self.failure(db, e.into(), "commit failed", staged.len())),
            },
        };
        if failure.is_none() {
            self.counters.commits.fetch_add(1, Ordering::Relaxed);
            self.counters
                .jobs
                .fetch_add(staged.len() as u64, Ordering::Relaxed);
        }
        for finish in staged {
            finish(failure.as_ref());
        }
    }

    /// The error of a batch of `jobs` that failed with `e`. An I/O failure continues or
    /// begins a fault episode and reopens the database; anything else is logged as the
    /// storage failure it is.
    fn failure(
        &mut self,
        db: Arc<Database>,
        e: redb::Error,
        what: &str,
        jobs: usize,
    ) -> StoreError {
        let reason = format!("{what}: {e}");
        match self.faults.classify(&e) {
            Some(kind) => {
                let error = self.faults.record(kind, &reason, jobs);
                self.failed_at = Some(Instant::now());
                // The reopen needs the last handle on the old database. Reads fail while it
                // runs, so it runs at once (`hold_back` keeps it from recurring).
                drop(db);
                let _ = self.reopen();
                error
            }
            None => {
                tracing::error!(error = %reason, jobs, "group commit failed");
                StoreError::Backend(reason)
            }
        }
    }
}

fn fail_all(batch: Vec<Box<dyn Job>>, error: &StoreError) {
    for job in batch {
        job.fail(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::META;
    use std::time::Duration;

    fn put(
        key: &'static str,
    ) -> impl FnOnce(&mut Batch<'_>) -> Result<Result<(), StoreError>, redb::Error> {
        move |batch| {
            let mut meta = batch.close()?.open_table(META)?;
            meta.insert(key, b"x".as_slice())?;
            Ok(Ok(()))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_nobody_waits_for_any_more_is_dropped_unrun() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("w.redb");
        let db = redb::Builder::new().create(&file).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(META).unwrap();
        txn.commit().unwrap();
        let slot = Arc::new(DbSlot::new(db, Some(file.clone())));
        let writer = Arc::new(
            Writer::start(slot.clone(), Arc::new(Faults::new(Some(&file))), 1024).unwrap(),
        );
        // A job that holds the writer thread until released.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let blocker = tokio::spawn({
            let writer = writer.clone();
            async move {
                writer
                    .submit(move |batch: &mut Batch<'_>| {
                        let _ = released.recv_timeout(Duration::from_secs(10));
                        put("first")(batch)
                    })
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Queued behind it; its request is cancelled (deadline, client gone) meanwhile.
        let abandoned = tokio::spawn({
            let writer = writer.clone();
            async move { writer.submit(put("abandoned")).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        abandoned.abort();
        let _ = abandoned.await;
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        writer.submit(put("last")).await.unwrap();
        let txn = slot.begin_read().unwrap();
        let meta = txn.open_table(META).unwrap();
        assert!(meta.get("first").unwrap().is_some());
        assert!(meta.get("last").unwrap().is_some());
        assert!(meta.get("abandoned").unwrap().is_none());
        assert_eq!(writer.counters().abandoned.load(Ordering::Relaxed), 1);
    }
}
