//! Typed access to the `iam` table inside one redb transaction: JSON values, prefix scans,
//! and the one error type the IAM code returns from inside the writer (`Fail`), split back
//! into a storage failure (aborts the batch) or a refusal (answers the caller) at the end.

use crate::iam_keys::{prefix_end, IAM, IAM_VERSION};
use crate::schema::META;
use extenddb_core::error::StoreError;
use extenddb_core::traits::IamError;
use redb::{ReadableTable, Table, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A failure inside an IAM transaction.
pub(crate) enum Fail {
    /// redb failed: the write batch must abort.
    Redb(redb::Error),
    /// The request was refused (or stored data is corrupt): nothing is written.
    Iam(IamError),
}

impl<E: Into<redb::Error>> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail::Redb(e.into())
    }
}

/// A refusal.
pub(crate) fn refuse<T>(e: impl Into<IamError>) -> Result<T, Fail> {
    Err(Fail::Iam(e.into()))
}

/// Splits `Fail` into the writer's nested result.
pub(crate) fn split<T>(r: Result<T, Fail>) -> Result<Result<T, IamError>, redb::Error> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Fail::Iam(e)) => Ok(Err(e)),
        Err(Fail::Redb(e)) => Err(e),
    }
}

/// Maps a read-side failure to the caller's error.
pub(crate) fn read_error(f: Fail) -> IamError {
    match f {
        Fail::Iam(e) => e,
        Fail::Redb(e) => IamError::Store(StoreError::Backend(e.to_string())),
    }
}

fn decode<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, Fail> {
    serde_json::from_slice(bytes).map_err(|e| {
        Fail::Iam(IamError::Store(StoreError::Corrupt(format!(
            "IAM entry {key}: {e}"
        ))))
    })
}

/// The value under `key`.
pub(crate) fn get<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<T>, Fail> {
    match table.get(key)? {
        Some(v) => Ok(Some(decode(key, v.value())?)),
        None => Ok(None),
    }
}

/// Every `(key, value)` whose key starts with `prefix` (which ends in `/`), in key order.
pub(crate) fn scan<T: DeserializeOwned>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    prefix: &str,
) -> Result<Vec<(String, T)>, Fail> {
    let end = prefix_end(prefix);
    let mut out = Vec::new();
    for entry in table.range::<&str>(prefix..end.as_str())? {
        let (k, v) = entry?;
        let key = k.value().to_string();
        let value = decode(&key, v.value())?;
        out.push((key, value));
    }
    Ok(out)
}

/// The keys starting with `prefix`.
pub(crate) fn keys(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    prefix: &str,
) -> Result<Vec<String>, Fail> {
    let end = prefix_end(prefix);
    let mut out = Vec::new();
    for entry in table.range::<&str>(prefix..end.as_str())? {
        out.push(entry?.0.value().to_string());
    }
    Ok(out)
}

/// Stores `value` under `key`.
pub(crate) fn put<T: Serialize>(
    table: &mut Table<'_, &'static str, &'static [u8]>,
    key: &str,
    value: &T,
) -> Result<(), Fail> {
    let bytes = serde_json::to_vec(value).map_err(|e| {
        Fail::Iam(IamError::Store(StoreError::Backend(format!(
            "encode {key}: {e}"
        ))))
    })?;
    table.insert(key, bytes.as_slice())?;
    Ok(())
}

/// Removes every key starting with `prefix`.
pub(crate) fn remove_prefix(
    table: &mut Table<'_, &'static str, &'static [u8]>,
    prefix: &str,
) -> Result<(), Fail> {
    for k in keys(table, prefix)? {
        table.remove(k.as_str())?;
    }
    Ok(())
}

/// Opens the IAM table of a write transaction.
pub(crate) fn open(txn: &WriteTransaction) -> Result<Table<'_, &'static str, &'static [u8]>, Fail> {
    Ok(txn.open_table(IAM)?)
}

/// Increments the IAM version in the same transaction.
pub(crate) fn bump_version(txn: &WriteTransaction) -> Result<(), Fail> {
    let mut meta = txn.open_table(META)?;
    let current = match meta.get(IAM_VERSION)? {
        Some(v) => <[u8; 8]>::try_from(v.value())
            .map(u64::from_be_bytes)
            .unwrap_or(0),
        None => 0,
    };
    meta.insert(IAM_VERSION, (current + 1).to_be_bytes().as_slice())?;
    Ok(())
}
