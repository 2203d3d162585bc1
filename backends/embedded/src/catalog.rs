//! `Catalog` on redb: table definitions as JSON documents, the storage-id counter and runtime
//! settings, all in the same database as the items.

use crate::schema::{catalog_key, setting_key, CATALOG, META, STORAGE_ID_COUNTER};
use crate::store::{backend, EmbeddedStore};
use async_trait::async_trait;
use extenddb_core::error::StoreError;
use extenddb_core::model::table::TableDefinition;
use extenddb_core::traits::{Catalog, CatalogError};
use redb::ReadableTable;
use std::ops::Bound;

fn decode(bytes: &[u8]) -> Result<TableDefinition, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("table definition: {e}")))
}

fn encode(def: &TableDefinition) -> Result<Vec<u8>, CatalogError> {
    serde_json::to_vec(def)
        .map_err(|e| CatalogError::Store(StoreError::Backend(format!("table definition: {e}"))))
}

#[async_trait]
impl Catalog for EmbeddedStore {
    async fn create_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let key = catalog_key(&def.account_id, &def.name);
        let doc = encode(def)?;
        self.write_txn(move |txn| {
            let mut catalog = txn.open_table(CATALOG)?;
            if catalog.get(key.as_slice())?.is_some() {
                return Ok(Err(CatalogError::AlreadyExists));
            }
            catalog.insert(key.as_slice(), doc.as_slice())?;
            Ok(Ok(()))
        })
        .await
    }

    async fn get_table(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<TableDefinition>, CatalogError> {
        let key = catalog_key(account_id, name);
        let found = self.read_point(|txn| {
            let catalog = txn.open_table(CATALOG).map_err(backend)?;
            let doc = catalog.get(key.as_slice()).map_err(backend)?;
            doc.map(|d| decode(d.value())).transpose()
        })?;
        Ok(found)
    }

    /// Replaces an existing definition; `NotFound` if the table is gone, so a late status
    /// transition can never resurrect a deleted table.
    async fn put_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let key = catalog_key(&def.account_id, &def.name);
        let doc = encode(def)?;
        self.write_txn(move |txn| {
            let mut catalog = txn.open_table(CATALOG)?;
            if catalog.get(key.as_slice())?.is_none() {
                return Ok(Err(CatalogError::NotFound));
            }
            catalog.insert(key.as_slice(), doc.as_slice())?;
            Ok(Ok(()))
        })
        .await
    }

    async fn delete_table(&self, account_id: &str, name: &str) -> Result<(), CatalogError> {
        let key = catalog_key(account_id, name);
        self.write_txn(move |txn| {
            let mut catalog = txn.open_table(CATALOG)?;
            let removed = catalog.remove(key.as_slice())?.is_some();
            Ok(if removed {
                Ok(())
            } else {
                Err(CatalogError::NotFound)
            })
        })
        .await
    }

    async fn list_tables(
        &self,
        account_id: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, CatalogError> {
        let prefix = catalog_key(account_id, "");
        let lower = match &start_after {
            Some(name) => Bound::Excluded(catalog_key(account_id, name)),
            None => Bound::Included(prefix.clone()),
        };
        // Account ids hold no NUL, so `account ‖ 0x01` is the first key past the account.
        let mut upper = account_id.as_bytes().to_vec();
        upper.push(1);
        let names = self
            .read(move |txn| {
                let catalog = txn.open_table(CATALOG).map_err(backend)?;
                let bounds = (
                    lower.as_ref().map(Vec::as_slice),
                    Bound::Excluded(upper.as_slice()),
                );
                let mut names = Vec::new();
                for entry in catalog.range::<&[u8]>(bounds).map_err(backend)?.take(limit) {
                    let (k, _) = entry.map_err(backend)?;
                    let name = k.value().get(prefix.len()..).unwrap_or_default();
                    let name = String::from_utf8(name.to_vec())
                        .map_err(|e| StoreError::Corrupt(format!("table name: {e}")))?;
                    names.push(name);
                }
                Ok(names)
            })
            .await?;
        Ok(names)
    }

    async fn all_tables(&self) -> Result<Vec<TableDefinition>, CatalogError> {
        let defs = self
            .read(|txn| {
                let catalog = txn.open_table(CATALOG).map_err(backend)?;
                let mut defs = Vec::new();
                for entry in catalog.iter().map_err(backend)? {
                    let (_, v) = entry.map_err(backend)?;
                    defs.push(decode(v.value())?);
                }
                Ok(defs)
            })
            .await?;
        Ok(defs)
    }

    async fn next_storage_id(&self) -> Result<u64, CatalogError> {
        self.write_txn(|txn| {
            let mut meta = txn.open_table(META)?;
            let last = match meta.get(STORAGE_ID_COUNTER)? {
                Some(v) => match <[u8; 8]>::try_from(v.value()) {
                    Ok(b) => u64::from_be_bytes(b),
                    Err(_) => {
                        let e = StoreError::Corrupt("storage id counter is not 8 bytes".into());
                        return Ok(Err(CatalogError::Store(e)));
                    }
                },
                None => 0,
            };
            let next = last + 1;
            meta.insert(STORAGE_ID_COUNTER, next.to_be_bytes().as_slice())?;
            Ok(Ok(next))
        })
        .await
    }

    async fn get_setting(&self, key: &str) -> Result<Option<String>, CatalogError> {
        let k = setting_key(key);
        let value = self.read_point(|txn| {
            let meta = txn.open_table(META).map_err(backend)?;
            let found = meta.get(k.as_str()).map_err(backend)?;
            found
                .map(|v| {
                    String::from_utf8(v.value().to_vec())
                        .map_err(|e| StoreError::Corrupt(format!("setting value: {e}")))
                })
                .transpose()
        })?;
        Ok(value)
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), CatalogError> {
        let k = setting_key(key);
        let v = value.as_bytes().to_vec();
        self.write_txn(move |txn| {
            txn.open_table(META)?.insert(k.as_str(), v.as_slice())?;
            Ok(Ok(()))
        })
        .await
    }
}
