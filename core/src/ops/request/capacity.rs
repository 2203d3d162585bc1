//! Capacity units as DynamoDB counts them, and the `ConsumedCapacity` answer to
//! `ReturnConsumedCapacity`.
//!
//! Writes cost one unit per started KB of the larger of the old and new item (at least one);
//! reads one unit per started 4 KB (at least one), half that when eventually consistent.
//! A write also costs the index entries it changes (see `index_capacity`), reported per index
//! with `INDEXES`; a read of an index is reported as that index's.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Parses the parameter. Unknown values never get here: the model's enum constraint
    /// (`shapes`) refused them; read as `None` all the same.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("TOTAL") => Self::Total,
            Some("INDEXES") => Self::Indexes,
            _ => Self::None,
        }
    }

    /// The `ConsumedCapacity` to answer with for `units` consumed on `table`, if requested.
    pub fn report(self, table: &str, units: f64) -> Option<ConsumedCapacity> {
        self.report_units(table, &Units::table(units))
    }

    /// The `ConsumedCapacity` for units consumed on a table and its indexes: the total is
    /// their sum; `INDEXES` adds the table's share (when it has one) and each index's.
    pub fn report_units(self, table: &str, units: &Units) -> Option<ConsumedCapacity> {
        let per_index = |list: &[(String, f64)]| {
            (!list.is_empty()).then(|| {
                let mut map = BTreeMap::new();
                for (name, u) in list {
                    map.entry(name.clone())
                        .or_insert(Capacity {
                            capacity_units: 0.0,
                        })
                        .capacity_units += u;
                }
                map
            })
        };
        match self {
            Self::None => None,
            Self::Total => Some(ConsumedCapacity {
                table_name: table.to_string(),
                capacity_units: units.total(),
                ..ConsumedCapacity::default()
            }),
            Self::Indexes => Some(ConsumedCapacity {
                table_name: table.to_string(),
                capacity_units: units.total(),
                table: units.table.map(|u| Capacity { capacity_units: u }),
                global_secondary_indexes: per_index(&units.global),
                local_secondary_indexes: per_index(&units.local),
            }),
        }
    }

    /// True when capacity is to be reported (so sizes must be computed).
    pub fn wanted(self) -> bool {
        self != Self::None
    }

    /// The `ConsumedCapacity` list of a multi-table operation (BatchGetItem, BatchWriteItem,
    /// TransactGetItems, TransactWriteItems): one entry per table, in first-use order.
    pub fn report_tables(self, units: &TableUnits) -> Option<Vec<ConsumedCapacity>> {
        if !self.wanted() {
            return None;
        }
        Some(
            units
                .0
                .iter()
                .filter_map(|(table, u)| self.report_units(table, u))
                .collect(),
        )
    }
}

/// Units one request consumed on a table (`None` when it read only an index) and on its
/// secondary indexes, by index name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Units {
    /// The table's own units.
    pub table: Option<f64>,
    /// Units per global secondary index.
    pub global: Vec<(String, f64)>,
    /// Units per local secondary index.
    pub local: Vec<(String, f64)>,
}

impl Units {
    /// Units on the table only.
    pub fn table(units: f64) -> Self {
        Units {
            table: Some(units),
            ..Units::default()
        }
    }

    /// Units of a read of one index (Query or Scan with IndexName).
    pub fn index(name: &str, global: bool, units: f64) -> Self {
        let list = vec![(name.to_string(), units)];
        if global {
            Units {
                global: list,
                ..Units::default()
            }
        } else {
            Units {
                local: list,
                ..Units::default()
            }
        }
    }

    /// The sum over the table and its indexes.
    pub fn total(&self) -> f64 {
        self.table.unwrap_or(0.0)
            + self.global.iter().map(|(_, u)| u).sum::<f64>()
            + self.local.iter().map(|(_, u)| u).sum::<f64>()
    }

    /// Adds `other` to these units.
    pub fn absorb(&mut self, other: Units) {
        if let Some(t) = other.table {
            *self.table.get_or_insert(0.0) += t;
        }
        self.global.extend(other.global);
        self.local.extend(other.local);
    }
}

/// Units consumed per table by a multi-table operation, in the order tables were first used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableUnits(Vec<(String, Units)>);

impl TableUnits {
    /// No units yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `units` to `table`'s own total.
    pub fn add(&mut self, table: &str, units: f64) {
        self.add_units(table, Units::table(units));
    }

    /// Adds units on `table` and its indexes.
    pub fn add_units(&mut self, table: &str, units: Units) {
        match self.0.iter_mut().find(|(t, _)| t == table) {
            Some((_, total)) => total.absorb(units),
            None => self.0.push((table.to_string(), units)),
        }
    }

    /// `(table, units)` pairs in first-use order.
    pub fn entries(&self) -> &[(String, Units)] {
        &self.0
    }
}

/// The bytes one write unit covers.
pub const WRITE_UNIT_BYTES: usize = 1024;

/// The bytes one read unit covers (strongly consistent).
pub const READ_UNIT_BYTES: usize = 4096;

/// Transactions cost twice the standard units (DynamoDB: two underlying reads or writes per
/// item, one to prepare and one to commit).
pub const TRANSACTION_FACTOR: f64 = 2.0;

/// Write units of one transactional write of an item whose old and new sizes are given.
pub fn transactional_write_units(sizes: &[usize]) -> f64 {
    write_units(sizes) * TRANSACTION_FACTOR
}

/// Read units of one transactional (always strongly consistent) read.
pub fn transactional_read_units(size: Option<usize>) -> f64 {
    read_units(size, true) * TRANSACTION_FACTOR
}

/// DynamoDB's `ConsumedCapacity` structure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumedCapacity {
    /// The table the request used.
    pub table_name: String,
    /// Total units consumed.
    pub capacity_units: f64,
    /// The table's share (with `INDEXES` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Capacity>,
    /// Each global secondary index's share (with `INDEXES` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<BTreeMap<String, Capacity>>,
    /// Each local secondary index's share (with `INDEXES` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<BTreeMap<String, Capacity>>,
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
    let units = size.unwrap_or(0).div_ceil(READ_UNIT_BYTES).max(1) as f64;
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
        assert_eq!(
            ReturnConsumedCapacity::parse(Some("TOTAL")),
            ReturnConsumedCapacity::Total
        );
        assert_eq!(
            ReturnConsumedCapacity::parse(Some("INDEXES")),
            ReturnConsumedCapacity::Indexes
        );
        assert_eq!(
            ReturnConsumedCapacity::parse(None),
            ReturnConsumedCapacity::None
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

    #[test]
    fn tables_are_summed_in_first_use_order() {
        let mut u = TableUnits::new();
        u.add("b", 1.0);
        u.add("a", 0.5);
        u.add("b", 2.0);
        assert_eq!(
            u.entries(),
            &[
                ("b".to_string(), Units::table(3.0)),
                ("a".to_string(), Units::table(0.5))
            ]
        );
        let list = ReturnConsumedCapacity::Total.report_tables(&u).unwrap();
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"[{"TableName":"b","CapacityUnits":3.0},{"TableName":"a","CapacityUnits":0.5}]"#
        );
        assert_eq!(ReturnConsumedCapacity::None.report_tables(&u), None);
        u.add_units(
            "b",
            Units {
                table: None,
                global: vec![("g".into(), 1.0)],
                local: vec![("l".into(), 2.0)],
            },
        );
        let list = ReturnConsumedCapacity::Indexes.report_tables(&u).unwrap();
        assert_eq!(
            serde_json::to_string(&list[0]).unwrap(),
            r#"{"TableName":"b","CapacityUnits":6.0,"Table":{"CapacityUnits":3.0},"GlobalSecondaryIndexes":{"g":{"CapacityUnits":1.0}},"LocalSecondaryIndexes":{"l":{"CapacityUnits":2.0}}}"#
        );
        let read = ReturnConsumedCapacity::Indexes
            .report_units("t", &Units::index("g", true, 0.5))
            .unwrap();
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            r#"{"TableName":"t","CapacityUnits":0.5,"GlobalSecondaryIndexes":{"g":{"CapacityUnits":0.5}}}"#
        );
        assert_eq!(transactional_write_units(&[1025, 10]), 4.0);
        assert_eq!(transactional_read_units(None), 2.0);
        assert_eq!(transactional_read_units(Some(5000)), 4.0);
    }
}
