//! `extenddb import`: loads a file of DynamoDB JSON lines (what `extenddb export` and
//! DynamoDB's export to S3 write) into an existing table through the public API.
//!
//! 1. The whole file is read once and checked: a malformed line stops the import, naming the
//!    line, before anything is written.
//! 2. The items are cut into batches ([`batches`]) and written by parallel workers with
//!    BatchWriteItem ([`writer`]), each batch recorded in the progress file ([`checkpoint`])
//!    once written. A re-run of the same command skips the recorded batches.
//! 3. Success is reported only when every batch is written; then the progress file goes.

pub mod batches;
pub mod checkpoint;
pub mod writer;

use crate::commands::transfer::files::{fingerprint, open_lines};
use crate::commands::transfer::progress::Progress;
use crate::commands::transfer::{sibling, Remote, RemoteArgs};
use anyhow::{anyhow, bail, Context};
use batches::{Batch, Batcher};
use checkpoint::{Checkpoint, Header};
use clap::Args;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use writer::Target;

/// Options of `extenddb import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The table to write into (it must exist).
    #[arg(long)]
    pub table: String,
    /// The file to read: DynamoDB JSON lines, one {"Item": {...}} per line; gzip is
    /// recognized by the .gz name or the content.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Read the file as gzip whatever its name.
    #[arg(long)]
    pub gzip: bool,
    /// Parallel BatchWriteItem requests (each on its own connection).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Where progress is recorded for a resumable import [default: <FILE>.<TABLE>.import-progress].
    #[arg(long, value_name = "FILE")]
    pub progress_file: Option<PathBuf>,
    /// Ignore (and replace) a progress file from an earlier run: write every batch again.
    #[arg(long)]
    pub restart: bool,
    /// Check the file and count its items and batches; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress display on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the outcome as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `import`.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    crate::commands::runtime()?.block_on(import(args))
}

/// What the checking pass found.
struct Plan {
    fingerprint: String,
    items: u64,
    /// Items of each batch, by index.
    batch_sizes: Vec<u32>,
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let remote = Arc::new(Remote::resolve(&args.remote)?);
    let mut conn = remote.connect().await?;
    let info = remote.describe_table(&mut conn, &args.table).await?;
    drop(conn);
    if !matches!(info.status.as_str(), "ACTIVE" | "UPDATING") {
        bail!(
            "table '{}' is {}; wait until it is ACTIVE",
            args.table,
            info.status
        );
    }
    let shown = args.file.display().to_string();
    let plan = {
        let (file, gzip, keys) = (args.file.clone(), args.gzip, info.key_names.clone());
        tokio::task::spawn_blocking(move || check_file(&file, gzip, keys))
            .await
            .context("the checking thread failed")??
    };
    if args.dry_run {
        return report_dry_run(&args, &plan);
    }
    let header = Header {
        extenddb_import_progress: 1,
        table: args.table.clone(),
        file_sha256: plan.fingerprint.clone(),
        key: info.key_names.clone(),
        items: plan.items,
        batches: plan.batch_sizes.len() as u64,
    };
    let progress_path = args
        .progress_file
        .clone()
        .unwrap_or_else(|| sibling(&args.file, &format!(".{}.import-progress", args.table)));
    let checkpoint = Checkpoint::open(&progress_path, &header, args.restart)?;
    let skipped_batches = checkpoint.done_count();
    let skipped_items: u64 = checkpoint
        .done()
        .iter()
        .map(|i| u64::from(plan.batch_sizes[*i as usize]))
        .sum();
    if skipped_batches > 0 && !args.quiet {
        eprintln!(
            "Resuming: {skipped_batches} of {} batches ({skipped_items} items) were written by an earlier run (recorded in {}); skipping them.",
            header.batches,
            progress_path.display()
        );
    }
    let done_before = checkpoint.done().clone();
    let checkpoint = Arc::new(Mutex::new(checkpoint));
    let progress = Arc::new(Progress::new(
        "import",
        Some(plan.items - skipped_items),
        args.quiet,
    ));

    // The reading thread sends the batches not yet written; workers write them.
    let (tx, rx) = mpsc::channel::<Batch>(2 * args.concurrency as usize);
    let reader = {
        let (file, gzip, keys) = (args.file.clone(), args.gzip, info.key_names.clone());
        std::thread::spawn(move || -> anyhow::Result<()> {
            for batch in Batcher::new(open_lines(&file, gzip)?, keys) {
                let batch = batch?;
                if done_before.contains(&batch.index) {
                    continue;
                }
                if tx.blocking_send(batch).is_err() {
                    break;
                }
            }
            Ok(())
        })
    };
    let target = Arc::new(Target {
        table_json: serde_json::to_string(&args.table)?,
        file: shown.clone(),
    });
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = JoinSet::new();
    for _ in 0..args.concurrency {
        workers.spawn(worker(
            remote.clone(),
            target.clone(),
            rx.clone(),
            checkpoint.clone(),
            progress.clone(),
            stop.clone(),
        ));
    }
    let outcome = tokio::select! {
        r = join_all(&mut workers, &stop) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    };
    // Stop everything still running; a batch cut off mid-request is not recorded and will be
    // written again by the next run (PutRequest is idempotent).
    workers.shutdown().await;
    rx.lock().await.close();
    let read = tokio::task::spawn_blocking(move || reader.join())
        .await
        .context("the reading thread failed")?
        .map_err(|_| anyhow!("the reading thread panicked"))?;
    progress.finish();

    let checkpoint = Arc::into_inner(checkpoint)
        .and_then(|m| m.into_inner().ok())
        .ok_or_else(|| anyhow!("the progress record is still in use"))?;
    let written_batches = checkpoint.done_count();
    let complete = written_batches == header.batches;
    match (outcome.and(read), complete) {
        (Ok(()), true) => {}
        (result, _) => {
            checkpoint.sync()?;
            let written: u64 = checkpoint
                .done()
                .iter()
                .map(|i| u64::from(plan.batch_sizes[*i as usize]))
                .sum();
            let cause = match result {
                Err(e) => format!("{e:#}"),
                Ok(()) => "not every batch was written".into(),
            };
            bail!(
                "import into '{}' is incomplete: {written} of {} items written ({written_batches} of {} batches): {cause}. Progress is saved in {}: run the same command again to resume",
                args.table,
                plan.items,
                header.batches,
                checkpoint.path().display()
            );
        }
    }
    checkpoint.remove()?;
    let items = plan.items - skipped_items;
    let secs = progress.elapsed().as_secs_f64();
    let per_sec = progress.rate();
    if args.json {
        println!(
            "{}",
            json!({
                "table": args.table, "file": args.file, "items": plan.items,
                "written_items": items, "skipped_items": skipped_items,
                "batches": header.batches, "seconds": secs, "items_per_second": per_sec,
            })
        );
    } else {
        let skipped = if skipped_items > 0 {
            format!(" ({skipped_items} more were written by an earlier run)")
        } else {
            String::new()
        };
        println!(
            "Imported {items} items into '{}' from {shown} in {secs:.1}s ({per_sec:.0} items/s){skipped}.",
            args.table
        );
    }
    Ok(())
}

/// Reads and checks the whole file: its fingerprint, item count and batch sizes.
fn check_file(path: &Path, gzip: bool, keys: Vec<String>) -> anyhow::Result<Plan> {
    let shown = path.display().to_string();
    let fingerprint = fingerprint(path)?;
    let mut items = 0u64;
    let mut batch_sizes = Vec::new();
    for batch in Batcher::new(open_lines(path, gzip)?, keys) {
        let batch = batch.map_err(|e| anyhow!("{shown}: {e}; nothing was imported"))?;
        items += batch.items.len() as u64;
        batch_sizes.push(batch.items.len() as u32);
    }
    Ok(Plan {
        fingerprint,
        items,
        batch_sizes,
    })
}

fn report_dry_run(args: &ImportArgs, plan: &Plan) -> anyhow::Result<()> {
    if args.json {
        println!(
            "{}",
            json!({ "table": args.table, "file": args.file, "items": plan.items,
                    "batches": plan.batch_sizes.len(), "dry_run": true })
        );
    } else {
        println!(
            "{}: {} items in {} batches, every line valid; nothing written (--dry-run).",
            args.file.display(),
            plan.items,
            plan.batch_sizes.len()
        );
    }
    Ok(())
}

async fn join_all(
    workers: &mut JoinSet<anyhow::Result<()>>,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    // After the first failure no worker takes a new batch, but the batches already being
    // written finish and are recorded: what the report counts as written is what was written
    // before the failure, whatever order the workers happened to finish in.
    let mut first = None;
    while let Some(joined) = workers.join_next().await {
        let result = joined.context("a writer task failed").and_then(|r| r);
        if let Err(e) = result {
            stop.store(true, Ordering::SeqCst);
            first.get_or_insert(e);
        }
    }
    first.map_or(Ok(()), Err)
}

/// Takes batches until there are none, writing and recording each.
async fn worker(
    remote: Arc<Remote>,
    target: Arc<Target>,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<Batch>>>,
    checkpoint: Arc<Mutex<Checkpoint>>,
    progress: Arc<Progress>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<()> {
    let mut conn = remote.connect().await?;
    loop {
        let Some(batch) = rx.lock().await.recv().await else {
            return Ok(());
        };
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        writer::write_batch(&remote, &mut conn, &target, &batch).await?;
        checkpoint
            .lock()
            .map_err(|_| anyhow!("the progress record is poisoned"))?
            .record(batch.index)?;
        progress.add(batch.items.len() as u64);
    }
}
