//! `extenddb export`: writes every item of a table to a file in DynamoDB JSON lines (the
//! format of DynamoDB's export to S3), through the public API: a parallel Scan, one segment
//! per connection, pages handed to one writer thread (which also compresses). The file appears
//! under its name only when complete.

use crate::commands::transfer::dynamo_json::write_line;
use crate::commands::transfer::files::Output;
use crate::commands::transfer::progress::Progress;
use crate::commands::transfer::{Remote, RemoteArgs};
use anyhow::{anyhow, bail, Context};
use clap::Args;
use extenddb_client::retry;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Options of `extenddb export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The table to export.
    #[arg(long)]
    pub table: String,
    /// The file to write: DynamoDB JSON lines, gzip-compressed when the name ends in .gz.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Compress with gzip whatever the file name.
    #[arg(long)]
    pub gzip: bool,
    /// Parallel Scan segments (each on its own connection).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub segments: u32,
    /// Read with ConsistentRead (strongly consistent scans).
    #[arg(long)]
    pub consistent_read: bool,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// No progress display on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the outcome as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// Runs `export`.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    crate::commands::runtime()?.block_on(export(args))
}

/// One Scan page: the items stay raw JSON from the wire to the file.
#[derive(Deserialize)]
struct ScanPage {
    #[serde(rename = "Items", default)]
    items: Vec<Box<RawValue>>,
    #[serde(rename = "LastEvaluatedKey")]
    last_evaluated_key: Option<Box<RawValue>>,
}

async fn export(args: ExportArgs) -> anyhow::Result<()> {
    if args.out.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            args.out.display()
        );
    }
    let remote = Arc::new(Remote::resolve(&args.remote)?);
    let mut conn = remote.connect().await?;
    let info = remote.describe_table(&mut conn, &args.table).await?;
    drop(conn);

    let output = Output::create(&args.out, args.gzip)?;
    let estimate = (info.item_count > 0).then_some(info.item_count);
    let progress = Arc::new(Progress::new("export", estimate, args.quiet));
    let (tx, rx) = mpsc::channel::<Vec<Box<RawValue>>>(2 * args.segments as usize);
    let writer = {
        let progress = progress.clone();
        std::thread::spawn(move || write_pages(output, rx, &progress))
    };
    let mut scans = JoinSet::new();
    for segment in 0..args.segments {
        scans.spawn(scan_segment(
            remote.clone(),
            args.table.clone(),
            segment,
            args.segments,
            args.consistent_read,
            tx.clone(),
        ));
    }
    drop(tx);
    let scanned = tokio::select! {
        r = join_all(&mut scans) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    };
    // On failure the scans are stopped, which closes the channel and ends the writer.
    scans.shutdown().await;
    let written = tokio::task::spawn_blocking(move || writer.join())
        .await
        .context("the writer thread failed")?
        .map_err(|_| anyhow!("the writer thread panicked"))?;
    progress.finish();
    let fail = |e: anyhow::Error| {
        anyhow!(
            "export of '{}' failed: {e:#}; {} was not written",
            args.table,
            args.out.display()
        )
    };
    let (output, items) = match (scanned, written) {
        // A writer error (disk full) explains the scans' "writer stopped".
        (_, Err(e)) | (Err(e), Ok(_)) => return Err(fail(e)),
        (Ok(()), Ok(done)) => done,
    };
    output.commit().map_err(fail)?;
    let secs = progress.elapsed().as_secs_f64();
    let rate = progress.rate();
    if args.json {
        println!(
            "{}",
            json!({
                "table": args.table, "file": args.out, "items": items,
                "seconds": secs, "items_per_second": rate,
            })
        );
    } else {
        println!(
            "Exported {items} items from '{}' to {} in {secs:.1}s ({rate:.0} items/s).",
            args.table,
            args.out.display()
        );
    }
    Ok(())
}

/// Waits for every scan; the first error stops the others.
async fn join_all(scans: &mut JoinSet<anyhow::Result<()>>) -> anyhow::Result<()> {
    while let Some(joined) = scans.join_next().await {
        joined.context("a scan task failed")??;
    }
    Ok(())
}

/// Scans one segment to the end, sending each page's items to the writer.
async fn scan_segment(
    remote: Arc<Remote>,
    table: String,
    segment: u32,
    total: u32,
    consistent: bool,
    tx: mpsc::Sender<Vec<Box<RawValue>>>,
) -> anyhow::Result<()> {
    let mut conn = remote.connect().await?;
    let mut start: Option<Value> = None;
    loop {
        let mut body = json!({ "TableName": table, "Segment": segment, "TotalSegments": total });
        if consistent {
            body["ConsistentRead"] = Value::Bool(true);
        }
        if let Some(key) = start.take() {
            body["ExclusiveStartKey"] = key;
        }
        let bytes = retry::call(
            &mut conn,
            "Scan",
            body.to_string().as_bytes(),
            &remote.policy,
        )
        .await
        .with_context(|| format!("segment {segment}"))?;
        let page: ScanPage = serde_json::from_slice(&bytes)
            .with_context(|| format!("segment {segment}: unreadable Scan answer"))?;
        if !page.items.is_empty() && tx.send(page.items).await.is_err() {
            bail!("the output writer stopped");
        }
        match page.last_evaluated_key {
            Some(key) => start = Some(serde_json::from_str(key.get())?),
            None => return Ok(()),
        }
    }
}

/// The writer thread: appends every page to `output`; returns it (uncommitted) and the item
/// count once the channel closes.
fn write_pages(
    mut output: Output,
    mut rx: mpsc::Receiver<Vec<Box<RawValue>>>,
    progress: &Progress,
) -> anyhow::Result<(Output, u64)> {
    let mut buf = Vec::with_capacity(1 << 20);
    let mut items = 0u64;
    while let Some(page) = rx.blocking_recv() {
        buf.clear();
        for item in &page {
            write_line(&mut buf, item);
        }
        output.write_all(&buf)?;
        items += page.len() as u64;
        progress.add(page.len() as u64);
    }
    Ok((output, items))
}
