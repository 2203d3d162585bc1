//! Writing one batch: BatchWriteItem, then its UnprocessedItems again with backoff until none
//! are left (or the attempts run out); when DynamoDB rejects the batch as invalid, the items
//! are written one by one with PutItem so that the error names the line of the item at fault.

use super::batches::Batch;
use crate::commands::transfer::Remote;
use anyhow::{anyhow, bail, Context};
use extenddb_client::connection::Connection;
use extenddb_client::retry;
use serde_json::Value;

/// Where the items go and come from, for requests and messages.
pub struct Target {
    /// The table name as a JSON string (quoted, escaped).
    pub table_json: String,
    /// The input file, as shown in messages.
    pub file: String,
}

/// Writes every item of `batch` to the table; Ok only when all are written.
pub async fn write_batch(
    remote: &Remote,
    conn: &mut Connection,
    target: &Target,
    batch: &Batch,
) -> anyhow::Result<()> {
    let lines = line_range(batch);
    let mut requests = String::with_capacity(batch.items.len() * 128);
    requests.push('[');
    for (i, item) in batch.items.iter().enumerate() {
        if i > 0 {
            requests.push(',');
        }
        requests.push_str("{\"PutRequest\":{\"Item\":");
        requests.push_str(&item.item);
        requests.push_str("}}");
    }
    requests.push(']');
    let mut round = 0;
    loop {
        let body = format!("{{\"RequestItems\":{{{}:{requests}}}}}", target.table_json);
        let answer = match retry::call(conn, "BatchWriteItem", body.as_bytes(), &remote.policy)
            .await
        {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == Some("ValidationException") => {
                return put_one_by_one(remote, conn, target, batch).await
            }
            Err(e) => return Err(anyhow!(e)).with_context(|| format!("{}: {lines}", target.file)),
        };
        let answer: Value = serde_json::from_slice(&answer).with_context(|| {
            format!("{}: {lines}: unreadable BatchWriteItem answer", target.file)
        })?;
        let unprocessed: Vec<&Value> = answer["UnprocessedItems"]
            .as_object()
            .into_iter()
            .flat_map(|tables| tables.values())
            .filter_map(Value::as_array)
            .flatten()
            .collect();
        if unprocessed.is_empty() {
            return Ok(());
        }
        round += 1;
        if round >= remote.policy.max_attempts {
            bail!(
                "{}: {lines}: {} items still unprocessed after {round} BatchWriteItem attempts \
                 (the table is throttled; retry later or raise its write capacity)",
                target.file,
                unprocessed.len()
            );
        }
        requests = serde_json::to_string(&unprocessed)?;
        tokio::time::sleep(remote.policy.backoff(round - 1)).await;
    }
}

/// Writes the items of a rejected batch one at a time to find (and name) the bad one.
async fn put_one_by_one(
    remote: &Remote,
    conn: &mut Connection,
    target: &Target,
    batch: &Batch,
) -> anyhow::Result<()> {
    for item in &batch.items {
        let body = format!(
            "{{\"TableName\":{},\"Item\":{}}}",
            target.table_json, item.item
        );
        retry::call(conn, "PutItem", body.as_bytes(), &remote.policy)
            .await
            .map_err(|e| anyhow!("{}: line {}: {e}", target.file, item.line))?;
    }
    Ok(())
}

fn line_range(batch: &Batch) -> String {
    match (batch.items.first(), batch.items.last()) {
        (Some(a), Some(b)) if a.line != b.line => format!("lines {}-{}", a.line, b.line),
        (Some(a), _) => format!("line {}", a.line),
        _ => "an empty batch".into(),
    }
}
