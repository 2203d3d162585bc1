//! The `ResourceArn` of the tagging operations: parsed and checked in DynamoDB's order, then
//! resolved to the table it names.
//!
//! | ARN | answer |
//! |---|---|
//! | absent | ValidationException `Invalid TableArn` |
//! | not starting with `arn:` | ValidationException (ARNs must start with `arn:`) |
//! | fewer than six parts, another partition or service | AccessDeniedException |
//! | a DynamoDB resource other than `table/…` | ValidationException (not a DynamoDB resource arn) |
//! | another account | AccessDeniedException |
//! | another region, a malformed table name or path | ValidationException `Invalid TableArn: …` |
//! | an index ARN (`table/T/index/I`) | ValidationException (only table or stream is accepted) |
//! | a table that does not exist, or is CREATING or DELETING; a stream | ResourceNotFoundException |
//!
//! Sources: dynalite's tests recorded against DynamoDB, ScyllaDB's Alternator tests, and
//! ExtendDB upstream's notes of DynamoDB's answers (error classes and the not-found form).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};
use crate::model::tags::{Tag, TagChange};
use crate::ops::table::lifecycle;
use crate::traits::CatalogError;
use std::sync::Arc;

/// What the table part of a well-formed ARN named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource<'a> {
    /// `table/<name>`.
    Table(&'a str),
    /// `table/<name>/stream/<label>`: extenddb serves no streams yet, so it never exists.
    Stream,
}

fn invalid_table_arn(arn: &str) -> ApiError {
    ApiError::Validation(format!(
        "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
    ))
}

fn denied(ctx: &Ctx, operation: &str, arn: &str) -> ApiError {
    ApiError::AccessDenied(format!(
        "User: arn:aws:iam::{}:root is not authorized to perform: dynamodb:{operation} on resource: {arn}",
        ctx.account_id()
    ))
}

/// DynamoDB's answer for an ARN of a table (or stream) that does not exist.
pub fn not_found(arn: &str) -> ApiError {
    ApiError::ResourceNotFound(format!(
        "Requested resource not found: ResourceArn: {arn} not found"
    ))
}

/// A present ResourceArn: DynamoDB answers `Invalid TableArn` when it is absent, instead of the
/// model's "Member must not be null" (so `devtools/gen-shapes` skips that constraint). Its
/// length constraints are the model's.
pub fn required(arn: Option<&str>) -> Result<&str, ApiError> {
    arn.ok_or_else(|| ApiError::validation("Invalid TableArn"))
}

fn valid_table_name(name: &str) -> bool {
    (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Parses `arn` for `operation` (for the AccessDenied text) as the caller's account and this
/// server's region see it.
pub fn parse<'a>(ctx: &Ctx, operation: &str, arn: &'a str) -> Result<Resource<'a>, ApiError> {
    if !arn.starts_with("arn:") {
        return Err(ApiError::Validation(format!(
            "One or more parameter values were invalid: ARNs must start with 'arn:': {arn}"
        )));
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = parts[..] else {
        return Err(denied(ctx, operation, arn));
    };
    if partition != "aws" || service != "dynamodb" {
        return Err(denied(ctx, operation, arn));
    }
    let Some(path) = resource.strip_prefix("table/") else {
        return Err(ApiError::Validation(format!(
            "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: {arn}"
        )));
    };
    if account != ctx.account_id() {
        return Err(denied(ctx, operation, arn));
    }
    if region != ctx.region() {
        return Err(invalid_table_arn(arn));
    }
    let mut segments = path.split('/');
    let name = segments.next().unwrap_or_default();
    if !valid_table_name(name) {
        return Err(invalid_table_arn(arn));
    }
    match (segments.next(), segments.next(), segments.next()) {
        (None, _, _) => Ok(Resource::Table(name)),
        (Some("index"), Some(index), None) if !index.is_empty() => Err(ApiError::Validation(format!(
            "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {arn}"
        ))),
        (Some("stream"), Some(label), None) if !label.is_empty() => Ok(Resource::Stream),
        _ => Err(invalid_table_arn(arn)),
    }
}

/// The table `resource` names, if it exists and is ACTIVE or UPDATING (DynamoDB does not tag
/// a table while it is being created or deleted); else ResourceNotFoundException.
pub async fn table(
    ctx: &Ctx,
    arn: &str,
    resource: Resource<'_>,
) -> Result<TableDefinition, ApiError> {
    let Resource::Table(name) = resource else {
        return Err(not_found(arn));
    };
    match lifecycle::find(ctx, name).await? {
        Some(def) if matches!(def.status, TableStatus::Active | TableStatus::Updating) => {
            Ok(Arc::unwrap_or_clone(def))
        }
        _ => Err(not_found(arn)),
    }
}

/// Applies the tags to set and the keys to remove to `def` (the table `arn` resolved to),
/// atomically through `Catalog::update_tags`; a table deleted or re-created meanwhile
/// answers `arn`'s ResourceNotFoundException.
pub async fn change_tags(
    ctx: &Ctx,
    arn: &str,
    def: &TableDefinition,
    set: Vec<Tag>,
    remove: Vec<String>,
) -> Result<(), ApiError> {
    let change = TagChange {
        table_id: def.table_id.clone(),
        set,
        remove,
    };
    match ctx
        .catalog
        .update_tags(&def.account_id, &def.name, &change)
        .await
    {
        Ok(_) => Ok(()),
        Err(CatalogError::NotFound) => Err(not_found(arn)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::table::table_description::test_support::ctx;
    use crate::traits::catalog::MockCatalog;
    use crate::traits::item_store::MockItemStore;
    use std::time::Duration;

    const ARN: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/Music";

    fn parsed(arn: &str) -> Result<Resource<'_>, ApiError> {
        let c = ctx(MockCatalog::new(), MockItemStore::new(), Duration::ZERO);
        parse(&c, "TagResource", arn)
    }

    #[test]
    fn a_table_arn_of_this_account_and_region_names_the_table() {
        assert_eq!(parsed(ARN).unwrap(), Resource::Table("Music"));
        assert_eq!(
            parsed(&format!("{ARN}/stream/2026-01-01T00:00:00.000")).unwrap(),
            Resource::Stream
        );
    }

    #[test]
    fn malformed_arns_answer_as_dynamodb_does() {
        assert_eq!(
            parsed("I_do_not_exist").unwrap_err(),
            ApiError::Validation("One or more parameter values were invalid: ARNs must start with 'arn:': I_do_not_exist".into())
        );
        let denied = |arn: &str| {
            ApiError::AccessDenied(format!("User: arn:aws:iam::123456789012:root is not authorized to perform: dynamodb:TagResource on resource: {arn}"))
        };
        for arn in [
            "arn:not/a/good/format",
            "arn:aws:s3:us-east-1:123456789012:table/Music",
            "arn:aws-cn:dynamodb:us-east-1:123456789012:table/Music",
            "arn:aws:dynamodb:us-east-1:999999999999:table/Music",
        ] {
            assert_eq!(parsed(arn).unwrap_err(), denied(arn), "{arn}");
        }
        let backup = "arn:aws:dynamodb:us-east-1:123456789012:backup/b";
        assert_eq!(
            parsed(backup).unwrap_err(),
            ApiError::Validation(format!("One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: {backup}"))
        );
        for arn in [
            "arn:aws:dynamodb:eu-west-1:123456789012:table/Music",
            "arn:aws:dynamodb:us-east-1:123456789012:table/ab",
            "arn:aws:dynamodb:us-east-1:123456789012:table/",
            "arn:aws:dynamodb:us-east-1:123456789012:table/Mu$ic",
            "arn:aws:dynamodb:us-east-1:123456789012:table/Music/other/x",
            "arn:aws:dynamodb:us-east-1:123456789012:table/Music/index/",
        ] {
            assert_eq!(
                parsed(arn).unwrap_err(),
                ApiError::Validation(format!(
                    "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
                )),
                "{arn}"
            );
        }
        let index = format!("{ARN}/index/byYear");
        assert_eq!(
            parsed(&index).unwrap_err(),
            ApiError::Validation(format!("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: {index}"))
        );
    }

    #[test]
    fn absent_arn() {
        assert_eq!(
            required(None).unwrap_err(),
            ApiError::Validation("Invalid TableArn".into())
        );
        assert_eq!(required(Some("x")).unwrap(), "x");
    }
}
