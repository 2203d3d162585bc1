//! The restorable window of a table with point-in-time recovery, and its description.

use crate::model::table::PitrState;
use serde_json::{json, Value};

/// Seconds in a day.
const DAY: f64 = 86_400.0;

/// EarliestRestorableDateTime and LatestRestorableDateTime of `pitr` as of `now` for a table
/// whose last change can be no later than `last` (now for a live table, its deletion for a
/// deleted one). `None` while the base copy is being taken.
pub fn window(pitr: &PitrState, now: f64, last: f64) -> Option<(f64, f64)> {
    let base = pitr.base_at?;
    let earliest = base.max(now - f64::from(pitr.recovery_days) * DAY);
    Some((earliest, last.min(now)))
}

/// ContinuousBackupsDescription of a table with `pitr` (`None`: disabled).
pub fn description(pitr: Option<&PitrState>, now: f64) -> Value {
    let pitr_description = match pitr {
        None => json!({ "PointInTimeRecoveryStatus": "DISABLED" }),
        Some(p) => match window(p, now, now) {
            None => json!({
                "PointInTimeRecoveryStatus": "ENABLING",
                "RecoveryPeriodInDays": p.recovery_days,
            }),
            Some((earliest, latest)) => json!({
                "PointInTimeRecoveryStatus": "ENABLED",
                "RecoveryPeriodInDays": p.recovery_days,
                "EarliestRestorableDateTime": earliest,
                "LatestRestorableDateTime": latest,
            }),
        },
    };
    json!({
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": pitr_description,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(base_at: Option<f64>) -> PitrState {
        PitrState {
            enabled_at: 0.0,
            recovery_days: 1,
            history_id: 1,
            base_id: 2,
            base_at,
        }
    }

    #[test]
    fn window_starts_at_the_base_or_the_recovery_period() {
        assert_eq!(window(&state(None), 10.0, 10.0), None);
        assert_eq!(window(&state(Some(5.0)), 10.0, 10.0), Some((5.0, 10.0)));
        let now = 5.0 + 2.0 * DAY;
        assert_eq!(window(&state(Some(5.0)), now, now), Some((now - DAY, now)));
        assert_eq!(window(&state(Some(5.0)), 100.0, 50.0), Some((5.0, 50.0)));
    }
}
