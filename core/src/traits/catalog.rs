//! `Catalog`: table definitions and their lifecycle, accounts and runtime settings.
//! IAM entities join it with the auth issue.

use crate::error::{ApiError, StoreError};
use crate::model::table::TableDefinition;
use crate::model::tags::{Tag, TagChange, MAX_TAGS};
use async_trait::async_trait;
use std::sync::Arc;

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
    /// An `update_table` change refused to apply (nothing was written); its error is the
    /// request's answer.
    #[error("{0}")]
    Refused(ApiError),
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
            CatalogError::Refused(e) => e,
            CatalogError::Store(s) => s.into(),
        }
    }
}

/// How often `update_table` re-reads and re-applies its change after losing a race before it
/// gives up with a storage error. Each lost attempt means another write of the table
/// committed meanwhile, so only a definition rewritten without pause by others can exhaust it.
pub const UPDATE_ATTEMPTS: u32 = 64;

/// The error `update_table` ends with when its attempts are used up.
fn update_contended(account_id: &str, name: &str) -> CatalogError {
    CatalogError::Store(StoreError::Backend(format!(
        "the definition of table {name} (account {account_id}) changed on every one of \
         {UPDATE_ATTEMPTS} attempts to update it"
    )))
}

/// Metadata store. Table names are unique per account.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Catalog: Send + Sync {
    /// Stores a new table; `AlreadyExists` if the account has one of that name.
    async fn create_table(&self, def: &TableDefinition) -> Result<(), CatalogError>;

    /// The table's definition, if it exists: shared and immutable (a backend hands out its
    /// cached copy without copying it; every data-plane request reads one). Change a table
    /// through `update_table`, `put_table` or `update_tags`, never by mutating this.
    async fn get_table(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<Arc<TableDefinition>>, CatalogError>;

    /// Replaces a table's definition unconditionally, except its tags (the stored ones are
    /// kept, so only `update_tags` changes them). `NotFound` if absent. A read-modify-write
    /// must use `update_table` instead, or it may undo a concurrent change; this is for tools
    /// and tests that set a definition outright.
    async fn put_table(&self, def: &TableDefinition) -> Result<(), CatalogError>;

    /// The table's stored definition and its version, read from the store itself (never a
    /// cached copy). Every catalog write of the table (put, update, tags) bumps the version.
    async fn get_table_versioned(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<(TableDefinition, u64)>, CatalogError>;

    /// Stores `def` (keeping the stored tags) only if the table's stored version is still
    /// `version`; answers whether it did — `false` when another write came first or the table
    /// is gone. The compare-and-swap under `update_table`.
    async fn replace_table_if(
        &self,
        def: &TableDefinition,
        version: u64,
    ) -> Result<bool, CatalogError>;

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

impl dyn Catalog + '_ {
    /// Every read-modify-write of a table definition (UpdateTable, UpdateTimeToLive, DeleteTable,
    /// the lazy status transitions, the GSI backfill, the table reaper): reads the stored
    /// definition and its version (`get_table_versioned`, never a cached copy), calls `change`
    /// on it, and stores the result only if the version is unchanged (`replace_table_if`);
    /// otherwise reads again and re-applies, up to `UPDATE_ATTEMPTS` times (no pause is
    /// needed: every lost attempt is another writer's success, so the writers as a whole
    /// always progress). So two concurrent changes — in this process or any other over
    /// the same catalog — never undo each other.
    ///
    /// `change` edits the definition in place and answers whether it changed anything
    /// (`false`: nothing is written), or refuses with the error the request answers (nothing
    /// is written; `CatalogError::Refused`). It may run several times, each time on the newer
    /// stored definition, so it must decide from the definition it is given. Answers the
    /// definition as stored afterwards (as read when nothing changed); `NotFound` if the table
    /// is absent. Tags are kept as stored (only `update_tags` changes them).
    pub async fn update_table(
        &self,
        account_id: &str,
        name: &str,
        mut change: impl FnMut(&mut TableDefinition) -> Result<bool, ApiError> + Send,
    ) -> Result<TableDefinition, CatalogError> {
        let mut attempt = 0;
        loop {
            let Some((mut def, version)) = self.get_table_versioned(account_id, name).await? else {
                return Err(CatalogError::NotFound);
            };
            if !change(&mut def).map_err(CatalogError::Refused)? {
                return Ok(def);
            }
            if self.replace_table_if(&def, version).await? {
                return Ok(def);
            }
            // Another write came first (or the table went: the next read tells).
            attempt += 1;
            if attempt >= UPDATE_ATTEMPTS {
                return Err(update_contended(account_id, name));
            }
        }
    }
}
