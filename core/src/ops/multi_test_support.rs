//! Test doubles of the multi-item operation tests: two tables with distinct storage ids and a
//! store that keeps items in a map, runs deciders against it and records every transaction.

use super::test_support::{catalog_with, ctx, hash_table, table};
use crate::context::Ctx;
use crate::model::table::{KeyAttribute, KeySchema, ScalarType, TableDefinition};
use crate::traits::item_store::MockItemStore;
use crate::traits::{ItemKey, StoredItem, WriteOp, WriteOutcome};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The map the store double keeps, and the transactions it ran (keys read, writes applied).
#[derive(Default)]
pub struct State {
    /// Current items.
    pub items: HashMap<ItemKey, StoredItem>,
    /// One entry per committed write transaction.
    pub transactions: Vec<(Vec<ItemKey>, Vec<WriteOp>)>,
    /// Point reads done outside transactions.
    pub gets: usize,
}

/// `tbl` (hash `pk` S, storage id 7) and `rng` (hash `pk` S + range `sk` N, storage id 8).
pub fn two_tables() -> Vec<TableDefinition> {
    let mut rng = table(
        "rng",
        KeySchema {
            hash: KeyAttribute {
                name: "pk".into(),
                attr_type: ScalarType::S,
            },
            range: Some(KeyAttribute {
                name: "sk".into(),
                attr_type: ScalarType::N,
            }),
        },
    );
    rng.storage_id = 8;
    vec![hash_table(), rng]
}

/// A store over `state`: `get` reads the map, `write` runs the decider on it and applies.
pub fn map_store(state: Arc<Mutex<State>>) -> MockItemStore {
    let mut store = MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    let s = state.clone();
    store.expect_get().returning(move |k| {
        let mut st = s.lock().unwrap();
        st.gets += 1;
        Ok(st.items.get(k).cloned())
    });
    store.expect_write().returning(move |reads, decide| {
        let mut st = state.lock().unwrap();
        let before: Vec<Option<StoredItem>> =
            reads.iter().map(|k| st.items.get(k).cloned()).collect();
        let writes = decide(&before)?;
        for w in &writes {
            match w {
                WriteOp::Put { key, item } => {
                    st.items.insert(key.clone(), item.clone());
                }
                WriteOp::Delete { key } => {
                    st.items.remove(key);
                }
                WriteOp::StreamAppend { .. } => {}
            }
        }
        st.transactions.push((reads, writes.clone()));
        Ok(WriteOutcome { before, writes })
    });
    store
}

/// A context over `two_tables` and a map store sharing `state`.
pub fn map_ctx(state: Arc<Mutex<State>>) -> Ctx {
    ctx(catalog_with(two_tables()), map_store(state))
}

/// The storage key of `pk` in `tbl`.
pub fn tbl_key(pk: &str) -> ItemKey {
    let def = hash_table();
    crate::ops::request::item_key::for_key(
        &def,
        &super::test_support::item(&format!(r#"{{"pk":{{"S":"{pk}"}}}}"#)),
    )
    .unwrap()
}

/// A throttler that refuses every request on the table named `0` and admits the rest.
pub struct RefuseTable(pub &'static str);

/// The refusal `RefuseTable` answers with.
pub const THROTTLED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";

impl crate::traits::Throttler for RefuseTable {
    fn admit(
        &self,
        claim: &crate::traits::Claim<'_>,
        _: f64,
    ) -> Result<(), crate::error::ApiError> {
        if claim.table.name == self.0 {
            return Err(crate::error::ApiError::ProvisionedThroughputExceeded {
                message: THROTTLED.into(),
                reasons: Vec::new(),
            });
        }
        Ok(())
    }

    fn charge(
        &self,
        _: &crate::traits::Claim<'_>,
        _: &crate::ops::request::capacity::Units,
        _: f64,
    ) {
    }
}

/// `map_ctx` whose throttler refuses the table `refused`.
pub fn throttled_ctx(state: Arc<Mutex<State>>, refused: &'static str) -> Ctx {
    let services = super::test_support::services(
        Arc::new(catalog_with(two_tables())),
        Arc::new(map_store(state)),
        std::time::Duration::ZERO,
    )
    .with_throttler(Arc::new(RefuseTable(refused)));
    services.settings.apply("throttling_enabled", "true");
    super::test_support::request_ctx(services)
}
