//! The timed run: one worker per connection, a progress line each second, merged stats.

use crate::stats::WorkerStats;
use crate::workload::{Op, RequestFactory};
use extenddb_client::connection::Connection;
use extenddb_client::sigv4::Credentials;
use extenddb_client::transport::{ClientError, Endpoint};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every worker shares.
pub struct RunContext {
    /// Where to connect: worker `i` uses `endpoints[i % len]` (at least one).
    pub endpoints: Vec<Arc<Endpoint>>,
    /// Signing credentials.
    pub credentials: Credentials,
    /// SigV4 region.
    pub region: String,
    /// Body builder.
    pub factory: Arc<RequestFactory>,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// Live counters for the progress line (warm-up included).
#[derive(Default)]
struct Progress {
    ok: AtomicU64,
    errors: AtomicU64,
}

/// Result of a run: merged stats and the measured wall time in seconds.
pub struct RunResult {
    /// Stats of requests started after the warm-up.
    pub stats: WorkerStats,
    /// Seconds from the end of warm-up to the last worker's stop.
    pub elapsed_seconds: f64,
}

/// Runs `concurrency` workers for `warmup + duration`, printing progress on stderr.
pub async fn run(
    ctx: Arc<RunContext>,
    concurrency: u32,
    warmup: Duration,
    duration: Duration,
    seed: u64,
) -> RunResult {
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + duration;
    let progress = Arc::new(Progress::default());
    let mut workers = Vec::with_capacity(concurrency as usize);
    for id in 0..concurrency {
        let ctx = ctx.clone();
        let progress = progress.clone();
        let rng = fastrand::Rng::with_seed(seed.wrapping_add(u64::from(id)));
        let endpoint = ctx.endpoint(id as usize);
        workers.push(tokio::spawn(async move {
            worker(&ctx, &endpoint, rng, measure_from, end, &progress).await
        }));
    }
    let reporter = tokio::spawn(report_progress(progress, start, measure_from, end));
    let mut stats = WorkerStats::new();
    for w in workers {
        match w.await {
            Ok(s) => stats.merge(&s),
            Err(e) => stats.record_error(&format!("WorkerPanic: {e}")),
        }
    }
    let elapsed_seconds = Instant::now()
        .saturating_duration_since(measure_from)
        .as_secs_f64();
    reporter.abort();
    RunResult {
        stats,
        elapsed_seconds,
    }
}

impl RunContext {
    /// The endpoint of worker `id`.
    pub fn endpoint(&self, id: usize) -> Arc<Endpoint> {
        self.endpoints[id % self.endpoints.len()].clone()
    }

    /// Connections opened so far, over every endpoint.
    pub fn connections_opened(&self) -> u64 {
        self.endpoints.iter().map(|e| e.connections_opened()).sum()
    }
}

async fn worker(
    ctx: &RunContext,
    endpoint: &Arc<Endpoint>,
    mut rng: fastrand::Rng,
    measure_from: Instant,
    end: Instant,
    progress: &Progress,
) -> WorkerStats {
    let mut stats = WorkerStats::new();
    let mut conn: Option<Connection> = None;
    while Instant::now() < end {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => {
                match Connection::open(endpoint.clone(), ctx.credentials.clone(), &ctx.region).await
                {
                    Ok(c) => conn.insert(c),
                    Err(e) => {
                        count_error(&mut stats, progress, Instant::now() >= measure_from, &e);
                        // Back off so a dead endpoint does not become a busy loop.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                }
            }
        };
        let op = ctx.factory.next_op(&mut rng);
        let body = ctx.factory.body(op, &mut rng);
        let sent = Instant::now();
        let outcome = tokio::time::timeout(ctx.timeout, c.call(op.name(), body)).await;
        let measured = sent >= measure_from;
        match outcome {
            Ok(Ok(reply)) if reply.is_success() => {
                progress.ok.fetch_add(1, Ordering::Relaxed);
                if measured {
                    let us = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                    stats.record_ok(us, items_written(ctx, op, &reply.body));
                }
            }
            Ok(Ok(reply)) => {
                progress.errors.fetch_add(1, Ordering::Relaxed);
                if measured {
                    stats.record_error(&reply.error_type());
                }
            }
            Ok(Err(e)) => {
                count_error(&mut stats, progress, measured, &e);
                conn = None;
            }
            Err(_) => {
                progress.errors.fetch_add(1, Ordering::Relaxed);
                if measured {
                    stats.record_error("Timeout");
                }
                // The late reply would be read as the next request's: start a new connection.
                conn = None;
            }
        }
    }
    stats
}

fn count_error(stats: &mut WorkerStats, progress: &Progress, measured: bool, e: &ClientError) {
    progress.errors.fetch_add(1, Ordering::Relaxed);
    if measured {
        stats.record_error(e.label());
    }
}

/// Items a successful request moved: BatchWriteItem subtracts its UnprocessedItems.
fn items_written(ctx: &RunContext, op: Op, body: &[u8]) -> u64 {
    let n = ctx.factory.items_per_request(op);
    if op != Op::BatchWrite {
        return n;
    }
    #[derive(serde::Deserialize)]
    struct BatchReply {
        #[serde(rename = "UnprocessedItems", default)]
        unprocessed: std::collections::HashMap<String, Vec<serde::de::IgnoredAny>>,
    }
    match serde_json::from_slice::<BatchReply>(body) {
        Ok(r) => n.saturating_sub(r.unprocessed.values().map(|v| v.len() as u64).sum()),
        Err(_) => n,
    }
}

async fn report_progress(
    progress: Arc<Progress>,
    start: Instant,
    measure_from: Instant,
    end: Instant,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    let (mut last_ok, mut last_err) = (0, 0);
    loop {
        tick.tick().await;
        let now = Instant::now();
        if now >= end {
            return;
        }
        let ok = progress.ok.load(Ordering::Relaxed);
        let err = progress.errors.load(Ordering::Relaxed);
        let phase = if now < measure_from {
            "warmup "
        } else {
            "measure"
        };
        eprintln!(
            "[{:>4}s] {phase} {:>9} ok/s {:>7} err/s   total {ok} ok {err} errors",
            now.duration_since(start).as_secs(),
            ok - last_ok,
            err - last_err,
        );
        (last_ok, last_err) = (ok, err);
    }
}
