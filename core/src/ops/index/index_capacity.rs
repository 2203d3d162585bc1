//! Write units a change of one item costs on the table's secondary indexes, as DynamoDB counts
//! them: an index whose entry appears or disappears costs one write of that entry; an entry
//! whose key changes costs the removal of the old one and the write of the new; an entry that
//! changes in place costs one write; an index the item is not (and was not) in, or whose entry
//! is unchanged, costs nothing. Entry sizes are the projected item's.

use crate::model::item::item_size;
use crate::model::table::{SecondaryIndex, TableDefinition};
use crate::model::Item;
use crate::ops::index::index_keys::{key_values, project};
use crate::ops::request::capacity::{write_units, Units};

/// The entry an item has in `index` (its key values are checked when the write is planned;
/// an item whose values do not make a key has no entry).
fn entry(def: &TableDefinition, index: &SecondaryIndex, item: Option<&Item>) -> Option<Item> {
    let item = item?;
    match key_values(index, item) {
        Ok(Some(_)) => Some(project(def, index, item)),
        _ => None,
    }
}

fn same_key(index: &SecondaryIndex, a: &Item, b: &Item) -> bool {
    index
        .key_attributes()
        .all(|k| a.get(&k.name) == b.get(&k.name))
}

/// Units the change from `old` to `new` costs on each index (indexes that cost nothing are
/// left out), with `table_units` as the table's own share.
pub fn write(
    def: &TableDefinition,
    old: Option<&Item>,
    new: Option<&Item>,
    table_units: f64,
) -> Units {
    let mut units = Units::table(table_units);
    for (index, global) in def.indexes() {
        let cost = match (entry(def, index, old), entry(def, index, new)) {
            (None, None) => continue,
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) if same_key(index, &a, &b) => {
                write_units(&[item_size(&a), item_size(&b)])
            }
            (Some(a), Some(b)) => write_units(&[item_size(&a)]) + write_units(&[item_size(&b)]),
            (Some(e), None) | (None, Some(e)) => write_units(&[item_size(&e)]),
        };
        let list = if global {
            &mut units.global
        } else {
            &mut units.local
        };
        list.push((index.name.clone(), cost));
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::test_support::{hash_table, item, keys_only_gsi};

    fn table_with_gsi() -> TableDefinition {
        let mut def = hash_table();
        def.global_secondary_indexes
            .push(keys_only_gsi("g", 9, "x"));
        def
    }

    #[test]
    fn only_changed_entries_cost() {
        let def = table_with_gsi();
        let with_x = item(r#"{"pk":{"S":"a"},"x":{"S":"1"}}"#);
        let other_x = item(r#"{"pk":{"S":"a"},"x":{"S":"2"}}"#);
        let no_x = item(r#"{"pk":{"S":"a"},"y":{"S":"1"}}"#);
        let with_x_more = item(r#"{"pk":{"S":"a"},"x":{"S":"1"},"z":{"N":"1"}}"#);
        let cost = |old: Option<&Item>, new: Option<&Item>| write(&def, old, new, 1.0).global;
        assert_eq!(cost(None, Some(&with_x)), vec![("g".to_string(), 1.0)]);
        assert_eq!(cost(Some(&with_x), None), vec![("g".to_string(), 1.0)]);
        assert_eq!(
            cost(Some(&with_x), Some(&no_x)),
            vec![("g".to_string(), 1.0)]
        );
        // A key change removes the old entry and writes the new one.
        assert_eq!(
            cost(Some(&with_x), Some(&other_x)),
            vec![("g".to_string(), 2.0)]
        );
        // Not in the index before or after, or an unchanged KEYS_ONLY entry: nothing.
        assert!(cost(None, Some(&no_x)).is_empty());
        assert!(cost(Some(&with_x), Some(&with_x_more)).is_empty());
        let u = write(&def, None, Some(&with_x), 1.0);
        assert_eq!(u.total(), 2.0);
        assert_eq!(u.table, Some(1.0));
    }
}
