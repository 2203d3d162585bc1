//! TransactWriteItems' actions: their wire shape, the checks each one passes before the
//! transaction (PutItem's, DeleteItem's and UpdateItem's rules and texts), and the compiled
//! form the decider runs.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::{Condition, ExpressionKind, UpdateExpression};
use crate::model::table::TableDefinition;
use crate::model::validate;
use crate::model::Item;
use crate::ops::authorize;
use crate::ops::change::ChangeWriter;
use crate::ops::index::index_maintenance;
use crate::ops::request::expression_params::{self, Expressions, Names, Values};
use crate::ops::request::item_key;
use crate::ops::table::lifecycle;
use crate::ops::Operation;
use crate::traits::AuthzContext;
use crate::traits::ItemKey;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One entry of `TransactItems`: exactly one member is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactWriteItem {
    /// Check a condition on an item without writing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_check: Option<ActionParams>,
    /// Create or replace an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put: Option<ActionParams>,
    /// Remove an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<ActionParams>,
    /// Change (or create) an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<ActionParams>,
}

/// The members of ConditionCheck, Put, Delete and Update (each uses its own subset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ActionParams {
    /// TableName (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// Key (ConditionCheck, Delete, Update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Item>,
    /// Item (Put).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// UpdateExpression (Update, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_expression: Option<String>,
    /// ConditionExpression (required for ConditionCheck).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition_expression: Option<String>,
    /// `#name` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression_attribute_names: Option<Names>,
    /// `:value` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression_attribute_values: Option<Values>,
    /// ALL_OLD | NONE: whether a failed condition's reason carries the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_values_on_condition_check_failure: Option<String>,
}

/// What an action does once its condition holds.
#[derive(Debug, Clone)]
pub enum Kind {
    /// Nothing: the condition is the action.
    Check,
    /// Write this item.
    Put(Item),
    /// Write this item if its key is free (PartiQL's INSERT): an existing item cancels the
    /// action with `DuplicateItem`.
    Insert(Item),
    /// Remove the item.
    Delete,
    /// Apply the update to the item (or to the bare key when absent).
    Update {
        /// The key attributes, the base of a new item.
        key: Item,
        /// The changes.
        update: UpdateExpression,
    },
}

/// An action checked and compiled, ready for the decider.
#[derive(Debug, Clone)]
pub struct Action {
    /// The table's name (for capacity reporting).
    pub table: String,
    /// Where the item lives.
    pub key: ItemKey,
    /// What to do.
    pub kind: Kind,
    /// The condition the item as it is must satisfy.
    pub condition: Option<Condition>,
    /// ReturnValuesOnConditionCheckFailure=ALL_OLD.
    pub old_on_failure: bool,
    /// The table (capacity claims, index key checks).
    pub def: Arc<TableDefinition>,
    /// The item's partition, for the throttler.
    pub partition: Vec<u8>,
    /// What the item's change adds: index entries, the stream record.
    pub changes: ChangeWriter,
}

/// The DynamoDB member name of an action kind, for constraint paths.
fn member(item: &TransactWriteItem) -> Option<(&'static str, &ActionParams)> {
    let set = [
        ("conditionCheck", item.condition_check.as_ref()),
        ("put", item.put.as_ref()),
        ("delete", item.delete.as_ref()),
        ("update", item.update.as_ref()),
    ];
    let mut present = set.into_iter().filter_map(|(n, p)| p.map(|p| (n, p)));
    match (present.next(), present.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Why an action did not compile.
#[derive(Debug)]
pub enum CompileError {
    /// The request is refused as a whole (ValidationException, ResourceNotFound, …).
    Request(ApiError),
    /// The action's item does not fit the table's key types: the transaction is cancelled
    /// with a `ValidationError` reason for this action.
    Item(ApiError),
}

impl From<ApiError> for CompileError {
    fn from(e: ApiError) -> Self {
        CompileError::Request(e)
    }
}

/// Checks one action's values and expressions and resolves its table and key.
pub async fn compile(ctx: &Ctx, item: TransactWriteItem) -> Result<Action, CompileError> {
    let Some((name, _)) = member(&item) else {
        return Err(ApiError::validation(
            "TransactItems can only contain one of Check, Put, Update or Delete",
        )
        .into());
    };
    let p = item
        .condition_check
        .or(item.put)
        .or(item.delete)
        .or(item.update)
        .unwrap_or_default();
    let mut exprs = vec![("ConditionExpression", p.condition_expression.is_some())];
    if name == "update" {
        exprs.insert(0, ("UpdateExpression", p.update_expression.is_some()));
    }
    expression_params::check_usage(
        &exprs,
        &[],
        p.expression_attribute_names.is_some(),
        p.expression_attribute_values.is_some(),
    )?;
    let values = p.item.as_ref().or(p.key.as_ref());
    if let Some(values) = values {
        validate::item_values(values)?;
    }
    if let Some(item) = &p.item {
        validate::item_size_limit(item)?;
    }
    let mut compiled = Expressions::new(
        p.expression_attribute_names.as_ref(),
        p.expression_attribute_values.as_ref(),
    )?;
    let update = compiled.update(p.update_expression.as_deref())?;
    let condition =
        compiled.condition(p.condition_expression.as_deref(), ExpressionKind::Condition)?;
    compiled.finish()?;

    let def = lifecycle::for_data(ctx, p.table_name.as_deref().unwrap_or_default()).await?;
    // The partition-key value for `dynamodb:LeadingKeys`, taken before the item moves.
    let leading = values
        .filter(|_| ctx.authorizes())
        .and_then(|v| v.get(&def.key_schema.hash.name))
        .map(authorize::leading_key);
    let (key, kind) = match (name, p.item, p.key, update) {
        ("put", Some(item), _, _) => {
            // A Put item whose key attribute has the wrong type: DynamoDB cancels the
            // transaction with a ValidationError reason for this action instead of refusing
            // the request.
            validate::item_key_types(&def.key_schema, &item).map_err(CompileError::Item)?;
            index_maintenance::check_item(&def, &item)?;
            (item_key::for_item(&def, &item)?, Kind::Put(item))
        }
        ("update", _, Some(key), Some(update)) => {
            let storage = item_key::for_key(&def, &key)?;
            update
                .check_key_attributes(def.key_schema.attributes().map(|a| a.name.as_str()))
                .map_err(|e| {
                    ApiError::validation(format!("One or more parameter values were invalid: {e}"))
                })?;
            (storage, Kind::Update { key, update })
        }
        ("delete", _, Some(key), _) => (item_key::for_key(&def, &key)?, Kind::Delete),
        (_, _, Some(key), _) => (item_key::for_key(&def, &key)?, Kind::Check),
        // The constraint checks refused a missing Item / Key / UpdateExpression already.
        _ => {
            return Err(ApiError::Internal("incomplete transaction action".into()).into());
        }
    };
    let action = match kind {
        Kind::Put(_) | Kind::Insert(_) => "dynamodb:PutItem",
        Kind::Update { .. } => "dynamodb:UpdateItem",
        Kind::Delete => "dynamodb:DeleteItem",
        Kind::Check => Operation::CONDITION_CHECK_ACTION,
    };
    authorize::on_table(ctx, action, &def, || AuthzContext {
        leading_keys: leading.into_iter().collect(),
        attributes: match &kind {
            Kind::Put(item) | Kind::Insert(item) => Some(item.keys().cloned().collect()),
            _ => None,
        },
        enclosing_operation: Some("TransactWriteItems".to_string()),
        ..AuthzContext::default()
    })
    .await?;
    let changes = ChangeWriter::for_table(ctx, &def);
    let partition = item_key::partition_of(&key.key).to_vec();
    Ok(Action {
        table: def.name.clone(),
        def,
        partition,
        changes,
        key,
        kind,
        condition,
        old_on_failure: expression_params::old_on_failure(
            p.return_values_on_condition_check_failure.as_deref(),
        ),
    })
}
