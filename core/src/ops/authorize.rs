//! The authorization gate as operations call it: the resource ARN of a table or index and the
//! DynamoDB condition keys (`dynamodb:LeadingKeys`, `dynamodb:Attributes`, …) of the request,
//! built only when the auth provider evaluates them: not at all under a provider that allows
//! everything, and empty when the provider's policies for the caller read none of them
//! (`AuthProvider::reads_request_keys`).

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::TableDefinition;
use crate::model::{AttributeValue, Item};
use crate::traits::AuthzContext;
use base64::Engine;

/// A partition-key value as `dynamodb:LeadingKeys` holds it: strings as they are, numbers in
/// their normalized text, binary in base64.
pub fn leading_key(value: &AttributeValue) -> String {
    match value {
        AttributeValue::S(s) => s.clone(),
        AttributeValue::N(n) => n.to_string(),
        AttributeValue::B(b) => base64::engine::general_purpose::STANDARD.encode(b),
        other => format!("{other:?}"),
    }
}

/// Authorizes `action` on the table `def` (its ARN, its tags as `aws:ResourceTag/*`) with the
/// condition keys `context` builds; `context` runs only when the provider needs it.
pub async fn on_table(
    ctx: &Ctx,
    action: &str,
    def: &TableDefinition,
    context: impl FnOnce() -> AuthzContext,
) -> Result<(), ApiError> {
    if !ctx.authorizes() {
        return Ok(());
    }
    let c = table_context(ctx, def, context);
    ctx.authorize(action, &def.arn(), &c).await
}

/// Authorizes `action` on the index `index` of `def` (`…/index/<name>`).
pub async fn on_index(
    ctx: &Ctx,
    action: &str,
    def: &TableDefinition,
    index: &str,
    context: impl FnOnce() -> AuthzContext,
) -> Result<(), ApiError> {
    if !ctx.authorizes() {
        return Ok(());
    }
    let c = table_context(ctx, def, context);
    ctx.authorize(action, &def.index_arn(index), &c).await
}

/// Authorizes `action` on a table that need not exist (CreateTable, DescribeTable of a
/// missing table): the ARN is built from the caller's account, the region and `name`.
pub async fn on_table_name(ctx: &Ctx, action: &str, name: &str) -> Result<(), ApiError> {
    if !ctx.authorizes() {
        return Ok(());
    }
    let arn = format!(
        "arn:aws:dynamodb:{}:{}:table/{name}",
        ctx.region(),
        ctx.account_id()
    );
    ctx.authorize(action, &arn, &AuthzContext::default()).await
}

/// Authorizes `action` on the table `name` as looked up: on its definition (with its tags)
/// when it exists, else on the ARN the name would have — so a caller without the permission
/// learns nothing of whether the table exists.
pub async fn on_lookup(
    ctx: &Ctx,
    action: &str,
    name: &str,
    found: Option<&TableDefinition>,
) -> Result<(), ApiError> {
    match found {
        Some(def) => on_table(ctx, action, def, AuthzContext::default).await,
        None => on_table_name(ctx, action, name).await,
    }
}

/// Authorizes a DynamoDB Streams action on the stream ARN `arn` as given, with the tags of
/// its table when the table exists (so a caller without the permission learns nothing of
/// whether it does).
pub async fn on_stream(
    ctx: &Ctx,
    action: &str,
    arn: &str,
    table: Option<&TableDefinition>,
) -> Result<(), ApiError> {
    if !ctx.authorizes() {
        return Ok(());
    }
    let c = match table {
        Some(def) if ctx.reads_request_keys() => AuthzContext {
            resource_tags: tags_of(def),
            ..AuthzContext::default()
        },
        _ => AuthzContext::default(),
    };
    ctx.authorize(action, arn, &c).await
}

/// Authorizes an account-wide action (ListTables, DescribeEndpoints): resource `*`.
pub async fn on_account(ctx: &Ctx, action: &str) -> Result<(), ApiError> {
    if !ctx.authorizes() {
        return Ok(());
    }
    ctx.authorize(action, "*", &AuthzContext::default()).await
}

/// The condition keys of a one-item request on `def`: `LeadingKeys` from the partition-key
/// value in `key_source` (the item or its key), `Attributes` when the request names them,
/// `ReturnValues` and `ReturnConsumedCapacity` as sent.
pub fn item_context(
    def: &TableDefinition,
    key_source: &Item,
    attributes: Option<Vec<String>>,
    return_values: Option<&str>,
    return_consumed_capacity: Option<&str>,
) -> AuthzContext {
    AuthzContext {
        leading_keys: key_source
            .get(&def.key_schema.hash.name)
            .map(leading_key)
            .into_iter()
            .collect(),
        attributes,
        return_values: return_values.map(str::to_string),
        return_consumed_capacity: return_consumed_capacity.map(str::to_string),
        ..AuthzContext::default()
    }
}

/// The context `context` builds with the tags of `def`, or an empty one when the provider
/// reads neither for this caller.
fn table_context(
    ctx: &Ctx,
    def: &TableDefinition,
    context: impl FnOnce() -> AuthzContext,
) -> AuthzContext {
    if !ctx.reads_request_keys() {
        return AuthzContext::default();
    }
    let mut c = context();
    c.resource_tags = tags_of(def);
    c
}

fn tags_of(def: &TableDefinition) -> Vec<(String, String)> {
    def.tags
        .iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Number;

    #[test]
    fn leading_keys_are_text() {
        assert_eq!(leading_key(&AttributeValue::S("a b".into())), "a b");
        assert_eq!(
            leading_key(&AttributeValue::N(Number::parse("1.50").unwrap())),
            "1.5"
        );
        assert_eq!(leading_key(&AttributeValue::B(vec![0, 1, 2])), "AAEC");
    }

    #[tokio::test]
    async fn contexts_are_built_only_for_a_provider_that_reads_them() {
        use crate::model::tags::Tag;
        use crate::ops::test_support::{hash_table, item, request_ctx, RecordingAuth};
        use crate::traits::catalog::MockCatalog;
        use crate::traits::item_store::MockItemStore;
        let mut def = hash_table();
        def.tags = vec![Tag {
            key: "team".into(),
            value: "blue".into(),
        }];
        let key = item(r#"{"pk":{"S":"alice"}}"#);
        for reads in [true, false] {
            let recorder = std::sync::Arc::new(RecordingAuth::reading(reads));
            let services = crate::services::Services::new(
                std::sync::Arc::new(MockItemStore::new()),
                std::sync::Arc::new(MockCatalog::new()),
                recorder.clone(),
                "us-east-1",
            );
            let ctx = request_ctx(services);
            let built = || item_context(&def, &key, None, Some("ALL_OLD"), None);
            on_table(&ctx, "dynamodb:PutItem", &def, built)
                .await
                .unwrap();
            on_index(&ctx, "dynamodb:Query", &def, "i", built)
                .await
                .unwrap();
            on_stream(&ctx, "dynamodb:GetRecords", "arn", Some(&def))
                .await
                .unwrap();
            let seen: Vec<AuthzContext> = recorder.asked().into_iter().map(|a| a.context).collect();
            let tags = vec![("team".to_string(), "blue".to_string())];
            let full = AuthzContext {
                leading_keys: vec!["alice".into()],
                return_values: Some("ALL_OLD".into()),
                resource_tags: tags.clone(),
                ..AuthzContext::default()
            };
            let want = if reads {
                vec![
                    full.clone(),
                    full,
                    AuthzContext {
                        resource_tags: tags,
                        ..AuthzContext::default()
                    },
                ]
            } else {
                vec![AuthzContext::default(); 3]
            };
            assert_eq!(seen, want, "reads {reads}");
        }
    }

    #[test]
    fn table_index_and_stream_arns() {
        use crate::model::table::TableStatus;
        use crate::ops::table::table_description::test_support::table;
        let def = table("Music", TableStatus::Active, 0.0);
        let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/Music";
        assert_eq!(def.arn(), arn);
        assert_eq!(
            def.arn().capacity(),
            arn.len(),
            "one allocation of the exact size"
        );
        assert_eq!(def.index_arn("byYear"), format!("{arn}/index/byYear"));
        assert_eq!(def.stream_arn_of("L"), format!("{arn}/stream/L"));
    }
}
