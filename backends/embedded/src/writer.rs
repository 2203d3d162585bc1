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

use crate::batch::Batch;
use extenddb_core::error::StoreError;
use redb::{Database, Durability};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Answers a job after the batch ended: `None` when it committed, else why it did not.
type Finish = Box<dyn FnOnce(Option<&str>) + Send>;

/// What running one job inside the batch transaction left behind.
struct Staged {
    finish: Finish,
    fatal: Option<redb::Error>,
}

/// One queued write: it can run inside the batch transaction, or be failed without running.
trait Job: Send {
    fn run(self: Box<Self>, batch: &mut Batch<'_>) -> Staged;
    fn fail(self: Box<Self>, reason: &str);
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
                finish: Box::new(move |failure: Option<&str>| {
                    let answer = match failure {
                        None => answer,
                        Some(reason) => Err(E::from(StoreError::Backend(reason.to_string()))),
                    };
                    // The caller may have stopped waiting (request cancelled); nothing to do.
                    let _ = reply.send(answer);
                }),
                fatal: None,
            },
            Err(e) => Staged {
                finish: Box::new(move |failure: Option<&str>| {
                    let reason = failure.unwrap_or("write transaction aborted");
                    let _ = reply.send(Err(E::from(StoreError::Backend(reason.to_string()))));
                }),
                fatal: Some(e),
            },
        }
    }

    fn fail(self: Box<Self>, reason: &str) {
        let _ = self
            .reply
            .send(Err(E::from(StoreError::Backend(reason.to_string()))));
    }
}

/// Counts of the writer's work, to show how well group commit batches.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Write transactions committed.
    pub(crate) commits: AtomicU64,
    /// Jobs answered from committed transactions.
    pub(crate) jobs: AtomicU64,
}

/// Handle to the writer thread; dropping it stops the thread after the queued jobs and waits
/// for it, so the database file is closed when the last store handle is gone.
pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl Writer {
    /// Starts the writer thread over `db`, committing at most `max_batch` jobs at once.
    pub(crate) fn start(db: Arc<Database>, max_batch: usize) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let counters = Arc::new(Counters::default());
        let thread_counters = counters.clone();
        let max_batch = max_batch.max(1);
        let thread = std::thread::Builder::new()
            .name("extenddb-redb-writer".into())
            .spawn(move || writer_loop(&db, &rx, max_batch, &thread_counters))?;
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

fn writer_loop(
    db: &Database,
    rx: &mpsc::Receiver<Box<dyn Job>>,
    max_batch: usize,
    counters: &Counters,
) {
    let mut queue: VecDeque<Box<dyn Job>> = VecDeque::new();
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => return,
            }
        }
        while queue.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => queue.push_back(job),
                Err(_) => break,
            }
        }
        let take = queue.len().min(max_batch);
        let batch: Vec<Box<dyn Job>> = queue.drain(..take).collect();
        commit_batch(db, batch, &mut queue, counters);
    }
}

fn commit_batch(
    db: &Database,
    batch: Vec<Box<dyn Job>>,
    queue: &mut VecDeque<Box<dyn Job>>,
    counters: &Counters,
) {
    let mut txn = match db.begin_write() {
        Ok(txn) => txn,
        Err(e) => return fail_all(batch, &format!("cannot begin write transaction: {e}")),
    };
    if let Err(e) = txn.set_durability(Durability::Immediate) {
        return fail_all(batch, &format!("cannot set durability: {e}"));
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
                tracing::error!(error = %abort, "aborting a failed write transaction");
            }
            Some(format!("write transaction failed: {e}"))
        }
        None => match txn.commit() {
            Ok(()) => None,
            Err(e) => Some(format!("commit failed: {e}")),
        },
    };
    if let Some(reason) = &failure {
        tracing::error!(error = %reason, jobs = staged.len(), "group commit failed");
    } else {
        counters.commits.fetch_add(1, Ordering::Relaxed);
        counters
            .jobs
            .fetch_add(staged.len() as u64, Ordering::Relaxed);
    }
    for finish in staged {
        finish(failure.as_deref());
    }
}

fn fail_all(batch: Vec<Box<dyn Job>>, reason: &str) {
    tracing::error!(error = %reason, jobs = batch.len(), "group commit failed");
    for job in batch {
        job.fail(reason);
    }
}
