//! A mocked item store that serves range reads from a sorted map, as a backend would, for the
//! Query and Scan tests.

use crate::model::key_encoding::item_key;
use crate::model::table::TableDefinition;
use crate::model::Item;
use crate::traits::item_store::MockItemStore;
use crate::traits::{KeyRange, Page, StoredItem};
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex};

/// The storage keys and items of `items` under `def`'s key schema, sorted.
pub fn stored(def: &TableDefinition, items: &[Item]) -> BTreeMap<Vec<u8>, StoredItem> {
    let schema = &def.key_schema;
    items
        .iter()
        .map(|it| {
            let sort = schema.range.as_ref().map(|r| &it[&r.name]);
            (
                item_key(&it[&schema.hash.name], sort),
                StoredItem::encode(it),
            )
        })
        .collect()
}

fn inside(r: &KeyRange, key: &[u8]) -> bool {
    let lo = match &r.lower {
        Bound::Included(b) => key >= b.as_slice(),
        Bound::Excluded(b) => key > b.as_slice(),
        Bound::Unbounded => true,
    };
    let hi = match &r.upper {
        Bound::Included(b) => key <= b.as_slice(),
        Bound::Excluded(b) => key < b.as_slice(),
        Bound::Unbounded => true,
    };
    key.starts_with(&r.prefix) && lo && hi
}

/// A store holding `items` of table `def`; range reads are recorded in `calls`.
pub fn range_store(
    def: &TableDefinition,
    items: &[Item],
    calls: Arc<Mutex<Vec<(KeyRange, bool, usize)>>>,
) -> MockItemStore {
    let data = stored(def, items);
    let sid = def.storage_id;
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store.expect_get().never();
    store.expect_write().never();
    store
        .expect_range()
        .returning(move |storage_id, range, forward, limit, _max| {
            assert_eq!(storage_id, sid);
            calls.lock().unwrap().push((range.clone(), forward, limit));
            let mut all: Vec<(Vec<u8>, StoredItem)> = data
                .iter()
                .filter(|(k, _)| inside(range, k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !forward {
                all.reverse();
            }
            let more = all.len() > limit;
            all.truncate(limit);
            Ok(Page { items: all, more })
        });
    store
}
