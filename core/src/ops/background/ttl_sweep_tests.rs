use super::*;
use crate::model::table::TableStatus;
use crate::ops::test_support::{ctx, hash_table, item, keys_only_gsi, writing_store, Recorded};
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;
use crate::traits::Page;
use std::sync::{Arc, Mutex};

const NOW: f64 = 1_800_000_000.0;

fn with_exp(value: &str) -> Item {
    item(&format!(r#"{{"pk":{{"S":"a"}},"exp":{value}}}"#))
}

#[test]
fn only_past_numbers_within_five_years_are_expired() {
    assert!(is_expired(&with_exp(r#"{"N":"1799999999"}"#), "exp", NOW));
    assert!(is_expired(
        &with_exp(r#"{"N":"179999999.9e1"}"#),
        "exp",
        NOW
    ));
    assert!(is_expired(&with_exp(r#"{"N":"1799999999.5"}"#), "exp", NOW));
    assert!(!is_expired(&with_exp(r#"{"N":"1800000000"}"#), "exp", NOW));
    assert!(!is_expired(&with_exp(r#"{"N":"1800000100"}"#), "exp", NOW));
    assert!(!is_expired(&with_exp(r#"{"S":"1799999999"}"#), "exp", NOW));
    assert!(!is_expired(&with_exp(r#"{"NS":["1"]}"#), "exp", NOW));
    // More than five years in the past: ignored.
    assert!(!is_expired(&with_exp(r#"{"N":"162777600"}"#), "exp", NOW));
    assert!(is_expired(
        &with_exp(&format!(r#"{{"N":"{}"}}"#, NOW - 4.0 * 365.0 * 86_400.0)),
        "exp",
        NOW
    ));
    assert!(!is_expired(&with_exp(r#"{"N":"1"}"#), "other", NOW));
}

#[test]
fn rounds_run_at_half_the_target_at_most_a_minute_apart() {
    assert_eq!(round_interval(300), Duration::from_secs(60));
    assert_eq!(round_interval(60), Duration::from_secs(30));
    assert_eq!(round_interval(1), Duration::from_millis(500));
}

#[test]
fn target_comes_from_the_live_settings() {
    let c = ctx(MockCatalog::new(), MockItemStore::new());
    assert_eq!(target_seconds(&c), 300);
    c.settings.apply(TARGET_SETTING, "20");
    assert_eq!(target_seconds(&c), 20);
    assert!(!c.settings.apply(TARGET_SETTING, "0"), "0 is refused");
    assert_eq!(target_seconds(&c), 20);
}

fn ttl_table() -> TableDefinition {
    let mut def = hash_table();
    def.time_to_live_attribute = Some("exp".into());
    def.ttl.index = Some(crate::model::table::TtlIndex {
        storage_id: 90,
        attribute: "exp".into(),
        backfilled: true,
        backfill_after: None,
        since: 0.0,
    });
    def
}

fn entry(expiry: u64, key: &[u8]) -> (Vec<u8>, StoredItem) {
    (ttl_index::entry_key(expiry, key), ttl_index::entry_value())
}

/// A store whose index read returns `page` and whose write finds `current` under lock.
fn sweeping_store(
    page: Vec<(Vec<u8>, StoredItem)>,
    current: Option<StoredItem>,
    seen: Arc<Mutex<Recorded>>,
) -> MockItemStore {
    let mut store = writing_store(current, seen);
    store
        .expect_range()
        .times(1)
        .withf(|id, _, fwd, limit, _| *id == 90 && *fwd && *limit == PAGE)
        .returning(move |_, _, _, _, _| {
            Ok(Page {
                items: page.clone(),
                more: false,
            })
        });
    store
}

#[test]
fn the_index_range_runs_from_five_years_ago_to_now() {
    let r = expired_range(NOW, None);
    let oldest = (NOW - MAX_AGE_SECONDS).floor() as u64;
    assert_eq!(
        r.lower,
        std::ops::Bound::Included(ttl_index::from_expiry(oldest))
    );
    assert_eq!(
        r.upper,
        std::ops::Bound::Excluded(ttl_index::from_expiry(NOW as u64 + 1))
    );
    let r = expired_range(NOW, Some(b"k".to_vec()));
    assert_eq!(r.lower, std::ops::Bound::Excluded(b"k".to_vec()));
}

#[tokio::test]
async fn an_item_still_expired_under_lock_is_deleted_with_its_entries() {
    let mut def = ttl_table();
    def.global_secondary_indexes = vec![keys_only_gsi("byG", 70, "g")];
    def.global_secondary_indexes[0].propagation_delay_ms = Some(0);
    let old = StoredItem::encode(&item(
        r#"{"pk":{"S":"a"},"g":{"S":"x"},"exp":{"N":"1799999000"}}"#,
    ));
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let store = sweeping_store(vec![entry(1_799_999_000, b"ka")], Some(old), seen.clone());
    let mut catalog = MockCatalog::new();
    catalog
        .expect_get_setting()
        .returning(|_| Ok(Some("0".into())));
    let c = ctx(catalog, store);
    let (deleted, next) = sweep_page(&c, &Arc::new(def.clone()), None, NOW)
        .await
        .unwrap();
    assert_eq!((deleted, next), (1, None));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.reads.len(), 1);
    assert_eq!(seen.reads[0].key, b"ka".to_vec());
    assert_eq!(seen.writes.len(), 3, "{:?}", seen.writes);
    assert!(matches!(&seen.writes[0], WriteOp::Delete { key } if key.storage_id == 7));
    assert!(matches!(&seen.writes[1], WriteOp::Delete { key } if key.storage_id == 70));
    assert!(
        matches!(&seen.writes[2], WriteOp::Delete { key } if key.storage_id == 90 && key.key == ttl_index::entry_key(1_799_999_000, b"ka"))
    );
}

#[tokio::test]
async fn an_update_that_moved_the_expiry_wins_and_stale_entries_go() {
    let def = ttl_table();
    let moved = StoredItem::encode(&with_exp(r#"{"N":"1800009000"}"#));
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let store = sweeping_store(vec![entry(1_799_999_000, b"ka")], Some(moved), seen.clone());
    let c = ctx(MockCatalog::new(), store);
    assert_eq!(
        sweep_page(&c, &Arc::new(def.clone()), None, NOW)
            .await
            .unwrap(),
        (0, None)
    );
    // The item keeps its (new) entry; the stale one is removed.
    let writes = seen.lock().unwrap().writes.clone();
    assert_eq!(
        writes,
        vec![WriteOp::Delete {
            key: ItemKey {
                storage_id: 90,
                key: ttl_index::entry_key(1_799_999_000, b"ka")
            }
        }]
    );
    // Deleted meanwhile: only its entry goes.
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let store = sweeping_store(vec![entry(1_799_999_000, b"ka")], None, seen.clone());
    let c = ctx(MockCatalog::new(), store);
    assert_eq!(
        sweep_page(&c, &Arc::new(def.clone()), None, NOW)
            .await
            .unwrap(),
        (0, None)
    );
    assert_eq!(seen.lock().unwrap().writes.len(), 1);
}

#[tokio::test]
async fn an_entry_of_this_second_not_yet_due_is_left() {
    let def = ttl_table();
    let due_later = StoredItem::encode(&with_exp(r#"{"N":"1800000000.5"}"#));
    let seen = Arc::new(Mutex::new(Recorded::default()));
    let store = sweeping_store(
        vec![entry(1_800_000_000, b"ka")],
        Some(due_later),
        seen.clone(),
    );
    let c = ctx(MockCatalog::new(), store);
    assert_eq!(
        sweep_page(&c, &Arc::new(def.clone()), None, NOW)
            .await
            .unwrap(),
        (0, None)
    );
    assert!(seen.lock().unwrap().writes.is_empty());
}

#[tokio::test]
async fn a_round_covers_ttl_tables_only_and_stops_at_disabled_ones() {
    let mut off = hash_table();
    off.name = "off".into();
    let mut creating = ttl_table();
    creating.name = "creating".into();
    creating.status = TableStatus::Creating;
    let on = ttl_table();
    let mut catalog = MockCatalog::new();
    let all = vec![off, creating, on.clone()];
    catalog
        .expect_all_tables()
        .times(1)
        .returning(move || Ok(all.clone()));
    // TTL is disabled between the round's start and its step.
    let mut now_off = on.clone();
    now_off.time_to_live_attribute = None;
    now_off.ttl.index = None;
    catalog
        .expect_get_table()
        .withf(|a, n| a == "123456789012" && n == "tbl")
        .times(1)
        .returning(move |_, _| Ok(Some(Arc::new(now_off.clone()))));
    let mut store = MockItemStore::new();
    store.expect_range().never();
    let c = ctx(catalog, store);
    let mut round = Round::start(&c).await.unwrap();
    assert_eq!(round.step(&c, NOW).await.unwrap(), Some(0));
    assert_eq!(round.step(&c, NOW).await.unwrap(), None);
}

#[tokio::test]
async fn a_skipped_table_moves_the_round_on() {
    let mut second = ttl_table();
    second.name = "second".into();
    let all = vec![ttl_table(), second];
    let mut catalog = MockCatalog::new();
    catalog
        .expect_all_tables()
        .returning(move || Ok(all.clone()));
    catalog
        .expect_get_table()
        .withf(|_, n| n == "second")
        .times(1)
        .returning(|_, _| Ok(None));
    let c = ctx(catalog, MockItemStore::new());
    let mut round = Round::start(&c).await.unwrap();
    // The first table ("tbl") failed: skip it; the next step looks at "second" only.
    round.skip_table();
    assert_eq!(round.step(&c, NOW).await.unwrap(), Some(0));
    assert_eq!(round.step(&c, NOW).await.unwrap(), None);
}
