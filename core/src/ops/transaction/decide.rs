//! The decision of a TransactWriteItems, run between the locked read of every item and the
//! write: each action's condition, then its write, against the items as they are. Either every
//! action succeeds and all writes are returned, or the transaction is cancelled with one
//! reason per action in request order (`None` for the actions that would have succeeded).

use super::actions::{Action, Kind};
use crate::error::{ApiError, CancellationReason};
use crate::model::Item;
use crate::ops::data::update_item::apply_update;
use crate::ops::index::index_maintenance;
use crate::traits::{StoredItem, WriteOp};

/// DynamoDB's reason text for a failed condition.
const CONDITION_FAILED: &str = "The conditional request failed";

/// DynamoDB's text for a PartiQL INSERT of a key that is taken.
pub const DUPLICATE_ITEM: &str = "Duplicate primary key exists in table";

/// The reason of an action that would have succeeded.
fn no_reason() -> CancellationReason {
    CancellationReason {
        code: "None".into(),
        message: None,
        item: None,
    }
}

/// The TransactionCanceledException for these reasons, with DynamoDB's summary message.
pub fn cancelled(reasons: Vec<CancellationReason>) -> ApiError {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    ApiError::TransactionCanceled {
        message: format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
        reasons,
    }
}

/// The cancellation for a transaction of `actions` actions whose action `at` has an item or
/// key that does not fit its table: `ValidationError` with the error's message there, `None`
/// elsewhere.
pub fn validation_error_at(at: usize, actions: usize, e: &ApiError) -> ApiError {
    cancelled(
        (0..actions)
            .map(|i| {
                if i == at {
                    CancellationReason {
                        code: "ValidationError".into(),
                        message: Some(e.to_string()),
                        item: None,
                    }
                } else {
                    no_reason()
                }
            })
            .collect(),
    )
}

/// The cancellation for a transaction whose actions the throttler refused: each refused action
/// carries `ProvisionedThroughputExceeded` (provisioned tables) or `ThrottlingError`
/// (on-demand tables, hot keys) with the throttling message, the others `None`.
pub fn throttled(refusals: Vec<Option<ApiError>>) -> ApiError {
    cancelled(
        refusals
            .into_iter()
            .map(|r| match r {
                Some(ApiError::ProvisionedThroughputExceeded { message, .. }) => {
                    CancellationReason {
                        code: "ProvisionedThroughputExceeded".into(),
                        message: Some(message),
                        item: None,
                    }
                }
                Some(e) => CancellationReason {
                    code: "ThrottlingError".into(),
                    message: Some(e.to_string()),
                    item: None,
                },
                None => no_reason(),
            })
            .collect(),
    )
}

/// A store conflict (another writer holds an item) as DynamoDB reports it for transactions:
/// cancelled, with reason `TransactionConflict` for each of the `actions` (the store does not
/// say which item conflicted). Other errors pass through.
pub fn on_conflict(e: ApiError, actions: usize) -> ApiError {
    match e {
        ApiError::TransactionConflict(message) => cancelled(
            (0..actions)
                .map(|_| CancellationReason {
                    code: "TransactionConflict".into(),
                    message: Some(message.clone()),
                    item: None,
                })
                .collect(),
        ),
        other => other,
    }
}

/// Runs one action against its current item: its writes (the item's, then its index entries')
/// or the reason it fails.
fn run(action: &Action, current: Option<&StoredItem>) -> Result<Vec<WriteOp>, CancellationReason> {
    let validation = |e: ApiError| CancellationReason {
        code: "ValidationError".into(),
        message: Some(e.to_string()),
        item: None,
    };
    let old: Option<Item> = current
        .map(StoredItem::decode)
        .transpose()
        .map_err(|e| validation(e.into()))?;
    if let Some(condition) = &action.condition {
        if !condition.evaluate(old.as_ref().unwrap_or(&Item::new())) {
            return Err(CancellationReason {
                code: "ConditionalCheckFailed".into(),
                message: Some(CONDITION_FAILED.into()),
                item: old.filter(|_| action.old_on_failure),
            });
        }
    }
    let key = action.key.clone();
    let new: Option<Item> = match &action.kind {
        Kind::Check => return Ok(Vec::new()),
        Kind::Delete => None,
        Kind::Put(item) => Some(item.clone()),
        Kind::Insert(_) if old.is_some() => {
            return Err(CancellationReason {
                code: "DuplicateItem".into(),
                message: Some(DUPLICATE_ITEM.into()),
                item: None,
            })
        }
        Kind::Insert(item) => Some(item.clone()),
        Kind::Update { key: base, update } => Some(
            apply_update(update, old.clone().unwrap_or_else(|| base.clone()), false)
                .map_err(validation)?,
        ),
    };
    let mut writes = vec![match &new {
        Some(item) => WriteOp::Put {
            key: key.clone(),
            item: StoredItem::encode(item),
        },
        None => WriteOp::Delete { key: key.clone() },
    }];
    if action.changes.is_active() {
        if let Some(item) = &new {
            index_maintenance::check_item(&action.def, item).map_err(validation)?;
        }
        writes.extend(
            action
                .changes
                .writes(&key, old.as_ref(), new.as_ref())
                .map_err(validation)?,
        );
    }
    Ok(writes)
}

/// Decides the whole transaction: `current[i]` is action `i`'s item as it is now.
pub fn decide(
    actions: &[Action],
    current: &[Option<StoredItem>],
) -> Result<Vec<WriteOp>, ApiError> {
    let mut writes = Vec::with_capacity(actions.len());
    let mut reasons = Vec::with_capacity(actions.len());
    let mut failed = false;
    for (i, action) in actions.iter().enumerate() {
        match run(action, current.get(i).and_then(Option::as_ref)) {
            Ok(write) => {
                writes.extend(write);
                reasons.push(no_reason());
            }
            Err(reason) => {
                failed = true;
                reasons.push(reason);
            }
        }
    }
    if failed {
        return Err(cancelled(reasons));
    }
    Ok(writes)
}
