//! UpdateTable's GlobalSecondaryIndexUpdates: Create (a new GSI, CREATING until the backfill
//! worker has filled it), Update (a GSI's capacity) and Delete (DELETING, then dropped), with
//! DynamoDB's refusals for each.

use crate::error::ApiError;
use crate::model::table::{
    BillingMode, IndexStatus, KeyAttribute, ScalarType, SecondaryIndex, TableDefinition,
    TableStatus, Throughput,
};
use crate::ops::index::index_definitions::{self, MAX_GSIS};
use crate::ops::table::update_table_capacity::{
    effective_mode, in_use, indexes_in, record_change, will_not_change,
};
use crate::ops::table::update_table_request::{IndexUpdate, Request, UpdateIndexAction};

fn invalid(detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

fn only_one_online_index() -> ApiError {
    ApiError::LimitExceeded(
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
            .into(),
    )
}

/// The GSI `name` of `def` for an Update or Delete (`verb`), or DynamoDB's error: an LSI is
/// a ValidationException, an unknown name ResourceNotFoundException.
fn existing_gsi<'d>(
    def: &'d mut TableDefinition,
    name: &str,
    verb: &str,
) -> Result<&'d mut SecondaryIndex, ApiError> {
    if def.local_secondary_indexes.iter().any(|i| i.name == name) {
        return Err(ApiError::validation(format!(
            "Cannot {verb} an index that is not a GlobalSecondaryIndex: {name}"
        )));
    }
    let table = def.name.clone();
    def.global_secondary_indexes
        .iter_mut()
        .find(|i| i.name == name)
        .ok_or_else(|| {
            ApiError::ResourceNotFound(format!(
                "Requested resource not found: Index {name} for table {table}"
            ))
        })
}

/// A Create or Delete may start only while no other index is being created or deleted and
/// the table's capacity is not changing.
fn check_online_slot(def: &TableDefinition, except: Option<&str>) -> Result<(), ApiError> {
    let busy = def.global_secondary_indexes.iter().any(|i| {
        matches!(i.status, IndexStatus::Creating | IndexStatus::Deleting)
            && Some(i.name.as_str()) != except
    });
    if busy {
        return Err(only_one_online_index());
    }
    if def.status == TableStatus::Updating {
        return Err(in_use(format!(
            "Can't create or delete indexes while table IOPS are being updated. Table: {}",
            def.name
        )));
    }
    Ok(())
}

fn update(
    def: &mut TableDefinition,
    up: &UpdateIndexAction,
    mode: BillingMode,
    now: f64,
) -> Result<(), ApiError> {
    let name = up.index_name.clone().unwrap_or_default();
    let table = def.name.clone();
    let gsi = existing_gsi(def, &name, "update")?;
    match gsi.status {
        IndexStatus::Deleting => {
            return Err(in_use(format!(
                "Index is being deleted. Table: {table} Index: {name}"
            )))
        }
        IndexStatus::Updating => {
            return Err(in_use(format!(
                "Index is being updated. Table: {table} Index: {name}"
            )))
        }
        IndexStatus::Creating if !gsi.backfilling => {
            return Err(in_use(format!(
                "Index is being created but is not backfilling yet.  Table: {table} Index: {name}"
            )))
        }
        _ => {}
    }
    let Some(pt) = &up.provisioned_throughput else {
        // OnDemandThroughput / WarmThroughput only: accepted, nothing extenddb enforces.
        return Ok(());
    };
    if mode == BillingMode::PayPerRequest {
        return Err(invalid(format!(
            "The only Updates for index: {name} when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"
        )));
    }
    let new = Throughput {
        read: pt.read_capacity_units.unwrap_or(1),
        write: pt.write_capacity_units.unwrap_or(1),
    };
    match gsi.throughput {
        // Switching to PROVISIONED: the index gets its first capacity.
        None => gsi.throughput = Some(new),
        Some(old) if old == new => return Err(will_not_change(&format!("index {name}"), old, new)),
        Some(old) => {
            record_change(&mut gsi.throughput_history, old, new, now)?;
            gsi.throughput = Some(new);
        }
    }
    if gsi.status == IndexStatus::Active {
        gsi.status = IndexStatus::Updating;
        gsi.status_since = now;
    }
    Ok(())
}

fn delete(def: &mut TableDefinition, name: &str, now: f64) -> Result<(), ApiError> {
    let table = def.name.clone();
    let status = existing_gsi(def, name, "delete").map(|g| (g.status, g.backfilling))?;
    match status {
        (IndexStatus::Deleting, _) => {
            return Err(in_use(format!(
                "Index is being deleted. Table: {table} Index: {name}"
            )))
        }
        (IndexStatus::Creating, false) => {
            return Err(in_use(format!(
                "Index creation is in resource allocation phase. Retry deletion during backfilling phase or when the index is active. Table: {table} Index: {name}"
            )))
        }
        _ => {}
    }
    check_online_slot(def, Some(name))?;
    let gsi = existing_gsi(def, name, "delete")?;
    gsi.status = IndexStatus::Deleting;
    gsi.status_since = now;
    gsi.backfilling = false;
    Ok(())
}

/// Renders a key schema using `attr` as DynamoDB's "Attributes cannot be redefined" shows it.
fn schema_text(elements: &[(&KeyAttribute, &str)]) -> String {
    let parts: Vec<String> = elements
        .iter()
        .map(|(a, kind)| {
            format!(
                "SchemaElement: key{{{}:{}:{kind}}}",
                a.name,
                a.attr_type.as_str()
            )
        })
        .collect();
    format!("Schema:[{}]", parts.join(", "))
}

/// The existing key schema (table or index) that declares `name`, rendered.
fn existing_schema(def: &TableDefinition, name: &str) -> String {
    let table: Vec<(&KeyAttribute, &str)> =
        def.key_schema.attributes().zip(["HASH", "RANGE"]).collect();
    if table.iter().any(|(a, _)| a.name == name) {
        return schema_text(&table);
    }
    for (index, _) in def.indexes() {
        let elements: Vec<(&KeyAttribute, &str)> = index
            .hash
            .iter()
            .map(|a| (a, "HASH"))
            .chain(index.range.iter().map(|a| (a, "RANGE")))
            .collect();
        if elements.iter().any(|(a, _)| a.name == name) {
            return schema_text(&elements);
        }
    }
    String::new()
}

fn create(
    def: &mut TableDefinition,
    req: &Request,
    u: &IndexUpdate,
    storage_id: u64,
    mode: BillingMode,
    now: f64,
) -> Result<(), ApiError> {
    let Some(input) = &u.create else {
        return Ok(());
    };
    let name = input.index_name.clone().unwrap_or_default();
    check_online_slot(def, None)?;
    if def.index(&name).is_some() {
        return Err(ApiError::validation(
            "Attempting to create an index which already exists",
        ));
    }
    if def.global_secondary_indexes.len() >= MAX_GSIS {
        return Err(ApiError::LimitExceeded(format!(
            "Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of {MAX_GSIS}"
        )));
    }
    let Some(defs) = &req.attribute_definitions else {
        return Err(invalid(format!(
            "AttributeDefinitions is not specified for index: {name}"
        )));
    };
    let declared: Vec<KeyAttribute> = defs
        .iter()
        .map(|d| KeyAttribute {
            name: d.attribute_name.clone().unwrap_or_default(),
            attr_type: match d.attribute_type.as_deref() {
                Some("N") => ScalarType::N,
                Some("B") => ScalarType::B,
                _ => ScalarType::S,
            },
        })
        .collect();
    let keys = index_definitions::used_names(input);
    if keys.iter().any(|k| !declared.iter().any(|d| &d.name == k)) {
        let names: Vec<&str> = declared.iter().map(|d| d.name.as_str()).collect();
        return Err(invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            keys.join(", "),
            names.join(", ")
        )));
    }
    for key in &keys {
        let new = declared.iter().find(|d| &d.name == key);
        let old = def.attribute_definitions.iter().find(|d| &d.name == key);
        if let (Some(new), Some(old)) = (new, old) {
            if new.attr_type != old.attr_type {
                let kinds = input.key_schema.iter().flatten();
                let elements: Vec<(&KeyAttribute, &str)> = kinds
                    .filter_map(|k| {
                        let n = k.attribute_name.as_deref()?;
                        let a = declared.iter().find(|d| d.name == n)?;
                        Some((a, k.key_type.as_deref().unwrap_or("HASH")))
                    })
                    .collect();
                return Err(invalid(format!(
                    "Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: {} New schema: {}",
                    existing_schema(def, key),
                    schema_text(&elements)
                )));
            }
        }
    }
    match (mode, &input.provisioned_throughput) {
        (BillingMode::Provisioned, None) => {
            return Err(invalid(format!(
                "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: {name}"
            )))
        }
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(invalid(format!(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
            )))
        }
        _ => {}
    }
    let resolve = |n: &str| declared.iter().find(|d| d.name == n).cloned();
    let mut index = index_definitions::build(input, true, mode, &resolve)?;
    index_definitions::check_non_key_total(def.indexes().map(|(i, _)| i).chain([&index]))?;
    index.storage_id = storage_id;
    index.status = IndexStatus::Creating;
    index.status_since = now;
    index.backfilling = false;
    for attr in index.key_attributes() {
        if !def
            .attribute_definitions
            .iter()
            .any(|d| d.name == attr.name)
        {
            def.attribute_definitions.push(attr.clone());
        }
    }
    def.global_secondary_indexes.push(index);
    Ok(())
}

/// Applies every GlobalSecondaryIndexUpdate of `req` to `def` at `now`; `new_storage_id` is
/// the storage id for a Create. Returns whether an index is created or deleted (the table then
/// goes UPDATING).
pub fn apply(
    def: &mut TableDefinition,
    req: &Request,
    new_storage_id: Option<u64>,
    now: f64,
) -> Result<bool, ApiError> {
    let updates = req.index_updates();
    if req.creates_or_deletes() > 1 {
        return Err(only_one_online_index());
    }
    let mode = effective_mode(def, req);
    let mut online = false;
    for u in updates {
        if let Some(up) = &u.update {
            update(def, up, mode, now)?;
        }
        if let Some(del) = &u.delete {
            delete(def, del.index_name.as_deref().unwrap_or_default(), now)?;
            online = true;
        }
        if u.create.is_some() {
            let id = new_storage_id
                .ok_or_else(|| ApiError::Internal("no storage id for the new index".into()))?;
            create(def, req, u, id, mode, now)?;
            online = true;
        }
    }
    Ok(online)
}

/// Whether any GSI of `def` is being created, updated or deleted (DeleteTable waits).
pub fn any_index_changing(def: &TableDefinition) -> bool {
    [
        IndexStatus::Creating,
        IndexStatus::Updating,
        IndexStatus::Deleting,
    ]
    .iter()
    .any(|s| !indexes_in(def, *s).is_empty())
}

#[cfg(test)]
#[path = "update_table_indexes_tests.rs"]
mod tests;
