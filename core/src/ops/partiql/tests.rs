//! The three operations end to end over the map store double (`tbl`: hash `pk` S; `rng`:
//! hash `pk` S + range `sk` N): writes, their implied conditions and errors, RETURNING,
//! batches and transactions.

use crate::error::ApiError;
use crate::ops::multi_test_support::{map_ctx, State};
use crate::ops::{dispatch, Operation};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

async fn call(state: &Arc<Mutex<State>>, op: Operation, body: Value) -> Result<Value, ApiError> {
    let c = map_ctx(state.clone());
    let out = dispatch(&c, op, &serde_json::to_vec(&body).unwrap()).await?;
    Ok(serde_json::from_slice(&out).unwrap())
}

async fn run(state: &Arc<Mutex<State>>, statement: &str) -> Result<Value, ApiError> {
    call(
        state,
        Operation::ExecuteStatement,
        json!({"Statement": statement}),
    )
    .await
}

/// Items of the two tables (not the idempotency records the store also keeps).
fn items(state: &Arc<Mutex<State>>) -> usize {
    let st = state.lock().unwrap();
    st.items
        .keys()
        .filter(|k| matches!(k.storage_id, 7 | 8))
        .count()
}

#[tokio::test]
async fn insert_then_duplicate() {
    let st = Arc::new(Mutex::new(State::default()));
    let out = run(&st, "INSERT INTO tbl VALUE {'pk': 'a', 'n': 1}")
        .await
        .unwrap();
    assert_eq!(out, json!({"Items": []}));
    assert_eq!(items(&st), 1);
    assert_eq!(
        run(&st, "INSERT INTO tbl VALUE {'pk': 'a'}")
            .await
            .unwrap_err(),
        ApiError::DuplicateItem("Duplicate primary key exists in table".into())
    );
    assert_eq!(
        run(&st, "INSERT INTO tbl VALUE {'n': 1}")
            .await
            .unwrap_err(),
        ApiError::validation("Key attribute should be present in the item: Key pk")
    );
    assert_eq!(
        run(&st, "INSERT INTO tbl VALUE {'pk': 1}")
            .await
            .unwrap_err(),
        ApiError::validation(
            "Key attribute's data type should match its data type in table's schema: Key pk"
        )
    );
    assert_eq!(
        run(&st, "INSERT INTO nope VALUE {'pk': 'a'}")
            .await
            .unwrap_err(),
        ApiError::ResourceNotFound("Requested resource not found".into())
    );
}

#[tokio::test]
async fn update_needs_the_item_and_its_condition() {
    let st = Arc::new(Mutex::new(State::default()));
    assert_eq!(
        run(&st, "UPDATE tbl SET n = 1 WHERE pk = 'a'")
            .await
            .unwrap_err(),
        ApiError::ConditionalCheckFailed { item: None }
    );
    assert_eq!(items(&st), 0);
    run(&st, "INSERT INTO tbl VALUE {'pk': 'a', 'n': 1, 'l': [1]}")
        .await
        .unwrap();
    let out = run(
        &st,
        "UPDATE tbl SET n = n + 2 SET l = list_append(l, [2]) WHERE pk = 'a' AND n = 1 RETURNING ALL NEW *",
    )
    .await
    .unwrap();
    assert_eq!(
        out["Items"][0],
        json!({"pk": {"S": "a"}, "n": {"N": "3"}, "l": {"L": [{"N": "1"}, {"N": "2"}]}})
    );
    // The condition no longer holds.
    let c = map_ctx(st.clone());
    let body = json!({"Statement": "UPDATE tbl SET n = 9 WHERE pk = 'a' AND n = 1",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"});
    let e = dispatch(
        &c,
        Operation::ExecuteStatement,
        &serde_json::to_vec(&body).unwrap(),
    )
    .await
    .unwrap_err();
    let ApiError::ConditionalCheckFailed { item: Some(old) } = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        old["n"],
        crate::model::AttributeValue::N(crate::model::Number::parse("3").unwrap())
    );
    let out = run(
        &st,
        "UPDATE tbl REMOVE l SET s = set_add(s, <<'x'>>) WHERE pk = 'a' RETURNING MODIFIED OLD *",
    )
    .await
    .unwrap();
    assert_eq!(
        out["Items"],
        json!([{"l": {"L": [{"N": "1"}, {"N": "2"}]}}])
    );
    assert_eq!(
        run(&st, "UPDATE tbl SET pk = 'b' WHERE pk = 'a'").await.unwrap_err(),
        ApiError::validation(
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
        )
    );
    assert_eq!(
        run(&st, "UPDATE tbl SET n = 1 WHERE n = 3")
            .await
            .unwrap_err(),
        ApiError::validation(
            "Where clause does not contain a mandatory equality on all key attributes"
        )
    );
    assert_eq!(
        run(&st, "UPDATE rng SET n = 1 WHERE pk = 'a'")
            .await
            .unwrap_err(),
        ApiError::validation(
            "Where clause does not contain a mandatory equality on all key attributes"
        )
    );
}

#[tokio::test]
async fn delete_of_a_missing_item_is_a_no_op() {
    let st = Arc::new(Mutex::new(State::default()));
    let out = run(
        &st,
        "DELETE FROM tbl WHERE pk = 'a' AND x = 1 RETURNING ALL OLD *",
    )
    .await
    .unwrap();
    assert_eq!(out, json!({"Items": []}));
    run(&st, "INSERT INTO tbl VALUE {'pk': 'a', 'x': 2}")
        .await
        .unwrap();
    assert_eq!(
        run(&st, "DELETE FROM tbl WHERE pk = 'a' AND x = 1")
            .await
            .unwrap_err(),
        ApiError::ConditionalCheckFailed { item: None }
    );
    let out = run(
        &st,
        "DELETE FROM tbl WHERE pk = 'a' AND x = 2 RETURNING ALL OLD *",
    )
    .await
    .unwrap();
    assert_eq!(out["Items"], json!([{"pk": {"S": "a"}, "x": {"N": "2"}}]));
    assert_eq!(items(&st), 0);
    assert_eq!(
        run(&st, "DELETE FROM tbl WHERE pk = 'a' RETURNING ALL NEW *").await.unwrap_err(),
        ApiError::validation("Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.")
    );
}

#[tokio::test]
async fn parameters_and_their_count() {
    let st = Arc::new(Mutex::new(State::default()));
    let body = json!({"Statement": "INSERT INTO tbl VALUE {'pk': ?, 'v': ?}",
        "Parameters": [{"S": "p"}, {"SS": ["x"]}]});
    call(&st, Operation::ExecuteStatement, body).await.unwrap();
    assert_eq!(items(&st), 1);
    let body = json!({"Statement": "INSERT INTO tbl VALUE {'pk': ?}", "Parameters": [{"S": "p"}, {"S": "q"}]});
    assert_eq!(
        call(&st, Operation::ExecuteStatement, body)
            .await
            .unwrap_err(),
        ApiError::validation("Number of parameters in request and statement don't match.")
    );
    let body = json!({"Statement": "INSERT INTO tbl VALUE {'pk': ?}", "Parameters": [{"SS": []}]});
    assert_eq!(
        call(&st, Operation::ExecuteStatement, body)
            .await
            .unwrap_err(),
        ApiError::validation(
            "One or more parameter values were invalid: An string set  may not be empty"
        )
    );
    let body = json!({"Statement": "SELECT * FROM tbl", "Parameters": []});
    assert_eq!(
        call(&st, Operation::ExecuteStatement, body).await.unwrap_err(),
        ApiError::validation("1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1")
    );
}

#[tokio::test]
async fn statements_of_the_wrong_operation() {
    let st = Arc::new(Mutex::new(State::default()));
    assert_eq!(
        run(&st, "EXISTS(SELECT * FROM tbl WHERE pk = 'a' AND x = 1)")
            .await
            .unwrap_err(),
        ApiError::validation("EXISTS can only be used in ExecuteTransaction write requests.")
    );
    assert_eq!(
        run(&st, "UPDATE \"tbl\".\"idx\" SET a = 1 WHERE pk = 'a'")
            .await
            .unwrap_err(),
        ApiError::validation("This operation is not supported on an index")
    );
    assert_eq!(
        run(&st, "SELECT * FROM ab").await.unwrap_err(),
        ApiError::validation("Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.")
    );
}

#[tokio::test]
async fn batch_statements_fail_one_by_one() {
    let st = Arc::new(Mutex::new(State::default()));
    run(&st, "INSERT INTO tbl VALUE {'pk': 'dup'}")
        .await
        .unwrap();
    run(&st, "INSERT INTO tbl VALUE {'pk': 'other'}")
        .await
        .unwrap();
    let out = call(
        &st,
        Operation::BatchExecuteStatement,
        json!({"Statements": [
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'new'}"},
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'dup'}"},
            {"Statement": "UPDATE tbl SET a = 1 WHERE pk = 'absent'"},
            {"Statement": "DELETE FROM tbl WHERE pk = 'x' garbage"},
            {"Statement": "UPDATE tbl SET a = 1 WHERE pk = 'other' RETURNING ALL NEW *"}
        ]}),
    )
    .await
    .unwrap();
    let r = &out["Responses"];
    assert_eq!(r[0], json!({"TableName": "tbl"}));
    assert_eq!(
        r[1],
        json!({"TableName": "tbl", "Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}})
    );
    assert_eq!(r[2]["Error"]["Code"], "ConditionalCheckFailed");
    assert_eq!(
        r[3],
        json!({"Error": {"Code": "ValidationError", "Message": "Statement wasn't well formed, can't be processed: Unexpected token after expression"}})
    );
    assert_eq!(r[4]["Item"], json!({"pk": {"S": "other"}, "a": {"N": "1"}}));
    assert_eq!(items(&st), 3);

    let reads = call(
        &st,
        Operation::BatchExecuteStatement,
        json!({"Statements": [
            {"Statement": "SELECT a FROM tbl WHERE pk = 'other'"},
            {"Statement": "SELECT * FROM tbl WHERE pk = 'absent'"},
            {"Statement": "SELECT * FROM tbl WHERE pk = 'other' AND a = 1"}
        ]}),
    )
    .await
    .unwrap();
    let r = &reads["Responses"];
    assert_eq!(r[0], json!({"TableName": "tbl", "Item": {"a": {"N": "1"}}}));
    assert_eq!(r[1], json!({"TableName": "tbl"}));
    assert_eq!(
        r[2]["Error"]["Message"],
        "Select statements within BatchExecuteStatement must specify the primary key in the where clause."
    );
    let mixed = call(
        &st,
        Operation::BatchExecuteStatement,
        json!({"Statements": [
            {"Statement": "SELECT * FROM tbl WHERE pk = 'dup'"},
            {"Statement": "DELETE FROM tbl WHERE pk = 'dup'"}
        ]}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        mixed,
        ApiError::validation(
            "Read and write requests together in the same batch is not supported."
        )
    );
    let twice = call(
        &st,
        Operation::BatchExecuteStatement,
        json!({"Statements": [
            {"Statement": "DELETE FROM tbl WHERE pk = 'dup'"},
            {"Statement": "UPDATE tbl SET b = 1 WHERE pk = 'dup'"}
        ]}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        twice,
        ApiError::validation("Provided list of item keys contains duplicates")
    );
    assert_eq!(items(&st), 3);
}

#[tokio::test]
async fn transactions_are_all_or_nothing() {
    let st = Arc::new(Mutex::new(State::default()));
    run(&st, "INSERT INTO tbl VALUE {'pk': 'a', 'n': 1}")
        .await
        .unwrap();
    let e = call(
        &st,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'b'}"},
            {"Statement": "INSERT INTO tbl VALUE {'pk': 'a'}"},
            {"Statement": "EXISTS(SELECT * FROM rng WHERE pk = 'a' AND sk = 1 AND n = 2)"}
        ]}),
    )
    .await
    .unwrap_err();
    let ApiError::TransactionCanceled { message, reasons } = e else {
        panic!("{e:?}")
    };
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem, ConditionalCheckFailed]"
    );
    assert_eq!(
        reasons[1].message.as_deref(),
        Some("Duplicate primary key exists in table")
    );
    assert_eq!(items(&st), 1);

    let body = json!({"TransactStatements": [
        {"Statement": "INSERT INTO tbl VALUE {'pk': 'b'}"},
        {"Statement": "UPDATE tbl SET n = n + 1 WHERE pk = 'a'"},
        {"Statement": "EXISTS(SELECT * FROM rng WHERE pk = 'a' AND sk = 1 AND n = 2)"}
    ], "ClientRequestToken": "tok"});
    let e = call(&st, Operation::ExecuteTransaction, body.clone())
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::TransactionCanceled { .. }), "{e:?}");
    let mut body = body;
    body["TransactStatements"][2]["Statement"] =
        json!("EXISTS(SELECT * FROM tbl WHERE pk = 'a' AND n = 1)");
    // The EXISTS and the UPDATE of one item in one transaction.
    assert_eq!(
        call(&st, Operation::ExecuteTransaction, body.clone())
            .await
            .unwrap_err(),
        ApiError::validation("Transaction request cannot include multiple operations on one item")
    );
    body["TransactStatements"][2]["Statement"] = json!("DELETE FROM tbl WHERE pk = 'c'");
    let out = call(&st, Operation::ExecuteTransaction, body.clone())
        .await
        .unwrap();
    assert_eq!(out, json!({"Responses": []}));
    assert_eq!(items(&st), 2);
    // A replay with the same token changes nothing; other parameters are refused.
    call(&st, Operation::ExecuteTransaction, body.clone())
        .await
        .unwrap();
    body["TransactStatements"][2]["Statement"] = json!("DELETE FROM tbl WHERE pk = 'd'");
    let e = call(&st, Operation::ExecuteTransaction, body)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ApiError::IdempotentParameterMismatch(_)),
        "{e:?}"
    );

    let reads = call(
        &st,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [
            {"Statement": "SELECT n FROM tbl WHERE pk = 'a'"},
            {"Statement": "SELECT * FROM tbl WHERE pk = 'zz'"}
        ]}),
    )
    .await
    .unwrap();
    assert_eq!(
        reads,
        json!({"Responses": [{"Item": {"n": {"N": "2"}}}, {}]})
    );
    let e = call(
        &st,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [{"Statement": "SELECT * FROM tbl WHERE pk = 'a' AND n = 2"}]}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::validation("Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause.")
    );
    let e = call(
        &st,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [{"Statement": "EXISTS(SELECT * FROM tbl WHERE pk = 'a')"}]}),
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::validation("Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition")
    );
    let e = call(
        &st,
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [{"Statement": "INSERT INTO tbl VALUE {'x': 1}"}]}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ApiError::TransactionCanceled { reasons, .. } if reasons[0].code == "ValidationError"),
        "{e:?}"
    );
}

/// What the recording provider saw: action, resource, FullTableScan, EnclosingOperation,
/// LeadingKeys.
type Seen = (String, String, Option<bool>, Option<String>, Vec<String>);

#[tokio::test]
async fn statements_are_authorized_as_partiql_actions() {
    use crate::ops::multi_test_support::{map_store, two_tables};
    use crate::ops::test_support::{catalog_with, request_ctx, services, RecordingAuth};
    let state = Arc::new(Mutex::new(State::default()));
    let mut store = map_store(state.clone());
    store
        .expect_range()
        .returning(|_, _, _, _, _| Ok(crate::traits::item_store::Page::default()));
    let auth = Arc::new(RecordingAuth::default());
    let base = services(
        Arc::new(catalog_with(two_tables())),
        Arc::new(store),
        std::time::Duration::ZERO,
    );
    let svc = crate::services::Services::new(
        base.store.clone(),
        base.catalog.clone(),
        auth.clone(),
        "us-east-1",
    )
    .with_settings(base.settings.clone())
    .with_throttler(base.throttler.clone());
    let c = request_ctx(svc);
    let send = |op: Operation, body: Value| {
        let c = c.clone();
        async move {
            dispatch(&c, op, &serde_json::to_vec(&body).unwrap())
                .await
                .unwrap();
        }
    };
    send(
        Operation::ExecuteStatement,
        json!({"Statement": "INSERT INTO tbl VALUE {'pk': 'a'}"}),
    )
    .await;
    send(
        Operation::ExecuteStatement,
        json!({"Statement": "UPDATE tbl SET n = 1 WHERE pk = 'a'"}),
    )
    .await;
    send(
        Operation::ExecuteStatement,
        json!({"Statement": "SELECT * FROM tbl WHERE pk = 'a'"}),
    )
    .await;
    send(
        Operation::ExecuteStatement,
        json!({"Statement": "SELECT * FROM tbl WHERE n = 1"}),
    )
    .await;
    send(
        Operation::ExecuteStatement,
        json!({"Statement": "DELETE FROM tbl WHERE pk = 'z'"}),
    )
    .await;
    send(
        Operation::ExecuteTransaction,
        json!({"TransactStatements": [
            {"Statement": "EXISTS(SELECT * FROM tbl WHERE pk = 'a' AND n = 1)"},
            {"Statement": "INSERT INTO rng VALUE {'pk': 'b', 'sk': 1}"}
        ]}),
    )
    .await;
    let seen: Vec<Seen> = auth
        .asked()
        .into_iter()
        .map(|a| {
            let c = a.context;
            (
                a.action,
                a.resource,
                c.full_table_scan,
                c.enclosing_operation,
                c.leading_keys,
            )
        })
        .collect();
    let arn = |t: &str| format!("arn:aws:dynamodb:us-east-1:123456789012:table/{t}");
    let a = || vec!["a".to_string()];
    assert_eq!(
        seen[..5],
        [
            ("dynamodb:PartiQLInsert".into(), arn("tbl"), None, None, a()),
            ("dynamodb:PartiQLUpdate".into(), arn("tbl"), None, None, a()),
            (
                "dynamodb:PartiQLSelect".into(),
                arn("tbl"),
                Some(false),
                None,
                a()
            ),
            (
                "dynamodb:PartiQLSelect".into(),
                arn("tbl"),
                Some(true),
                None,
                vec![]
            ),
            (
                "dynamodb:PartiQLDelete".into(),
                arn("tbl"),
                None,
                None,
                vec!["z".to_string()]
            ),
        ]
    );
    assert_eq!(
        seen[5..],
        [
            (
                "dynamodb:PartiQLSelect".into(),
                arn("tbl"),
                None,
                Some("ExecuteTransaction".into()),
                a()
            ),
            (
                "dynamodb:PartiQLInsert".into(),
                arn("rng"),
                None,
                Some("ExecuteTransaction".into()),
                vec!["b".to_string()]
            ),
        ]
    );
}
