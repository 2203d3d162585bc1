//! Before the run: make sure the table exists and is ACTIVE, and preload items.

use extenddb_client::connection::Connection;
use extenddb_client::transport::Reply;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long to wait for a table to become ACTIVE.
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

/// Why the table could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Transport failure.
    #[error(transparent)]
    Client(#[from] extenddb_client::transport::ClientError),
    /// The endpoint answered with an error.
    #[error("{op} failed: {ty}: {message}")]
    Api {
        /// Operation name.
        op: &'static str,
        /// Error type.
        ty: String,
        /// Error message.
        message: String,
    },
    /// The table does not exist and `--no-create` was given.
    #[error("table {0} does not exist (and --no-create was given)")]
    Missing(String),
    /// The table did not become ACTIVE in time.
    #[error("table {0} is not ACTIVE after {1:?}")]
    NotActive(String, Duration),
    /// A reply was not the JSON DynamoDB sends.
    #[error("{0} returned an unexpected body")]
    Malformed(&'static str),
}

fn api_error(op: &'static str, reply: &Reply) -> SetupError {
    SetupError::Api {
        op,
        ty: reply.error_type(),
        message: reply.error_message(),
    }
}

/// Outcome of DescribeTable.
enum Described {
    Missing,
    Table { active: bool, has_sort_key: bool },
}

async fn describe(conn: &mut Connection, table: &str) -> Result<Described, SetupError> {
    let body = json!({ "TableName": table }).to_string().into_bytes();
    let reply = conn.call("DescribeTable", body).await?;
    if !reply.is_success() {
        if reply.error_type() == "ResourceNotFoundException" {
            return Ok(Described::Missing);
        }
        return Err(api_error("DescribeTable", &reply));
    }
    let v: Value =
        serde_json::from_slice(&reply.body).map_err(|_| SetupError::Malformed("DescribeTable"))?;
    let t = &v["Table"];
    let status = t["TableStatus"]
        .as_str()
        .ok_or(SetupError::Malformed("DescribeTable"))?;
    let has_sort_key = t["KeySchema"]
        .as_array()
        .is_some_and(|ks| ks.iter().any(|k| k["KeyType"] == "RANGE"));
    Ok(Described::Table {
        active: status == "ACTIVE",
        has_sort_key,
    })
}

/// Ensures `table` exists and is ACTIVE, creating it (pay-per-request, `pk` S and, when
/// `sort_key`, `sk` S, with a stream of view type `stream` when given) unless `no_create`.
/// Returns whether the table has a sort key.
pub async fn ensure_table(
    conn: &mut Connection,
    table: &str,
    sort_key: bool,
    stream: Option<&str>,
    no_create: bool,
) -> Result<bool, SetupError> {
    if let Described::Missing = describe(conn, table).await? {
        if no_create {
            return Err(SetupError::Missing(table.to_owned()));
        }
        create(conn, table, sort_key, stream).await?;
        eprintln!("created table {table}");
    }
    let deadline = Instant::now() + ACTIVE_TIMEOUT;
    loop {
        match describe(conn, table).await? {
            Described::Table {
                active: true,
                has_sort_key,
            } => return Ok(has_sort_key),
            _ if Instant::now() >= deadline => {
                return Err(SetupError::NotActive(table.to_owned(), ACTIVE_TIMEOUT))
            }
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Turns point-in-time recovery on for `table` (a no-op when it is on already).
pub async fn enable_pitr(conn: &mut Connection, table: &str) -> Result<(), SetupError> {
    let body = json!({
        "TableName": table,
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true},
    });
    let reply = conn
        .call("UpdateContinuousBackups", body.to_string().into_bytes())
        .await?;
    if reply.is_success() {
        return Ok(());
    }
    Err(api_error("UpdateContinuousBackups", &reply))
}

async fn create(
    conn: &mut Connection,
    table: &str,
    sort_key: bool,
    stream: Option<&str>,
) -> Result<(), SetupError> {
    let mut attrs = vec![json!({"AttributeName": "pk", "AttributeType": "S"})];
    let mut keys = vec![json!({"AttributeName": "pk", "KeyType": "HASH"})];
    if sort_key {
        attrs.push(json!({"AttributeName": "sk", "AttributeType": "S"}));
        keys.push(json!({"AttributeName": "sk", "KeyType": "RANGE"}));
    }
    let mut body = json!({
        "TableName": table,
        "AttributeDefinitions": attrs,
        "KeySchema": keys,
        "BillingMode": "PAY_PER_REQUEST",
    });
    if let Some(view) = stream {
        body["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": view});
    }
    let reply = conn
        .call("CreateTable", body.to_string().into_bytes())
        .await?;
    // Another bench process may have created it between our describe and create.
    if reply.is_success() || reply.error_type() == "ResourceInUseException" {
        return Ok(());
    }
    Err(api_error("CreateTable", &reply))
}
