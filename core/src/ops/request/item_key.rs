//! What PutItem, GetItem and DeleteItem share: an item's storage key from the table's key
//! schema, the request parameters they check alike, and the one-item write decider.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::key_encoding;
use crate::model::table::TableDefinition;
use crate::model::validate;
use crate::model::Item;
use crate::ops::change::ChangeWriter;
use crate::traits::{ItemKey, StoredItem, WriteDecider, WriteOp};
use std::sync::Arc;

/// The storage key of an item to write, after checking it carries the table's key attributes
/// (PutItem's rules: "Missing the key …", "Type mismatch for key …", sizes).
pub fn for_item(def: &TableDefinition, item: &Item) -> Result<ItemKey, ApiError> {
    validate::item_key(&def.key_schema, item)?;
    Ok(encode(def, item))
}

/// The storage key named by a `Key` parameter, after checking it is exactly the table's key
/// ("The provided key element does not match the schema", sizes).
pub fn for_key(def: &TableDefinition, key: &Item) -> Result<ItemKey, ApiError> {
    validate::key(&def.key_schema, key)?;
    Ok(encode(def, key))
}

/// Encodes the key attributes of `values`, which validation has shown to be present.
fn encode(def: &TableDefinition, values: &Item) -> ItemKey {
    let schema = &def.key_schema;
    let sort = schema.range.as_ref().and_then(|r| values.get(&r.name));
    let key = match values.get(&schema.hash.name) {
        Some(partition) => key_encoding::item_key(partition, sort),
        None => Vec::new(),
    };
    ItemKey {
        storage_id: def.storage_id,
        key,
    }
}

/// The partition an item key lies in, as the throttler meters it: the 16-bit hash that starts
/// every encoded key (`key_encoding::partition_prefix`) — a key range of 1/65,536 of the key
/// space, like the hash ranges DynamoDB's partitions hold.
pub fn partition_of(key: &[u8]) -> &[u8] {
    &key[..key.len().min(2)]
}

/// A check of the current item, run inside the write transaction after the item is locked and
/// read and before anything is written (ConditionExpression plugs in here).
pub type ItemCheck = Box<dyn FnOnce(Option<&StoredItem>) -> Result<(), ApiError> + Send>;

/// The decider of a one-item write: runs `check` (if any) against the item as it is now, then
/// applies `write`. A failed check aborts the transaction with nothing written.
pub fn single_write(check: Option<ItemCheck>, write: WriteOp) -> WriteDecider {
    Box::new(move |current: &[Option<StoredItem>]| {
        if let Some(check) = check {
            check(current.first().and_then(Option::as_ref))?;
        }
        Ok(vec![write])
    })
}

/// `single_write` for a table whose changes add writes (secondary indexes, a stream): after
/// the check, the item write is followed by what `changes` adds for the change from the
/// current item to `new` (the item a Put writes, `None` for a Delete). Without hooks it is
/// exactly `single_write`.
pub fn single_write_changing(
    changes: ChangeWriter,
    check: Option<ItemCheck>,
    write: WriteOp,
    new: Option<Item>,
) -> WriteDecider {
    if !changes.is_active() {
        return single_write(check, write);
    }
    Box::new(move |current: &[Option<StoredItem>]| {
        let stored = current.first().and_then(Option::as_ref);
        if let Some(check) = check {
            check(stored)?;
        }
        let old = stored.map(StoredItem::decode).transpose()?;
        let base_key = write
            .key()
            .cloned()
            .ok_or_else(|| ApiError::Internal("a single write names no item".into()))?;
        let extra = changes.writes(&base_key, old.as_ref(), new.as_ref())?;
        let mut writes = vec![write];
        writes.extend(extra);
        Ok(writes)
    })
}

/// Runs the one-item write of PutItem or DeleteItem and returns the item as it was when
/// `want_old` (else `None`). When nothing depends on what is stored — no `check`, no indexes
/// or stream on the table, old item not wanted — it goes through
/// `ItemStore::write_unconditional`, which a backend may do in one round trip; otherwise
/// through `write` with `single_write_changing`.
pub async fn run_single_write(
    ctx: &Ctx,
    def: &Arc<TableDefinition>,
    check: Option<ItemCheck>,
    write: WriteOp,
    new: Option<Item>,
    want_old: bool,
) -> Result<Option<StoredItem>, ApiError> {
    let changes = ChangeWriter::for_table(ctx, def);
    if check.is_none() && !want_old && !changes.is_active() {
        ctx.store.write_unconditional(vec![write]).await?;
        return Ok(None);
    }
    let key = write
        .key()
        .cloned()
        .ok_or_else(|| ApiError::Internal("a single write names no item".into()))?;
    let decide = single_write_changing(changes, check, write, new);
    let outcome = ctx.store.write(vec![key], decide).await?;
    Ok(outcome.before.into_iter().next().flatten())
}

/// `ReturnValues` of PutItem and DeleteItem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnValues {
    /// Nothing (the default).
    None,
    /// The item as it was before the write.
    AllOld,
    /// A value of the enum these operations do not allow (ALL_NEW, UPDATED_OLD, UPDATED_NEW).
    Disallowed,
}

impl ReturnValues {
    /// Parses the parameter. Unknown values never get here: the model's enum constraint
    /// (`shapes`) refused them; read as `None` all the same.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("ALL_OLD") => Self::AllOld,
            Some("ALL_NEW" | "UPDATED_OLD" | "UPDATED_NEW") => Self::Disallowed,
            _ => Self::None,
        }
    }

    /// Whether the old item is wanted; DynamoDB's error for the values a single-item write
    /// cannot return.
    pub fn wants_old(self) -> Result<bool, ApiError> {
        match self {
            Self::None => Ok(false),
            Self::AllOld => Ok(true),
            Self::Disallowed => Err(ApiError::validation(
                "ReturnValues can only be ALL_OLD or NONE",
            )),
        }
    }
}

/// Refuses parameters whose support arrives with the expressions work, naming the first one
/// present, rather than silently ignoring them.
pub fn reject_unsupported(params: &[(&str, bool)]) -> Result<(), ApiError> {
    match params.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(ApiError::validation(format!(
            "{name} is not supported yet by this server"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::{KeyAttribute, KeySchema, ScalarType};
    use crate::model::AttributeValue;

    pub(crate) fn def_with_range() -> TableDefinition {
        crate::ops::test_support::table(
            "tbl",
            KeySchema {
                hash: KeyAttribute {
                    name: "pk".into(),
                    attr_type: ScalarType::S,
                },
                range: Some(KeyAttribute {
                    name: "sk".into(),
                    attr_type: ScalarType::N,
                }),
            },
        )
    }

    #[test]
    fn item_and_key_give_the_same_storage_key() {
        let def = def_with_range();
        let item: Item =
            serde_json::from_str(r#"{"pk":{"S":"a"},"sk":{"N":"1.50"},"x":{"S":"y"}}"#).unwrap();
        let key: Item = serde_json::from_str(r#"{"sk":{"N":"1.5"},"pk":{"S":"a"}}"#).unwrap();
        let a = for_item(&def, &item).unwrap();
        let b = for_key(&def, &key).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.storage_id, def.storage_id);
        assert_eq!(a.key, key_encoding::item_key(&key["pk"], Some(&key["sk"])));
    }

    #[test]
    fn for_key_refuses_extra_attributes() {
        let def = def_with_range();
        let key: Item =
            serde_json::from_str(r#"{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"y"}}"#).unwrap();
        assert_eq!(
            for_key(&def, &key).unwrap_err(),
            ApiError::validation("The provided key element does not match the schema")
        );
    }

    #[test]
    fn failed_check_writes_nothing() {
        let key = ItemKey {
            storage_id: 1,
            key: vec![1],
        };
        let old = StoredItem::encode(&Item::from([(
            "pk".to_string(),
            AttributeValue::S("a".into()),
        )]));
        let check: ItemCheck = Box::new(|current| match current {
            Some(_) => Err(ApiError::ConditionalCheckFailed { item: None }),
            None => Ok(()),
        });
        let decide = single_write(Some(check), WriteOp::Delete { key: key.clone() });
        assert_eq!(
            decide(&[Some(old)]).unwrap_err(),
            ApiError::ConditionalCheckFailed { item: None }
        );
        let decide = single_write(None, WriteOp::Delete { key: key.clone() });
        assert_eq!(decide(&[None]).unwrap(), vec![WriteOp::Delete { key }]);
    }

    #[test]
    fn return_values_rules() {
        assert_eq!(ReturnValues::parse(Some("ALL_OLD")).wants_old(), Ok(true));
        assert_eq!(ReturnValues::parse(Some("NONE")).wants_old(), Ok(false));
        assert_eq!(ReturnValues::parse(None).wants_old(), Ok(false));
        for v in ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"] {
            assert_eq!(
                ReturnValues::parse(Some(v)).wants_old(),
                Err(ApiError::validation(
                    "ReturnValues can only be ALL_OLD or NONE"
                ))
            );
        }
    }

    #[test]
    fn unsupported_parameters_are_named() {
        assert_eq!(reject_unsupported(&[("A", false), ("B", false)]), Ok(()));
        assert_eq!(
            reject_unsupported(&[("A", false), ("ConditionExpression", true)]),
            Err(ApiError::validation(
                "ConditionExpression is not supported yet by this server"
            ))
        );
    }
}
