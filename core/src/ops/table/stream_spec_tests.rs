use super::*;
use crate::ops::test_support::hash_table;

fn spec(enabled: Option<bool>, view: Option<&str>) -> StreamSpecification {
    StreamSpecification {
        stream_enabled: enabled,
        stream_view_type: view.map(str::to_string),
    }
}

fn message(e: ApiError) -> String {
    match e {
        ApiError::Validation(m) => m,
        other => panic!("{other:?}"),
    }
}

#[test]
fn member_constraints_name_the_members() {
    let mut c = Constraints::new();
    constraints(&mut c, &spec(None, Some("Fisk")));
    assert_eq!(
        message(c.finish().unwrap_err()),
        "2 validation errors detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null; \
         Value 'Fisk' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"
    );
}

#[test]
fn create_wants_a_view_type_exactly_when_enabled() {
    assert_eq!(for_create(None).unwrap(), None);
    assert_eq!(for_create(Some(&spec(Some(false), None))).unwrap(), None);
    assert_eq!(
        for_create(Some(&spec(Some(true), Some("KEYS_ONLY")))).unwrap(),
        Some(StreamViewType::KeysOnly)
    );
    assert_eq!(
        message(for_create(Some(&spec(Some(true), None))).unwrap_err()),
        "One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required"
    );
    assert_eq!(
        message(for_create(Some(&spec(Some(false), Some("NEW_IMAGE")))).unwrap_err()),
        "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified"
    );
}

#[test]
fn update_enables_disables_and_refuses_as_dynamodb() {
    let mut def = hash_table();
    assert_eq!(
        message(for_update(&spec(Some(true), None)).unwrap_err()),
        "One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required"
    );
    assert_eq!(
        message(for_update(&spec(Some(false), Some("KEYS_ONLY"))).unwrap_err()),
        "One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified"
    );
    assert_eq!(
        message(apply(&mut def, StreamChange::Disable, 0, 10.0).unwrap_err()),
        "Table has no stream to disable: TableName: tbl"
    );
    let enable = for_update(&spec(Some(true), Some("NEW_IMAGE"))).unwrap();
    apply(&mut def, enable, 50, 10.0).unwrap();
    let first = def.stream.clone().unwrap();
    assert_eq!(
        (first.log_id, first.label.as_str()),
        (50, "1970-01-01T00:00:10.000")
    );
    // Same or another view type: refused while enabled.
    for view in [StreamViewType::NewImage, StreamViewType::OldImage] {
        assert_eq!(
            message(apply(&mut def, StreamChange::Enable(view), 51, 11.0).unwrap_err()),
            "Table already has an enabled stream: TableName: tbl"
        );
    }
    assert_eq!(def.stream.as_ref(), Some(&first));
    apply(&mut def, StreamChange::Disable, 0, 10.0).unwrap();
    assert!(def.stream.is_none());
    assert_eq!(def.past_streams.len(), 1);
    // Re-enabled within the same millisecond: a label of its own.
    apply(
        &mut def,
        StreamChange::Enable(StreamViewType::KeysOnly),
        52,
        10.0,
    )
    .unwrap();
    let second = def.stream.clone().unwrap();
    assert_eq!(second.label, "1970-01-01T00:00:10.001");
    assert_eq!(def.all_streams().count(), 2);
}

#[test]
fn the_description_shows_the_latest_stream() {
    let mut def = hash_table();
    assert_eq!(describe(&def), (None, None, None));
    apply(
        &mut def,
        StreamChange::Enable(StreamViewType::KeysOnly),
        5,
        1.0,
    )
    .unwrap();
    let (spec, arn, label) = describe(&def);
    assert_eq!(
        spec,
        Some(StreamSpecificationDescription {
            stream_enabled: true,
            stream_view_type: Some("KEYS_ONLY")
        })
    );
    assert_eq!(
        arn.as_deref(),
        Some("arn:aws:dynamodb:us-east-1:123456789012:table/tbl/stream/1970-01-01T00:00:01.000")
    );
    assert_eq!(label.as_deref(), Some("1970-01-01T00:00:01.000"));
    apply(&mut def, StreamChange::Disable, 0, 2.0).unwrap();
    let (spec, arn2, _) = describe(&def);
    assert_eq!(
        spec.map(|s| (s.stream_enabled, s.stream_view_type)),
        Some((false, None))
    );
    assert_eq!(arn2, arn);
}
