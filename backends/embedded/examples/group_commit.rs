//! Measures the embedded store's write throughput with and without group commit, and the cost
//! of a point read through tokio's blocking pool versus a direct redb read.
//!
//! `cargo run --release -p extenddb-backend-embedded --example group_commit [-- DIR SECONDS]`
//! DIR defaults to a fresh directory under the system temp dir; use a real disk, not tmpfs,
//! or fsync costs nothing.

use extenddb_backend_embedded::{EmbeddedOptions, EmbeddedStore, DB_FILE_NAME};
use extenddb_core::traits::{ItemKey, ItemStore, StoredItem, WriteOp};
use redb::{ReadableDatabase, TableDefinition};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ITEM: &[u8] = br#"{"pk":{"S":"user#0000"},"name":{"S":"a name"},"n":{"N":"42"}}"#;

async fn run_writers(store: &EmbeddedStore, writers: u64, secs: u64) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (store, stop, done) = (store.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let mut key = w.to_be_bytes().to_vec();
                key.extend_from_slice(&i.to_be_bytes());
                let op = WriteOp::Put {
                    key: ItemKey { storage_id: 1, key },
                    item: StoredItem(bytes::Bytes::from_static(ITEM)),
                };
                store
                    .write(vec![], Box::new(move |_| Ok(vec![op])))
                    .await
                    .expect("write");
                done.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.expect("writer task");
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

async fn bench_writes(dir: &Path, label: &str, max_batch: usize, writers: u64, secs: u64) {
    let path = dir.join(label);
    let store = EmbeddedStore::open_with(&path, EmbeddedOptions { max_batch }).expect("open");
    let rate = run_writers(&store, writers, secs).await;
    let gc = store.group_commit_stats();
    println!(
        "{label:>28}: {writers:>2} writers, {rate:>9.0} puts/s, {} commits, {:.1} writes/commit",
        gc.commits,
        gc.requests as f64 / gc.commits.max(1) as f64
    );
}

async fn bench_reads(dir: &Path) {
    let path = dir.join("reads");
    let store = EmbeddedStore::open(&path).expect("open");
    let key = ItemKey {
        storage_id: 1,
        key: b"k".to_vec(),
    };
    let op = WriteOp::Put {
        key: key.clone(),
        item: StoredItem(bytes::Bytes::from_static(ITEM)),
    };
    store
        .write(vec![], Box::new(move |_| Ok(vec![op])))
        .await
        .expect("write");
    const N: u32 = 20_000;
    let start = Instant::now();
    for _ in 0..N {
        store.get(&key).await.expect("get");
    }
    let through_store = start.elapsed() / N;
    drop(store);

    let db = Arc::new(redb::Database::open(path.join(DB_FILE_NAME)).expect("open redb"));
    let mut full = 1u64.to_be_bytes().to_vec();
    full.extend_from_slice(b"k");
    let full = Arc::new(full);
    let start = Instant::now();
    for _ in 0..N {
        assert!(raw_get(&db, &full));
    }
    let direct = start.elapsed() / N;
    let start = Instant::now();
    for _ in 0..N {
        let (db, full) = (db.clone(), full.clone());
        let found = tokio::task::spawn_blocking(move || raw_get(&db, &full));
        assert!(found.await.expect("join"));
    }
    let pooled = start.elapsed() / N;
    println!(
        "point read (cached page): EmbeddedStore::get {through_store:?}, \
         direct redb {direct:?}, redb via spawn_blocking {pooled:?}"
    );
}

fn raw_get(db: &redb::Database, key: &[u8]) -> bool {
    let items: TableDefinition<&[u8], &[u8]> = TableDefinition::new("items");
    let txn = db.begin_read().expect("read txn");
    let t = txn.open_table(items).expect("table");
    t.get(key).expect("get").is_some()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("extenddb-bench-{}", std::process::id()))
    });
    let secs = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    println!("data under {}", dir.display());
    bench_writes(&dir, "group commit", 1024, 64, secs).await;
    bench_writes(&dir, "one commit per write", 1, 64, secs).await;
    bench_writes(&dir, "group commit, single writer", 1024, 1, secs).await;
    bench_reads(&dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}
