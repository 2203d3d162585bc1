//! Coalescing concurrent reads into one statement.
//!
//! Under load many requests wait for PostgreSQL at once, and every statement costs both
//! processes far more than reading one row does: socket writes and wake-ups on each side,
//! Bind/Execute/Sync, a snapshot and executor start-up in PostgreSQL, row decoding in sqlx.
//! A `Coalescer` lets at most `slots` statements of one kind be in flight. A request that
//! finds a free slot is sent at once, from its own task (so latency without contention is
//! unchanged); requests that arrive while every slot is busy queue, and the next slot to free
//! up sends all of them (up to `max_batch`) as one statement, from a task of its own.
//!
//! Consistency: a batch's statement starts after each of its requests arrived, so it sees
//! every write acknowledged before any of them arrived, which is what a strongly consistent
//! read needs. Reads take no locks, so batching them cannot deadlock.
//!
//! Written by hand: the batching crates on crates.io (dataloader-style) gather by time window
//! or cache per key; this needs "send whatever queued while the last statement ran", with no
//! timer on the path of a lone request.

use async_trait::async_trait;
use extenddb_core::error::StoreError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// Runs one batch of requests as one statement.
#[async_trait]
pub(crate) trait BatchRun: Send + Sync + 'static {
    /// One request.
    type Req: Send + 'static;
    /// Its answer.
    type Resp: Send + 'static;
    /// Answers every request of `reqs`, in order, or fails them all.
    async fn run(&self, reqs: Vec<Self::Req>) -> Result<Vec<Self::Resp>, StoreError>;
}

type Answer<R> = Result<<R as BatchRun>::Resp, StoreError>;

/// A queued request, its answer channel, and an id that tells its submitter it apart.
struct Waiting<R: BatchRun> {
    id: u64,
    req: R::Req,
    tx: oneshot::Sender<Answer<R>>,
}

/// Sends requests of one kind through at most `slots` concurrent statements.
pub(crate) struct Coalescer<R: BatchRun> {
    runner: R,
    queue: Mutex<Vec<Waiting<R>>>,
    slots: Arc<Semaphore>,
    max_batch: usize,
    next_id: AtomicU64,
    /// Statements that answered more than one request.
    shared: AtomicU64,
}

impl<R: BatchRun> Coalescer<R> {
    /// A coalescer running `runner` in at most `slots` statements at once, each answering at
    /// most `max_batch` requests.
    pub(crate) fn new(runner: R, slots: usize, max_batch: usize) -> Arc<Self> {
        Arc::new(Coalescer {
            runner,
            queue: Mutex::new(Vec::new()),
            slots: Arc::new(Semaphore::new(slots.max(1))),
            max_batch: max_batch.max(1),
            next_id: AtomicU64::new(0),
            shared: AtomicU64::new(0),
        })
    }

    /// Answers `req`, alone or in a batch with others queued meanwhile.
    pub(crate) async fn submit(self: &Arc<Self>, req: R::Req) -> Answer<R> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.lock_queue().push(Waiting { id, req, tx });
        let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() else {
            // Every slot is busy; a slot holder sends this request when it frees up.
            return wait(rx).await;
        };
        let batch = self.take_batch();
        match <[Waiting<R>; 1]>::try_from(batch) {
            Ok([mine]) if mine.id == id => {
                // Alone: run on this task, with no hop to another. The guard hands the slot
                // on however this future ends (cancelled included), to a new task if
                // requests queued meanwhile.
                let _slot = SlotGuard {
                    owner: Arc::clone(self),
                    permit: Some(permit),
                };
                self.answer_alone(mine.req).await
            }
            // Others' requests (perhaps with this one): a task of its own, so that they are
            // not cancelled with this request's future (a client that disconnects).
            Ok([other]) => {
                tokio::spawn(Arc::clone(self).drain(permit, vec![other]));
                wait(rx).await
            }
            Err(batch) => {
                tokio::spawn(Arc::clone(self).drain(permit, batch));
                wait(rx).await
            }
        }
    }

    /// Runs one request as a batch of one and returns its answer directly.
    async fn answer_alone(&self, req: R::Req) -> Answer<R> {
        let mut answers = self.runner.run(vec![req]).await?;
        match (answers.pop(), answers.is_empty()) {
            (Some(answer), true) => Ok(answer),
            _ => Err(StoreError::Backend(
                "a read batch of one did not answer once".into(),
            )),
        }
    }

    /// Sends `first`, then batches while requests are queued, holding one slot.
    async fn drain(self: Arc<Self>, mut permit: OwnedSemaphorePermit, first: Vec<Waiting<R>>) {
        let mut batch = first;
        loop {
            if batch.is_empty() {
                batch = self.take_batch();
            }
            if batch.is_empty() {
                drop(permit);
                // A request queued between the take above and the release found every slot
                // busy and relies on a slot holder to send it: look once more.
                if self.lock_queue().is_empty() {
                    return;
                }
                match Arc::clone(&self.slots).try_acquire_owned() {
                    Ok(p) => {
                        permit = p;
                        continue;
                    }
                    // Another task took the slot and will drain the queue.
                    Err(_) => return,
                }
            }
            self.answer(std::mem::take(&mut batch)).await;
        }
    }

    /// Runs one batch and sends each waiter its answer.
    async fn answer(&self, batch: Vec<Waiting<R>>) {
        let expected = batch.len();
        if expected > 1 {
            self.shared.fetch_add(1, Ordering::Relaxed);
        }
        let (reqs, waiters): (Vec<_>, Vec<_>) = batch.into_iter().map(|w| (w.req, w.tx)).unzip();
        match self.runner.run(reqs).await {
            Ok(answers) if answers.len() == expected => {
                for (waiter, answer) in waiters.into_iter().zip(answers) {
                    // The requester may have gone away; nothing to do then.
                    let _ = waiter.send(Ok(answer));
                }
            }
            Ok(answers) => fail_all(
                waiters,
                &StoreError::Backend(format!(
                    "a read batch answered {} of {expected} requests",
                    answers.len()
                )),
            ),
            Err(e) => fail_all(waiters, &e),
        }
    }

    /// After a slot was released: if requests are queued (their submitters found every slot
    /// busy), take a slot again and send them from a new task.
    fn hand_on(self: &Arc<Self>) {
        if self.lock_queue().is_empty() {
            return;
        }
        let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() else {
            return; // another slot holder will send them
        };
        // Outside a runtime (shutting down) there is nobody left to answer anyway.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(Arc::clone(self).drain(permit, Vec::new()));
        }
    }

    /// Up to `max_batch` queued requests, oldest first. Requests whose submitter stopped
    /// waiting (its deadline passed, its client went away) are dropped unsent: nobody was
    /// told they happened, and a write sent late could overwrite one the client made since.
    fn take_batch(&self) -> Vec<Waiting<R>> {
        let mut queue = self.lock_queue();
        queue.retain(|w| !w.tx.is_closed());
        let n = queue.len().min(self.max_batch);
        queue.drain(..n).collect()
    }

    /// How many statements so far answered more than one request.
    pub(crate) fn shared_statements(&self) -> u64 {
        self.shared.load(Ordering::Relaxed)
    }

    fn lock_queue(&self) -> MutexGuard<'_, Vec<Waiting<R>>> {
        // The queue holds plain data; a panic elsewhere while it was locked leaves it valid.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A slot held by a request that runs alone on its own task; released on drop, then handed on.
struct SlotGuard<R: BatchRun> {
    owner: Arc<Coalescer<R>>,
    permit: Option<OwnedSemaphorePermit>,
}

impl<R: BatchRun> Drop for SlotGuard<R> {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            drop(permit);
            self.owner.hand_on();
        }
    }
}

/// Waits for a queued request's answer.
async fn wait<T>(rx: oneshot::Receiver<Result<T, StoreError>>) -> Result<T, StoreError> {
    rx.await
        .unwrap_or_else(|_| Err(StoreError::Backend("a read batch was abandoned".into())))
}

/// Gives every waiter of a failed batch the batch's error.
fn fail_all<T>(waiters: Vec<oneshot::Sender<Result<T, StoreError>>>, e: &StoreError) {
    for waiter in waiters {
        let _ = waiter.send(Err(e.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Doubles each number; records batch sizes; fails batches containing 13.
    struct Doubler {
        batches: Mutex<Vec<usize>>,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
    }

    #[async_trait]
    impl BatchRun for Doubler {
        type Req = u32;
        type Resp = u32;
        async fn run(&self, reqs: Vec<u32>) -> Result<Vec<u32>, StoreError> {
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            self.batches.lock().unwrap().push(reqs.len());
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if reqs.contains(&13) {
                return Err(StoreError::Backend("unlucky".into()));
            }
            Ok(reqs.into_iter().map(|r| r * 2).collect())
        }
    }

    fn doubler() -> Doubler {
        Doubler {
            batches: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_requests_share_statements_and_get_their_own_answers() {
        let c = Coalescer::new(doubler(), 2, 64);
        let tasks: Vec<_> = (0..200u32)
            .filter(|i| *i != 13)
            .map(|i| {
                let c = Arc::clone(&c);
                tokio::spawn(async move { (i, c.submit(i).await.unwrap()) })
            })
            .collect();
        for t in tasks {
            let (i, answer) = t.await.unwrap();
            assert_eq!(answer, i * 2);
        }
        let batches = c.runner.batches.lock().unwrap().clone();
        assert_eq!(batches.iter().sum::<usize>(), 199);
        assert!(batches.len() < 199, "no request was batched: {batches:?}");
        assert_eq!(
            c.shared_statements() as usize,
            batches.iter().filter(|n| **n > 1).count()
        );
        assert!(batches.iter().all(|n| *n <= 64));
        assert!(c.runner.max_in_flight.load(Ordering::SeqCst) <= 2);
    }

    #[tokio::test]
    async fn a_lone_request_goes_out_alone() {
        let c = Coalescer::new(doubler(), 4, 64);
        assert_eq!(c.submit(21).await.unwrap(), 42);
        assert_eq!(c.submit(4).await.unwrap(), 8);
        assert_eq!(*c.runner.batches.lock().unwrap(), vec![1, 1]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cancelled_lone_request_hands_its_slot_on() {
        let c = Coalescer::new(doubler(), 1, 64);
        let lone = {
            let c = Arc::clone(&c);
            tokio::spawn(async move { c.submit(1).await })
        };
        tokio::time::sleep(Duration::from_millis(1)).await;
        // Queued behind the lone request, which holds the only slot; then the lone request's
        // client goes away.
        let queued = {
            let c = Arc::clone(&c);
            tokio::spawn(async move { c.submit(5).await })
        };
        tokio::time::sleep(Duration::from_millis(1)).await;
        lone.abort();
        let answer = tokio::time::timeout(Duration::from_secs(5), queued)
            .await
            .expect("the queued request was stranded");
        assert_eq!(answer.unwrap().unwrap(), 10);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_batch_fails_each_of_its_requests() {
        let c = Coalescer::new(doubler(), 1, 64);
        let first = {
            let c = Arc::clone(&c);
            tokio::spawn(async move { c.submit(1).await })
        };
        tokio::time::sleep(Duration::from_millis(1)).await;
        // Queued behind the first statement, so sent together.
        let (a, b) = tokio::join!(c.submit(13), c.submit(7));
        assert_eq!(first.await.unwrap().unwrap(), 2);
        assert!(matches!(a, Err(StoreError::Backend(ref m)) if m == "unlucky"));
        assert!(matches!(b, Err(StoreError::Backend(ref m)) if m == "unlucky"));
    }

    /// Records every request it runs; the first batch waits until released.
    struct Recorder {
        ran: Mutex<Vec<u32>>,
        gate: tokio::sync::Semaphore,
    }

    #[async_trait]
    impl BatchRun for Recorder {
        type Req = u32;
        type Resp = u32;
        async fn run(&self, reqs: Vec<u32>) -> Result<Vec<u32>, StoreError> {
            let _open = self.gate.acquire().await;
            self.ran.lock().unwrap().extend(&reqs);
            Ok(reqs)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_whose_submitter_gave_up_is_never_sent() {
        let c = Coalescer::new(
            Recorder {
                ran: Mutex::new(Vec::new()),
                gate: tokio::sync::Semaphore::new(0),
            },
            1,
            64,
        );
        // Takes the only slot and blocks in the runner.
        let first = tokio::spawn({
            let c = Arc::clone(&c);
            async move { c.submit(1).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Queued behind it; its submitter gives up (a deadline passed) before the slot frees.
        let abandoned = tokio::spawn({
            let c = Arc::clone(&c);
            async move { c.submit(2).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        abandoned.abort();
        let _ = abandoned.await;
        let kept = tokio::spawn({
            let c = Arc::clone(&c);
            async move { c.submit(3).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        c.runner.gate.add_permits(100);
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(kept.await.unwrap().unwrap(), 3);
        assert_eq!(*c.runner.ran.lock().unwrap(), vec![1, 3]);
    }
}
