//! `Catalog`: table definitions and their lifecycle, accounts and runtime settings.
//! IAM entities join it with the auth issue.

use crate::error::{ApiError, StoreError};
use crate::model::table::TableDefinition;
use crate::model::tags::{Tag, TagChange, MAX_TAGS};
use async_trait::async_trait;

/// Catalog failures that requests can cause.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A table of that name exists in the account already.
    #[error("table already exists")]
    AlreadyExists,
    /// No such table.
    #[error("table not found")]
    NotFound,
    /// A tag change would leave the table with more than `MAX_TAGS` tags.
    #[error("too many tags")]
    TooManyTags,
    /// The backend failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::AlreadyExists => ApiError::ResourceInUse("Table already exists".into()),
            CatalogError::NotFound => {
                ApiError::ResourceNotFound("Requested resource not found".into())
            }
            // DynamoDB's exact wording is not known here; it answers a ValidationException.
            CatalogError::TooManyTags => ApiError::Validation(format!(
                "One or more parameter values were invalid: A resource can have at most {MAX_TAGS} tags"
            )),
            CatalogError::Store(s) => s.into(),
        }
    }
}

/// Metadata store. Table names are unique per account.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Catalog: Send + Sync {
    /// Stores a new table; `AlreadyExists` if the account has one of that name.
    async fn create_table(&self, def: &TableDefinition) -> Result<(), CatalogError>;

    /// The table's definition, if it exists.
    async fn get_table(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<TableDefinition>, CatalogError>;

    /// Replaces a table's definition (status transitions, UpdateTable), except its tags: the
    /// stored ones are kept, so only `update_tags` changes them. `NotFound` if absent.
    async fn put_table(&self, def: &TableDefinition) -> Result<(), CatalogError>;

    /// Applies `change` to the stored tags of the table in one backend transaction (read,
    /// change, write), so concurrent changes never lose each other; answers the tags as
    /// stored. `NotFound` if the table is gone or is another incarnation than
    /// `change.table_id`; `TooManyTags` (nothing stored) if the result exceeds `MAX_TAGS`.
    async fn update_tags(
        &self,
        account_id: &str,
        name: &str,
        change: &TagChange,
    ) -> Result<Vec<Tag>, CatalogError>;

    /// Removes a table's definition; `NotFound` if absent.
    async fn delete_table(&self, account_id: &str, name: &str) -> Result<(), CatalogError>;

    /// Up to `limit` table names of the account in ascending order, after `start_after`.
    async fn list_tables(
        &self,
        account_id: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, CatalogError>;

    /// Every table of every account (for background workers).
    async fn all_tables(&self) -> Result<Vec<TableDefinition>, CatalogError>;

    /// A fresh storage id, never handed out before in this catalog.
    async fn next_storage_id(&self) -> Result<u64, CatalogError>;

    /// A runtime setting's stored value.
    async fn get_setting(&self, key: &str) -> Result<Option<String>, CatalogError>;

    /// Stores a runtime setting.
    async fn put_setting(&self, key: &str, value: &str) -> Result<(), CatalogError>;
}
