//! DescribeTimeToLive: whether a table has Time to Live enabled, and on which attribute.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::table::table_description::not_found;
use crate::ops::Operation;
use serde::{Deserialize, Serialize};

/// DescribeTimeToLive's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
}

/// TimeToLiveDescription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveDescription {
    /// ENABLING, ENABLED, DISABLING or DISABLED.
    pub time_to_live_status: &'static str,
    /// The expiry attribute, while enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

/// DescribeTimeToLive's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The table's TTL state.
    pub time_to_live_description: TimeToLiveDescription,
}

/// Runs DescribeTimeToLive.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let name = req.table_name.as_deref().unwrap_or_default();
    let found = lifecycle::find(ctx, name).await?;
    authorize::on_lookup(ctx, "dynamodb:DescribeTimeToLive", name, found.as_deref()).await?;
    let def = found.ok_or_else(|| not_found(name))?;
    // ENABLING / DISABLING for the control-plane delay after a change, as tables transition.
    let changing = def
        .ttl
        .changed_at
        .is_some_and(|at| ctx.now_epoch() - at < ctx.control_plane_delay().as_secs_f64());
    let attribute_name = def.time_to_live_attribute.clone();
    let time_to_live_status = match (attribute_name.is_some(), changing) {
        (true, true) => "ENABLING",
        (true, false) => "ENABLED",
        (false, true) => "DISABLING",
        (false, false) => "DISABLED",
    };
    Ok(Response {
        time_to_live_description: TimeToLiveDescription {
            time_to_live_status,
            attribute_name,
        },
    })
}

/// Decodes a DescribeTimeToLive body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::DescribeTimeToLive, body)?;
    protocol::encode(&execute(ctx, req).await?)
}
