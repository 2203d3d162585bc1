//! The read operations of features a single-region server does not offer — global tables
//! (version 2017.11.29), exports to and imports from S3, Kinesis streaming destinations,
//! CloudWatch Contributor Insights, replica auto scaling and resource-based policies — answered
//! honestly as DynamoDB answers an account that uses none of them: empty lists, DISABLED
//! statuses, and the feature's own not-found error for a named resource. The operations that
//! would turn such a feature on stay UnknownOperationException, DynamoDB's answer in a region
//! that does not offer an operation (docs/compatibility.md lists both groups).
//!
//! Grouped in one file because each is a constant answer a few lines long; the one check they
//! share is that a named table exists.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::ops::authorize;
use crate::ops::request::protocol;
use crate::ops::table::lifecycle;
use crate::ops::table::table_description::not_found;
use crate::ops::Operation;
use serde::Deserialize;
use serde_json::{json, Value};

/// The members these operations read from their requests.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Request {
    table_name: Option<String>,
    index_name: Option<String>,
    global_table_name: Option<String>,
    export_arn: Option<String>,
    import_arn: Option<String>,
    resource_arn: Option<String>,
}

/// Runs one of the not-offered read operations on its JSON body. `None` for an operation
/// this module does not answer.
pub async fn handle(ctx: &Ctx, op: Operation, body: &[u8]) -> Option<Result<Vec<u8>, ApiError>> {
    let answer = match op {
        Operation::ListGlobalTables
        | Operation::ListExports
        | Operation::ListImports
        | Operation::ListContributorInsights
        | Operation::DescribeGlobalTable
        | Operation::DescribeGlobalTableSettings
        | Operation::DescribeExport
        | Operation::DescribeImport
        | Operation::GetResourcePolicy
        | Operation::DescribeContributorInsights
        | Operation::DescribeKinesisStreamingDestination
        | Operation::DescribeTableReplicaAutoScaling => answer(ctx, op, body).await,
        _ => return None,
    };
    Some(answer.and_then(|v| protocol::encode(&v)))
}

async fn answer(ctx: &Ctx, op: Operation, body: &[u8]) -> Result<Value, ApiError> {
    let req: Request = protocol::request(op, body)?;
    let action = op.iam_action().unwrap_or_default();
    match op {
        Operation::ListGlobalTables => {
            authorize::on_account(ctx, action).await?;
            Ok(json!({ "GlobalTables": [] }))
        }
        Operation::ListExports => {
            authorize::on_account(ctx, action).await?;
            Ok(json!({ "ExportSummaries": [] }))
        }
        Operation::ListImports => {
            authorize::on_account(ctx, action).await?;
            Ok(json!({ "ImportSummaryList": [] }))
        }
        Operation::ListContributorInsights => {
            authorize::on_account(ctx, action).await?;
            Ok(json!({ "ContributorInsightsSummaries": [] }))
        }
        Operation::DescribeGlobalTable | Operation::DescribeGlobalTableSettings => {
            let name = req.global_table_name.unwrap_or_default();
            authorize::on_account(ctx, action).await?;
            // Best guess at the wording (moto's); the type is the model's.
            Err(ApiError::named(
                "GlobalTableNotFoundException",
                format!("Global table not found: Global table with name: {name} does not exist."),
            ))
        }
        Operation::DescribeExport => {
            authorize::on_account(ctx, action).await?;
            // Best guess at the wording; the type is the model's.
            Err(ApiError::named(
                "ExportNotFoundException",
                format!("Export not found: {}", req.export_arn.unwrap_or_default()),
            ))
        }
        Operation::DescribeImport => {
            authorize::on_account(ctx, action).await?;
            // Best guess at the wording; the type is the model's.
            Err(ApiError::named(
                "ImportNotFoundException",
                format!("Import not found: {}", req.import_arn.unwrap_or_default()),
            ))
        }
        Operation::GetResourcePolicy => {
            let arn = req.resource_arn.unwrap_or_default();
            authorize::on_account(ctx, action).await?;
            // Best guess at the wording; the type is the model's.
            Err(ApiError::named(
                "PolicyNotFoundException",
                format!("Resource-based policy not found for the provided ResourceArn: {arn}"),
            ))
        }
        _ => {
            let name = req.table_name.unwrap_or_default();
            let found = lifecycle::find(ctx, &name).await?;
            authorize::on_lookup(ctx, action, &name, found.as_deref()).await?;
            let def = found.ok_or_else(|| not_found(&name))?;
            Ok(match op {
                Operation::DescribeContributorInsights => {
                    if let Some(index) = &req.index_name {
                        if def.index(index).is_none() {
                            return Err(ApiError::ResourceNotFound(format!(
                                "Requested resource not found: Index: {index} not found for table: {name}"
                            )));
                        }
                    }
                    let mut v = json!({
                        "TableName": def.name,
                        "ContributorInsightsStatus": "DISABLED",
                    });
                    if let Some(index) = req.index_name {
                        v["IndexName"] = json!(index);
                    }
                    v
                }
                Operation::DescribeKinesisStreamingDestination => json!({
                    "TableName": def.name,
                    "KinesisDataStreamDestinations": [],
                }),
                _ => json!({
                    "TableAutoScalingDescription": {
                        "TableName": def.name,
                        "TableStatus": def.status.as_str(),
                        "Replicas": [],
                    }
                }),
            })
        }
    }
}
