//! UpdateTable's BillingMode and ProvisionedThroughput changes, for the table and its GSIs:
//! DynamoDB's refusals while indexes or capacities are changing, "will not change", the
//! per-day decrease budget, and the change history DescribeTable reports.

use crate::error::ApiError;
use crate::model::table::{
    BillingMode, IndexStatus, TableDefinition, TableStatus, Throughput, ThroughputHistory,
};
use crate::ops::table::update_table_request::Request;
use time::OffsetDateTime;

/// Decreases a day allowed without spacing; later ones need `DECREASE_SPACING` seconds.
const FREE_DECREASES: i64 = 4;
/// Seconds between decreases once the free ones of the day are used.
const DECREASE_SPACING: f64 = 3600.0;

/// "Attempt to change a resource which is still in use: {detail}".
pub fn in_use(detail: impl std::fmt::Display) -> ApiError {
    ApiError::ResourceInUse(format!(
        "Attempt to change a resource which is still in use: {detail}"
    ))
}

fn invalid(detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// The billing mode the table has once this request applies.
pub fn effective_mode(def: &TableDefinition, req: &Request) -> BillingMode {
    match req.billing_mode.as_deref() {
        Some("PAY_PER_REQUEST") => BillingMode::PayPerRequest,
        Some("PROVISIONED") => BillingMode::Provisioned,
        _ => def.billing_mode,
    }
}

/// Names of the GSIs in `status`, as DynamoDB lists them (`[a, b]`).
pub fn indexes_in(def: &TableDefinition, status: IndexStatus) -> Vec<String> {
    def.global_secondary_indexes
        .iter()
        .filter(|i| i.status == status)
        .map(|i| i.name.clone())
        .collect()
}

/// "Subscriber limit exceeded: Provisioned throughput decreases are limited …" as DynamoDB
/// words it, dates in its long English form.
fn decrease_limit(count: i64, last: f64) -> ApiError {
    let fmt = time::macros::format_description!(
        "[weekday], [month repr:long] [day padding:none], [year] at [hour repr:12 padding:none]:[minute]:[second] [period] Coordinated Universal Time"
    );
    let at = |secs: f64| {
        OffsetDateTime::from_unix_timestamp(secs as i64)
            .ok()
            .and_then(|t| t.format(&fmt).ok())
            .unwrap_or_default()
    };
    ApiError::LimitExceeded(format!(
        "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first {FREE_DECREASES} decreases, each subsequent decrease in the same UTC day can be performed at most once every {} seconds. Number of decreases today: {count}. Last decrease at {}. Next decrease can be made at {}",
        DECREASE_SPACING as i64,
        at(last),
        at(last + DECREASE_SPACING)
    ))
}

/// Records a capacity change from `old` to `new` at `now` in `history`; refuses a decrease
/// beyond the day's budget (LimitExceededException) without recording anything.
pub fn record_change(
    history: &mut ThroughputHistory,
    old: Throughput,
    new: Throughput,
    now: f64,
) -> Result<(), ApiError> {
    let decrease = new.read < old.read || new.write < old.write;
    let increase = new.read > old.read || new.write > old.write;
    if decrease {
        let today = history.decreases_on(now);
        let last = history.last_decrease.unwrap_or(0.0);
        if today >= FREE_DECREASES && now < last + DECREASE_SPACING {
            return Err(decrease_limit(today, last));
        }
        history.decreases = today + 1;
        history.decrease_day = (now / 86_400.0).floor() as i64;
        history.last_decrease = Some(now);
    }
    if increase {
        history.last_increase = Some(now);
    }
    Ok(())
}

/// DynamoDB's ValidationException for a capacity equal to the current one (`what`: "table" or
/// "index <name>").
pub fn will_not_change(what: &str, old: Throughput, new: Throughput) -> ApiError {
    let whom = if what == "table" { "table" } else { "index" };
    ApiError::validation(format!(
        "The provisioned throughput for the {what} will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the {whom}: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for the {whom}: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
        old.read, new.read, old.write, new.write
    ))
}

/// Applies the request's BillingMode and table ProvisionedThroughput to `def` at `now`.
/// Returns whether the table's capacity changes (the table then goes UPDATING). GSI
/// capacities are the index updates' business; a switch to PROVISIONED checks that each GSI
/// gets one.
pub fn apply(def: &mut TableDefinition, req: &Request, now: f64) -> Result<bool, ApiError> {
    let mode = effective_mode(def, req);
    let requested = req.provisioned_throughput.as_ref().map(|p| Throughput {
        read: p.read_capacity_units.unwrap_or(1),
        write: p.write_capacity_units.unwrap_or(1),
    });
    if mode == BillingMode::PayPerRequest && requested.is_some() {
        return Err(invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
    }
    let switching = mode != def.billing_mode;
    if !switching && requested.is_none() {
        return Ok(false);
    }
    let name = def.name.clone();
    for (status, verb) in [
        (IndexStatus::Creating, "created"),
        (IndexStatus::Deleting, "deleted"),
    ] {
        let busy = indexes_in(def, status);
        if !busy.is_empty() {
            return Err(in_use(format!(
                "Can't change table IOPS when an index is being {verb}. Table: {name} Indexes: [{}]",
                busy.join(", ")
            )));
        }
    }
    if def.status == TableStatus::Updating {
        return Err(in_use(format!(
            "Table IOPS are currently being updated. Table: {name}"
        )));
    }
    match (mode, requested) {
        (BillingMode::PayPerRequest, _) => {
            def.billing_mode = BillingMode::PayPerRequest;
            def.pay_per_request_since = Some(now);
            for gsi in &mut def.global_secondary_indexes {
                gsi.throughput = None;
            }
        }
        (BillingMode::Provisioned, Some(new)) if switching => {
            for gsi in def
                .global_secondary_indexes
                .iter()
                .filter(|g| g.status != IndexStatus::Deleting)
            {
                let updated = req.index_updates().iter().any(|u| {
                    u.update.as_ref().is_some_and(|up| {
                        up.index_name.as_deref() == Some(gsi.name.as_str())
                            && up.provisioned_throughput.is_some()
                    })
                });
                if !updated {
                    return Err(invalid(format!(
                        "ProvisionedThroughput must be specified for index: {}",
                        gsi.name
                    )));
                }
            }
            def.billing_mode = BillingMode::Provisioned;
            def.throughput = new;
            // The summary keeps reporting when the table was last on-demand.
            def.pay_per_request_since = Some(def.pay_per_request_since.unwrap_or(def.created_at));
        }
        (BillingMode::Provisioned, Some(new)) => {
            if new == def.throughput {
                return Err(will_not_change("table", def.throughput, new));
            }
            record_change(&mut def.throughput_history, def.throughput, new, now)?;
            def.throughput = new;
        }
        // Validation refused PROVISIONED without ProvisionedThroughput.
        (BillingMode::Provisioned, None) => {
            return Err(invalid(
                "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
            ))
        }
    }
    Ok(true)
}

#[cfg(test)]
#[path = "update_table_capacity_tests.rs"]
mod tests;
