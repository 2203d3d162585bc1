//! Running compiled actions as one transaction — what TransactWriteItems and PartiQL's
//! ExecuteTransaction (and each PartiQL write) share: the throttling gate per action, the
//! ClientRequestToken's idempotency record, the store's locked read of every item and the
//! decider's all-or-nothing writes, then the capacity charge of each action.

use super::actions::{Action, Kind};
use super::decide;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::index::index_capacity;
use crate::ops::request::batch_common;
use crate::ops::request::capacity::{
    transactional_read_units, transactional_write_units, TableUnits, Units,
};
use crate::ops::request::idempotency::{self, TokenState};
use crate::traits::{Direction, ItemKey, StoredItem, WriteDecider, WriteOp};

/// Runs `compiled` as one transaction. `token` is the ClientRequestToken with the canonical
/// parameters a retry must repeat. Returns the units each table consumed (filled only when
/// `want_units`).
pub async fn run(
    ctx: &Ctx,
    compiled: &[Action],
    token: Option<(String, String)>,
    want_units: bool,
) -> Result<TableUnits, ApiError> {
    admit(ctx, compiled)?;
    let mut reads: Vec<ItemKey> = compiled.iter().map(|a| a.key.clone()).collect();
    let params = token.as_ref().map(|(_, p)| p.clone()).unwrap_or_default();
    let token = token.map(|(t, _)| idempotency::token_key(ctx.account_id(), &t));
    reads.extend(token.clone());
    let plan = compiled.to_vec();
    let now = ctx.now_epoch();
    let decide: WriteDecider = Box::new(move |current| {
        if let Some(key) = token {
            let record = current.get(plan.len()).and_then(Option::as_ref);
            if idempotency::check(record, &params, now)? == TokenState::Replay {
                return Ok(Vec::new());
            }
            let mut writes = decide::decide(&plan, current)?;
            writes.push(idempotency::record(key, &params, now)?);
            return Ok(writes);
        }
        decide::decide(&plan, current)
    });
    let outcome = ctx
        .store
        .write(reads, decide)
        .await
        .map_err(|e| decide::on_conflict(e, compiled.len()))?;

    let mut units = TableUnits::new();
    let replay = outcome.writes.is_empty() && reads_token(&outcome.before, compiled.len());
    for (i, action) in compiled.iter().enumerate() {
        let claim = Ctx::claim(&action.def, None, Some(&action.partition), Direction::Write);
        let old = batch_common::stored_size(outcome.before.get(i).and_then(Option::as_ref))?;
        if replay {
            // A replayed request reads its items instead of writing them.
            let read = transactional_read_units(old);
            ctx.charge(
                &Ctx::claim(&action.def, None, Some(&action.partition), Direction::Read),
                &Units::table(read),
            );
            units.add(&action.table, read);
            continue;
        }
        let new = outcome.writes.iter().find_map(|w| match w {
            WriteOp::Put { key, item } if *key == action.key => Some(item),
            _ => None,
        });
        let table_units = transactional_write_units(&[
            old.unwrap_or(0),
            batch_common::stored_size(new)?.unwrap_or(0),
        ]);
        let counted =
            if action.def.indexes().next().is_some() && !matches!(action.kind, Kind::Check) {
                // A ConditionCheck writes nothing and changes no index entry.
                let before = outcome.before.get(i).and_then(Option::as_ref);
                let old_item = before.map(StoredItem::decode).transpose()?;
                let new_item = new.map(StoredItem::decode).transpose()?;
                // Index entries cost ordinary write units: DynamoDB keeps indexes outside the
                // transaction's prepare/commit pair that doubles the table's share.
                index_capacity::write(
                    &action.def,
                    old_item.as_ref(),
                    new_item.as_ref(),
                    table_units,
                )
            } else {
                Units::table(table_units)
            };
        ctx.charge(&claim, &counted);
        if want_units {
            units.add_units(&action.table, counted);
        }
    }
    Ok(units)
}

/// The throttling gate, action by action: any refusal cancels the transaction with a
/// throttling reason for each refused action.
fn admit(ctx: &Ctx, compiled: &[Action]) -> Result<(), ApiError> {
    if !ctx.throttles() {
        return Ok(());
    }
    let mut refusals = Vec::with_capacity(compiled.len());
    let mut refused = false;
    for action in compiled {
        let claim = Ctx::claim(&action.def, None, Some(&action.partition), Direction::Write);
        match ctx.admit(&claim) {
            Ok(_) => refusals.push(None),
            Err(e) if e.is_throttling() => {
                refused = true;
                refusals.push(Some(e));
            }
            Err(e) => return Err(e),
        }
    }
    if refused {
        return Err(decide::throttled(refusals));
    }
    Ok(())
}

/// True when the read list ended with a token record that existed (a replayed request).
fn reads_token(before: &[Option<StoredItem>], actions: usize) -> bool {
    before.len() > actions && before.get(actions).is_some_and(Option::is_some)
}
