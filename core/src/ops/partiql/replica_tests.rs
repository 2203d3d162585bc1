//! A PartiQL SELECT without ConsistentRead may be served by the store's eventual reader (a
//! replica), as GetItem, Query and Scan are; with ConsistentRead it reads the primary. The
//! primary and the replica doubles hold different versions of one item, so the answer shows
//! which one served it.

use crate::model::key_encoding::item_key;
use crate::model::AttributeValue;
use crate::ops::test_support::{catalog_with, ctx, hash_table, item};
use crate::ops::{dispatch, Operation};
use crate::traits::item_store::MockItemStore;
use crate::traits::{ItemStore, Page, StoredItem};
use serde_json::{json, Value};
use std::sync::Arc;

/// A store whose only item is `tbl`'s `pk = "k"` with `from = <label>`, by point and range
/// reads; its eventually consistent reads go to `replica` when given.
fn holding(label: &str, replica: Option<Arc<dyn ItemStore>>) -> MockItemStore {
    let it = item(&format!(r#"{{"pk":{{"S":"k"}},"from":{{"S":"{label}"}}}}"#));
    let key = item_key(&AttributeValue::S("k".into()), None);
    let stored = StoredItem::encode(&it);
    let mut store = MockItemStore::new();
    store
        .expect_eventual_reads()
        .returning(move || replica.clone());
    let s = stored.clone();
    store.expect_get().returning(move |_| Ok(Some(s.clone())));
    store.expect_range().returning(move |_, _, _, _, _| {
        Ok(Page {
            items: vec![(key.clone(), stored.clone())],
            more: false,
        })
    });
    store.expect_write().never();
    store
}

/// A primary whose eventually consistent reads go to a replica holding another version.
fn replicated() -> crate::context::Ctx {
    let replica: Arc<dyn ItemStore> = Arc::new(holding("replica", None));
    ctx(
        catalog_with(vec![hash_table()]),
        holding("primary", Some(replica)),
    )
}

async fn call(op: Operation, body: Value) -> Value {
    let c = replicated();
    let out = dispatch(&c, op, &serde_json::to_vec(&body).unwrap())
        .await
        .unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[tokio::test]
async fn select_reads_the_replica_unless_consistent() {
    let statement = "SELECT * FROM tbl WHERE pk = 'k'";
    for (consistent, from) in [
        (None, "replica"),
        (Some(false), "replica"),
        (Some(true), "primary"),
    ] {
        let mut body = json!({ "Statement": statement });
        if let Some(c) = consistent {
            body["ConsistentRead"] = json!(c);
        }
        let out = call(Operation::ExecuteStatement, body).await;
        assert_eq!(
            out["Items"][0]["from"]["S"], from,
            "ConsistentRead {consistent:?}"
        );
    }
}

#[tokio::test]
async fn batch_select_reads_the_replica_unless_consistent() {
    let out = call(
        Operation::BatchExecuteStatement,
        json!({"Statements": [
            {"Statement": "SELECT * FROM tbl WHERE pk = 'k'"},
            {"Statement": "SELECT * FROM tbl WHERE pk = 'k'", "ConsistentRead": true},
        ]}),
    )
    .await;
    assert_eq!(out["Responses"][0]["Item"]["from"]["S"], "replica");
    assert_eq!(out["Responses"][1]["Item"]["from"]["S"], "primary");
}
