//! The tag half of the `Catalog` suite: `update_tags` applies changes atomically, `put_table`
//! keeps stored tags, and a table's tags go with it.

use super::catalog::table;
use crate::model::table::TableStatus;
use crate::model::tags::{Tag, TagChange, MAX_TAGS};
use crate::traits::{Catalog, CatalogError};
use std::sync::Arc;

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

fn set(table_id: &str, tags: Vec<Tag>) -> TagChange {
    TagChange {
        table_id: table_id.into(),
        set: tags,
        remove: Vec::new(),
    }
}

/// Runs the tag checks in `account` (which no other check uses for the table names here).
pub(super) async fn tag_checks(catalog: Arc<dyn Catalog>, account: &str) {
    let sid = catalog.next_storage_id().await.unwrap();
    let mut def = table(account, "Tagged", sid);
    def.tags = vec![tag("created", "yes")];
    catalog.create_table(&def).await.unwrap();
    let id = def.table_id.clone();
    let got = catalog.get_table(account, "Tagged").await.unwrap().unwrap();
    assert_eq!(got.tags, def.tags, "tags given at creation are stored");

    let after = catalog
        .update_tags(
            account,
            "Tagged",
            &set(&id, vec![tag("a", "1"), tag("created", "again")]),
        )
        .await
        .unwrap();
    assert_eq!(after, vec![tag("created", "again"), tag("a", "1")]);
    let got = catalog.get_table(account, "Tagged").await.unwrap().unwrap();
    assert_eq!(got.tags, after, "a lookup sees the change at once");

    // put_table from a definition read before the change keeps the stored tags.
    let mut stale = def.clone();
    stale.status = TableStatus::Active;
    catalog.put_table(&stale).await.unwrap();
    let got = catalog.get_table(account, "Tagged").await.unwrap().unwrap();
    assert_eq!(got.status, TableStatus::Active);
    assert_eq!(got.tags, after, "put_table must not undo a tag change");

    let removed = TagChange {
        table_id: id.clone(),
        set: Vec::new(),
        remove: vec!["created".into(), "absent".into()],
    };
    assert_eq!(
        catalog
            .update_tags(account, "Tagged", &removed)
            .await
            .unwrap(),
        vec![tag("a", "1")]
    );

    // The limit counts the result; a refused change stores nothing.
    let fill: Vec<Tag> = (1..MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert_eq!(
        catalog
            .update_tags(account, "Tagged", &set(&id, fill))
            .await
            .unwrap()
            .len(),
        MAX_TAGS
    );
    assert!(matches!(
        catalog
            .update_tags(account, "Tagged", &set(&id, vec![tag("one-more", "v")]))
            .await,
        Err(CatalogError::TooManyTags)
    ));
    let got = catalog.get_table(account, "Tagged").await.unwrap().unwrap();
    assert_eq!(got.tags.len(), MAX_TAGS);
    assert!(!got.tags.iter().any(|t| t.key == "one-more"));

    // Another incarnation, or no table at all, is not changed.
    assert!(matches!(
        catalog
            .update_tags(account, "Tagged", &set("other-id", vec![tag("x", "y")]))
            .await,
        Err(CatalogError::NotFound)
    ));
    assert!(matches!(
        catalog
            .update_tags(account, "NoSuchTable", &set(&id, vec![tag("x", "y")]))
            .await,
        Err(CatalogError::NotFound)
    ));

    // Deleting the table drops its tags: a new table of the name starts untagged.
    catalog.delete_table(account, "Tagged").await.unwrap();
    let reborn = table(account, "Tagged", sid + 1);
    catalog.create_table(&reborn).await.unwrap();
    let got = catalog.get_table(account, "Tagged").await.unwrap().unwrap();
    assert!(got.tags.is_empty(), "{:?}", got.tags);
    catalog.delete_table(account, "Tagged").await.unwrap();

    concurrent_changes(catalog, account).await;
}

/// Tasks tagging distinct keys of one table at once, some also replacing the definition:
/// every key must survive.
async fn concurrent_changes(catalog: Arc<dyn Catalog>, account: &str) {
    let sid = catalog.next_storage_id().await.unwrap();
    let def = table(account, "Racy", sid);
    catalog.create_table(&def).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..8 {
        let (c, def) = (catalog.clone(), def.clone());
        tasks.spawn(async move {
            for i in 0..5 {
                let key = format!("t{t}-{i}");
                c.update_tags(
                    &def.account_id,
                    "Racy",
                    &set(&def.table_id, vec![tag(&key, "v")]),
                )
                .await
                .unwrap();
                if t % 2 == 0 {
                    c.put_table(&def).await.unwrap();
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let got = catalog.get_table(account, "Racy").await.unwrap().unwrap();
    let mut keys: Vec<String> = got.tags.iter().map(|t| t.key.clone()).collect();
    keys.sort();
    let mut want: Vec<String> = (0..8)
        .flat_map(|t| (0..5).map(move |i| format!("t{t}-{i}")))
        .collect();
    want.sort();
    assert_eq!(keys, want, "concurrent tag changes were lost");
    catalog.delete_table(account, "Racy").await.unwrap();
}
