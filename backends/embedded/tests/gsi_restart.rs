//! GSI propagation survives a restart: writes queue index entries durably with the item; after
//! the store is dropped and reopened, the worker step applies them exactly once.

use extenddb_backend_embedded::EmbeddedStore;
use extenddb_core::context::Ctx;
use extenddb_core::ops::background::gsi_propagation;
use extenddb_core::ops::control::create_table;
use extenddb_core::ops::data::{put_item, query};
use extenddb_core::testsuite::{account_ctx, suite_services};
use std::sync::Arc;

/// A context whose GSIs propagate after a minute (so entries stay queued).
fn ctx(store: EmbeddedStore) -> Ctx {
    let services = suite_services(Arc::new(store.clone()), Arc::new(store));
    services.settings.apply("gsi_propagation_delay_ms", "60000");
    account_ctx(services, "123456789012")
}

/// Creates the table `restart` with the GSI `byG` on `g`.
async fn create_indexed_table(c: &Ctx) {
    let req: create_table::Request = serde_json::from_value(serde_json::json!({
        "TableName": "restart", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "GlobalSecondaryIndexes": [{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]
    }))
    .unwrap();
    create_table::execute(c, req).await.unwrap();
}

async fn index_ids(c: &Ctx) -> Vec<String> {
    let req: query::Request = serde_json::from_value(serde_json::json!({
        "TableName": "restart", "IndexName": "byG",
        "KeyConditionExpression": "g = :g",
        "ExpressionAttributeValues": {":g": {"S": "x"}}
    }))
    .unwrap();
    let out = query::execute(c, req).await.unwrap();
    let mut ids: Vec<String> = out
        .items
        .unwrap()
        .iter()
        .map(|i| {
            serde_json::to_value(&i["pk"]).unwrap()["S"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn queued_entries_survive_a_restart_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let c = ctx(store);
        create_indexed_table(&c).await;
        for pk in ["a", "b"] {
            let req: put_item::Request = serde_json::from_value(serde_json::json!({
                "TableName": "restart", "Item": {"pk": {"S": pk}, "g": {"S": "x"}}
            }))
            .unwrap();
            put_item::execute(&c, req).await.unwrap();
        }
        assert_eq!(gsi_propagation::pending(&c).await.unwrap(), 2);
        assert_eq!(
            gsi_propagation::run_due(&c).await.unwrap(),
            0,
            "not due yet"
        );
        // The worker's pause follows the first due time, within IDLE_MIN..=IDLE_ALONE_MAX.
        let now_ms = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64
        };
        assert_eq!(
            gsi_propagation::idle_pause(&c).await.unwrap(),
            gsi_propagation::IDLE_ALONE_MAX,
            "due in a minute; the server is alone"
        );
        let near = gsi_propagation::idle_pause_at(&c, now_ms() + 60_000 - 20)
            .await
            .unwrap();
        assert!(
            near >= gsi_propagation::IDLE_MIN && near <= std::time::Duration::from_millis(20),
            "due in at most 20 ms (the writes were made a moment ago): {near:?}"
        );
        assert_eq!(
            gsi_propagation::idle_pause_at(&c, u64::MAX - 1)
                .await
                .unwrap(),
            gsi_propagation::IDLE_MIN,
            "overdue"
        );
        assert!(index_ids(&c).await.is_empty());
        // The process "crashes" here: the store is dropped with the records queued.
    }
    let store = EmbeddedStore::open(dir.path()).unwrap();
    let c = ctx(store.clone());
    assert_eq!(gsi_propagation::pending(&c).await.unwrap(), 2);
    // The records carry their due time (a minute away); apply them as the worker would then.
    let applied = gsi_propagation::run_due_at(&c, u64::MAX - 1).await.unwrap();
    assert_eq!(applied, 2);
    assert_eq!(gsi_propagation::pending(&c).await.unwrap(), 0);
    assert_eq!(index_ids(&c).await, ["a", "b"]);
    assert_eq!(
        gsi_propagation::run_due_at(&c, u64::MAX - 1).await.unwrap(),
        0
    );
    assert_eq!(
        gsi_propagation::idle_pause(&c).await.unwrap(),
        gsi_propagation::IDLE_ALONE_MAX,
        "nothing queued"
    );
    let stats = extenddb_core::traits::ItemStore::stats(&store, 2)
        .await
        .unwrap();
    assert_eq!(stats.item_count, 2, "each entry exactly once");
}

/// The queue keys records by the services' clock, and the worker step applies them when that
/// clock reaches their due time: a test clock steps propagation as it steps everything else.
#[tokio::test]
async fn records_fall_due_by_the_services_clock() {
    use extenddb_core::clock::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    let store = EmbeddedStore::in_memory().unwrap();
    let clock = Arc::new(ManualClock::at_epoch_seconds(1_900_000_000));
    let services = Arc::try_unwrap(suite_services(Arc::new(store.clone()), Arc::new(store)))
        .unwrap_or_else(|_| panic!("services are not shared yet"))
        .with_clock(clock.clone());
    services.settings.apply("gsi_propagation_delay_ms", "60000");
    let woken = Arc::new(AtomicUsize::new(0));
    let w = woken.clone();
    services.gsi_queue.on_queue(move || {
        w.fetch_add(1, Ordering::SeqCst);
    });
    let c = account_ctx(Arc::new(services), "123456789012");
    create_indexed_table(&c).await;
    let req: put_item::Request = serde_json::from_value(serde_json::json!({
        "TableName": "restart", "Item": {"pk": {"S": "a"}, "g": {"S": "x"}}
    }))
    .unwrap();
    put_item::execute(&c, req).await.unwrap();
    assert_eq!(woken.load(Ordering::SeqCst), 1, "the worker is woken");
    assert_eq!(gsi_propagation::now_ms(&c), 1_900_000_000_000);
    clock.advance(Duration::from_millis(59_990));
    assert_eq!(
        gsi_propagation::run_due(&c).await.unwrap(),
        0,
        "10 ms early"
    );
    assert_eq!(
        gsi_propagation::idle_pause(&c).await.unwrap(),
        gsi_propagation::IDLE_MIN.max(Duration::from_millis(10)),
        "the pause ends when the record is due"
    );
    assert!(index_ids(&c).await.is_empty());
    clock.advance(Duration::from_millis(10));
    assert_eq!(gsi_propagation::run_due(&c).await.unwrap(), 1, "due now");
    assert_eq!(index_ids(&c).await, ["a"]);
}

/// Beside other servers the worker looks every `IDLE_MAX` (their records wake nobody here);
/// alone it waits up to `IDLE_ALONE_MAX`, woken by its own records.
#[tokio::test]
async fn the_idle_pause_depends_on_how_many_servers_share_the_store() {
    use extenddb_core::traits::{Coordination, Job};

    struct Two;
    impl Coordination for Two {
        fn runs(&self, _: Job) -> bool {
            true
        }
        fn servers(&self) -> u32 {
            2
        }
    }
    let store = EmbeddedStore::in_memory().unwrap();
    let services = suite_services(Arc::new(store.clone()), Arc::new(store.clone()));
    let alone = account_ctx(services, "123456789012");
    assert_eq!(
        gsi_propagation::idle_pause(&alone).await.unwrap(),
        gsi_propagation::IDLE_ALONE_MAX
    );
    let shared = Arc::try_unwrap(suite_services(Arc::new(store.clone()), Arc::new(store)))
        .unwrap_or_else(|_| panic!("services are not shared yet"))
        .with_coordination(Arc::new(Two));
    let shared = account_ctx(Arc::new(shared), "123456789012");
    assert_eq!(
        gsi_propagation::idle_pause(&shared).await.unwrap(),
        gsi_propagation::IDLE_MAX
    );
}
