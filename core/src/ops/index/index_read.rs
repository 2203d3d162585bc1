//! Query and Scan with `IndexName`: choosing the index, DynamoDB's refusals (consistent reads
//! and ALL_ATTRIBUTES on GSIs), key conditions as ranges of index entry keys, start keys, and
//! whether LSI reads fetch the non-projected attributes from the table.

use crate::error::ApiError;
use crate::expr::{CompositeKeyCondition, SortKeyPredicate};
use crate::model::key_encoding::{composite_partition_prefix, encode_value, prefix_successor};
use crate::model::table::{IndexStatus, ProjectionType, SecondaryIndex, TableDefinition};
use crate::model::{validate, AttributeValue, Item};
use crate::ops::index::index_keys;
use crate::ops::request::select::Select;
use crate::traits::KeyRange;
use std::ops::Bound;

/// The index a request names, with whether it is global; DynamoDB's errors for an index the
/// table lacks and for a GSI not yet readable.
pub fn resolve<'d>(
    def: &'d TableDefinition,
    name: &str,
) -> Result<(&'d SecondaryIndex, bool), ApiError> {
    match def.index(name) {
        Some((i, _)) if i.status == IndexStatus::Deleting => Err(no_such(name)),
        Some((i, true)) if i.backfilling || i.status == IndexStatus::Creating => {
            Err(ApiError::validation(format!(
                "Cannot read from backfilling global secondary index: {name}"
            )))
        }
        Some(found) => Ok(found),
        None => Err(no_such(name)),
    }
}

fn no_such(name: &str) -> ApiError {
    ApiError::validation(format!(
        "The table does not have the specified index: {name}"
    ))
}

/// DynamoDB's refusals for reading a GSI: strongly consistent reads, and ALL_ATTRIBUTES when
/// the projection is not ALL.
pub fn check_read(
    index: &SecondaryIndex,
    global: bool,
    consistent: bool,
    select: Option<Select>,
) -> Result<(), ApiError> {
    if global && consistent {
        return Err(ApiError::validation(
            "Consistent reads are not supported on global secondary indexes",
        ));
    }
    if global && select == Some(Select::AllAttributes) && index.projection != ProjectionType::All {
        return Err(ApiError::validation(format!(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
            index.name
        )));
    }
    Ok(())
}

/// DynamoDB's refusal of a GSI read whose projection (ProjectionExpression or AttributesToGet;
/// top-level names in `wanted`) asks for attributes the index does not project: a GSI, unlike
/// an LSI, cannot fetch them from the table.
pub fn check_gsi_projection(
    def: &TableDefinition,
    index: &SecondaryIndex,
    global: bool,
    wanted: &[&str],
) -> Result<(), ApiError> {
    if !global || index.projection == ProjectionType::All {
        return Ok(());
    }
    let mut missing: Vec<&str> = Vec::new();
    for name in wanted {
        if !index_keys::projects(def, index, name) && !missing.contains(name) {
            missing.push(name);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "One or more parameter values were invalid: Global secondary index {} does not project [{}]",
        index.name,
        missing.join(", ")
    )))
}

/// Whether an LSI read must fetch items from the table: the projection lacks attributes the
/// request wants (ALL_ATTRIBUTES, or named in a projection or filter). GSIs never fetch.
pub fn needs_fetch(
    def: &TableDefinition,
    index: &SecondaryIndex,
    global: bool,
    select: Option<Select>,
    named: &[&str],
) -> bool {
    !global
        && index.projection != ProjectionType::All
        && (select == Some(Select::AllAttributes)
            || named.iter().any(|n| !index_keys::projects(def, index, n)))
}

/// The names of the index's key attributes and then the table's (LastEvaluatedKey members).
pub fn key_names(def: &TableDefinition, index: &SecondaryIndex) -> Vec<String> {
    let mut out: Vec<String> = index.key_attributes().map(|k| k.name.clone()).collect();
    for k in def.key_schema.attributes() {
        if !out.contains(&k.name) {
            out.push(k.name.clone());
        }
    }
    out
}

/// The range of entry keys a key condition selects.
pub fn key_range(kc: &CompositeKeyCondition) -> KeyRange {
    let values: Vec<&AttributeValue> = kc.partition_values.iter().collect();
    let mut prefix = composite_partition_prefix(&values);
    for v in &kc.sort_equal {
        encode_value(v, &mut prefix);
    }
    let at = |v: &AttributeValue| {
        let mut k = prefix.clone();
        encode_value(v, &mut k);
        k
    };
    // Entries continue past the sort value with the table key, so "≤ v" means "before the
    // first key that does not start with at(v)".
    let after = |v: &AttributeValue| {
        let k = at(v);
        prefix_successor(&k).map_or(Bound::Unbounded, Bound::Excluded)
    };
    let (lower, upper) = match &kc.sort_last {
        None => (Bound::Unbounded, Bound::Unbounded),
        Some(SortKeyPredicate::Eq(v)) => {
            return KeyRange {
                prefix: at(v),
                lower: Bound::Unbounded,
                upper: Bound::Unbounded,
            }
        }
        Some(SortKeyPredicate::Lt(v)) => (Bound::Unbounded, Bound::Excluded(at(v))),
        Some(SortKeyPredicate::Le(v)) => (Bound::Unbounded, after(v)),
        Some(SortKeyPredicate::Gt(v)) => {
            let lower = match after(v) {
                Bound::Excluded(k) => Bound::Included(k),
                _ => Bound::Excluded(at(v)),
            };
            (lower, Bound::Unbounded)
        }
        Some(SortKeyPredicate::Ge(v)) => (Bound::Included(at(v)), Bound::Unbounded),
        Some(SortKeyPredicate::Between(lo, hi)) => (Bound::Included(at(lo)), after(hi)),
        Some(SortKeyPredicate::BeginsWith(p)) => {
            let mut k = at(p);
            k.truncate(k.len().saturating_sub(2));
            return KeyRange {
                prefix: k,
                lower: Bound::Unbounded,
                upper: Bound::Unbounded,
            };
        }
    };
    KeyRange {
        prefix,
        lower,
        upper,
    }
}

/// The entry key an ExclusiveStartKey names: it must hold exactly the index's and the table's
/// key attributes, with their types.
pub fn start_key(
    def: &TableDefinition,
    index: &SecondaryIndex,
    start: &Item,
) -> Result<Vec<u8>, ApiError> {
    let invalid = || ApiError::validation("The provided starting key is invalid");
    let names = key_names(def, index);
    if start.len() != names.len() || names.iter().any(|n| !start.contains_key(n)) {
        return Err(invalid());
    }
    let table_key: Item = def
        .key_schema
        .attributes()
        .filter_map(|k| start.get(&k.name).map(|v| (k.name.clone(), v.clone())))
        .collect();
    validate::key(&def.key_schema, &table_key).map_err(|e| match e {
        ApiError::Validation(m) => {
            ApiError::validation(format!("The provided starting key is invalid: {m}"))
        }
        other => other,
    })?;
    let base = crate::ops::request::pagination::encode(&def.key_schema, &table_key);
    match index_keys::key_values(index, start) {
        Ok(Some(values)) => Ok(index_keys::entry_key(index, &values, &base)),
        Ok(None) => Err(invalid()),
        Err(_) => Err(ApiError::validation(
            "The provided key element does not match the schema",
        )),
    }
}

/// Query's check of an index start key (already through [`start_key`]) against the key
/// condition, with the table's messages: its partition values must be the queried ones, and
/// its sort values must satisfy the sort conditions.
pub fn start_key_bounds(
    index: &SecondaryIndex,
    start: &Item,
    kc: &CompositeKeyCondition,
) -> Result<(), ApiError> {
    let equal = |name: &str, want: &AttributeValue| {
        start
            .get(name)
            .is_some_and(|v| crate::expr::compare::values_equal(v, want))
    };
    let sort_ok = index
        .range
        .iter()
        .zip(&kc.sort_equal)
        .all(|(k, want)| equal(&k.name, want))
        && match &kc.sort_last {
            Some(pred) => index
                .range
                .get(kc.sort_equal.len())
                .and_then(|k| start.get(&k.name))
                .is_some_and(|v| pred.matches(v)),
            None => true,
        };
    if !sort_ok {
        return Err(ApiError::validation(
            "The provided starting key does not match the range key predicate",
        ));
    }
    let same_partition = index
        .hash
        .iter()
        .zip(&kc.partition_values)
        .all(|(k, want)| equal(&k.name, want));
    if !same_partition {
        return Err(ApiError::validation(
            "The provided starting key is outside query boundaries based on provided conditions",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "index_read_tests.rs"]
mod tests;
