//! `OnDemandThroughput` of CreateTable and UpdateTable: the most read and write request units
//! per second an on-demand table may consume (enforced by the throttler; `-1` means no maximum
//! of the table's own). The refusal texts are our best guess: DynamoDB's are not published.

use crate::error::ApiError;
use crate::model::table::{BillingMode, OnDemandThroughput};
use crate::ops::request::table_input::OnDemandThroughputInput;

/// The stored maximum for `input` on a table of `billing_mode`, merged over `current` (a member
/// left out keeps its value; `-1` removes it). `None` when no maximum remains.
pub fn resolve(
    input: Option<&OnDemandThroughputInput>,
    billing_mode: BillingMode,
    current: Option<OnDemandThroughput>,
) -> Result<Option<OnDemandThroughput>, ApiError> {
    let Some(input) = input else {
        return Ok(current.filter(|_| billing_mode == BillingMode::PayPerRequest));
    };
    if billing_mode == BillingMode::Provisioned {
        return Err(ApiError::validation(
            "One or more parameter values were invalid: OnDemandThroughput can only be specified when BillingMode is PAY_PER_REQUEST",
        ));
    }
    let mut out = current.unwrap_or_default();
    for (value, member, slot) in [
        (
            input.max_read_request_units,
            "MaxReadRequestUnits",
            &mut out.max_read_request_units,
        ),
        (
            input.max_write_request_units,
            "MaxWriteRequestUnits",
            &mut out.max_write_request_units,
        ),
    ] {
        match value {
            None => {}
            Some(-1) => *slot = None,
            Some(v) if v >= 1 => *slot = Some(v),
            Some(v) => {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: {member} must be -1 or greater than 0, got {v}"
                )))
            }
        }
    }
    Ok((out != OnDemandThroughput::default()).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(read: Option<i64>, write: Option<i64>) -> OnDemandThroughputInput {
        OnDemandThroughputInput {
            max_read_request_units: read,
            max_write_request_units: write,
        }
    }

    #[test]
    fn sets_merges_and_removes() {
        let set = resolve(
            Some(&input(Some(5), None)),
            BillingMode::PayPerRequest,
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(set.max_read_request_units, Some(5));
        assert_eq!(set.max_write_request_units, None);
        let merged = resolve(
            Some(&input(None, Some(7))),
            BillingMode::PayPerRequest,
            Some(set),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (
                merged.max_read_request_units,
                merged.max_write_request_units
            ),
            (Some(5), Some(7))
        );
        let removed = resolve(
            Some(&input(Some(-1), Some(-1))),
            BillingMode::PayPerRequest,
            Some(merged),
        )
        .unwrap();
        assert_eq!(removed, None);
    }

    #[test]
    fn refuses_bad_values_and_provisioned_tables() {
        assert!(resolve(
            Some(&input(Some(0), None)),
            BillingMode::PayPerRequest,
            None
        )
        .is_err());
        assert!(resolve(Some(&input(Some(5), None)), BillingMode::Provisioned, None).is_err());
        // Switching to provisioned drops a stored maximum.
        let kept = OnDemandThroughput {
            max_read_request_units: Some(3),
            max_write_request_units: None,
        };
        assert_eq!(
            resolve(None, BillingMode::Provisioned, Some(kept)),
            Ok(None)
        );
    }
}
