//! Secondary-index definitions as CreateTable and UpdateTable receive them, and DynamoDB's
//! checks of them (messages as DynamoDB words them, cross-checked with emulators' suites that
//! ran against DynamoDB): key schemas (LSIs share the table's partition key and need a sort key;
//! GSIs may have up to 4 HASH and 4 RANGE attributes — DynamoDB's multi-attribute keys),
//! projections, duplicate names, limits, and throughput against the billing mode.

use crate::error::ApiError;
use crate::model::table::{
    BillingMode, IndexStatus, KeyAttribute, KeySchema, ProjectionType, SecondaryIndex, Throughput,
};
pub use crate::ops::request::table_input::{IndexInput, ProjectionInput};
use crate::ops::request::table_input::{KeySchemaElementInput, ProvisionedThroughputInput};

/// Most LSIs per table.
pub const MAX_LSIS: usize = 5;
/// Most GSIs per table.
pub const MAX_GSIS: usize = 20;
/// Most NonKeyAttributes over all of a table's indexes.
pub const MAX_NON_KEY_ATTRIBUTES: usize = 100;
/// Most HASH (and, separately, RANGE) attributes of a multi-attribute GSI key.
pub const MAX_KEY_PARTS: usize = 4;

fn invalid(detail: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// A checked key schema: partition attribute names, then sort attribute names.
fn key_names(
    ks: &[KeySchemaElementInput],
    global: bool,
) -> Result<(Vec<String>, Vec<String>), ApiError> {
    let mut hash = Vec::new();
    let mut range = Vec::new();
    for (i, k) in ks.iter().enumerate() {
        let name = k.attribute_name.clone().unwrap_or_default();
        match k.key_type.as_deref() {
            Some("HASH") if range.is_empty() => hash.push(name),
            Some("HASH") | Some("RANGE") if hash.is_empty() => {
                return Err(ApiError::validation(
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
                ))
            }
            Some("RANGE") => range.push(name),
            _ if i == 1 => {
                return Err(ApiError::validation(
                    "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
                ))
            }
            _ => {
                return Err(ApiError::validation(
                    "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
                ))
            }
        }
    }
    let max = if global { MAX_KEY_PARTS } else { 1 };
    if hash.len() > max || range.len() > max {
        return Err(ApiError::validation(if global {
            format!("Invalid KeySchema: A KeySchema may have at most {MAX_KEY_PARTS} HASH and {MAX_KEY_PARTS} RANGE elements")
        } else {
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type".to_string()
        }));
    }
    let all: Vec<&String> = hash.iter().chain(range.iter()).collect();
    for (i, a) in all.iter().enumerate() {
        if all[..i].contains(a) {
            return Err(ApiError::validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
    }
    Ok((hash, range))
}

fn projection(p: &ProjectionInput) -> Result<(ProjectionType, Vec<String>), ApiError> {
    let kind = match p.projection_type.as_deref() {
        Some("ALL") => ProjectionType::All,
        Some("KEYS_ONLY") => ProjectionType::KeysOnly,
        Some("INCLUDE") => ProjectionType::Include,
        Some(other) => return Err(invalid(format!("Unknown ProjectionType: {other}"))),
        None => return Err(invalid("Unknown ProjectionType: null")),
    };
    match (&kind, &p.non_key_attributes) {
        (ProjectionType::Include, None) => Err(invalid(
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
        )),
        (ProjectionType::Include, Some(attrs)) => {
            for (i, a) in attrs.iter().enumerate() {
                if attrs[..i].contains(a) {
                    return Err(invalid(format!(
                        "Duplicate element in NonKeyAttributes: {a}"
                    )));
                }
            }
            Ok((kind, attrs.clone()))
        }
        (k, Some(_)) => Err(invalid(format!(
            "ProjectionType is {}, but NonKeyAttributes is specified",
            k.as_str()
        ))),
        (k, None) => Ok((*k, Vec::new())),
    }
}

/// Checks one GSI's throughput against the table's billing mode.
pub fn gsi_throughput(
    name: &str,
    billing: BillingMode,
    pt: Option<&ProvisionedThroughputInput>,
) -> Result<Option<Throughput>, ApiError> {
    match (billing, pt) {
        (BillingMode::PayPerRequest, Some(_)) => Err(invalid(format!(
            "ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
        ))),
        (BillingMode::PayPerRequest, None) => Ok(None),
        (BillingMode::Provisioned, None) => Err(invalid(format!(
            "ProvisionedThroughput must be specified for index: {name}"
        ))),
        (BillingMode::Provisioned, Some(p)) => Ok(Some(Throughput {
            read: p.read_capacity_units.unwrap_or(1),
            write: p.write_capacity_units.unwrap_or(1),
        })),
    }
}

/// Builds one index from its request form (storage id 0: assigned when it is stored).
pub fn build(
    input: &IndexInput,
    global: bool,
    billing: BillingMode,
    resolve: &dyn Fn(&str) -> Option<KeyAttribute>,
) -> Result<SecondaryIndex, ApiError> {
    let name = input.index_name.clone().unwrap_or_default();
    let (hash, range) = key_names(input.key_schema.as_deref().unwrap_or_default(), global)?;
    let attrs = |names: &[String]| -> Result<Vec<KeyAttribute>, ApiError> {
        names
            .iter()
            .map(|n| {
                resolve(n)
                    .ok_or_else(|| ApiError::Internal("index key lost after validation".into()))
            })
            .collect()
    };
    let (kind, non_key) = projection(&input.projection.clone().unwrap_or_default())?;
    let throughput = if global {
        gsi_throughput(&name, billing, input.provisioned_throughput.as_ref())?
    } else {
        None
    };
    Ok(SecondaryIndex {
        name,
        storage_id: 0,
        hash: attrs(&hash)?,
        range: attrs(&range)?,
        projection: kind,
        non_key_attributes: non_key,
        throughput,
        status: IndexStatus::Active,
        status_since: 0.0,
        backfilling: false,
        propagation_delay_ms: None,
        throughput_history: Default::default(),
    })
}

/// The key attribute names an index request uses (for the AttributeDefinitions checks).
pub fn used_names(input: &IndexInput) -> Vec<String> {
    input
        .key_schema
        .iter()
        .flatten()
        .map(|k| k.attribute_name.clone().unwrap_or_default())
        .collect()
}

/// CreateTable's cross-member index checks, in DynamoDB's order, then the indexes.
pub fn for_create_table(
    table: &KeySchema,
    lsis: &[IndexInput],
    gsis: &[IndexInput],
    billing: BillingMode,
    resolve: &dyn Fn(&str) -> Option<KeyAttribute>,
) -> Result<(Vec<SecondaryIndex>, Vec<SecondaryIndex>), ApiError> {
    if !lsis.is_empty() && table.range.is_none() {
        return Err(invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"));
    }
    for lsi in lsis {
        let name = lsi.index_name.as_deref().unwrap_or_default();
        let ks = lsi.key_schema.as_deref().unwrap_or_default();
        let hash = ks
            .iter()
            .find(|k| k.key_type.as_deref() == Some("HASH"))
            .and_then(|k| k.attribute_name.as_deref())
            .unwrap_or("null");
        if !ks.iter().any(|k| k.key_type.as_deref() == Some("RANGE")) {
            return Err(invalid(format!(
                "Index KeySchema does not have a range key for index: {name}"
            )));
        }
        if hash != table.hash.name {
            return Err(invalid(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}. index hash key: {hash}, table hash key: {}",
                table.hash.name
            )));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for idx in lsis.iter().chain(gsis) {
        let name = idx.index_name.as_deref().unwrap_or_default();
        if seen.contains(&name) {
            return Err(invalid(format!("Duplicate index name: {name}")));
        }
        seen.push(name);
    }
    if lsis.len() > MAX_LSIS {
        return Err(invalid(format!(
            "Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LSIS}"
        )));
    }
    if gsis.len() > MAX_GSIS {
        return Err(ApiError::LimitExceeded(format!(
            "Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of {MAX_GSIS}"
        )));
    }
    let local = lsis
        .iter()
        .map(|i| build(i, false, billing, resolve))
        .collect::<Result<Vec<_>, _>>()?;
    let global = gsis
        .iter()
        .map(|i| build(i, true, billing, resolve))
        .collect::<Result<Vec<_>, _>>()?;
    check_non_key_total(local.iter().chain(global.iter()))?;
    Ok((local, global))
}

/// The limit on NonKeyAttributes summed over a table's indexes.
pub fn check_non_key_total<'a>(
    indexes: impl Iterator<Item = &'a SecondaryIndex>,
) -> Result<(), ApiError> {
    let total: usize = indexes.map(|i| i.non_key_attributes.len()).sum();
    if total > MAX_NON_KEY_ATTRIBUTES {
        return Err(invalid(format!(
            "Number of NonKeyAttributes exceeds per-table limit of {MAX_NON_KEY_ATTRIBUTES}"
        )));
    }
    Ok(())
}
