//! `Catalog` on redb: table definitions as JSON documents (with the version `catalog_doc`
//! adds), the storage-id counter and runtime settings, all in the same database as the items.
//! Table lookups are served from an in-process cache (`catalog_cache`) that this file's writes
//! invalidate.

use crate::catalog_cache::Lookup;
use crate::catalog_doc::{decode, encode, meta};
use crate::schema::{catalog_key, setting_key, CATALOG, META, STORAGE_ID_COUNTER};
use crate::store::{backend, EmbeddedStore};
use async_trait::async_trait;
use extenddb_core::error::StoreError;
use extenddb_core::model::table::TableDefinition;
use extenddb_core::model::tags::{Tag, TagChange, TagChangeRefused};
use extenddb_core::traits::{Catalog, CatalogError};
use redb::ReadableTable;
use std::ops::Bound;
use std::sync::Arc;

/// What a compare-and-swap write found.
enum Swap {
    /// Written.
    Done,
    /// The stored version was no longer the one read.
    Raced,
}

impl EmbeddedStore {
    /// The stored definition of `key` and its version, read past the cache.
    fn read_versioned(&self, key: &[u8]) -> Result<Option<(TableDefinition, u64)>, StoreError> {
        self.read_point(|txn| {
            let catalog = txn.open_table(CATALOG).map_err(backend)?;
            let Some(doc) = catalog.get(key).map_err(backend)? else {
                return Ok(None);
            };
            let bytes = doc.value();
            Ok(Some((decode(bytes)?, meta(bytes)?.version)))
        })
    }

    /// Stores `def` (with the stored tags) under `key` as version `read + 1` if the stored
    /// version is still `read`.
    async fn swap(
        &self,
        key: Vec<u8>,
        def: &TableDefinition,
        read: u64,
    ) -> Result<Swap, CatalogError> {
        let mut def = def.clone();
        let k = key.clone();
        let done = self
            .write_txn(move |txn| {
                let mut catalog = txn.open_table(CATALOG)?;
                let stored = match catalog.get(k.as_slice())? {
                    None => return Ok(Err(CatalogError::NotFound)),
                    Some(old) => meta(old.value()),
                };
                match stored {
                    Ok(m) if m.version == read => def.tags = m.tags,
                    Ok(_) => return Ok(Ok(Swap::Raced)),
                    Err(e) => return Ok(Err(e.into())),
                }
                let doc = match encode(&def, read + 1) {
                    Ok(doc) => doc,
                    Err(e) => return Ok(Err(e)),
                };
                catalog.insert(k.as_slice(), doc.as_slice())?;
                Ok(Ok(Swap::Done))
            })
            .await;
        self.catalog_cache().invalidate(&key);
        done
    }
}

#[async_trait]
impl Catalog for EmbeddedStore {
    async fn create_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let key = catalog_key(&def.account_id, &def.name);
        let doc = encode(def, 0)?;
        let k = key.clone();
        let done = self
            .write_txn(move |txn| {
                let mut catalog = txn.open_table(CATALOG)?;
                if catalog.get(k.as_slice())?.is_some() {
                    return Ok(Err(CatalogError::AlreadyExists));
                }
                catalog.insert(k.as_slice(), doc.as_slice())?;
                Ok(Ok(()))
            })
            .await;
        self.catalog_cache().invalidate(&key);
        done
    }

    async fn get_table(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<Arc<TableDefinition>>, CatalogError> {
        let key = catalog_key(account_id, name);
        let generation = match self.catalog_cache().lookup(&key) {
            Lookup::Hit(def) => return Ok(Some(def)),
            Lookup::Miss(generation) => generation,
        };
        let found = self.read_point(|txn| {
            let catalog = txn.open_table(CATALOG).map_err(backend)?;
            let doc = catalog.get(key.as_slice()).map_err(backend)?;
            doc.map(|d| decode(d.value())).transpose()
        })?;
        let found = found.map(Arc::new);
        if let Some(def) = &found {
            self.catalog_cache().fill(key, def.clone(), generation);
        }
        Ok(found)
    }

    /// Replaces an existing definition but keeps its stored tags; `NotFound` if the table is
    /// gone, so a late write can never resurrect a deleted table.
    async fn put_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let key = catalog_key(&def.account_id, &def.name);
        let mut def = def.clone();
        let k = key.clone();
        let done = self
            .write_txn(move |txn| {
                let mut catalog = txn.open_table(CATALOG)?;
                let stored = match catalog.get(k.as_slice())? {
                    None => return Ok(Err(CatalogError::NotFound)),
                    Some(old) => meta(old.value()),
                };
                let stored = match stored {
                    Ok(m) => m,
                    Err(e) => return Ok(Err(e.into())),
                };
                def.tags = stored.tags;
                let doc = match encode(&def, stored.version + 1) {
                    Ok(doc) => doc,
                    Err(e) => return Ok(Err(e)),
                };
                catalog.insert(k.as_slice(), doc.as_slice())?;
                Ok(Ok(()))
            })
            .await;
        self.catalog_cache().invalidate(&key);
        done
    }

    async fn get_table_versioned(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<(TableDefinition, u64)>, CatalogError> {
        Ok(self.read_versioned(&catalog_key(account_id, name))?)
    }

    async fn replace_table_if(
        &self,
        def: &TableDefinition,
        version: u64,
    ) -> Result<bool, CatalogError> {
        let key = catalog_key(&def.account_id, &def.name);
        match self.swap(key, def, version).await {
            Ok(Swap::Done) => Ok(true),
            Ok(Swap::Raced) | Err(CatalogError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn update_tags(
        &self,
        account_id: &str,
        name: &str,
        change: &TagChange,
    ) -> Result<Vec<Tag>, CatalogError> {
        let key = catalog_key(account_id, name);
        let change = change.clone();
        let k = key.clone();
        let done = self
            .write_txn(move |txn| {
                let mut catalog = txn.open_table(CATALOG)?;
                let found = catalog
                    .get(k.as_slice())?
                    .map(|d| decode(d.value()).and_then(|def| Ok((def, meta(d.value())?.version))));
                let (mut def, version) = match found {
                    None => return Ok(Err(CatalogError::NotFound)),
                    Some(Err(e)) => return Ok(Err(e.into())),
                    Some(Ok(found)) => found,
                };
                if def.table_id != change.table_id {
                    return Ok(Err(CatalogError::NotFound));
                }
                def.tags = match change.apply(&def.tags) {
                    Ok(tags) => tags,
                    Err(TagChangeRefused::TooMany) => return Ok(Err(CatalogError::TooManyTags)),
                };
                let doc = match encode(&def, version + 1) {
                    Ok(doc) => doc,
                    Err(e) => return Ok(Err(e)),
                };
                catalog.insert(k.as_slice(), doc.as_slice())?;
                Ok(Ok(def.tags))
            })
            .await;
        self.catalog_cache().invalidate(&key);
        done
    }

    async fn delete_table(&self, account_id: &str, name: &str) -> Result<(), CatalogError> {
        let key = catalog_key(account_id, name);
        let k = key.clone();
        let done = self
            .write_txn(move |txn| {
                let mut catalog = txn.open_table(CATALOG)?;
                let removed = catalog.remove(k.as_slice())?.is_some();
                Ok(if removed {
                    Ok(())
                } else {
                    Err(CatalogError::NotFound)
                })
            })
            .await;
        self.catalog_cache().invalidate(&key);
        done
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

#[cfg(test)]
mod tests {
    use crate::catalog_cache::tests::def;
    use crate::EmbeddedStore;
    use extenddb_core::model::table::TableStatus;
    use extenddb_core::traits::{Catalog, CatalogError};

    const ACCOUNT: &str = "000000000000";

    #[tokio::test]
    async fn lookups_follow_create_update_delete_and_recreate() {
        let store = EmbeddedStore::in_memory().unwrap();
        assert_eq!(store.get_table(ACCOUNT, "t").await.unwrap(), None);

        store.create_table(&def("t", 1)).await.unwrap();
        // Twice: the first lookup fills the cache, the second is served from it.
        for _ in 0..2 {
            let got = store.get_table(ACCOUNT, "t").await.unwrap().unwrap();
            assert_eq!((got.storage_id, got.status), (1, TableStatus::Active));
        }

        let mut deleting = def("t", 1);
        deleting.status = TableStatus::Deleting;
        store.put_table(&deleting).await.unwrap();
        let got = store.get_table(ACCOUNT, "t").await.unwrap().unwrap();
        assert_eq!(got.status, TableStatus::Deleting);

        store.delete_table(ACCOUNT, "t").await.unwrap();
        assert_eq!(store.get_table(ACCOUNT, "t").await.unwrap(), None);

        // A new incarnation under the same name: the lookup must not return the old one.
        store.create_table(&def("t", 2)).await.unwrap();
        let got = store.get_table(ACCOUNT, "t").await.unwrap().unwrap();
        assert_eq!(got.storage_id, 2);
        assert_eq!(got.status, TableStatus::Active);
        let again = store.get_table(ACCOUNT, "t").await.unwrap().unwrap();
        assert_eq!(again, got);
    }

    #[tokio::test]
    async fn refused_writes_leave_lookups_correct() {
        let store = EmbeddedStore::in_memory().unwrap();
        store.create_table(&def("t", 1)).await.unwrap();
        assert_eq!(
            store
                .get_table(ACCOUNT, "t")
                .await
                .unwrap()
                .unwrap()
                .storage_id,
            1
        );
        assert!(matches!(
            store.create_table(&def("t", 9)).await,
            Err(CatalogError::AlreadyExists)
        ));
        assert_eq!(
            store
                .get_table(ACCOUNT, "t")
                .await
                .unwrap()
                .unwrap()
                .storage_id,
            1
        );
        assert!(matches!(
            store.put_table(&def("gone", 3)).await,
            Err(CatalogError::NotFound)
        ));
        assert_eq!(store.get_table(ACCOUNT, "gone").await.unwrap(), None);
        // Another account's table of the same name is a different entry.
        assert_eq!(store.get_table("111111111111", "t").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_reopened_file_store_reads_what_was_committed() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = EmbeddedStore::open(dir.path()).unwrap();
            store.create_table(&def("t", 4)).await.unwrap();
            assert_eq!(
                store
                    .get_table(ACCOUNT, "t")
                    .await
                    .unwrap()
                    .unwrap()
                    .storage_id,
                4
            );
            store.delete_table(ACCOUNT, "t").await.unwrap();
            store.create_table(&def("t", 5)).await.unwrap();
        }
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert_eq!(
            store
                .get_table(ACCOUNT, "t")
                .await
                .unwrap()
                .unwrap()
                .storage_id,
            5
        );
    }
}
