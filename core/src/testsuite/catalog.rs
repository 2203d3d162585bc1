//! The `Catalog` half of the shared backend suite.

use crate::model::table::{
    BillingMode, KeyAttribute, KeySchema, ScalarType, TableDefinition, TableStatus, Throughput,
};
use crate::traits::{Catalog, CatalogError};
use std::sync::Arc;

pub(super) fn table(account_id: &str, name: &str, storage_id: u64) -> TableDefinition {
    let hash = KeyAttribute {
        name: "pk".into(),
        attr_type: ScalarType::S,
    };
    TableDefinition {
        account_id: account_id.into(),
        region: "us-east-1".into(),
        name: name.into(),
        table_id: format!("00000000-0000-4000-8000-{storage_id:012}"),
        storage_id,
        key_schema: KeySchema {
            hash: hash.clone(),
            range: Some(KeyAttribute {
                name: "sk".into(),
                attr_type: ScalarType::N,
            }),
        },
        attribute_definitions: vec![hash],
        billing_mode: BillingMode::PayPerRequest,
        throughput: Throughput { read: 0, write: 0 },
        status: TableStatus::Creating,
        created_at: 1_700_000_000.25,
        status_since: 1_700_000_000.25,
        deletion_protection: false,
        local_secondary_indexes: Vec::new(),
        global_secondary_indexes: Vec::new(),
        throughput_history: Default::default(),
        pay_per_request_since: None,
        time_to_live_attribute: None,
        tags: Vec::new(),
        on_demand_throughput: None,
        stream: None,
        past_streams: Vec::new(),
        ttl: Default::default(),
        restore: None,
        pitr: None,
    }
}

/// Runs every `Catalog` check against `catalog`. Panics (fails the calling test) on the first
/// behaviour that differs from the trait's contract.
pub async fn catalog_suite(catalog: Arc<dyn Catalog>) {
    // Fresh accounts per run, so a persistent catalog can run the suite more than once.
    let run = catalog.next_storage_id().await.unwrap();
    let account = format!("{:012}", 100_000_000_000 + run % 100_000_000_000);
    let other = format!("{:012}", 200_000_000_000 + run % 100_000_000_000);
    storage_ids(catalog.clone(), run).await;
    table_crud(catalog.as_ref(), &account).await;
    listing(catalog.as_ref(), &account, &other).await;
    settings(catalog.as_ref(), run).await;
    super::tags::tag_checks(catalog.clone(), &account).await;
}

async fn storage_ids(catalog: Arc<dyn Catalog>, first: u64) {
    let mut last = first;
    for _ in 0..5 {
        let next = catalog.next_storage_id().await.unwrap();
        assert!(
            next > last,
            "storage ids must increase: {next} after {last}"
        );
        last = next;
    }
    // Concurrent callers never get the same id.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let c = catalog.clone();
        tasks.spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..5 {
                ids.push(c.next_storage_id().await.unwrap());
            }
            ids
        });
    }
    let mut all = Vec::new();
    while let Some(ids) = tasks.join_next().await {
        all.extend(ids.unwrap());
    }
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 80, "duplicate storage ids handed out");
    assert!(all[0] > last);
}

async fn table_crud(catalog: &dyn Catalog, account: &str) {
    let sid = catalog.next_storage_id().await.unwrap();
    let def = table(account, "Crud", sid);
    assert_eq!(catalog.get_table(account, "Crud").await.unwrap(), None);
    catalog.create_table(&def).await.unwrap();
    assert_eq!(
        catalog.get_table(account, "Crud").await.unwrap(),
        Some(Arc::new(def.clone()))
    );
    // Names are case-sensitive and scoped to the account.
    assert_eq!(catalog.get_table(account, "crud").await.unwrap(), None);
    assert_eq!(
        catalog.get_table("999999999999", "Crud").await.unwrap(),
        None
    );

    let again = table(account, "Crud", sid + 1);
    assert!(matches!(
        catalog.create_table(&again).await,
        Err(CatalogError::AlreadyExists)
    ));
    assert_eq!(
        catalog.get_table(account, "Crud").await.unwrap(),
        Some(Arc::new(def.clone()))
    );

    let mut active = def.clone();
    active.status = TableStatus::Active;
    active.status_since = 1_700_000_100.5;
    active.deletion_protection = true;
    catalog.put_table(&active).await.unwrap();
    assert_eq!(
        catalog.get_table(account, "Crud").await.unwrap(),
        Some(Arc::new(active.clone()))
    );

    // Replacing a table that does not exist must not create it.
    let ghost = table(account, "Ghost", sid + 2);
    assert!(matches!(
        catalog.put_table(&ghost).await,
        Err(CatalogError::NotFound)
    ));
    assert_eq!(catalog.get_table(account, "Ghost").await.unwrap(), None);

    let everything = catalog.all_tables().await.unwrap();
    let mine: Vec<_> = everything
        .iter()
        .filter(|t| t.account_id == account)
        .collect();
    assert_eq!(mine, vec![&active]);

    catalog.delete_table(account, "Crud").await.unwrap();
    assert_eq!(catalog.get_table(account, "Crud").await.unwrap(), None);
    assert!(matches!(
        catalog.delete_table(account, "Crud").await,
        Err(CatalogError::NotFound)
    ));
    // The name is free again.
    catalog.create_table(&again).await.unwrap();
    assert_eq!(
        catalog.get_table(account, "Crud").await.unwrap(),
        Some(Arc::new(again))
    );
    catalog.delete_table(account, "Crud").await.unwrap();
}

async fn listing(catalog: &dyn Catalog, account: &str, other: &str) {
    let names = ["b", "a", "C", "a-1", "z", "A.b_c"];
    for (i, name) in names.iter().enumerate() {
        catalog
            .create_table(&table(account, name, 1000 + i as u64))
            .await
            .unwrap();
    }
    catalog
        .create_table(&table(other, "a0", 2000))
        .await
        .unwrap();
    let s = |v: &[&str]| v.iter().map(|n| (*n).to_string()).collect::<Vec<_>>();
    // Byte order of the names: upper case before lower case.
    let sorted = s(&["A.b_c", "C", "a", "a-1", "b", "z"]);
    assert_eq!(
        catalog.list_tables(account, None, 100).await.unwrap(),
        sorted
    );
    assert_eq!(
        catalog.list_tables(account, None, 2).await.unwrap(),
        s(&["A.b_c", "C"])
    );
    assert_eq!(
        catalog
            .list_tables(account, Some("C".into()), 3)
            .await
            .unwrap(),
        s(&["a", "a-1", "b"])
    );
    // `start_after` need not name an existing table.
    assert_eq!(
        catalog
            .list_tables(account, Some("a0".into()), 10)
            .await
            .unwrap(),
        s(&["b", "z"])
    );
    assert!(catalog
        .list_tables(account, Some("z".into()), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(catalog
        .list_tables(account, None, 0)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        catalog.list_tables(other, None, 100).await.unwrap(),
        s(&["a0"])
    );
    assert!(catalog
        .list_tables("000000000001", None, 100)
        .await
        .unwrap()
        .is_empty());

    let all = catalog.all_tables().await.unwrap();
    let mut mine: Vec<String> = all
        .iter()
        .filter(|t| t.account_id == account)
        .map(|t| t.name.clone())
        .collect();
    mine.sort();
    assert_eq!(mine, sorted);
    assert_eq!(all.iter().filter(|t| t.account_id == other).count(), 1);

    for name in names {
        catalog.delete_table(account, name).await.unwrap();
    }
    catalog.delete_table(other, "a0").await.unwrap();
    assert!(catalog
        .list_tables(account, None, 100)
        .await
        .unwrap()
        .is_empty());
}

async fn settings(catalog: &dyn Catalog, run: u64) {
    let key = format!("suite_setting_{run}");
    assert_eq!(catalog.get_setting(&key).await.unwrap(), None);
    catalog.put_setting(&key, "debug").await.unwrap();
    assert_eq!(
        catalog.get_setting(&key).await.unwrap().as_deref(),
        Some("debug")
    );
    catalog
        .put_setting(&key, "a value with spaces, ünïcode")
        .await
        .unwrap();
    assert_eq!(
        catalog.get_setting(&key).await.unwrap().as_deref(),
        Some("a value with spaces, ünïcode")
    );
    assert_eq!(
        catalog.get_setting(&format!("{key}_other")).await.unwrap(),
        None
    );
    catalog.put_setting(&key, "").await.unwrap();
    assert_eq!(
        catalog.get_setting(&key).await.unwrap().as_deref(),
        Some("")
    );
}
