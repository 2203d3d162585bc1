//! Capacity units as DynamoDB counts them, and the `ConsumedCapacity` answer to
//! `ReturnConsumedCapacity`.
//!
//! Writes cost one unit per started KB of the larger of the old and new item (at least one);
//! reads one unit per started 4 KB (at least one), half that when eventually consistent.

use super::validate::Constraints;
use serde::{Deserialize, Serialize};

/// `ReturnConsumedCapacity`: whether and in how much detail to report consumed capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnConsumedCapacity {
    /// Report nothing (the default).
    #[default]
    None,
    /// Report the total for the table.
    Total,
    /// Report the total and the table's (and, with indexes, each index's) share.
    Indexes,
}

impl ReturnConsumedCapacity {
    /// Parses the parameter; an unknown value is recorded as DynamoDB's enum constraint error
    /// (and treated as `None` — the request fails at `Constraints::finish` anyway).
    pub fn parse(value: Option<&str>, constraints: &mut Constraints) -> Self {
        match value {
            None | Some("NONE") => Self::None,
            Some("TOTAL") => Self::Total,
            Some("INDEXES") => Self::Indexes,
            Some(other) => {
                constraints.violation(
                    Some(other),
                    "returnConsumedCapacity",
                    "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]",
                );
                Self::None
            }
        }
    }

    /// The `ConsumedCapacity` to answer with for `units` consumed on `table`, if requested.
    pub fn report(self, table: &str, units: f64) -> Option<ConsumedCapacity> {
        match self {
            Self::None => None,
            Self::Total => Some(ConsumedCapacity {
                table_name: table.to_string(),
                capacity_units: units,
                table: None,
            }),
            Self::Indexes => Some(ConsumedCapacity {
                table_name: table.to_string(),
                capacity_units: units,
                table: Some(Capacity {
                    capacity_units: units,
                }),
            }),
        }
    }

    /// True when capacity is to be reported (so sizes must be computed).
    pub fn wanted(self) -> bool {
        self != Self::None
    }
}

/// DynamoDB's `ConsumedCapacity` structure (the parts a table without indexes reports).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumedCapacity {
    /// The table the request used.
    pub table_name: String,
    /// Total units consumed.
    pub capacity_units: f64,
    /// The table's share (with `INDEXES` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Capacity>,
}

/// DynamoDB's `Capacity` structure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Capacity {
    /// Units consumed.
    pub capacity_units: f64,
}

/// Write units for writing (or deleting) items of these sizes: 1 per started KB of the largest,
/// at least 1.
pub fn write_units(sizes: &[usize]) -> f64 {
    let largest = sizes.iter().copied().max().unwrap_or(0);
    largest.div_ceil(1024).max(1) as f64
}

/// Read units for reading an item of `size` bytes (`None` when absent): 1 per started 4 KB, at
/// least 1, halved for eventually consistent reads.
pub fn read_units(size: Option<usize>, consistent: bool) -> f64 {
    let units = size.unwrap_or(0).div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_units_round_up_per_kb_with_minimum_one() {
        assert_eq!(write_units(&[]), 1.0);
        assert_eq!(write_units(&[10]), 1.0);
        assert_eq!(write_units(&[1024]), 1.0);
        assert_eq!(write_units(&[1025]), 2.0);
        // Replacing a 2 KB item with a small one costs the larger.
        assert_eq!(write_units(&[100, 1500]), 2.0);
    }

    #[test]
    fn read_units_round_up_per_4kb_and_halve_when_eventual() {
        assert_eq!(read_units(None, false), 0.5);
        assert_eq!(read_units(None, true), 1.0);
        assert_eq!(read_units(Some(4096), false), 0.5);
        assert_eq!(read_units(Some(4097), false), 1.0);
        assert_eq!(read_units(Some(4097), true), 2.0);
    }

    #[test]
    fn parse_and_report() {
        let mut c = Constraints::new();
        assert_eq!(
            ReturnConsumedCapacity::parse(Some("TOTAL"), &mut c),
            ReturnConsumedCapacity::Total
        );
        assert_eq!(
            ReturnConsumedCapacity::parse(None, &mut c),
            ReturnConsumedCapacity::None
        );
        assert!(c.finish().is_ok());

        let mut c = Constraints::new();
        ReturnConsumedCapacity::parse(Some("hi"), &mut c);
        assert_eq!(
            c.finish().unwrap_err().to_string(),
            "1 validation error detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
        );

        let total = ReturnConsumedCapacity::Total.report("t1", 1.0).unwrap();
        assert_eq!(
            serde_json::to_string(&total).unwrap(),
            r#"{"TableName":"t1","CapacityUnits":1.0}"#
        );
        let indexes = ReturnConsumedCapacity::Indexes.report("t1", 0.5).unwrap();
        assert_eq!(
            serde_json::to_string(&indexes).unwrap(),
            r#"{"TableName":"t1","CapacityUnits":0.5,"Table":{"CapacityUnits":0.5}}"#
        );
        assert_eq!(ReturnConsumedCapacity::None.report("t1", 1.0), None);
    }
}
