//! A parsed statement checked against its table and turned into what runs: a read of a key
//! range or a scan (SELECT), a read of one item (SELECT in a batch or transaction), or one
//! item write (INSERT, UPDATE, DELETE, EXISTS) as a transaction `Action` — the same unit
//! TransactWriteItems runs, so conditions, updates, index entries and stream records are
//! core's.
//!
//! The implied conditions are DynamoDB's: an INSERT needs the key to be free
//! (DuplicateItemException), an UPDATE needs the item to exist (ConditionalCheckFailed), a
//! DELETE of a missing item does nothing, an EXISTS needs the item and its condition.

use super::ast::{Returning, Select, Source, Statement};
use super::condition::{condition, doc_path};
use super::error::invalid;
use super::keys::{self, Access};
use super::parser::Parsed;
use super::update::update;
use super::values;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::{Condition, DocPath};
use crate::model::table::{KeyAttribute, TableDefinition};
use crate::model::{validate, AttributeValue, Item};
use crate::ops::change::ChangeWriter;
use crate::ops::index::{index_maintenance, index_read};
use crate::ops::request::item_key;
use crate::ops::table::lifecycle;
use crate::ops::transaction::actions::{Action, Kind};
use std::sync::Arc;

/// Where a statement runs: its rules differ a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// ExecuteStatement.
    Single,
    /// BatchExecuteStatement.
    Batch,
    /// ExecuteTransaction.
    Transaction,
}

/// A SELECT that reads a range or scans.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    /// The table.
    pub def: Arc<TableDefinition>,
    /// The index read, with whether it is global.
    pub index: Option<(String, bool)>,
    /// Partitions or a scan.
    pub access: Access,
    /// The whole WHERE clause, applied to every item read.
    pub filter: Option<Condition>,
    /// The projected paths (`None`: `*`).
    pub projection: Option<Vec<DocPath>>,
    /// Sort-key order ascending (ORDER BY … DESC makes it false).
    pub forward: bool,
}

/// A SELECT of one item by its key (batches and transactions).
#[derive(Debug, Clone)]
pub struct GetPlan {
    /// The table.
    pub def: Arc<TableDefinition>,
    /// The item's key attributes.
    pub key: Item,
    /// Where it is stored.
    pub storage_key: crate::traits::ItemKey,
    /// The projected paths (`None`: `*`).
    pub projection: Option<Vec<DocPath>>,
}

/// A write (or EXISTS check) of one item.
#[derive(Debug, Clone)]
pub struct WritePlan {
    /// The action the transaction decider runs.
    pub action: Action,
    /// The item's key attributes (IAM's LeadingKeys, batch duplicate checks).
    pub key: Item,
    /// RETURNING.
    pub returning: Option<Returning>,
    /// The IAM action: `dynamodb:PartiQLInsert`, `…Update`, `…Delete` or `…Select` (EXISTS).
    pub iam_action: &'static str,
}

/// What a statement runs as.
#[derive(Debug, Clone)]
pub enum Plan {
    /// A SELECT over a range or the whole table or index.
    Read(ReadPlan),
    /// A SELECT of one item.
    Get(GetPlan),
    /// INSERT, UPDATE, DELETE or EXISTS.
    Write(WritePlan),
}

const BATCH_SELECT: &str =
    "Select statements within BatchExecuteStatement must specify the primary key in the where clause.";
const TRANSACTION_SELECT: &str =
    "Select statements within ExecuteTransaction must specify the primary key in the where clause.";
const EXISTS_ONLY_IN_TRANSACTIONS: &str =
    "EXISTS can only be used in ExecuteTransaction write requests.";
const EXISTS_RULE: &str = "EXISTS() must contain a single item read with additional condition";
const MULTI_ATTRIBUTE: &str = "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys.";

/// Checks a table name as DynamoDB's PartiQL does.
fn check_table_name(name: &str) -> Result<(), ApiError> {
    let ok = (3..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.",
        ))
    }
}

async fn table(ctx: &Ctx, source: &Source) -> Result<Arc<TableDefinition>, ApiError> {
    check_table_name(&source.table)?;
    lifecycle::for_data(ctx, &source.table).await
}

fn no_index(source: &Source) -> Result<(), ApiError> {
    match source.index {
        Some(_) => Err(invalid("This operation is not supported on an index")),
        None => Ok(()),
    }
}

/// Plans `parsed` with the request's `params` for `purpose`.
pub async fn plan(
    ctx: &Ctx,
    parsed: &Parsed,
    params: &[AttributeValue],
    purpose: Purpose,
) -> Result<Plan, ApiError> {
    if params.len() != parsed.parameters {
        return Err(invalid(super::error::PARAMETER_COUNT));
    }
    match &parsed.statement {
        Statement::Select(s) => match purpose {
            Purpose::Single => read(ctx, s, params).await.map(Plan::Read),
            Purpose::Batch => get(ctx, s, params, BATCH_SELECT).await.map(Plan::Get),
            Purpose::Transaction => {
                if s.source.index.is_some() {
                    return Err(invalid(
                        "Reads on indices are not supported within transactions.",
                    ));
                }
                get(ctx, s, params, TRANSACTION_SELECT).await.map(Plan::Get)
            }
        },
        Statement::Exists(s) => {
            if purpose != Purpose::Transaction {
                return Err(invalid(EXISTS_ONLY_IN_TRANSACTIONS));
            }
            if s.source.index.is_some() {
                return Err(invalid(
                    "Operations on indices are not supported in transactions",
                ));
            }
            let def = table(ctx, &s.source).await?;
            let filter = s
                .filter
                .as_ref()
                .map(|f| condition(f, params))
                .transpose()?;
            let (key, rest) =
                keys::single_item(&def.key_schema, filter).map_err(|_| invalid(EXISTS_RULE))?;
            let rest = rest.ok_or_else(|| invalid(EXISTS_RULE))?;
            let cond = exists_and(&def, rest);
            write(
                ctx,
                def,
                key,
                Kind::Check,
                Some(cond),
                None,
                "dynamodb:PartiQLSelect",
            )
        }
        Statement::Insert(i) => {
            no_index(&i.source)?;
            let def = table(ctx, &i.source).await?;
            let item = values::item(&i.value, params)?;
            validate::item_values(&item)?;
            for k in def.key_schema.attributes() {
                match item.get(&k.name) {
                    Some(v) => keys::check_key_type(k, v)?,
                    None => {
                        return Err(invalid(format!(
                            "Key attribute should be present in the item: Key {}",
                            k.name
                        )))
                    }
                }
            }
            validate::item_size_limit(&item)?;
            index_maintenance::check_item(&def, &item)?;
            let key = crate::ops::request::read_page::key_of(&item, &def.key_schema);
            write(
                ctx,
                def,
                key,
                Kind::Insert(item),
                None,
                None,
                "dynamodb:PartiQLInsert",
            )
        }
        Statement::Update(u) => {
            no_index(&u.source)?;
            let def = table(ctx, &u.source).await?;
            let filter = u
                .filter
                .as_ref()
                .map(|f| condition(f, params))
                .transpose()?;
            let changes = update(&u.actions, params)?;
            let (key, rest) = keys::single_item(&def.key_schema, filter)?;
            changes
                .check_key_attributes(def.key_schema.attributes().map(|a| a.name.as_str()))
                .map_err(|e| invalid(format!("One or more parameter values were invalid: {e}")))?;
            let cond = match rest {
                Some(r) => exists_and(&def, r),
                None => exists(&def),
            };
            let kind = Kind::Update {
                key: key.clone(),
                update: changes,
            };
            write(
                ctx,
                def,
                key,
                kind,
                Some(cond),
                u.returning,
                "dynamodb:PartiQLUpdate",
            )
        }
        Statement::Delete(d) => {
            no_index(&d.source)?;
            if let Some(r) = d.returning.filter(|r| *r != Returning::AllOld) {
                return Err(invalid(format!(
                    "Invalid returning clause: RETURNING {}. Only RETURNING ALL OLD * is allowed in DELETE statements.",
                    r.text()
                )));
            }
            let def = table(ctx, &d.source).await?;
            let filter = d
                .filter
                .as_ref()
                .map(|f| condition(f, params))
                .transpose()?;
            let (key, rest) = keys::single_item(&def.key_schema, filter)?;
            // A missing item is deleted without its condition being checked.
            let cond = rest.map(|r| {
                Condition::Or(
                    Box::new(Condition::AttributeNotExists(hash_path(&def))),
                    Box::new(r),
                )
            });
            write(
                ctx,
                def,
                key,
                Kind::Delete,
                cond,
                d.returning,
                "dynamodb:PartiQLDelete",
            )
        }
    }
}

fn hash_path(def: &TableDefinition) -> DocPath {
    DocPath::attribute(def.key_schema.hash.name.clone())
}

fn exists(def: &TableDefinition) -> Condition {
    Condition::AttributeExists(hash_path(def))
}

fn exists_and(def: &TableDefinition, rest: Condition) -> Condition {
    Condition::And(Box::new(exists(def)), Box::new(rest))
}

fn write(
    ctx: &Ctx,
    def: Arc<TableDefinition>,
    key: Item,
    kind: Kind,
    condition: Option<Condition>,
    returning: Option<Returning>,
    iam_action: &'static str,
) -> Result<Plan, ApiError> {
    let storage_key = item_key::for_key(&def, &key)?;
    let partition = item_key::partition_of(&storage_key.key).to_vec();
    Ok(Plan::Write(WritePlan {
        action: Action {
            table: def.name.clone(),
            key: storage_key,
            kind,
            condition,
            old_on_failure: false,
            changes: ChangeWriter::for_table(ctx, &def),
            partition,
            def,
        },
        key,
        returning,
        iam_action,
    }))
}

fn projection(s: &Select) -> Result<Option<Vec<DocPath>>, ApiError> {
    s.projection
        .as_ref()
        .map(|paths| paths.iter().map(doc_path).collect())
        .transpose()
}

async fn get(
    ctx: &Ctx,
    s: &Select,
    params: &[AttributeValue],
    rule: &'static str,
) -> Result<GetPlan, ApiError> {
    if s.source.index.is_some() {
        return Err(invalid(rule));
    }
    let def = table(ctx, &s.source).await?;
    let filter = s
        .filter
        .as_ref()
        .map(|f| condition(f, params))
        .transpose()?;
    let (key, rest) = keys::single_item(&def.key_schema, filter).map_err(|_| invalid(rule))?;
    if rest.is_some() {
        return Err(invalid(rule));
    }
    let storage_key = item_key::for_key(&def, &key)?;
    Ok(GetPlan {
        projection: projection(s)?,
        def,
        key,
        storage_key,
    })
}

fn one_key(keys: &[KeyAttribute]) -> Result<Option<&KeyAttribute>, ApiError> {
    match keys {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(invalid(MULTI_ATTRIBUTE)),
    }
}

async fn read(ctx: &Ctx, s: &Select, params: &[AttributeValue]) -> Result<ReadPlan, ApiError> {
    let def = table(ctx, &s.source).await?;
    let filter = s
        .filter
        .as_ref()
        .map(|f| condition(f, params))
        .transpose()?;
    let projection = projection(s)?;
    let (hash, range, index) = match &s.source.index {
        Some(name) => {
            let (index, global) = index_read::resolve(&def, name)?;
            let hash = one_key(&index.hash)?.ok_or_else(|| invalid(MULTI_ATTRIBUTE))?;
            let range = one_key(&index.range)?;
            (
                hash.clone(),
                range.cloned(),
                Some((index.name.clone(), global)),
            )
        }
        None => (
            def.key_schema.hash.clone(),
            def.key_schema.range.clone(),
            None,
        ),
    };
    let mut access = keys::access(&hash, range.as_ref(), filter.as_ref())?;
    let mut forward = true;
    if !s.order_by.is_empty() {
        if s.filter.is_none() {
            return Err(invalid(
                "Must have WHERE clause in the statement when using ORDER BY clause.",
            ));
        }
        if access == Access::Scan {
            return Err(invalid("Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."));
        }
        for (name, desc, _) in &s.order_by {
            let is_range = range.as_ref().is_some_and(|r| &r.name == name);
            if !is_range && *name != hash.name {
                return Err(invalid(format!(
                    "Variable reference {name} in ORDER BY clause must be part of the primary key"
                )));
            }
            if is_range {
                forward = !desc;
            } else if let Access::Partitions(values, _) = &mut access {
                // ORDER BY the partition key: the partitions in key order.
                values.sort_by(|a, b| {
                    crate::expr::compare::compare_values(a, b).unwrap_or(std::cmp::Ordering::Equal)
                });
                if *desc {
                    values.reverse();
                }
            }
        }
    }
    Ok(ReadPlan {
        def,
        index,
        access,
        filter,
        projection,
        forward,
    })
}
