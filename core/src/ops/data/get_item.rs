//! GetItem: read one item by its key.
//!
//! With ProjectionExpression or AttributesToGet the item is decoded and projected (an item
//! with none of the named attributes is returned as an empty `Item`, as DynamoDB does).
//!
//! The hot path: without a projection the answer is written straight from the stored bytes
//! (`{"Item":` + stored item + `}`), with no decode and re-encode. The stored form is the
//! item's DynamoDB JSON (`StoredItem`'s invariant), so the splice is valid JSON.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::legacy;
use crate::expr::Projection;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::request::batch_common;
use crate::ops::request::capacity::{read_units, ConsumedCapacity, ReturnConsumedCapacity};
use crate::ops::request::capacity::{Units, READ_UNIT_BYTES};
use crate::ops::request::expression_params::{self, Expressions, Names};
use crate::ops::request::item_key;
use crate::ops::request::protocol;
use crate::ops::request::shapes::{Members, ModelChecked};
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::reads_for;
use crate::traits::Direction;
use crate::traits::StoredItem;
use serde::{Deserialize, Serialize};

/// GetItem's request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    /// TableName (required).
    pub table_name: Option<String>,
    /// Key (required): exactly the table's key attributes.
    pub key: Option<Item>,
    /// Strongly consistent read: from the primary store; without it the read may be served
    /// by a replica within its lag bound (`reads_for`), and costs half the units.
    pub consistent_read: Option<bool>,
    /// INDEXES | TOTAL | NONE.
    pub return_consumed_capacity: Option<String>,
    /// The attributes (document paths) to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the projection.
    pub expression_attribute_names: Option<Names>,
    /// Legacy projection: top-level attribute names to return.
    pub attributes_to_get: Option<Vec<String>>,
}

impl ModelChecked for Request {
    fn holds(&self, m: &Members) -> bool {
        m.string("TableName", self.table_name.as_deref())
            && m.present("Key", self.key.is_some())
            && m.string_list("AttributesToGet", self.attributes_to_get.as_deref())
            && m.string(
                "ReturnConsumedCapacity",
                self.return_consumed_capacity.as_deref(),
            )
            && m.names(
                "ExpressionAttributeNames",
                self.expression_attribute_names.as_ref(),
            )
    }
}

/// GetItem's response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    /// The item, if it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// With `ReturnConsumedCapacity` TOTAL or INDEXES.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// What a read found, before it is shaped into an answer.
struct Found {
    stored: Option<StoredItem>,
    consumed: Option<ConsumedCapacity>,
    projection: Option<Projection>,
}

/// Validates the request, looks the table up and reads the item.
async fn find(ctx: &Ctx, req: Request) -> Result<Found, ApiError> {
    let capacity = ReturnConsumedCapacity::parse(req.return_consumed_capacity.as_deref());
    // Both are present: the model's constraints (`shapes`) refused the request otherwise.
    let table_name = req.table_name.unwrap_or_default();
    let key = req.key.unwrap_or_default();

    expression_params::check_usage(
        &[("ProjectionExpression", req.projection_expression.is_some())],
        &[("AttributesToGet", req.attributes_to_get.is_some())],
        req.expression_attribute_names.is_some(),
        false,
    )?;
    validate::item_values(&key)?;
    let legacy = req
        .attributes_to_get
        .as_deref()
        .map(legacy::attributes_to_get)
        .transpose()?;
    let mut exprs = Expressions::new(req.expression_attribute_names.as_ref(), None)?;
    let projection = exprs.projection(req.projection_expression.as_deref())?;
    exprs.finish()?;
    let projection = projection.or(legacy);

    let def = lifecycle::for_data(ctx, &table_name).await?;
    let item_key = item_key::for_key(&def, &key)?;
    authorize::on_table(ctx, "dynamodb:GetItem", &def, || {
        let mut c = authorize::item_context(
            &def,
            &key,
            projection.as_ref().map(Projection::top_level_names),
            None,
            req.return_consumed_capacity.as_deref(),
        );
        c.select = projection
            .as_ref()
            .map(|_| "SPECIFIC_ATTRIBUTES".to_string());
        c
    })
    .await?;
    let claim = Ctx::claim(
        &def,
        None,
        Some(item_key::partition_of(&item_key.key)),
        Direction::Read,
    );
    let grant = ctx.admit(&claim)?;
    let consistent = req.consistent_read.unwrap_or(false);
    let stored = reads_for(ctx.store.as_ref(), consistent)
        .get(&item_key)
        .await?;
    let units = read_units(
        batch_common::size_for_units(stored.as_ref(), READ_UNIT_BYTES)?,
        consistent,
    );
    ctx.charge_grant(&claim, grant, &Units::table(units));
    Ok(Found {
        stored,
        consumed: capacity.report(&def.name, units),
        projection,
    })
}

/// Runs GetItem.
pub async fn execute(ctx: &Ctx, req: Request) -> Result<Response, ApiError> {
    let found = find(ctx, req).await?;
    let item = found.stored.map(|s| s.decode()).transpose()?;
    Ok(Response {
        item: match (item, &found.projection) {
            (Some(item), Some(p)) => Some(p.apply(&item)),
            (item, _) => item,
        },
        consumed_capacity: found.consumed,
    })
}

/// Decodes a GetItem body, runs it and writes the answer from the stored bytes.
pub async fn handle(ctx: &Ctx, body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let req: Request = protocol::checked_request(Operation::GetItem, body)?;
    let found = find(ctx, req).await?;
    if found.projection.is_some() {
        let item = found.stored.as_ref().map(StoredItem::decode).transpose()?;
        return protocol::encode(&Response {
            item: item
                .zip(found.projection.as_ref())
                .map(|(i, p)| p.apply(&i)),
            consumed_capacity: found.consumed,
        });
    }
    render(&found)
}

/// `{"Item":<stored bytes>,"ConsumedCapacity":{…}}`, each part only when present.
fn render(found: &Found) -> Result<Vec<u8>, ApiError> {
    let stored_len = found.stored.as_ref().map_or(0, |s| s.as_bytes().len());
    let mut out = Vec::with_capacity(stored_len + 96);
    out.push(b'{');
    if let Some(stored) = &found.stored {
        out.extend_from_slice(b"\"Item\":");
        out.extend_from_slice(stored.as_bytes());
    }
    if let Some(consumed) = &found.consumed {
        if found.stored.is_some() {
            out.push(b',');
        }
        out.extend_from_slice(b"\"ConsumedCapacity\":");
        out.extend_from_slice(&protocol::encode(consumed)?);
    }
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
#[path = "get_item_tests.rs"]
mod tests;
