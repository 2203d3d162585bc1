//! TagResource: adds tags to a table, or replaces the values of keys it has.
//!
//! Checks in DynamoDB's order: ResourceArn present, member constraints, the ARN's form,
//! at least one tag, the tags' contents, the table; the change is applied by
//! `Catalog::update_tags` atomically, where the 50-tag limit on the result is checked.
//! Unlike DynamoDB since 2024, the change is visible to ListTagsOfResource at once.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::empty_answer;
use crate::ops::request::protocol;
use crate::ops::request::resource_arn;
use crate::ops::request::table_input::Tag as InputTag;
use crate::ops::request::tag_validation::checked_tags;
use crate::ops::Operation;
use serde::Deserialize;

/// TagResource's input.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The table's ARN.
    pub resource_arn: Option<String>,
    /// The tags to set.
    pub tags: Option<Vec<InputTag>>,
}

/// Sets the tags of `req` on the table its ARN names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<(), ApiError> {
    let arn = resource_arn::required(req.resource_arn.as_deref())?;
    let resource = resource_arn::parse(ctx, "TagResource", arn)?;
    let tags = req.tags.as_deref().unwrap_or_default();
    if tags.is_empty() {
        return Err(ApiError::validation(
            "Atleast one Tag needs to be provided as Input.",
        ));
    }
    let set = checked_tags(tags)?;
    let def = resource_arn::table(ctx, arn, resource).await?;
    authorize::on_table(ctx, "dynamodb:TagResource", &def, Default::default).await?;
    resource_arn::change_tags(ctx, arn, &def, set, Vec::new()).await
}

/// Decodes a TagResource body, runs it and answers an empty object.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::TagResource, body)?;
    execute(ctx, req).await?;
    Ok(empty_answer())
}

#[cfg(test)]
#[path = "tag_resource_tests.rs"]
mod tests;
