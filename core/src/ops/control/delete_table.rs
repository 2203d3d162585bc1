//! DeleteTable: marks the table DELETING and answers its description; the items and the
//! definition go once `Ctx::control_plane_delay` has passed (at once when it is zero).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};
use crate::ops::authorize;
use crate::ops::background::table_reaper;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::table::table_description::{
    describe, not_found, BillingModeSummary, ProvisionedThroughputDescription, TableDescription,
};
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// DeleteTable's input.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The table to delete.
    pub table_name: Option<String>,
}

/// DeleteTable's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The table as it is being deleted (status DELETING).
    pub table_description: DeletedTableDescription,
}

/// The part of a `TableDescription` DynamoDB answers DeleteTable with: no KeySchema,
/// AttributeDefinitions, CreationDateTime or index descriptions, unlike DescribeTable.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeletedTableDescription {
    /// TableName.
    pub table_name: String,
    /// TableStatus: always `DELETING`.
    pub table_status: String,
    /// ProvisionedThroughput (zeros for an on-demand table).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// TableSizeBytes before the deletion.
    pub table_size_bytes: u64,
    /// ItemCount before the deletion.
    pub item_count: u64,
    /// TableArn.
    pub table_arn: String,
    /// TableId.
    pub table_id: String,
    /// BillingModeSummary, for an on-demand table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_mode_summary: Option<BillingModeSummary>,
}

impl From<TableDescription> for DeletedTableDescription {
    fn from(d: TableDescription) -> Self {
        DeletedTableDescription {
            table_name: d.table_name,
            table_status: TableStatus::Deleting.as_str().to_string(),
            provisioned_throughput: d.provisioned_throughput,
            table_size_bytes: d.table_size_bytes,
            item_count: d.item_count,
            table_arn: d.table_arn,
            table_id: d.table_id,
            billing_mode_summary: d.billing_mode_summary,
        }
    }
}

fn in_use(detail: String) -> ApiError {
    ApiError::ResourceInUse(format!(
        "Attempt to change a resource which is still in use: {detail}"
    ))
}

/// DynamoDB's refusals of a DeleteTable by the table's state.
fn check_deletable(def: &TableDefinition) -> Result<(), ApiError> {
    let name = &def.name;
    // While an index changes DynamoDB answers this, also when the table is UPDATING for it.
    if def.status != TableStatus::Deleting
        && crate::ops::table::update_table_indexes::any_index_changing(def)
    {
        return Err(in_use(
            "Cannot delete table while indexes are being created, updated, or deleted.".into(),
        ));
    }
    match def.status {
        TableStatus::Creating => return Err(in_use(format!("Table is being created: {name}"))),
        TableStatus::Deleting => return Err(in_use(format!("Table is being deleted: {name}"))),
        TableStatus::Updating => {
            return Err(in_use(format!(
                "Table: {name} is in the process of being updated."
            )))
        }
        TableStatus::Active => {}
    }
    if def.deletion_protection {
        return Err(ApiError::validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        ));
    }
    Ok(())
}

/// Deletes the table named in `req`.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let name = req.table_name.as_deref().unwrap_or_default();
    let found = lifecycle::find(ctx, name).await?;
    authorize::on_lookup(ctx, "dynamodb:DeleteTable", name, found.as_deref()).await?;
    let found = found.ok_or_else(|| not_found(name))?;
    let now = ctx.now_epoch();
    // Checked and marked DELETING on the stored definition (again after a concurrent change).
    let def = ctx
        .catalog
        .update_table(&found.account_id, name, |def: &mut TableDefinition| {
            check_deletable(def)?;
            def.status = TableStatus::Deleting;
            def.status_since = now;
            Ok(true)
        })
        .await
        .map_err(|e| match e {
            crate::traits::CatalogError::NotFound => not_found(name),
            other => other.into(),
        })?;
    // Described before the items go, so the answer carries the table's last counts.
    let description = describe(ctx, &def).await?;
    if ctx.control_plane_delay().is_zero() {
        table_reaper::retire(ctx, &def).await?;
    }
    Ok(Response {
        table_description: description.into(),
    })
}

/// Decodes a DeleteTable body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DeleteTable, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::TableDefinition;
    use crate::ops::table::table_description::test_support::{ctx, table};
    use crate::ops::test_support::now_epoch;
    use crate::traits::catalog::MockCatalog;
    use crate::traits::item_store::MockItemStore;
    use crate::traits::TableStats;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    /// A catalog holding `def`, and the definitions `update_table` stores into it.
    fn catalog_with(def: TableDefinition) -> (MockCatalog, Arc<Mutex<Vec<TableDefinition>>>) {
        let mut catalog = MockCatalog::new();
        let stored = crate::ops::test_support::serve_updates(&mut catalog, def.clone());
        catalog
            .expect_get_table()
            .returning(move |_, _| Ok(Some(Arc::new(def.clone()))));
        (catalog, stored)
    }

    fn store_with_stats() -> MockItemStore {
        let mut store = MockItemStore::new();
        store.expect_eventual_reads().returning(|| None);
        store.expect_stats().returning(|_| {
            Ok(TableStats {
                item_count: 4,
                size_bytes: 100,
            })
        });
        store
    }

    #[tokio::test]
    async fn marks_the_table_deleting_and_keeps_it_until_the_delay_passed() {
        let (mut catalog, stored) = catalog_with(table("Music", TableStatus::Active, 0.0));
        catalog.expect_delete_table().never();
        let mut store = store_with_stats();
        store.expect_drop_table().never();
        let c = ctx(catalog, store, Duration::from_secs(5));
        let before = now_epoch();
        let out = handle(&c, br#"{"TableName":"Music"}"#).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let d = &json["TableDescription"];
        assert_eq!(d["TableStatus"], "DELETING");
        assert_eq!(d["TableName"], "Music");
        assert_eq!(d["ItemCount"], 4);
        assert_eq!(d["TableSizeBytes"], 100);
        for absent in [
            "KeySchema",
            "AttributeDefinitions",
            "CreationDateTime",
            "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes",
        ] {
            assert!(d.get(absent).is_none(), "{absent} in {d}");
        }
        assert!(d["TableArn"].as_str().unwrap().ends_with(":table/Music"));
        assert!(d["TableId"].is_string());
        let stored = stored.lock().unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].status, TableStatus::Deleting);
        assert!(stored[0].status_since >= before);
    }

    #[tokio::test]
    async fn zero_delay_retires_the_table_at_once_and_leaves_its_items_to_the_reaper() {
        let (mut catalog, stored) = catalog_with(table("Music", TableStatus::Active, 0.0));
        catalog
            .expect_delete_table()
            .withf(|account, name| account == "123456789012" && name == "Music")
            .times(1)
            .returning(|_, _| Ok(()));
        let mut store = store_with_stats();
        store.expect_drop_table().never();
        store
            .expect_write_unconditional()
            .times(1)
            .returning(|writes| {
                assert_eq!(
                    writes.len(),
                    1,
                    "the table's storage id queued for dropping"
                );
                Ok(())
            });
        let c = ctx(catalog, store, Duration::ZERO);
        let req = Request {
            table_name: Some("Music".into()),
        };
        let d = execute(&c, req).await.unwrap().table_description;
        assert_eq!(d.table_status, "DELETING");
        assert_eq!(stored.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn deletion_protection_refuses() {
        let mut def = table("Safe", TableStatus::Active, 0.0);
        def.deletion_protection = true;
        let (catalog, stored) = catalog_with(def);
        let c = ctx(catalog, MockItemStore::new(), Duration::ZERO);
        assert_eq!(
            handle(&c, br#"{"TableName":"Safe"}"#).await.unwrap_err(),
            ApiError::Validation("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.".into())
        );
        assert!(stored.lock().unwrap().is_empty());
    }

    async fn delete_in(status: TableStatus) -> ApiError {
        let (catalog, stored) = catalog_with(table("Busy", status, now_epoch()));
        let c = ctx(catalog, MockItemStore::new(), Duration::from_secs(60));
        let err = handle(&c, br#"{"TableName":"Busy"}"#).await.unwrap_err();
        assert!(stored.lock().unwrap().is_empty());
        err
    }

    #[tokio::test]
    async fn changing_indexes_refuse_deletion_even_while_updating() {
        let mut def = table("Busy", TableStatus::Updating, now_epoch());
        def.global_secondary_indexes
            .push(crate::model::table::SecondaryIndex {
                name: "byX".into(),
                storage_id: 43,
                hash: vec![def.key_schema.hash.clone()],
                range: Vec::new(),
                projection: crate::model::table::ProjectionType::KeysOnly,
                non_key_attributes: Vec::new(),
                throughput: None,
                status: crate::model::table::IndexStatus::Creating,
                status_since: now_epoch(),
                backfilling: true,
                propagation_delay_ms: None,
                throughput_history: Default::default(),
            });
        let (catalog, stored) = catalog_with(def);
        let c = ctx(catalog, MockItemStore::new(), Duration::from_secs(60));
        assert_eq!(
            handle(&c, br#"{"TableName":"Busy"}"#).await.unwrap_err(),
            ApiError::ResourceInUse("Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.".into())
        );
        assert!(stored.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn busy_tables_are_in_use() {
        let prefix = "Attempt to change a resource which is still in use: ";
        assert_eq!(
            delete_in(TableStatus::Creating).await,
            ApiError::ResourceInUse(format!("{prefix}Table is being created: Busy"))
        );
        assert_eq!(
            delete_in(TableStatus::Deleting).await,
            ApiError::ResourceInUse(format!("{prefix}Table is being deleted: Busy"))
        );
        assert_eq!(
            delete_in(TableStatus::Updating).await,
            ApiError::ResourceInUse(format!(
                "{prefix}Table: Busy is in the process of being updated."
            ))
        );
    }

    #[tokio::test]
    async fn missing_table_is_not_found() {
        let mut catalog = MockCatalog::new();
        catalog.expect_get_table().returning(|_, _| Ok(None));
        let c = ctx(catalog, MockItemStore::new(), Duration::ZERO);
        assert_eq!(
            handle(&c, br#"{"TableName":"Nope"}"#).await.unwrap_err(),
            ApiError::ResourceNotFound(
                "Requested resource not found: Table: Nope not found".into()
            )
        );
    }

    #[tokio::test]
    async fn request_validation() {
        let c = ctx(MockCatalog::new(), MockItemStore::new(), Duration::ZERO);
        assert_eq!(
            handle(&c, br#"{"TableName":null}"#)
                .await
                .unwrap_err()
                .to_string(),
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
        );
        let long = "a".repeat(256);
        assert_eq!(
            handle(&c, format!(r#"{{"TableName":"{long}"}}"#).as_bytes())
                .await
                .unwrap_err()
                .to_string(),
            format!("1 validation error detected: Value '{long}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255")
        );
    }
}
