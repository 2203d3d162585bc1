//! A backup as stored: one system record under `SYSTEM_STORAGE_ID` (tag `BACKUP_TAG`, then
//! the account and the backup ARN, so one account's backups list in ARN order — by table,
//! then by creation time), naming the storage ids its copied items live under. The items
//! are copies made by `ItemStore::copy_tables`, so they outlive the table (DeleteTable drops
//! only the table's own storage) and are dropped by the table reaper once DeleteBackup
//! queues them. A backup still CREATING also has a marker under `BACKUP_PENDING_TAG` (the
//! account and ARN), written and removed with the record, so the table reaper finds the
//! ones a crash cut short without reading every backup (`background::restores`).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::key_encoding::prefix_successor;
use crate::model::reserved::{BACKUP_PENDING_TAG, BACKUP_TAG, SYSTEM_STORAGE_ID};
use crate::model::table::{Claim, TableDefinition};
use crate::model::{AttributeValue, Item};
use crate::traits::{ItemKey, KeyRange, StoredItem, WriteOp};
use serde::{Deserialize, Serialize};
use std::ops::Bound;

/// BackupStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupStatus {
    /// Items are being copied.
    #[serde(rename = "CREATING")]
    Creating,
    /// Restorable.
    #[serde(rename = "AVAILABLE")]
    Available,
    /// Deleted (answered by DeleteBackup; never stored).
    #[serde(rename = "DELETED")]
    Deleted,
}

impl BackupStatus {
    /// As DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupStatus::Creating => "CREATING",
            BackupStatus::Available => "AVAILABLE",
            BackupStatus::Deleted => "DELETED",
        }
    }
}

/// One backup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupRecord {
    /// BackupArn.
    pub arn: String,
    /// BackupName.
    pub name: String,
    /// BackupStatus.
    pub status: BackupStatus,
    /// BackupCreationDateTime, seconds since the epoch: the instant the items are as of.
    pub created_at: f64,
    /// BackupSizeBytes (the copied items' stored size).
    pub size_bytes: u64,
    /// The source table's item count at that instant.
    pub item_count: u64,
    /// The source table's definition then (SourceTableDetails, SourceTableFeatureDetails,
    /// and what a restore re-creates).
    pub table: TableDefinition,
    /// Where the copy of the table's items lives.
    pub storage_id: u64,
    /// Where the copy of each LSI's entries lives, by index name (GSIs are rebuilt on
    /// restore instead, as DynamoDB does).
    pub lsi_storage: Vec<(String, u64)>,
    /// While CREATING: the process copying the items, until when (`background::claim`).
    #[serde(default)]
    pub claim: Option<Claim>,
}

impl BackupRecord {
    /// Every storage id the backup holds.
    pub fn storage_ids(&self) -> Vec<u64> {
        std::iter::once(self.storage_id)
            .chain(self.lsi_storage.iter().map(|(_, id)| *id))
            .collect()
    }
}

/// A backup ARN as DynamoDB forms it: `…:table/<table>/backup/<ms, 14 digits>-<8 hex>` (the
/// AWS documentation's examples show the milliseconds zero-padded to 14 digits).
pub fn backup_arn(table: &TableDefinition, at: f64) -> String {
    let ms = (at * 1000.0).round() as u64;
    let suffix: String = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    format!("{}/backup/{ms:014}-{suffix}", table.arn())
}

/// The account a backup ARN names (the fifth field), if it is one.
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (arn_, _, service) = (parts.next()?, parts.next()?, parts.next()?);
    let (_, account, rest) = (parts.next()?, parts.next()?, parts.next()?);
    (arn_ == "arn" && service == "dynamodb" && rest.contains("/backup/")).then_some(account)
}

fn prefix(account: &str) -> Vec<u8> {
    let mut key = BACKUP_TAG.to_vec();
    key.extend_from_slice(account.as_bytes());
    key.push(0);
    key
}

/// Where the record of `arn` in `account` lives.
pub fn record_key(account: &str, arn: &str) -> ItemKey {
    let mut key = prefix(account);
    key.extend_from_slice(arn.as_bytes());
    ItemKey {
        storage_id: SYSTEM_STORAGE_ID,
        key,
    }
}

fn encode(record: &BackupRecord) -> Result<StoredItem, ApiError> {
    let json = serde_json::to_string(record).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(StoredItem::encode(&Item::from([(
        "backup".to_string(),
        AttributeValue::S(json),
    )])))
}

/// The backup record `stored`.
pub fn decode(stored: &StoredItem) -> Result<BackupRecord, ApiError> {
    let item = stored.decode()?;
    match item.get("backup") {
        Some(AttributeValue::S(json)) => serde_json::from_str(json)
            .map_err(|e| ApiError::Internal(format!("unreadable backup record: {e}"))),
        _ => Err(ApiError::Internal("unreadable backup record".into())),
    }
}

/// The write that stores `record` for `account`.
pub fn put(account: &str, record: &BackupRecord) -> Result<WriteOp, ApiError> {
    Ok(WriteOp::Put {
        key: record_key(account, &record.arn),
        item: encode(record)?,
    })
}

/// Where the marker of the CREATING backup `arn` of `account` lives.
pub fn pending_key(account: &str, arn: &str) -> ItemKey {
    let mut key = BACKUP_PENDING_TAG.to_vec();
    key.extend_from_slice(account.as_bytes());
    key.push(0);
    key.extend_from_slice(arn.as_bytes());
    ItemKey {
        storage_id: SYSTEM_STORAGE_ID,
        key,
    }
}

/// The writes that store `record` for `account` with its marker: put while CREATING,
/// deleted otherwise.
pub fn put_with_marker(account: &str, record: &BackupRecord) -> Result<Vec<WriteOp>, ApiError> {
    let marker = pending_key(account, &record.arn);
    let marker = if record.status == BackupStatus::Creating {
        WriteOp::Put {
            key: marker,
            item: StoredItem::encode(&Item::new()),
        }
    } else {
        WriteOp::Delete { key: marker }
    };
    Ok(vec![put(account, record)?, marker])
}

/// Stores `record` for `account` (and its marker, `put_with_marker`).
pub async fn store(ctx: &Ctx, account: &str, record: &BackupRecord) -> Result<(), ApiError> {
    ctx.store
        .write_unconditional(put_with_marker(account, record)?)
        .await
}

/// Stores `record` for `account` only if the stored record is still CREATING under this
/// process's claim (`background::claim`); answers whether it did. A record another process
/// took over (or removed) is left alone.
pub async fn store_if_claimed(
    ctx: &Ctx,
    account: &str,
    record: &BackupRecord,
) -> Result<bool, ApiError> {
    let writes = put_with_marker(account, record)?;
    let outcome = ctx
        .store
        .write(
            vec![record_key(account, &record.arn)],
            Box::new(move |before| {
                let claimed = match before.first() {
                    Some(Some(stored)) => {
                        let held = decode(stored)?;
                        held.status == BackupStatus::Creating
                            && crate::ops::background::claim::is_mine(held.claim.as_ref())
                    }
                    _ => false,
                };
                Ok(if claimed { writes } else { Vec::new() })
            }),
        )
        .await?;
    Ok(!outcome.writes.is_empty())
}

/// The backup `arn` of `account`, if stored.
pub async fn load_in(
    ctx: &Ctx,
    account: &str,
    arn: &str,
) -> Result<Option<BackupRecord>, ApiError> {
    match ctx.store.get(&record_key(account, arn)).await? {
        Some(stored) => Ok(Some(decode(&stored)?)),
        None => Ok(None),
    }
}

/// Up to `limit` (account, ARN) of the backups marked CREATING, across accounts.
pub async fn pending(ctx: &Ctx, limit: usize) -> Result<Vec<(String, String)>, ApiError> {
    let range = KeyRange {
        prefix: BACKUP_PENDING_TAG.to_vec(),
        lower: Bound::Included(BACKUP_PENDING_TAG.to_vec()),
        upper: prefix_successor(BACKUP_PENDING_TAG).map_or(Bound::Unbounded, Bound::Excluded),
    };
    let page = ctx
        .store
        .range(SYSTEM_STORAGE_ID, &range, true, limit, usize::MAX)
        .await?;
    Ok(page
        .items
        .iter()
        .filter_map(|(key, _)| {
            let rest = key.get(BACKUP_PENDING_TAG.len()..)?;
            let split = rest.iter().position(|b| *b == 0)?;
            let account = std::str::from_utf8(&rest[..split]).ok()?;
            let arn = std::str::from_utf8(&rest[split + 1..]).ok()?;
            Some((account.to_string(), arn.to_string()))
        })
        .collect())
}

/// The caller's backup `arn`, or BackupNotFoundException.
pub async fn load(ctx: &Ctx, arn: &str) -> Result<BackupRecord, ApiError> {
    let account = ctx.account_id();
    if arn_account(arn) == Some(account) {
        if let Some(stored) = ctx.store.get(&record_key(account, arn)).await? {
            return decode(&stored);
        }
    }
    Err(not_found(arn))
}

/// BackupNotFoundException for `arn` (moto's wording; DynamoDB's is not published).
pub fn not_found(arn: &str) -> ApiError {
    ApiError::named(
        "BackupNotFoundException",
        format!("Backup not found: {arn}"),
    )
}

/// Up to `limit` of the account's backups after the ARN `after` (from the first when
/// `None`), in ARN order; the flag says whether more follow.
pub async fn list(
    ctx: &Ctx,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<BackupRecord>, bool), ApiError> {
    let start = prefix(ctx.account_id());
    let lower = match after {
        Some(arn) => Bound::Excluded(record_key(ctx.account_id(), arn).key),
        None => Bound::Included(start.clone()),
    };
    let range = KeyRange {
        upper: prefix_successor(&start).map_or(Bound::Unbounded, Bound::Excluded),
        prefix: start,
        lower,
    };
    let page = ctx
        .store
        .range(SYSTEM_STORAGE_ID, &range, true, limit, usize::MAX)
        .await?;
    let records = page
        .items
        .iter()
        .map(|(_, stored)| decode(stored))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((records, page.more))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::hash_table;

    #[test]
    fn arns_have_dynamodb_form_and_name_their_account() {
        let table = hash_table();
        let arn = backup_arn(&table, 1_576_616_366.715);
        let (head, tail) = arn.rsplit_once("/backup/").unwrap();
        assert_eq!(head, table.arn());
        let (ms, hex) = tail.split_once('-').unwrap();
        assert_eq!(ms, "01576616366715");
        assert_eq!(hex.len(), 8);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(arn_account(&arn), Some(table.account_id.as_str()));
        assert_eq!(arn_account("arn:aws:dynamodb:us-east-1:123:table/T"), None);
        assert_eq!(arn_account("nonsense"), None);
    }

    #[test]
    fn records_round_trip() {
        let r = BackupRecord {
            arn: "arn:aws:dynamodb:r:1:table/T/backup/1-a".into(),
            name: "b".into(),
            status: BackupStatus::Available,
            created_at: 1.5,
            size_bytes: 10,
            item_count: 2,
            table: hash_table(),
            storage_id: 7,
            lsi_storage: vec![("l".into(), 8)],
            claim: None,
        };
        let WriteOp::Put { item, .. } = put("1", &r).unwrap() else {
            panic!("not a put")
        };
        assert_eq!(decode(&item).unwrap(), r);
        assert_eq!(r.storage_ids(), vec![7, 8]);
    }
}
