use super::*;
use crate::ops::control::describe_time_to_live;
use crate::ops::test_support::serve_updates;
use crate::ops::test_support::{catalog_with, ctx, hash_table, untouched_store};
use crate::traits::catalog::MockCatalog;
use crate::traits::WriteOp;

fn err(body: &str) -> String {
    let c = ctx(MockCatalog::new(), untouched_store());
    let e = futures_lite(handle(&c, body.as_bytes())).unwrap_err();
    format!("{}: {}", e.type_name(), e)
}

fn futures_lite<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn request_constraints_in_dynamodb_wording() {
    assert_eq!(
        err("{}"),
        "ValidationException: 2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        err(r#"{"TableName":"ab","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"e"}}"#),
        "ValidationException: 1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
    );
    assert_eq!(
        err(r#"{"TableName":"abc"}"#),
        "ValidationException: 1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        err(r#"{"TableName":"abc","TimeToLiveSpecification":{}}"#),
        "ValidationException: 2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null; Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        err(r#"{"TableName":"abc","TimeToLiveSpecification":{"Enabled":true,"AttributeName":""}}"#),
        "ValidationException: 1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let long = "x".repeat(256);
    assert_eq!(
        err(&format!(
            r#"{{"TableName":"a;c","TimeToLiveSpecification":{{"Enabled":true,"AttributeName":"{long}"}}}}"#
        )),
        format!("ValidationException: 2 validation errors detected: Value 'a;c' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '{long}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")
    );
    assert!(err(
        r#"{"TableName":"abc","TimeToLiveSpecification":{"Enabled":"dog","AttributeName":"e"}}"#
    )
    .starts_with("SerializationException"));
}

#[test]
fn changes_dynamodb_refuses() {
    assert_eq!(apply(None, true, "e").unwrap(), Some("e".to_string()));
    assert_eq!(apply(Some("e"), false, "e").unwrap(), None);
    assert_eq!(
        apply(Some("e"), true, "e").unwrap_err().to_string(),
        "TimeToLive is already enabled"
    );
    assert_eq!(
        apply(None, false, "e").unwrap_err().to_string(),
        "TimeToLive is already disabled"
    );
    for enabled in [true, false] {
        let e = apply(Some("e"), enabled, "other").unwrap_err();
        assert_eq!(e.type_name(), "ValidationException");
        assert_eq!(
            e.to_string(),
            "TimeToLive is active on a different AttributeName: current AttributeName is e"
        );
    }
}

#[tokio::test]
async fn missing_table_is_not_found() {
    let c = ctx(catalog_with(vec![]), untouched_store());
    let e = handle(
        &c,
        br#"{"TableName":"nope","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"e"}}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::ResourceNotFound("Requested resource not found: Table: nope not found".into())
    );
    let e = describe_time_to_live::handle(&c, br#"{"TableName":"nope"}"#)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        ApiError::ResourceNotFound("Requested resource not found: Table: nope not found".into())
    );
}

#[tokio::test]
async fn enabling_stores_the_attribute_and_echoes_the_specification() {
    let mut catalog = catalog_with(vec![hash_table()]);
    catalog
        .expect_next_storage_id()
        .times(1)
        .returning(|| Ok(41));
    let updates = serve_updates(&mut catalog, hash_table());
    let c = ctx(catalog, untouched_store());
    let out = handle(
        &c,
        br#"{"TableName":"tbl","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}"#,
    )
    .await
    .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}})
    );
    let updates = updates.lock().unwrap();
    assert_eq!(updates.len(), 1);
    let def = &updates[0];
    assert_eq!(def.time_to_live_attribute.as_deref(), Some("exp"));
    let index = def.ttl.index.as_ref().unwrap();
    assert_eq!((index.storage_id, index.attribute.as_str()), (41, "exp"));
    assert!(!index.backfilled);
    assert!(def.ttl.changed_at.is_some());
}

#[tokio::test]
async fn describe_reports_the_status() {
    let mut enabled = hash_table();
    enabled.time_to_live_attribute = Some("exp".into());
    let mut disabled = hash_table();
    disabled.name = "off".into();
    let c = ctx(catalog_with(vec![enabled, disabled]), untouched_store());
    let out = describe_time_to_live::handle(&c, br#"{"TableName":"tbl"}"#)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}})
    );
    let out = describe_time_to_live::handle(&c, br#"{"TableName":"off"}"#)
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out).unwrap(),
        serde_json::json!({"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}})
    );
}

#[test]
fn definitions_stored_before_ttl_load_with_ttl_disabled() {
    let mut json = serde_json::to_value(hash_table()).unwrap();
    json.as_object_mut()
        .unwrap()
        .remove("time_to_live_attribute")
        .unwrap();
    let def: crate::model::table::TableDefinition = serde_json::from_value(json).unwrap();
    assert_eq!(def.time_to_live_attribute, None);
    assert_eq!(def, hash_table());
}

#[test]
fn a_second_change_within_the_interval_is_refused() {
    assert!(check_interval(None, 100.0, 3600.0).is_ok());
    assert!(check_interval(Some(0.0), 3600.0, 3600.0).is_ok());
    assert_eq!(
        check_interval(Some(100.0), 3699.0, 3600.0).unwrap_err(),
        ApiError::validation(
            "Time to live has been modified multiple times within a fixed interval"
        )
    );
    assert!(check_interval(Some(100.0), 100.0, 0.0).is_ok());
}

#[tokio::test]
async fn disabling_within_the_hour_is_refused_and_after_it_drops_the_index() {
    let mut on = hash_table();
    on.time_to_live_attribute = Some("exp".into());
    on.ttl.index = Some(crate::model::table::TtlIndex {
        storage_id: 41,
        attribute: "exp".into(),
        backfilled: true,
        backfill_after: None,
        since: 0.0,
    });
    let body =
        br#"{"TableName":"tbl","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}"#;
    let now = crate::ops::test_support::now_epoch();
    on.ttl.changed_at = Some(now - 60.0);
    let mut catalog = catalog_with(vec![on.clone()]);
    let refused = serve_updates(&mut catalog, on.clone());
    let c = ctx(catalog, untouched_store());
    assert_eq!(
        handle(&c, body).await.unwrap_err(),
        ApiError::validation(
            "Time to live has been modified multiple times within a fixed interval"
        )
    );
    assert!(refused.lock().unwrap().is_empty());
    on.ttl.changed_at = Some(now - 3601.0);
    let mut catalog = catalog_with(vec![on.clone()]);
    let updates = serve_updates(&mut catalog, on);
    let mut store = crate::traits::item_store::MockItemStore::new();
    store.expect_eventual_reads().returning(|| None);
    store
        .expect_write_unconditional()
        .times(1)
        .withf(|w| matches!(w.as_slice(), [WriteOp::Put { key, .. }] if key.key.ends_with(&41u64.to_be_bytes())))
        .returning(|_| Ok(()));
    let c = ctx(catalog, store);
    handle(&c, body).await.unwrap();
    let updates = updates.lock().unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].time_to_live_attribute, None);
    assert_eq!(updates[0].ttl.index, None);
}

#[tokio::test]
async fn describe_shows_enabling_and_disabling_during_the_control_plane_delay() {
    let now = crate::ops::test_support::now_epoch();
    let mut on = hash_table();
    on.time_to_live_attribute = Some("exp".into());
    on.ttl.changed_at = Some(now);
    let mut off = hash_table();
    off.name = "off".into();
    off.ttl.changed_at = Some(now);
    let c = ctx(catalog_with(vec![on, off]), untouched_store());
    c.settings.apply("control_plane_delay_seconds", "60");
    let status = |out: Vec<u8>| {
        serde_json::from_slice::<serde_json::Value>(&out).unwrap()["TimeToLiveDescription"]
            ["TimeToLiveStatus"]
            .clone()
    };
    let out = describe_time_to_live::handle(&c, br#"{"TableName":"tbl"}"#)
        .await
        .unwrap();
    assert_eq!(status(out), "ENABLING");
    let out = describe_time_to_live::handle(&c, br#"{"TableName":"off"}"#)
        .await
        .unwrap();
    assert_eq!(status(out), "DISABLING");
    c.settings.apply("control_plane_delay_seconds", "0");
    let out = describe_time_to_live::handle(&c, br#"{"TableName":"tbl"}"#)
        .await
        .unwrap();
    assert_eq!(status(out), "ENABLED");
}
