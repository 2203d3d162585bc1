//! StreamSpecification on CreateTable and UpdateTable, and the stream fields of a table's
//! description (StreamSpecification, LatestStreamArn, LatestStreamLabel).
//!
//! Enabling gives the table a new stream (a fresh label and log); disabling moves the current
//! one to `past_streams`, where it stays listed and readable, its shards closed, for 24 hours
//! (the stream trimmer then drops it). Re-enabling makes a new stream beside the old one.
//! Refusals and their texts are DynamoDB's, as recorded against AWS by public conformance
//! suites ("Table already has an enabled stream: TableName: T", "Table has no stream to
//! disable: TableName: T", "… UpdateViewType is required", "… should not be specified").

use crate::error::ApiError;
use crate::model::table::{PastStream, StreamViewType, TableDefinition, TableStream};
use crate::ops::request::table_input::StreamSpecification;
use crate::ops::streams::constraints::Constraints;
use crate::streams::arn;
use serde::Serialize;

/// How long a disabled stream stays listed and readable (seconds).
pub const PAST_STREAM_RETENTION_SECONDS: f64 = 24.0 * 3600.0;

/// The view types DynamoDB accepts, in the order its messages list them (as `devtools/gen-shapes`).
const VIEW_TYPES: [&str; 4] = ["OLD_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "NEW_IMAGE"];

/// What an UpdateTable asks of the table's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamChange {
    /// Enable a new stream of this view type.
    Enable(StreamViewType),
    /// Disable the current stream.
    Disable,
}

/// The refusal when the server's stream sink keeps no streams (`StreamSink::supports_streams`).
pub fn unsupported() -> ApiError {
    ApiError::validation(
        "StreamSpecification: this server keeps no streams (its stream sink supports none); omit StreamSpecification or set StreamEnabled to false",
    )
}

/// Member constraints of a StreamSpecification (`streamSpecification.*`).
pub fn constraints(c: &mut Constraints, s: &StreamSpecification) {
    if s.stream_enabled.is_none() {
        c.violation(
            None,
            "streamSpecification.streamEnabled",
            "Member must not be null",
        );
    }
    if let Some(v) = s.stream_view_type.as_deref() {
        if !VIEW_TYPES.contains(&v) {
            c.violation(
                Some(v),
                "streamSpecification.streamViewType",
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    VIEW_TYPES.join(", ")
                ),
            );
        }
    }
}

fn view_type(text: &str) -> Option<StreamViewType> {
    Some(match text {
        "KEYS_ONLY" => StreamViewType::KeysOnly,
        "NEW_IMAGE" => StreamViewType::NewImage,
        "OLD_IMAGE" => StreamViewType::OldImage,
        "NEW_AND_OLD_IMAGES" => StreamViewType::NewAndOldImages,
        _ => return None,
    })
}

fn invalid(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// CreateTable: the view type of the stream the new table gets, if any (after `constraints`).
pub fn for_create(spec: Option<&StreamSpecification>) -> Result<Option<StreamViewType>, ApiError> {
    let Some(spec) = spec else {
        return Ok(None);
    };
    match (spec.stream_enabled, spec.stream_view_type.as_deref()) {
        (Some(true), Some(v)) => Ok(view_type(v)),
        (Some(true), None) => Err(invalid(
            "Table is being created with a stream enabled, UpdateViewType is required",
        )),
        (_, Some(_)) => Err(invalid(
            "Table is being created with a stream disabled, UpdateViewType should not be specified",
        )),
        (_, None) => Ok(None),
    }
}

/// UpdateTable: the change asked for (after `constraints`), before looking at the table.
pub fn for_update(spec: &StreamSpecification) -> Result<StreamChange, ApiError> {
    match (spec.stream_enabled, spec.stream_view_type.as_deref()) {
        (Some(true), Some(v)) => view_type(v)
            .map(StreamChange::Enable)
            .ok_or_else(|| invalid("If stream is being enabled then UpdateViewType is required")),
        (Some(true), None) => Err(invalid(
            "If stream is being enabled then UpdateViewType is required",
        )),
        (_, Some(_)) => Err(invalid(
            "If stream is being disabled, then UpdateViewType must not be specified",
        )),
        (_, None) => Ok(StreamChange::Disable),
    }
}

/// A new stream of `view` for `def`, enabled at `now` with its log at `log_id`: its label is
/// `now` to the millisecond, moved on past any label the table has used.
pub fn new_stream(
    def: &TableDefinition,
    view: StreamViewType,
    log_id: u64,
    now: f64,
) -> TableStream {
    let mut at = now;
    let mut label = arn::label(at);
    while def.all_streams().any(|(s, _)| s.label == label) {
        at += 0.001;
        label = arn::label(at);
    }
    TableStream {
        view_type: view,
        label,
        log_id,
        created_at: at,
    }
}

/// Starts the log of `def`'s current stream (its head), before the catalog stores `def`.
pub async fn start_log(ctx: &crate::context::Ctx, def: &TableDefinition) -> Result<(), ApiError> {
    let Some(stream) = &def.stream else {
        return Ok(());
    };
    let created_ms = (stream.created_at * 1000.0).max(0.0) as u64;
    ctx.store
        .write_unconditional(vec![crate::streams::log::start(stream.log_id, created_ms)])
        .await
}

/// Applies `change` to `def` at `now` (`log_id` is the new stream's log when enabling), or
/// DynamoDB's refusal. Past streams older than their retention are dropped from the list.
pub fn apply(
    def: &mut TableDefinition,
    change: StreamChange,
    log_id: u64,
    now: f64,
) -> Result<(), ApiError> {
    match (change, def.stream.take()) {
        (StreamChange::Enable(_), Some(current)) => {
            let name = def.name.clone();
            def.stream = Some(current);
            Err(ApiError::validation(format!(
                "Table already has an enabled stream: TableName: {name}"
            )))
        }
        (StreamChange::Enable(view), None) => {
            def.stream = Some(new_stream(def, view, log_id, now));
            Ok(())
        }
        (StreamChange::Disable, None) => Err(ApiError::validation(format!(
            "Table has no stream to disable: TableName: {}",
            def.name
        ))),
        (StreamChange::Disable, Some(current)) => {
            def.past_streams.push(PastStream {
                stream: current,
                disabled_at: now,
            });
            Ok(())
        }
    }
}

/// `StreamSpecification` as a table's description shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecificationDescription {
    /// Whether the table has an enabled stream.
    pub stream_enabled: bool,
    /// Its view type, while enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_view_type: Option<&'static str>,
}

/// The description's stream fields: the specification (absent for a table that never had a
/// stream), and the latest stream's ARN and label (the current one, else the last disabled).
pub fn describe(
    def: &TableDefinition,
) -> (
    Option<StreamSpecificationDescription>,
    Option<String>,
    Option<String>,
) {
    let latest = def
        .stream
        .as_ref()
        .or_else(|| def.past_streams.last().map(|p| &p.stream));
    let Some(latest) = latest else {
        return (None, None, None);
    };
    let spec = StreamSpecificationDescription {
        stream_enabled: def.stream.is_some(),
        stream_view_type: def.stream.as_ref().map(|s| s.view_type.as_str()),
    };
    (
        Some(spec),
        Some(def.stream_arn_of(&latest.label)),
        Some(latest.label.clone()),
    )
}

#[cfg(test)]
#[path = "stream_spec_tests.rs"]
mod tests;
