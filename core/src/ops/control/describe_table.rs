//! DescribeTable: the table's current description, with due lifecycle transitions applied.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::table::table_description::{describe, not_found, TableDescription};
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// DescribeTable's input.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The table to describe.
    pub table_name: Option<String>,
}

/// DescribeTable's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The table's description.
    pub table: TableDescription,
}

/// Describes the table named in `req`.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let name = req.table_name.as_deref().unwrap_or_default();
    let found = lifecycle::find(ctx, name).await?;
    authorize::on_lookup(ctx, "dynamodb:DescribeTable", name, found.as_deref()).await?;
    let def = found.ok_or_else(|| not_found(name))?;
    Ok(Response {
        table: describe(ctx, &def).await?,
    })
}

/// Decodes a DescribeTable body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DescribeTable, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::TableStatus;
    use crate::ops::table::table_description::test_support::{ctx, table};
    use crate::ops::test_support::now_epoch;
    use crate::traits::catalog::MockCatalog;
    use crate::traits::item_store::MockItemStore;
    use crate::traits::TableStats;
    use std::time::Duration;

    fn store_with_stats() -> MockItemStore {
        let mut store = MockItemStore::new();
        store.expect_eventual_reads().returning(|| None);
        store.expect_stats().withf(|id| *id == 42).returning(|_| {
            Ok(TableStats {
                item_count: 2,
                size_bytes: 77,
            })
        });
        store
    }

    #[tokio::test]
    async fn describes_a_table_with_its_item_stats() {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_get_table()
            .withf(|account, name| account == "123456789012" && name == "Music")
            .returning(|_, _| {
                Ok(Some(std::sync::Arc::new(table(
                    "Music",
                    TableStatus::Active,
                    0.0,
                ))))
            });
        let c = ctx(catalog, store_with_stats(), Duration::from_secs(5));
        let out = handle(&c, br#"{"TableName":"Music"}"#).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["Table"]["TableName"], "Music");
        assert_eq!(json["Table"]["TableStatus"], "ACTIVE");
        assert_eq!(json["Table"]["ItemCount"], 2);
        assert_eq!(json["Table"]["TableSizeBytes"], 77);
        assert_eq!(
            json["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"],
            7
        );
    }

    #[tokio::test]
    async fn creating_table_becomes_active_once_the_delay_passed() {
        let mut catalog = MockCatalog::new();
        let since = now_epoch() - 10.0;
        catalog.expect_get_table().returning(move |_, _| {
            Ok(Some(std::sync::Arc::new(table(
                "Music",
                TableStatus::Creating,
                since,
            ))))
        });
        let stored = crate::ops::test_support::serve_updates(
            &mut catalog,
            table("Music", TableStatus::Creating, since),
        );
        let c = ctx(catalog, store_with_stats(), Duration::from_secs(5));
        let req = Request {
            table_name: Some("Music".into()),
        };
        assert_eq!(execute(&c, req).await.unwrap().table.table_status, "ACTIVE");
        let stored = stored.lock().unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].status, TableStatus::Active);
    }

    #[tokio::test]
    async fn creating_table_stays_creating_within_the_delay() {
        let mut catalog = MockCatalog::new();
        let since = now_epoch();
        catalog.expect_get_table().returning(move |_, _| {
            Ok(Some(std::sync::Arc::new(table(
                "Music",
                TableStatus::Creating,
                since,
            ))))
        });
        catalog.expect_replace_table_if().never();
        let c = ctx(catalog, store_with_stats(), Duration::from_secs(60));
        let req = Request {
            table_name: Some("Music".into()),
        };
        assert_eq!(
            execute(&c, req).await.unwrap().table.table_status,
            "CREATING"
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
    async fn deleted_table_whose_delay_passed_is_not_found() {
        let mut catalog = MockCatalog::new();
        let since = now_epoch() - 10.0;
        catalog.expect_get_table().returning(move |_, _| {
            Ok(Some(std::sync::Arc::new(table(
                "Gone",
                TableStatus::Deleting,
                since,
            ))))
        });
        // Requests leave the dropping to the table reaper.
        catalog.expect_delete_table().never();
        let mut store = MockItemStore::new();
        store.expect_eventual_reads().returning(|| None);
        store.expect_drop_table().never();
        let c = ctx(catalog, store, Duration::from_secs(5));
        assert_eq!(
            handle(&c, br#"{"TableName":"Gone"}"#).await.unwrap_err(),
            ApiError::ResourceNotFound(
                "Requested resource not found: Table: Gone not found".into()
            )
        );
    }

    #[tokio::test]
    async fn request_validation() {
        let c = ctx(MockCatalog::new(), MockItemStore::new(), Duration::ZERO);
        assert_eq!(
            handle(&c, b"{}").await.unwrap_err().to_string(),
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            handle(&c, br#"{"TableName":"a;b"}"#).await.unwrap_err().to_string(),
            "1 validation error detected: Value 'a;b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        );
    }
}
