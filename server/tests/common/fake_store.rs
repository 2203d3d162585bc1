//! An in-memory ItemStore + Catalog: a legitimate double for testing the protocol layer without
//! a storage backend. Keyed like a real backend (storage id + encoded key), ordered by BTreeMap.

use async_trait::async_trait;
use extenddb_core::error::StoreError;
use extenddb_core::model::table::TableDefinition;
use extenddb_core::model::tags::{Tag, TagChange};
use extenddb_core::traits::{
    Catalog, CatalogError, ItemKey, ItemStore, KeyRange, Page, Readiness, StoredItem, TableStats,
    WriteDecider, WriteOp, WriteOutcome,
};
use extenddb_core::ApiError;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;
use std::sync::Mutex;

/// Tables, settings and items in memory, behind one lock.
#[derive(Default)]
pub struct FakeStore {
    tables: Mutex<BTreeMap<(String, String), TableDefinition>>,
    /// Writes per table since it was created (`get_table_versioned`).
    versions: Mutex<HashMap<(String, String), u64>>,
    settings: Mutex<HashMap<String, String>>,
    next_id: Mutex<u64>,
    items: Mutex<BTreeMap<ItemKey, StoredItem>>,
    /// When set, table lookups hang this long first (a store that stopped answering).
    pub stall: Mutex<Option<std::time::Duration>>,
    /// When set, `readiness` reports the store not ready for this reason.
    pub not_ready: Mutex<Option<String>>,
}

fn poisoned() -> StoreError {
    StoreError::Backend("lock poisoned".into())
}

impl FakeStore {
    fn bump(&self, account_id: &str, name: &str) -> Result<(), StoreError> {
        let mut v = self.versions.lock().map_err(|_| poisoned())?;
        *v.entry((account_id.to_string(), name.to_string()))
            .or_default() += 1;
        Ok(())
    }
}

#[async_trait]
impl Catalog for FakeStore {
    async fn create_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let mut t = self.tables.lock().map_err(|_| poisoned())?;
        let k = (def.account_id.clone(), def.name.clone());
        if t.contains_key(&k) {
            return Err(CatalogError::AlreadyExists);
        }
        t.insert(k, def.clone());
        Ok(())
    }

    async fn get_table(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<Arc<TableDefinition>>, CatalogError> {
        let stall = *self.stall.lock().map_err(|_| poisoned())?;
        if let Some(d) = stall {
            tokio::time::sleep(d).await;
        }
        let t = self.tables.lock().map_err(|_| poisoned())?;
        Ok(t.get(&(account_id.to_string(), name.to_string()))
            .cloned()
            .map(Arc::new))
    }

    async fn put_table(&self, def: &TableDefinition) -> Result<(), CatalogError> {
        let mut t = self.tables.lock().map_err(|_| poisoned())?;
        let stored = t
            .get_mut(&(def.account_id.clone(), def.name.clone()))
            .ok_or(CatalogError::NotFound)?;
        let tags = std::mem::take(&mut stored.tags);
        *stored = TableDefinition {
            tags,
            ..def.clone()
        };
        self.bump(&def.account_id, &def.name)?;
        Ok(())
    }

    async fn get_table_versioned(
        &self,
        account_id: &str,
        name: &str,
    ) -> Result<Option<(TableDefinition, u64)>, CatalogError> {
        let t = self.tables.lock().map_err(|_| poisoned())?;
        let key = (account_id.to_string(), name.to_string());
        let v = self.versions.lock().map_err(|_| poisoned())?;
        Ok(t.get(&key)
            .map(|d| (d.clone(), v.get(&key).copied().unwrap_or(0))))
    }

    async fn replace_table_if(
        &self,
        def: &TableDefinition,
        version: u64,
    ) -> Result<bool, CatalogError> {
        let mut t = self.tables.lock().map_err(|_| poisoned())?;
        let key = (def.account_id.clone(), def.name.clone());
        let mut v = self.versions.lock().map_err(|_| poisoned())?;
        let current = v.entry(key.clone()).or_default();
        let Some(stored) = t.get_mut(&key).filter(|_| *current == version) else {
            return Ok(false);
        };
        let tags = std::mem::take(&mut stored.tags);
        *stored = TableDefinition {
            tags,
            ..def.clone()
        };
        *current += 1;
        Ok(true)
    }

    async fn update_tags(
        &self,
        account_id: &str,
        name: &str,
        change: &TagChange,
    ) -> Result<Vec<Tag>, CatalogError> {
        let mut t = self.tables.lock().map_err(|_| poisoned())?;
        let stored = t
            .get_mut(&(account_id.to_string(), name.to_string()))
            .filter(|d| d.table_id == change.table_id)
            .ok_or(CatalogError::NotFound)?;
        stored.tags = change
            .apply(&stored.tags)
            .map_err(|_| CatalogError::TooManyTags)?;
        let tags = stored.tags.clone();
        drop(t);
        self.bump(account_id, name)?;
        Ok(tags)
    }

    async fn delete_table(&self, account_id: &str, name: &str) -> Result<(), CatalogError> {
        let mut t = self.tables.lock().map_err(|_| poisoned())?;
        let key = (account_id.to_string(), name.to_string());
        self.versions.lock().map_err(|_| poisoned())?.remove(&key);
        t.remove(&key).map(|_| ()).ok_or(CatalogError::NotFound)
    }

    async fn list_tables(
        &self,
        account_id: &str,
        start_after: Option<String>,
        limit: usize,
    ) -> Result<Vec<String>, CatalogError> {
        let t = self.tables.lock().map_err(|_| poisoned())?;
        Ok(t.keys()
            .filter(|(a, n)| a == account_id && start_after.as_ref().is_none_or(|s| n > s))
            .map(|(_, n)| n.clone())
            .take(limit)
            .collect())
    }

    async fn all_tables(&self) -> Result<Vec<TableDefinition>, CatalogError> {
        let t = self.tables.lock().map_err(|_| poisoned())?;
        Ok(t.values().cloned().collect())
    }

    async fn next_storage_id(&self) -> Result<u64, CatalogError> {
        let mut n = self.next_id.lock().map_err(|_| poisoned())?;
        *n += 1;
        Ok(*n)
    }

    async fn get_setting(&self, key: &str) -> Result<Option<String>, CatalogError> {
        let s = self.settings.lock().map_err(|_| poisoned())?;
        Ok(s.get(key).cloned())
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<(), CatalogError> {
        let mut s = self.settings.lock().map_err(|_| poisoned())?;
        s.insert(key.to_string(), value.to_string());
        Ok(())
    }
}

fn in_range(key: &[u8], r: &KeyRange) -> bool {
    let lower_ok = match &r.lower {
        Bound::Included(b) => key >= b.as_slice(),
        Bound::Excluded(b) => key > b.as_slice(),
        Bound::Unbounded => true,
    };
    let upper_ok = match &r.upper {
        Bound::Included(b) => key <= b.as_slice(),
        Bound::Excluded(b) => key < b.as_slice(),
        Bound::Unbounded => true,
    };
    key.starts_with(&r.prefix) && lower_ok && upper_ok
}

#[async_trait]
impl ItemStore for FakeStore {
    async fn get(&self, key: &ItemKey) -> Result<Option<StoredItem>, StoreError> {
        Ok(self.items.lock().map_err(|_| poisoned())?.get(key).cloned())
    }

    async fn readiness(&self) -> Readiness {
        match self.not_ready.lock().ok().and_then(|r| r.clone()) {
            Some(reason) => Readiness::NotReady(reason),
            None => Readiness::Ready,
        }
    }

    async fn range(
        &self,
        storage_id: u64,
        range: &KeyRange,
        forward: bool,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        let items = self.items.lock().map_err(|_| poisoned())?;
        let mut matching: Vec<_> = items
            .iter()
            .filter(|(k, _)| k.storage_id == storage_id && in_range(&k.key, range))
            .collect();
        if !forward {
            matching.reverse();
        }
        let mut page = Page::default();
        let mut bytes = 0;
        for (i, (k, v)) in matching.iter().enumerate() {
            if page.items.len() == limit || bytes >= max_bytes {
                page.more = i < matching.len();
                break;
            }
            bytes += v.as_bytes().len();
            page.items.push((k.key.clone(), (*v).clone()));
        }
        Ok(page)
    }

    async fn write(
        &self,
        reads: Vec<ItemKey>,
        decide: WriteDecider,
    ) -> Result<WriteOutcome, ApiError> {
        let mut items = self.items.lock().map_err(|_| poisoned())?;
        let before: Vec<Option<StoredItem>> = reads.iter().map(|k| items.get(k).cloned()).collect();
        let writes = decide(&before)?;
        for w in &writes {
            match w {
                WriteOp::Put { key, item } => {
                    items.insert(key.clone(), item.clone());
                }
                WriteOp::Delete { key } => {
                    items.remove(key);
                }
                // The fake keeps no stream logs.
                WriteOp::StreamAppend { .. } => {}
            }
        }
        Ok(WriteOutcome { before, writes })
    }

    async fn drop_table(&self, storage_id: u64) -> Result<(), StoreError> {
        self.items
            .lock()
            .map_err(|_| poisoned())?
            .retain(|k, _| k.storage_id != storage_id);
        Ok(())
    }

    async fn copy_tables(&self, pairs: &[(u64, u64)]) -> Result<Vec<TableStats>, StoreError> {
        let mut items = self.items.lock().map_err(|_| poisoned())?;
        let mut out = Vec::new();
        for &(from, to) in pairs {
            let copies: Vec<_> = items
                .iter()
                .filter(|(k, _)| k.storage_id == from)
                .map(|(k, v)| {
                    (
                        ItemKey {
                            storage_id: to,
                            key: k.key.clone(),
                        },
                        v.clone(),
                    )
                })
                .collect();
            let mut s = TableStats::default();
            for (k, v) in copies {
                s.item_count += 1;
                s.size_bytes += v.as_bytes().len() as u64;
                items.insert(k, v);
            }
            out.push(s);
        }
        Ok(out)
    }

    async fn stats(&self, storage_id: u64) -> Result<TableStats, StoreError> {
        let items = self.items.lock().map_err(|_| poisoned())?;
        let mut s = TableStats::default();
        for (_, v) in items.iter().filter(|(k, _)| k.storage_id == storage_id) {
            s.item_count += 1;
            s.size_bytes += v.as_bytes().len() as u64;
        }
        Ok(s)
    }
}
