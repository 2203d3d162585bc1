//! Eventually consistent reads from hot standbys (`PgStore::with_replicas`), on real
//! PostgreSQL processes: a primary and a standby made by `scripts/pg-cluster.sh standby`
//! (EXTENDDB_TEST_PG_REPLICA_PORT). Without a standby the standby test prints why and passes
//! without running; the down-replica test needs only the primary.

mod common;

use common::Fresh;
use extenddb_backend_postgres::{PgStore, ReplicaTarget, REPLICA_TICK};
use extenddb_core::traits::{reads_for, ItemKey, ItemStore, KeyRange, StoredItem, WriteOp};
use std::time::{Duration, Instant};

const MAX_LAG: Duration = Duration::from_millis(600);

fn standby() -> Option<ReplicaTarget> {
    let Ok(port) = std::env::var("EXTENDDB_TEST_PG_REPLICA_PORT") else {
        eprintln!("SKIPPED: EXTENDDB_TEST_PG_REPLICA_PORT unset (scripts/pg-cluster.sh standby)");
        return None;
    };
    Some(ReplicaTarget {
        host: std::env::var("EXTENDDB_TEST_PG_HOST").unwrap_or_else(|_| "127.0.0.1".into()),
        port: port.parse().expect("EXTENDDB_TEST_PG_REPLICA_PORT"),
    })
}

fn key(k: &str) -> ItemKey {
    ItemKey {
        storage_id: 7_001,
        key: k.as_bytes().to_vec(),
    }
}

async fn put(store: &PgStore, k: &str) {
    store
        .write_unconditional(vec![WriteOp::Put {
            key: key(k),
            item: StoredItem(k.as_bytes().to_vec().into()),
        }])
        .await
        .unwrap();
}

/// Waits until `store` counts `n` usable replicas.
async fn usable(store: &PgStore, n: usize, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if store.replica_reads().map(|r| r.2) == Some(n) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "never {n} usable replicas: {:?}",
            store.replica_reads()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A write on the primary is seen by eventually consistent reads from the standby within
/// the bound; strongly consistent reads go to the primary. With replay paused the standby
/// ages out within `MAX_LAG` and reads see the new write from the primary; resumed, it
/// serves again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eventual_reads_come_from_a_fresh_standby_and_skip_a_lagging_one() {
    let Some(target) = standby() else {
        return;
    };
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let store = f
        .store
        .clone()
        .with_replicas(&f.admin, std::slice::from_ref(&target), MAX_LAG);
    usable(&store, 1, Duration::from_secs(20)).await;

    put(&store, "a").await;
    let written = Instant::now();
    let eventual = reads_for(&store, false);
    loop {
        if eventual.get(&key("a")).await.unwrap().is_some() {
            break;
        }
        assert!(
            written.elapsed() < MAX_LAG * 2,
            "the standby never showed the write"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!("standby showed a write after {:?}", written.elapsed());
    let page = eventual
        .range(7_001, &KeyRange::table_after(None), true, 10, usize::MAX)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let (served, _, _) = store.replica_reads().unwrap();
    assert!(served >= 2, "the standby served nothing");
    // Strong reads never touch the standby.
    assert!(reads_for(&store, true)
        .get(&key("a"))
        .await
        .unwrap()
        .is_some());
    assert_eq!(store.replica_reads().unwrap().0, served);

    // Lagging: replay paused on the standby.
    let replica_opts = extenddb_backend_postgres::PgOptions {
        host: target.host.clone(),
        port: target.port,
        ..f.admin.clone()
    };
    let mut on_standby = replica_opts.connect_one("postgres").await.unwrap();
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&mut on_standby)
        .await
        .unwrap();
    put(&store, "b").await;
    let paused = Instant::now();
    let aged = usable(&store, 0, MAX_LAG * 3).await;
    eprintln!("a paused standby was skipped after {aged:?}");
    assert!(paused.elapsed() <= MAX_LAG + REPLICA_TICK * 3);
    let fell_back_before = store.replica_reads().unwrap().1;
    assert!(
        eventual.get(&key("b")).await.unwrap().is_some(),
        "a lagging standby served a stale read"
    );
    assert!(store.replica_reads().unwrap().1 > fell_back_before);

    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut on_standby)
        .await
        .unwrap();
    let back = usable(&store, 1, Duration::from_secs(10)).await;
    eprintln!("a resumed standby served again after {back:?}");
    drop(on_standby);
    drop(eventual);
    drop(store);
    f.drop_all().await;
}

/// A replica that is down (nothing listens on its port) is skipped: every eventually
/// consistent read is answered, by the primary, without waiting for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_down_replica_is_skipped_without_failing_reads() {
    let Some(f) = Fresh::new(10).await else {
        return;
    };
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = ReplicaTarget {
        host: "127.0.0.1".into(),
        port: closed,
    };
    let store = f.store.clone().with_replicas(&f.admin, &[down], MAX_LAG);
    put(&store, "a").await;
    let started = Instant::now();
    for _ in 0..50 {
        assert!(reads_for(&store, false)
            .get(&key("a"))
            .await
            .unwrap()
            .is_some());
        tokio::time::sleep(REPLICA_TICK / 20).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let (served, fell_back, usable) = store.replica_reads().unwrap();
    assert_eq!((served, fell_back, usable), (0, 50, 0));
    drop(store);
    f.drop_all().await;
}
