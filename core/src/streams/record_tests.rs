use super::*;
use crate::model::table::StreamViewType as V;
use crate::ops::test_support::hash_table;
use crate::traits::ItemKey;
use serde_json::{json, Value};

fn item(v: Value) -> Item {
    serde_json::from_value(v).unwrap()
}

fn key() -> ItemKey {
    ItemKey {
        storage_id: 7,
        key: vec![1],
    }
}

fn render(
    old: Option<&Item>,
    new: Option<&Item>,
    view: V,
    by_service: bool,
) -> (Value, StoredRecordOwned) {
    let mut def = hash_table();
    def.key_schema.hash.name = "id".into();
    let k = key();
    let change = ItemChange {
        table: &def,
        key: &k,
        old,
        new,
        at: 1_700_000_000.25,
        by_service,
    };
    let stored = encode(&change, view).unwrap();
    let rec = StoredRecord::parse(&stored).unwrap();
    let mut out = Vec::new();
    rec.render(&mut out, 42, &event_id(9, 42), "us-east-1");
    (
        serde_json::from_slice(&out).unwrap(),
        StoredRecordOwned {
            event: rec.event,
            at_ms: rec.at_ms,
        },
    )
}

struct StoredRecordOwned {
    event: EventName,
    at_ms: u64,
}

fn aws_item() -> Item {
    item(json!({"id": {"S": "my-item-id"}, "attr1": {"S": "value1"}, "attr2": {"S": "value2"}}))
}

#[test]
fn insert_renders_as_aws_wrote_it_with_its_size() {
    let new = aws_item();
    let (v, rec) = render(None, Some(&new), V::NewAndOldImages, false);
    assert_eq!(rec.event, EventName::Insert);
    assert_eq!(rec.at_ms, 1_700_000_000_250);
    assert_eq!(
        v,
        json!({
            "awsRegion": "us-east-1",
            "eventID": event_id(9, 42),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "eventVersion": "1.1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_700_000_000u64,
                "Keys": {"id": {"S": "my-item-id"}},
                "NewImage": {"attr1": {"S": "value1"}, "attr2": {"S": "value2"}, "id": {"S": "my-item-id"}},
                "SequenceNumber": "100000000000000000042",
                // The size AWS reported for this record (LocalStack's recorded snapshot).
                "SizeBytes": 46,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            }
        })
    );
}

#[test]
fn modify_with_both_images_counts_both() {
    let old = aws_item();
    let new = aws_item();
    let (v, rec) = render(Some(&old), Some(&new), V::NewAndOldImages, false);
    assert_eq!(rec.event, EventName::Modify);
    assert_eq!(v["dynamodb"]["SizeBytes"], 80);
    assert!(v["dynamodb"]["OldImage"].is_object());
}

#[test]
fn images_follow_the_view_type() {
    let old = aws_item();
    let new = aws_item();
    for (view, has_new, has_old) in [
        (V::KeysOnly, false, false),
        (V::NewImage, true, false),
        (V::OldImage, false, true),
        (V::NewAndOldImages, true, true),
    ] {
        let (v, _) = render(Some(&old), Some(&new), view, false);
        let d = &v["dynamodb"];
        assert_eq!(d.get("NewImage").is_some(), has_new, "{view:?}");
        assert_eq!(d.get("OldImage").is_some(), has_old, "{view:?}");
        assert_eq!(d["StreamViewType"], view.as_str());
    }
    let (v, _) = render(None, Some(&new), V::KeysOnly, false);
    assert_eq!(v["dynamodb"]["SizeBytes"], 12);
}

#[test]
fn remove_by_the_service_names_it_in_user_identity() {
    let old = aws_item();
    let (v, rec) = render(Some(&old), None, V::NewAndOldImages, true);
    assert_eq!(rec.event, EventName::Remove);
    assert_eq!(v["eventName"], "REMOVE");
    assert!(v["dynamodb"].get("NewImage").is_none());
    assert_eq!(
        v["userIdentity"],
        json!({"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"})
    );
    let (v, _) = render(Some(&old), None, V::NewAndOldImages, false);
    assert!(v.get("userIdentity").is_none());
}

#[test]
fn malformed_records_are_refused() {
    assert!(StoredRecord::parse(b"").is_err());
    assert!(StoredRecord::parse(&[9; 20]).is_err());
    let mut bad = vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF];
    assert!(StoredRecord::parse(&bad).is_err());
    bad[1] = 7;
    assert!(StoredRecord::parse(&bad).is_err());
}

#[test]
fn event_ids_are_32_hex_digits_and_distinct() {
    let a = event_id(1, 1);
    assert_eq!(a.len(), 32);
    assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a, event_id(1, 2));
    assert_ne!(a, event_id(2, 1));
}
