//! PartiQL writes reach the stream sink like any other write: one change per INSERT, UPDATE
//! and DELETE (with the images before and after), in ExecuteStatement, BatchExecuteStatement
//! and ExecuteTransaction alike, and none for a write that fails or changes nothing.

use crate::error::ApiError;
use crate::model::table::{StreamViewType, TableStream};
use crate::model::Item;
use crate::ops::multi_test_support::{map_store, two_tables, State};
use crate::ops::test_support::{catalog_with, item, request_ctx, services};
use crate::ops::{dispatch, Operation};
use crate::traits::stream_sink::{ItemChange, StreamSink};
use crate::traits::WriteOp;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// One change as the sink saw it: table, old image, new image.
type Seen = (String, Option<Item>, Option<Item>);

/// The changes the sink was handed.
#[derive(Default)]
struct Recording(Mutex<Vec<Seen>>);

impl StreamSink for Recording {
    fn record(&self, change: &ItemChange<'_>) -> Result<Vec<WriteOp>, ApiError> {
        self.0.lock().unwrap().push((
            change.table.name.clone(),
            change.old.cloned(),
            change.new.cloned(),
        ));
        Ok(Vec::new())
    }
}

/// Runs `op` with `body` over the two tables, both with a stream, recording into `sink`.
async fn call(
    state: &Arc<Mutex<State>>,
    sink: &Arc<Recording>,
    op: Operation,
    body: Value,
) -> Result<Value, ApiError> {
    let tables = two_tables()
        .into_iter()
        .map(|mut t| {
            t.stream = Some(TableStream {
                view_type: StreamViewType::NewAndOldImages,
                label: "2026-01-01T00:00:00.000".into(),
                log_id: 99,
                created_at: 0.0,
            });
            t
        })
        .collect();
    let svc = services(
        Arc::new(catalog_with(tables)),
        Arc::new(map_store(state.clone())),
        std::time::Duration::ZERO,
    )
    .with_streams(sink.clone());
    let out = dispatch(&request_ctx(svc), op, &serde_json::to_vec(&body).unwrap()).await?;
    Ok(serde_json::from_slice(&out).unwrap())
}

fn seen(sink: &Recording) -> Vec<Seen> {
    std::mem::take(&mut *sink.0.lock().unwrap())
}

fn change(table: &str, old: Option<&str>, new: Option<&str>) -> Seen {
    (table.into(), old.map(item), new.map(item))
}

#[tokio::test]
async fn execute_statement_writes_record_their_changes() {
    let st = Arc::new(Mutex::new(State::default()));
    let sink = Arc::new(Recording::default());
    let es = |s: &str| json!({ "Statement": s });
    let run = |s: &str| call(&st, &sink, Operation::ExecuteStatement, es(s));
    run("INSERT INTO tbl VALUE {'pk': 'a', 'n': 1}")
        .await
        .unwrap();
    run("UPDATE tbl SET n = n + 1 WHERE pk = 'a'")
        .await
        .unwrap();
    run("DELETE FROM tbl WHERE pk = 'a'").await.unwrap();
    assert_eq!(
        seen(&sink),
        vec![
            change("tbl", None, Some(r#"{"pk":{"S":"a"},"n":{"N":"1"}}"#)),
            change(
                "tbl",
                Some(r#"{"pk":{"S":"a"},"n":{"N":"1"}}"#),
                Some(r#"{"pk":{"S":"a"},"n":{"N":"2"}}"#)
            ),
            change("tbl", Some(r#"{"pk":{"S":"a"},"n":{"N":"2"}}"#), None),
        ]
    );
    // A refused write and a delete of nothing record nothing.
    run("UPDATE tbl SET n = 1 WHERE pk = 'a'")
        .await
        .unwrap_err();
    run("DELETE FROM tbl WHERE pk = 'a'").await.unwrap();
    assert_eq!(seen(&sink), vec![]);
}

#[tokio::test]
async fn batch_and_transaction_writes_record_their_changes() {
    let st = Arc::new(Mutex::new(State::default()));
    let sink = Arc::new(Recording::default());
    let taken = json!({"Statement": "INSERT INTO tbl VALUE {'pk': 'c'}"});
    call(&st, &sink, Operation::ExecuteStatement, taken)
        .await
        .unwrap();
    seen(&sink);
    let out = call(
        &st,
        &sink,
        Operation::BatchExecuteStatement,
        json!({"Statements": [
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'b'}"},
            {"Statement": "INSERT INTO rng VALUE {'pk': 'b', 'sk': 1}"},
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'c'}"},
        ]}),
    )
    .await
    .unwrap();
    assert_eq!(out["Responses"][2]["Error"]["Code"], "DuplicateItem");
    // The third statement failed on its own: two changes.
    assert_eq!(
        seen(&sink),
        vec![
            change("tbl", None, Some(r#"{"pk":{"S":"b"}}"#)),
            change("rng", None, Some(r#"{"pk":{"S":"b"},"sk":{"N":"1"}}"#)),
        ]
    );
    call(
        &st,
        &sink,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [
            {"Statement": "UPDATE tbl SET x = 'y' WHERE pk = 'b'"},
            {"Statement": "DELETE FROM rng WHERE pk = 'b' AND sk = 1"},
        ]}),
    )
    .await
    .unwrap();
    let mut got = seen(&sink);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            change("rng", Some(r#"{"pk":{"S":"b"},"sk":{"N":"1"}}"#), None),
            change(
                "tbl",
                Some(r#"{"pk":{"S":"b"}}"#),
                Some(r#"{"pk":{"S":"b"},"x":{"S":"y"}}"#)
            ),
        ]
    );
    // A cancelled transaction records nothing.
    call(
        &st,
        &sink,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [
            {"Statement": "UPDATE tbl SET x = 'z' WHERE pk = 'b'"},
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'b'}"},
        ]}),
    )
    .await
    .unwrap_err();
    assert_eq!(seen(&sink), vec![]);
}
