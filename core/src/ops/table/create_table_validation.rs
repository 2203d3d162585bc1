//! CreateTable's request checks, in DynamoDB's order: the missing-name check, then every member
//! constraint of the service model in one "N validation errors detected" message, then the
//! cross-member rules (billing mode vs. throughput, key schema vs. attribute definitions), then
//! what extenddb does not serve yet.

use crate::error::ApiError;
use crate::model::table::{
    BillingMode, KeyAttribute, KeySchema, OnDemandThroughput, ScalarType, SecondaryIndex,
    Throughput,
};
use crate::ops::index::index_definitions;
use crate::ops::request::table_input::CreateTableRequest as Request;

/// The highest capacity DynamoDB accepts before answering "out of bounds".
const MAX_CAPACITY: i64 = 1_000_000_000_000;

/// A request that passed every check, reduced to what the catalog stores.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValidTable {
    pub name: String,
    pub key_schema: KeySchema,
    pub attribute_definitions: Vec<KeyAttribute>,
    pub billing_mode: BillingMode,
    pub throughput: Throughput,
    pub deletion_protection: bool,
    pub local_secondary_indexes: Vec<SecondaryIndex>,
    pub global_secondary_indexes: Vec<SecondaryIndex>,
    pub on_demand_throughput: Option<OnDemandThroughput>,
    /// The view type of the stream the table is created with, if any.
    pub stream: Option<crate::model::table::StreamViewType>,
}

fn invalid(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// Checks `req` as DynamoDB does and returns the table it describes.
pub(crate) fn validate(req: &Request) -> Result<ValidTable, ApiError> {
    // The model's constraints (`shapes`) refused the request unless the name and both lists
    // are present.
    let name = req.table_name.as_deref().unwrap_or_default();
    let (billing_mode, throughput) = billing(req)?;
    let defs = req.attribute_definitions.as_deref().unwrap_or_default();
    let keys = req.key_schema.as_deref().unwrap_or_default();
    let def_names: Vec<&str> = defs
        .iter()
        .map(|d| d.attribute_name.as_deref().unwrap_or_default())
        .collect();
    let key_names: Vec<&str> = keys
        .iter()
        .map(|k| k.attribute_name.as_deref().unwrap_or_default())
        .collect();
    if key_names.len() > def_names.len() {
        return Err(ApiError::validation(
            "Invalid KeySchema: Some index key attribute have no definition",
        ));
    }
    if key_names.iter().any(|k| !def_names.contains(k)) {
        return Err(invalid(&format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            key_names.join(", "),
            def_names.join(", ")
        )));
    }
    if key_names.len() == 2 && key_names[0] == key_names[1] {
        return Err(ApiError::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    let key_type = |i: usize| keys.get(i).and_then(|k| k.key_type.as_deref());
    if key_type(0) != Some("HASH") {
        return Err(ApiError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if keys.len() == 2 && key_type(1) != Some("RANGE") {
        return Err(ApiError::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ));
    }
    unsupported(req)?;
    let stream = crate::ops::table::stream_spec::for_create(req.stream_specification.as_ref())?;
    let lsis = req.local_secondary_indexes.as_deref().unwrap_or_default();
    let gsis = req.global_secondary_indexes.as_deref().unwrap_or_default();
    let mut used: Vec<String> = key_names.iter().map(|k| k.to_string()).collect();
    for idx in lsis.iter().chain(gsis) {
        let names = index_definitions::used_names(idx);
        if names.iter().any(|k| !def_names.contains(&k.as_str())) {
            return Err(invalid(&format!(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
                names.join(", "),
                def_names.join(", ")
            )));
        }
        used.extend(names);
    }
    used.sort();
    used.dedup();
    if let Some(dup) = def_names
        .iter()
        .enumerate()
        .find_map(|(i, n)| def_names[..i].contains(n).then_some(n))
    {
        return Err(ApiError::validation(format!(
            "Attribute Name is duplicated: {dup}"
        )));
    }
    if used.len() != def_names.len() {
        return Err(invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"));
    }
    let attribute_definitions: Vec<KeyAttribute> = defs
        .iter()
        .map(|d| KeyAttribute {
            name: d.attribute_name.clone().unwrap_or_default(),
            attr_type: scalar_type(d.attribute_type.as_deref()),
        })
        .collect();
    let key_attr = |name: &str| {
        attribute_definitions
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .ok_or_else(|| ApiError::Internal("key attribute lost after validation".into()))
    };
    let key_schema = KeySchema {
        hash: key_attr(key_names[0])?,
        range: match key_names.get(1) {
            Some(n) => Some(key_attr(n)?),
            None => None,
        },
    };
    let resolve = |n: &str| attribute_definitions.iter().find(|a| a.name == n).cloned();
    let (local_secondary_indexes, global_secondary_indexes) =
        index_definitions::for_create_table(&key_schema, lsis, gsis, billing_mode, &resolve)?;
    Ok(ValidTable {
        local_secondary_indexes,
        global_secondary_indexes,
        name: name.to_string(),
        key_schema,
        attribute_definitions,
        billing_mode,
        throughput,
        deletion_protection: req.deletion_protection_enabled.unwrap_or(false),
        on_demand_throughput: crate::ops::table::on_demand::resolve(
            req.on_demand_throughput.as_ref(),
            billing_mode,
            None,
        )?,
        stream,
    })
}

fn scalar_type(t: Option<&str>) -> ScalarType {
    match t {
        Some("N") => ScalarType::N,
        Some("B") => ScalarType::B,
        _ => ScalarType::S,
    }
}

/// PROVISIONED (the default) needs both capacities; PAY_PER_REQUEST allows neither.
fn billing(req: &Request) -> Result<(BillingMode, Throughput), ApiError> {
    if req.billing_mode.as_deref() == Some("PAY_PER_REQUEST") {
        if req.provisioned_throughput.is_some() {
            return Err(invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
        }
        return Ok((BillingMode::PayPerRequest, Throughput { read: 0, write: 0 }));
    }
    let pt = req.provisioned_throughput.as_ref();
    let (Some(read), Some(write)) = (
        pt.and_then(|p| p.read_capacity_units),
        pt.and_then(|p| p.write_capacity_units),
    ) else {
        return Err(invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"));
    };
    for (value, member) in [(read, "ReadCapacityUnits"), (write, "WriteCapacityUnits")] {
        if value > MAX_CAPACITY {
            return Err(ApiError::validation(format!(
                "Given value {value} for {member} is out of bounds"
            )));
        }
    }
    Ok((BillingMode::Provisioned, Throughput { read, write }))
}

/// Rejects, with a message that says so, the parameters extenddb accepts from DynamoDB's model
/// but cannot honour yet — rather than creating a table that silently lacks them.
fn unsupported(req: &Request) -> Result<(), ApiError> {
    if req.table_class.as_deref() == Some("STANDARD_INFREQUENT_ACCESS") {
        return Err(ApiError::validation(
            "TableClass: STANDARD_INFREQUENT_ACCESS is not supported yet by extenddb; use STANDARD or omit TableClass",
        ));
    }
    let others = [
        ("WarmThroughput", req.warm_throughput.is_some()),
        ("ResourcePolicy", req.resource_policy.is_some()),
        (
            "GlobalTableSourceArn",
            req.global_table_source_arn.is_some(),
        ),
    ];
    if let Some((member, _)) = others.iter().find(|(_, present)| *present) {
        return Err(ApiError::validation(format!(
            "{member} is not supported yet by extenddb; omit it from CreateTable"
        )));
    }
    Ok(())
}

#[cfg(test)]
#[path = "create_table_validation_tests.rs"]
mod tests;
