//! UntagResource: removes tags by key from a table; keys it does not have are ignored.
//!
//! Checks in DynamoDB's order: ResourceArn present, member constraints, the ARN's form, at
//! least one key, the table; the change is applied by `Catalog::update_tags` atomically.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::empty_answer;
use crate::ops::request::protocol;
use crate::ops::request::resource_arn;
use crate::ops::Operation;
use serde::Deserialize;

/// UntagResource's input.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The table's ARN.
    pub resource_arn: Option<String>,
    /// The keys of the tags to remove.
    pub tag_keys: Option<Vec<Option<String>>>,
}

/// Removes the tags `req` names from the table its ARN names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<(), ApiError> {
    let arn = resource_arn::required(req.resource_arn.as_deref())?;
    let resource = resource_arn::parse(ctx, "UntagResource", arn)?;
    let remove: Vec<String> = req.tag_keys.into_iter().flatten().flatten().collect();
    if remove.is_empty() {
        return Err(ApiError::validation(
            "Atleast one Tag Key needs to be provided as Input.",
        ));
    }
    let def = resource_arn::table(ctx, arn, resource).await?;
    authorize::on_table(ctx, "dynamodb:UntagResource", &def, Default::default).await?;
    resource_arn::change_tags(ctx, arn, &def, Vec::new(), remove).await
}

/// Decodes an UntagResource body, runs it and answers an empty object.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::UntagResource, body)?;
    execute(ctx, req).await?;
    Ok(empty_answer())
}
