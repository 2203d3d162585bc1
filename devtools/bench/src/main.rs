//! `extenddb-bench`: a load generator for DynamoDB-compatible endpoints.
//!
//! Speaks the DynamoDB JSON protocol (SigV4-signed `POST /`) over HTTP/1.1 keep-alive
//! connections, one per worker; reports throughput, errors by `__type` and latency
//! percentiles as a table on stdout and, with `--json`, as JSON.

mod args;
mod run;
mod setup;
mod stats;
mod workload;

use anyhow::Context as _;
use args::Args;
use clap::Parser as _;
use extenddb_client::connection::Connection;
use extenddb_client::sigv4::Credentials;
use extenddb_client::transport::Endpoint;
use std::sync::Arc;
use std::time::Instant;
use workload::RequestFactory;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Err(msg) = args.validate() {
        eprintln!("error: {msg}");
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(bench(args))
}

async fn bench(args: Args) -> anyhow::Result<()> {
    let endpoints = args
        .endpoints()
        .into_iter()
        .map(|e| Endpoint::parse(e, args.ca_bundle.as_deref()).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    let endpoint = endpoints[0].clone();
    let credentials = Credentials {
        access_key: args.access_key.clone(),
        secret_key: args.secret_key.clone(),
    };
    let mut conn = Connection::open(endpoint.clone(), credentials.clone(), &args.region)
        .await
        .with_context(|| format!("connecting to {}", args.endpoint))?;
    let has_sort_key = setup::ensure_table(
        &mut conn,
        &args.table,
        args.wants_sort_key(),
        args.stream_view_type.as_deref(),
        args.no_create,
    )
    .await?;
    if args.pitr {
        setup::enable_pitr(&mut conn, &args.table).await?;
    }
    drop(conn);
    let factory = Arc::new(RequestFactory::new(
        &args.table,
        args.workload,
        args.keys,
        has_sort_key.then_some(args.sort_keys),
        args.item_size,
        args.consistent_read,
        args.batch_size,
        args.read_ratio,
    ));
    drop(endpoint);
    let ctx = Arc::new(run::RunContext {
        endpoints,
        credentials,
        region: args.region.clone(),
        factory: factory.clone(),
        timeout: args.timeout,
    });
    if args.preload > 0 {
        preload(&ctx, args.preload, args.concurrency).await?;
    }
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    eprintln!(
        "running {:?} for {:?} (+{:?} warm-up), {} {} connections",
        args.workload,
        args.duration,
        args.warmup,
        args.concurrency,
        if ctx.endpoints[0].is_tls() {
            "HTTPS"
        } else {
            "HTTP"
        }
    );
    let opened_before = ctx.connections_opened();
    let result = run::run(
        ctx.clone(),
        args.concurrency,
        args.warmup,
        args.duration,
        seed,
    )
    .await;
    let mut report = stats::Report::new(
        stats::ReportBase {
            workload: serde_json::to_value(args.workload)?
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            endpoint: args.endpoint.clone(),
            table: args.table.clone(),
            concurrency: args.concurrency,
            item_size: factory.item_size(),
            keys: args.keys,
            warmup_seconds: args.warmup.as_secs_f64(),
        },
        &result.stats,
        result.elapsed_seconds,
    );
    report.connections_opened = ctx.connections_opened() - opened_before;
    print!("{}", report.render_table());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        if path.as_os_str() == "-" {
            println!("{json}");
        } else {
            std::fs::write(path, json + "\n")
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

/// Writes keys `0..count` (modulo the key space) with PutItem over `concurrency` connections.
async fn preload(ctx: &Arc<run::RunContext>, count: u64, concurrency: u32) -> anyhow::Result<()> {
    let started = Instant::now();
    let workers = u64::from(concurrency).min(count);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let ctx = ctx.clone();
        tasks.push(tokio::spawn(async move {
            let endpoint = ctx.endpoint(w as usize);
            let mut conn = Connection::open(endpoint, ctx.credentials.clone(), &ctx.region).await?;
            let mut errors = stats::WorkerStats::new();
            let keys = ctx.factory.keys();
            let mut i = w;
            while i < count {
                let reply = conn.call("PutItem", ctx.factory.put_item(i % keys)).await?;
                if !reply.is_success() {
                    errors.record_error(&reply.error_type());
                }
                i += workers;
            }
            Ok::<_, extenddb_client::transport::ClientError>(errors)
        }));
    }
    let mut errors = stats::WorkerStats::new();
    for t in tasks {
        errors.merge(&t.await.context("preload worker")??);
    }
    eprintln!(
        "preloaded {count} items in {:.2} s ({} errors{})",
        started.elapsed().as_secs_f64(),
        errors.errors.values().sum::<u64>(),
        if errors.errors.is_empty() {
            String::new()
        } else {
            format!(": {:?}", errors.errors)
        }
    );
    Ok(())
}
