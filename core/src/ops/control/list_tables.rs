//! ListTables: the account's table names in ascending order, a page at a time. Tables whose
//! deletion is due are finalized on the way and never listed.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// Page size when the request gives no `Limit`, and the largest one allowed.
const MAX_LIMIT: i64 = 100;

/// ListTables' input.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// List the names after this one.
    pub exclusive_start_table_name: Option<String>,
    /// Page size, 1–100 (default 100).
    pub limit: Option<i64>,
}

/// ListTables' output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The page of names, ascending.
    pub table_names: Vec<String>,
    /// The last name of the page, present only when more names follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_table_name: Option<String>,
}

/// Lists one page of the account's tables.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    authorize::on_account(ctx, "dynamodb:ListTables").await?;
    let limit = usize::try_from(req.limit.unwrap_or(MAX_LIMIT)).unwrap_or(1);
    let mut names: Vec<String> = Vec::with_capacity(limit + 1);
    let mut cursor = req.exclusive_start_table_name;
    // One name past the page tells whether more follow; names of tables whose deletion just
    // completed drop out, so keep reading until the page is full or the catalog runs out.
    loop {
        let want = limit + 1 - names.len();
        let batch = ctx
            .catalog
            .list_tables(ctx.account_id(), cursor.clone(), want)
            .await?;
        let exhausted = batch.len() < want;
        for name in batch {
            if lifecycle::find(ctx, &name).await?.is_some() {
                names.push(name.clone());
            }
            cursor = Some(name);
        }
        if names.len() > limit || exhausted {
            break;
        }
    }
    let more = names.len() > limit;
    names.truncate(limit);
    Ok(Response {
        last_evaluated_table_name: if more { names.last().cloned() } else { None },
        table_names: names,
    })
}

/// Decodes a ListTables body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::ListTables, body)?;
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
    use std::time::Duration;

    /// A catalog over `names` (sorted), where the ones in `gone` are DELETING past their delay.
    fn catalog(names: &'static [&'static str], gone: &'static [&'static str]) -> MockCatalog {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_list_tables()
            .returning(move |account, after, limit| {
                assert_eq!(account, "123456789012");
                Ok(names
                    .iter()
                    .filter(|n| after.as_deref().is_none_or(|a| **n > a))
                    .take(limit)
                    .map(|n| n.to_string())
                    .collect())
            });
        catalog.expect_get_table().returning(move |_, name| {
            Ok(Some(std::sync::Arc::new(if gone.contains(&name) {
                table(name, TableStatus::Deleting, now_epoch() - 100.0)
            } else {
                table(name, TableStatus::Active, 0.0)
            })))
        });
        catalog.expect_delete_table().returning(|_, _| Ok(()));
        catalog
    }

    fn store() -> MockItemStore {
        let mut store = MockItemStore::new();
        store.expect_eventual_reads().returning(|| None);
        store.expect_drop_table().returning(|_| Ok(()));
        store
    }

    async fn list(c: &Ctx, body: &str) -> serde_json::Value {
        serde_json::from_slice(&handle(c, body.as_bytes()).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn lists_all_without_last_evaluated_name() {
        let c = ctx(
            catalog(&["aaa", "bbb", "ccc"], &[]),
            store(),
            Duration::ZERO,
        );
        let json = list(&c, "{}").await;
        assert_eq!(
            json,
            serde_json::json!({"TableNames": ["aaa", "bbb", "ccc"]})
        );
    }

    #[tokio::test]
    async fn pages_with_limit_and_exclusive_start() {
        let c = ctx(
            catalog(&["aaa", "bbb", "ccc"], &[]),
            store(),
            Duration::ZERO,
        );
        let first = list(&c, r#"{"Limit": 2}"#).await;
        assert_eq!(
            first,
            serde_json::json!({"TableNames": ["aaa", "bbb"], "LastEvaluatedTableName": "bbb"})
        );
        let second = list(&c, r#"{"Limit": 2, "ExclusiveStartTableName": "bbb"}"#).await;
        assert_eq!(second, serde_json::json!({"TableNames": ["ccc"]}));
        let exact = list(&c, r#"{"Limit": 3}"#).await;
        assert!(exact.get("LastEvaluatedTableName").is_none());
    }

    #[tokio::test]
    async fn tables_whose_deletion_is_due_are_not_listed() {
        let c = ctx(
            catalog(&["aaa", "bbb", "ccc", "ddd"], &["bbb", "ccc"]),
            store(),
            Duration::from_secs(5),
        );
        let json = list(&c, r#"{"Limit": 1, "ExclusiveStartTableName": "aaa"}"#).await;
        assert_eq!(json, serde_json::json!({"TableNames": ["ddd"]}));
        let json = list(&c, r#"{"Limit": 1}"#).await;
        assert_eq!(
            json,
            serde_json::json!({"TableNames": ["aaa"], "LastEvaluatedTableName": "aaa"})
        );
    }

    #[tokio::test]
    async fn request_validation() {
        let c = ctx(MockCatalog::new(), MockItemStore::new(), Duration::ZERO);
        let err = |body: &'static str| {
            let c = c.clone();
            async move { handle(&c, body.as_bytes()).await.unwrap_err().to_string() }
        };
        assert_eq!(
            err(r#"{"Limit": 0}"#).await,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert_eq!(
            err(r#"{"Limit": 101}"#).await,
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"
        );
        assert_eq!(
            err(r#"{"Limit": 500, "ExclusiveStartTableName": "ab"}"#).await,
            "2 validation errors detected: Value 'ab' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '500' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"
        );
    }
}
