//! TagResource, UntagResource and ListTagsOfResource over mock catalogs: the order of the
//! checks, the table states that can be tagged, and what reaches `Catalog::update_tags`.

use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};
use crate::model::tags::{Tag, TagChange};
use crate::ops::control::list_tags_of_resource;
use crate::ops::table::table_description::test_support::{ctx, table};
use crate::ops::test_support::now_epoch;
use crate::ops::{dispatch, Operation};
use crate::traits::catalog::MockCatalog;
use crate::traits::item_store::MockItemStore;
use crate::traits::CatalogError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ARN: &str = "arn:aws:dynamodb:us-east-1:123456789012:table/Music";

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

fn catalog_with(def: Option<TableDefinition>) -> MockCatalog {
    let mut catalog = MockCatalog::new();
    catalog
        .expect_get_table()
        .returning(move |_, _| Ok(def.clone().map(Arc::new)));
    catalog
}

async fn call(catalog: MockCatalog, op: &str, body: &str) -> Result<Vec<u8>, ApiError> {
    let c = ctx(catalog, MockItemStore::new(), Duration::from_secs(60));
    let op = Operation::ALL
        .iter()
        .copied()
        .find(|o| o.name() == op)
        .expect("a known operation");
    dispatch(&c, op, body.as_bytes()).await
}

fn tag_body(tags: &str) -> String {
    format!(r#"{{"ResourceArn":"{ARN}","Tags":{tags}}}"#)
}

#[tokio::test]
async fn tag_resource_sends_the_checked_change_and_answers_nothing() {
    let mut catalog = catalog_with(Some(table("Music", TableStatus::Active, 0.0)));
    let seen: Arc<Mutex<Vec<TagChange>>> = Arc::default();
    let s = seen.clone();
    catalog
        .expect_update_tags()
        .withf(|account, name, _| account == "123456789012" && name == "Music")
        .times(1)
        .returning(move |_, _, change| {
            s.lock().unwrap().push(change.clone());
            Ok(change.set.clone())
        });
    let out = call(
        catalog,
        "TagResource",
        &tag_body(r#"[{"Key":"team","Value":"audio"},{"Key":"cost","Value":""}]"#),
    )
    .await
    .unwrap();
    assert!(out.is_empty());
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0],
        TagChange {
            table_id: "0f6a1c1e-7c55-4a8e-9d52-3d1f8f5e2b10".into(),
            set: vec![tag("team", "audio"), tag("cost", "")],
            remove: Vec::new(),
        }
    );
}

#[tokio::test]
async fn constraints_come_before_the_arn_and_the_arn_before_the_empty_list() {
    // No catalog call is expected: each is refused before the table is looked up.
    let err = |body: String| async move {
        call(MockCatalog::new(), "TagResource", &body)
            .await
            .unwrap_err()
    };
    assert_eq!(
        err(r#"{"Tags":[]}"#.into()).await,
        ApiError::Validation("Invalid TableArn".into())
    );
    let long = "k".repeat(129);
    assert_eq!(
        err(format!(r#"{{"ResourceArn":"bad","Tags":[{{"Key":"{long}","Value":"v"}}]}}"#)).await,
        ApiError::Validation(format!("1 validation error detected: Value '{long}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"))
    );
    assert_eq!(
        err(r#"{"ResourceArn":"bad"}"#.into()).await,
        ApiError::Validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null".into())
    );
    assert_eq!(
        err(r#"{"ResourceArn":"bad","Tags":[]}"#.into()).await,
        ApiError::Validation(
            "One or more parameter values were invalid: ARNs must start with 'arn:': bad".into()
        )
    );
    assert_eq!(
        err(tag_body("[]")).await,
        ApiError::Validation("Atleast one Tag needs to be provided as Input.".into())
    );
    assert_eq!(
        err(tag_body(r#"[{"Key":"aws:x","Value":"v"}]"#)).await,
        ApiError::Validation("One or more parameter values were invalid: Tag key 'aws:x' is reserved: keys beginning with 'aws:' are for AWS use".into())
    );
}

#[tokio::test]
async fn tables_being_created_or_deleted_or_missing_are_not_found() {
    let not_found = ApiError::ResourceNotFound(format!(
        "Requested resource not found: ResourceArn: {ARN} not found"
    ));
    for def in [
        None,
        Some(table("Music", TableStatus::Creating, now_epoch())),
        Some(table("Music", TableStatus::Deleting, now_epoch())),
    ] {
        let body = tag_body(r#"[{"Key":"k","Value":"v"}]"#);
        assert_eq!(
            call(catalog_with(def.clone()), "TagResource", &body)
                .await
                .unwrap_err(),
            not_found
        );
        let list = format!(r#"{{"ResourceArn":"{ARN}"}}"#);
        assert_eq!(
            call(catalog_with(def), "ListTagsOfResource", &list)
                .await
                .unwrap_err(),
            not_found
        );
    }
    // Deleted between the look-up and the change.
    let mut catalog = catalog_with(Some(table("Music", TableStatus::Active, 0.0)));
    catalog
        .expect_update_tags()
        .returning(|_, _, _| Err(CatalogError::NotFound));
    let body = format!(r#"{{"ResourceArn":"{ARN}","TagKeys":["k"]}}"#);
    assert_eq!(
        call(catalog, "UntagResource", &body).await.unwrap_err(),
        not_found
    );
}

#[tokio::test]
async fn too_many_tags_after_the_change_is_a_validation_error() {
    let mut catalog = catalog_with(Some(table("Music", TableStatus::Updating, now_epoch())));
    catalog
        .expect_update_tags()
        .returning(|_, _, _| Err(CatalogError::TooManyTags));
    assert_eq!(
        call(
            catalog,
            "TagResource",
            &tag_body(r#"[{"Key":"k","Value":"v"}]"#)
        )
        .await
        .unwrap_err(),
        ApiError::Validation(
            "One or more parameter values were invalid: A resource can have at most 50 tags".into()
        )
    );
}

#[tokio::test]
async fn untag_resource_checks_its_keys() {
    let err = |body: String| async move {
        call(MockCatalog::new(), "UntagResource", &body)
            .await
            .unwrap_err()
    };
    assert_eq!(
        err(format!(r#"{{"ResourceArn":"{ARN}"}}"#)).await,
        ApiError::Validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null".into())
    );
    assert_eq!(
        err(format!(r#"{{"ResourceArn":"{ARN}","TagKeys":[""]}}"#)).await,
        ApiError::Validation("1 validation error detected: Value '' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1".into())
    );
    assert_eq!(
        err(format!(r#"{{"ResourceArn":"{ARN}","TagKeys":[]}}"#)).await,
        ApiError::Validation("Atleast one Tag Key needs to be provided as Input.".into())
    );
    let mut catalog = catalog_with(Some(table("Music", TableStatus::Active, 0.0)));
    catalog
        .expect_update_tags()
        .withf(|_, _, change| change.set.is_empty() && change.remove == ["a", "zzz"])
        .times(1)
        .returning(|_, _, _| Ok(Vec::new()));
    let body = format!(r#"{{"ResourceArn":"{ARN}","TagKeys":["a","zzz"]}}"#);
    assert!(call(catalog, "UntagResource", &body)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn list_answers_every_tag_in_order_and_no_next_token() {
    let mut def = table("Music", TableStatus::Active, 0.0);
    def.tags = vec![tag("b", "2"), tag("a", "")];
    let body = format!(r#"{{"ResourceArn":"{ARN}","NextToken":"anything"}}"#);
    let out = call(catalog_with(Some(def.clone())), "ListTagsOfResource", &body)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": ""}]})
    );
    def.tags.clear();
    let c = ctx(
        catalog_with(Some(def)),
        MockItemStore::new(),
        Duration::ZERO,
    );
    let req = list_tags_of_resource::Request {
        resource_arn: Some(ARN.into()),
        next_token: None,
    };
    let out = list_tags_of_resource::execute(&c, req).await.unwrap();
    assert!(out.tags.is_empty());
}
