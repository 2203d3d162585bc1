//! CreateTable: validates the request as DynamoDB does, stores the table in the catalog as
//! CREATING (ACTIVE at once when the control-plane delay is zero) and returns its description.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::model::table::{TableDefinition, TableStatus};
use crate::ops::authorize;
use crate::ops::background::table_reaper;
use crate::ops::request::protocol;
use crate::ops::request::tag_validation::checked_tags;
use crate::ops::table::create_table_validation::validate;
use crate::ops::table::table_description::{render, TableDescription};
use crate::ops::table::{lifecycle, stream_spec};
use crate::ops::Operation;
use crate::traits::{CatalogError, TableStats};
use serde::Serialize;

pub use crate::ops::request::table_input::{
    AttributeDefinitionInput, CreateTableRequest as Request, KeySchemaElementInput,
    OnDemandThroughputInput, ProvisionedThroughputInput, SseSpecification, StreamSpecification,
    Tag,
};

/// CreateTable's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The new table, always CREATING as DynamoDB answers (stored ACTIVE at once when
    /// transitions are immediate).
    pub table_description: TableDescription,
}

/// Creates the table `req` describes.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let valid = validate(&req)?;
    let tags = checked_tags(req.tags.as_deref().unwrap_or_default())?;
    authorize::on_table_name(ctx, "dynamodb:CreateTable", &valid.name).await?;
    if let Some(existing) = lifecycle::find(ctx, &valid.name).await? {
        return Err(already_exists(&existing));
    }
    if valid.stream.is_some() && !ctx.streams.supports_streams() {
        return Err(stream_spec::unsupported());
    }
    let storage_id = ctx.catalog.next_storage_id().await?;
    let now = ctx.now_epoch();
    let mut local_secondary_indexes = valid.local_secondary_indexes;
    let mut global_secondary_indexes = valid.global_secondary_indexes;
    for index in local_secondary_indexes
        .iter_mut()
        .chain(global_secondary_indexes.iter_mut())
    {
        index.storage_id = ctx.catalog.next_storage_id().await?;
        index.status_since = now;
    }
    let status = if ctx.control_plane_delay().is_zero() {
        TableStatus::Active
    } else {
        TableStatus::Creating
    };
    let log_id = match valid.stream {
        Some(_) => ctx.catalog.next_storage_id().await?,
        None => 0,
    };
    let mut def = TableDefinition {
        account_id: ctx.account_id().to_string(),
        region: ctx.region().to_string(),
        name: valid.name,
        table_id: uuid::Uuid::new_v4().to_string(),
        storage_id,
        key_schema: valid.key_schema,
        attribute_definitions: valid.attribute_definitions,
        billing_mode: valid.billing_mode,
        throughput: valid.throughput,
        status,
        created_at: now,
        status_since: now,
        deletion_protection: valid.deletion_protection,
        local_secondary_indexes,
        global_secondary_indexes,
        throughput_history: Default::default(),
        pay_per_request_since: None,
        time_to_live_attribute: None,
        tags,
        on_demand_throughput: valid.on_demand_throughput,
        stream: None,
        past_streams: Vec::new(),
        ttl: Default::default(),
        restore: None,
        pitr: None,
    };
    if let Some(view) = valid.stream {
        def.stream = Some(stream_spec::new_stream(&def, view, log_id, now));
        stream_spec::start_log(ctx, &def).await?;
    }
    let mut created = ctx.catalog.create_table(&def).await;
    if matches!(created, Err(CatalogError::AlreadyExists)) {
        // The name may still be held by a deleted table the reaper has not retired yet (its
        // DELETING delay has passed, so `find` saw no table): retire it now and try again.
        if let Some(stale) = ctx.catalog.get_table(ctx.account_id(), &def.name).await? {
            if stale.status == TableStatus::Deleting
                && lifecycle::due(ctx, stale.status_since, ctx.now_epoch())
            {
                table_reaper::retire(ctx, &stale).await?;
                created = ctx.catalog.create_table(&def).await;
            }
        }
    }
    match created {
        Ok(()) => {}
        // Another request created the name between our look-up and our insert.
        Err(CatalogError::AlreadyExists) => {
            return Err(ApiError::ResourceInUse(format!(
                "Table already exists: {}",
                def.name
            )))
        }
        Err(e) => return Err(e.into()),
    }
    // DynamoDB always answers CREATING, even where the table is usable at once.
    let mut answered = def;
    answered.status = TableStatus::Creating;
    Ok(Response {
        table_description: render(&answered, TableStats::default(), now),
    })
}

/// DynamoDB's ResourceInUseException for a name that is taken: a table still being created
/// answers differently from one that exists (ACTIVE, UPDATING, or DELETING but not yet gone).
fn already_exists(existing: &TableDefinition) -> ApiError {
    ApiError::ResourceInUse(match existing.status {
        TableStatus::Creating => format!(
            "Attempt to change a resource which is still in use: Table is being created: {}",
            existing.name
        ),
        _ => format!("Table already exists: {}", existing.name),
    })
}

/// Decodes a CreateTable body, runs it and encodes the answer.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::request(Operation::CreateTable, body)?;
    protocol::encode(&execute(ctx, req).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::{BillingMode, ScalarType};
    use crate::ops::table::table_description::test_support::{ctx, table};
    use crate::ops::test_support::now_epoch;
    use crate::traits::catalog::MockCatalog;
    use crate::traits::item_store::MockItemStore;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    const BODY: &str = r#"{
        "TableName": "Music",
        "AttributeDefinitions": [
            {"AttributeName": "Artist", "AttributeType": "S"},
            {"AttributeName": "Year", "AttributeType": "N"}
        ],
        "KeySchema": [
            {"AttributeName": "Artist", "KeyType": "HASH"},
            {"AttributeName": "Year", "KeyType": "RANGE"}
        ],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 10},
        "Tags": [{"Key": "team", "Value": "audio"}],
        "SSESpecification": {"Enabled": false},
        "StreamSpecification": {"StreamEnabled": false},
        "TableClass": "STANDARD",
        "DeletionProtectionEnabled": true
    }"#;

    /// A catalog that has no table, hands out storage id 9 and records what is created.
    fn empty_catalog(created: Arc<Mutex<Vec<TableDefinition>>>) -> MockCatalog {
        let mut catalog = MockCatalog::new();
        catalog.expect_get_table().returning(|_, _| Ok(None));
        catalog
            .expect_next_storage_id()
            .times(1)
            .returning(|| Ok(9));
        catalog
            .expect_create_table()
            .times(1)
            .returning(move |def| {
                created.lock().unwrap().push(def.clone());
                Ok(())
            });
        catalog
    }

    #[tokio::test]
    async fn creates_a_creating_table_and_describes_it() {
        let created = Arc::new(Mutex::new(Vec::new()));
        let c = ctx(
            empty_catalog(created.clone()),
            MockItemStore::new(),
            Duration::from_secs(5),
        );
        let before = now_epoch();
        let out = handle(&c, BODY.as_bytes()).await.unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let d = &json["TableDescription"];
        assert_eq!(d["TableName"], "Music");
        assert_eq!(d["TableStatus"], "CREATING");
        assert_eq!(
            d["TableArn"],
            "arn:aws:dynamodb:us-east-1:123456789012:table/Music"
        );
        assert_eq!(d["ProvisionedThroughput"]["ReadCapacityUnits"], 5);
        assert_eq!(d["ProvisionedThroughput"]["WriteCapacityUnits"], 10);
        assert_eq!(d["ItemCount"], 0);
        assert_eq!(d["TableSizeBytes"], 0);
        assert_eq!(d["DeletionProtectionEnabled"], true);
        assert!(d.get("BillingModeSummary").is_none());
        assert_eq!(
            d["KeySchema"],
            serde_json::json!([
                {"AttributeName": "Artist", "KeyType": "HASH"},
                {"AttributeName": "Year", "KeyType": "RANGE"}
            ])
        );
        let id = d["TableId"].as_str().unwrap();
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);

        let created = created.lock().unwrap();
        let def = &created[0];
        assert_eq!(def.storage_id, 9);
        assert_eq!(def.status, TableStatus::Creating);
        assert_eq!(def.table_id, id);
        assert!(def.status_since >= before && def.created_at == def.status_since);
        assert_eq!(d["CreationDateTime"].as_f64().unwrap(), def.created_at);
        assert_eq!(
            def.key_schema.range.as_ref().unwrap().attr_type,
            ScalarType::N
        );
        assert_eq!(def.billing_mode, BillingMode::Provisioned);
        assert!(def.deletion_protection);
    }

    #[tokio::test]
    async fn zero_delay_makes_an_active_on_demand_table() {
        let created = Arc::new(Mutex::new(Vec::new()));
        let c = ctx(
            empty_catalog(created.clone()),
            MockItemStore::new(),
            Duration::ZERO,
        );
        let req: Request = protocol::decode(
            br#"{"TableName":"t_1","BillingMode":"PAY_PER_REQUEST",
                 "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"B"}],
                 "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}"#,
        )
        .unwrap();
        let d = execute(&c, req).await.unwrap().table_description;
        assert_eq!(d.table_status, "CREATING");
        assert_eq!(d.provisioned_throughput.read_capacity_units, 0);
        let summary = d.billing_mode_summary.unwrap();
        assert_eq!(summary.billing_mode, "PAY_PER_REQUEST");
        assert_eq!(
            summary.last_update_to_pay_per_request_date_time,
            Some(d.creation_date_time)
        );
        assert!(!d.deletion_protection_enabled);
        let def = &created.lock().unwrap()[0];
        assert_eq!(def.status, TableStatus::Active);
        assert_eq!(def.key_schema.hash.attr_type, ScalarType::B);
        assert!(def.key_schema.range.is_none());
    }

    async fn create_over(existing: TableDefinition) -> ApiError {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_get_table()
            .returning(move |_, _| Ok(Some(Arc::new(existing.clone()))));
        catalog.expect_put_table().returning(|_| Ok(()));
        catalog.expect_create_table().never();
        let c = ctx(catalog, MockItemStore::new(), Duration::from_secs(5));
        handle(&c, BODY.replace("Music", "Taken").as_bytes())
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn existing_table_is_resource_in_use() {
        let active = table("Taken", TableStatus::Active, 0.0);
        assert_eq!(
            create_over(active).await,
            ApiError::ResourceInUse("Table already exists: Taken".into())
        );
        let deleting = table("Taken", TableStatus::Deleting, now_epoch());
        assert_eq!(
            create_over(deleting).await,
            ApiError::ResourceInUse("Table already exists: Taken".into())
        );
    }

    #[tokio::test]
    async fn table_being_created_is_in_use() {
        let creating = table("Taken", TableStatus::Creating, now_epoch());
        assert_eq!(
            create_over(creating).await,
            ApiError::ResourceInUse(
                "Attempt to change a resource which is still in use: Table is being created: Taken"
                    .into()
            )
        );
    }

    #[tokio::test]
    async fn lost_race_on_insert_is_resource_in_use() {
        let mut catalog = MockCatalog::new();
        catalog.expect_get_table().returning(|_, _| Ok(None));
        catalog.expect_next_storage_id().returning(|| Ok(1));
        catalog
            .expect_create_table()
            .returning(|_| Err(CatalogError::AlreadyExists));
        let c = ctx(catalog, MockItemStore::new(), Duration::from_secs(5));
        assert_eq!(
            handle(&c, BODY.as_bytes()).await.unwrap_err(),
            ApiError::ResourceInUse("Table already exists: Music".into())
        );
    }

    #[tokio::test]
    async fn invalid_request_touches_nothing() {
        let mut catalog = MockCatalog::new();
        catalog.expect_get_table().never();
        catalog.expect_create_table().never();
        let c = ctx(catalog, MockItemStore::new(), Duration::from_secs(5));
        let err = handle(&c, BODY.replace("Music", "ab").as_bytes())
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
        );
    }

    #[tokio::test]
    async fn wrong_json_type_is_a_serialization_error() {
        let c = ctx(MockCatalog::new(), MockItemStore::new(), Duration::ZERO);
        let err = handle(&c, br#"{"TableName": 5}"#).await.unwrap_err();
        assert_eq!(err.type_name(), "SerializationException");
    }
}
