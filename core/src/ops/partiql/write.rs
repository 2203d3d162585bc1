//! Running one PartiQL write (ExecuteStatement, or a statement of a batch): the action goes
//! through the transaction decider alone — the same condition, update and index/stream code
//! as TransactWriteItems — and its one cancellation reason becomes the error DynamoDB answers
//! (ConditionalCheckFailedException, DuplicateItemException, ValidationException). Capacity is
//! counted as for PutItem, UpdateItem and DeleteItem.

use super::ast::Returning;
use super::plan::WritePlan;
use super::read::context;
use crate::context::Ctx;
use crate::error::{ApiError, CancellationReason};
use crate::model::item::item_size;
use crate::model::{AttributeValue, Item};
use crate::ops::authorize;
use crate::ops::index::index_capacity;
use crate::ops::request::capacity::{write_units, Units};
use crate::ops::request::return_values::UpdateReturnValues;
use crate::ops::transaction::actions::Kind;
use crate::ops::transaction::decide;
use crate::traits::{Direction, StoredItem, WriteDecider, WriteOp};

/// What a write answers.
#[derive(Debug, Default)]
pub struct Written {
    /// The item RETURNING asked for, when there is one.
    pub item: Option<Item>,
    /// The capacity consumed.
    pub units: Units,
}

/// Authorizes the plan's IAM action on its table (`enclosing`: the transaction it runs in).
pub async fn authorize(
    ctx: &Ctx,
    plan: &WritePlan,
    enclosing: Option<&str>,
) -> Result<(), ApiError> {
    let def = &plan.action.def;
    let leading: Vec<AttributeValue> = plan
        .key
        .get(&def.key_schema.hash.name)
        .cloned()
        .into_iter()
        .collect();
    authorize::on_table(ctx, plan.iam_action, def, || {
        let mut c = context(&leading, None, None, enclosing);
        if let Kind::Insert(item) = &plan.action.kind {
            c.attributes = Some(item.keys().cloned().collect());
        }
        c
    })
    .await
}

/// The error an action's single cancellation reason stands for.
fn unwrap_reason(e: ApiError) -> ApiError {
    let ApiError::TransactionCanceled { reasons, .. } = &e else {
        return e;
    };
    match reasons.first() {
        Some(CancellationReason {
            code,
            message,
            item,
        }) => match code.as_str() {
            "ConditionalCheckFailed" => ApiError::ConditionalCheckFailed { item: item.clone() },
            "DuplicateItem" => ApiError::DuplicateItem(decide::DUPLICATE_ITEM.to_string()),
            "ValidationError" => ApiError::Validation(message.clone().unwrap_or_default()),
            _ => e,
        },
        None => e,
    }
}

/// Runs one write; `old_on_failure` is ReturnValuesOnConditionCheckFailure=ALL_OLD.
pub async fn write(
    ctx: &Ctx,
    mut plan: WritePlan,
    old_on_failure: bool,
) -> Result<Written, ApiError> {
    authorize(ctx, &plan, None).await?;
    plan.action.old_on_failure = old_on_failure;
    let def = plan.action.def.clone();
    let claim = Ctx::claim(&def, None, Some(&plan.action.partition), Direction::Write);
    let grant = ctx.admit(&claim)?;
    let key = plan.action.key.clone();
    let actions = vec![plan.action.clone()];
    let decider: WriteDecider = Box::new(move |current| decide::decide(&actions, current));
    let outcome = ctx
        .store
        .write(vec![key.clone()], decider)
        .await
        .map_err(unwrap_reason)?;
    let old = outcome
        .before
        .into_iter()
        .next()
        .flatten()
        .map(|s| s.decode())
        .transpose()?;
    let new = outcome
        .writes
        .iter()
        .find_map(|w| match w {
            WriteOp::Put { key: k, item } if *k == key => Some(item),
            _ => None,
        })
        .map(StoredItem::decode)
        .transpose()?;
    let sizes = [
        new.as_ref().map_or(0, item_size),
        old.as_ref().map_or(0, item_size),
    ];
    let units = index_capacity::write(&def, old.as_ref(), new.as_ref(), write_units(&sizes));
    ctx.charge_grant(&claim, grant, &units);
    let item = match (&plan.action.kind, plan.returning) {
        (Kind::Update { update, .. }, Some(r)) => match &new {
            Some(new) => {
                let rv = match r {
                    Returning::AllOld => UpdateReturnValues::AllOld,
                    Returning::ModifiedOld => UpdateReturnValues::UpdatedOld,
                    Returning::AllNew => UpdateReturnValues::AllNew,
                    Returning::ModifiedNew => UpdateReturnValues::UpdatedNew,
                };
                rv.select(old.as_ref(), new, &update.paths())
            }
            None => None,
        },
        (Kind::Delete, Some(Returning::AllOld)) => old,
        _ => None,
    };
    Ok(Written { item, units })
}
