//! ListTagsOfResource: the tags of a table, in the order their keys were first set.
//!
//! DynamoDB does not paginate this answer (a table has at most 50 tags): it never returns a
//! NextToken, so a NextToken in the request is accepted and has nothing to continue.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::tags::Tag;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::request::resource_arn;
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// ListTagsOfResource's input.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// The table's ARN.
    pub resource_arn: Option<String>,
    /// A NextToken of an earlier answer (never issued; see the module comment).
    pub next_token: Option<String>,
}

/// One tag as the wire spells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagOutput {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// ListTagsOfResource's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// Every tag of the table (an empty list when it has none).
    pub tags: Vec<TagOutput>,
}

impl From<Tag> for TagOutput {
    fn from(t: Tag) -> Self {
        TagOutput {
            key: t.key,
            value: t.value,
        }
    }
}

/// Lists the tags of the table `req` names.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let arn = resource_arn::required(req.resource_arn.as_deref())?;
    let resource = resource_arn::parse(ctx, "ListTagsOfResource", arn)?;
    let def = resource_arn::table(ctx, arn, resource).await?;
    authorize::on_table(ctx, "dynamodb:ListTagsOfResource", &def, Default::default).await?;
    Ok(Response {
        tags: def.tags.into_iter().map(TagOutput::from).collect(),
    })
}

/// Decodes a ListTagsOfResource body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::ListTagsOfResource, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
