//! Running a SELECT: one page over its partitions (in order, resuming where a NextToken says)
//! or a scan of the table or index, through Query's and Scan's page reader
//! (`read_page`: Limit counts items read, 1 MB a page, the filter applied after), then
//! PartiQL's projection. Authorized as `dynamodb:PartiQLSelect` with `dynamodb:FullTableScan`.

use super::error::invalid;
use super::keys::Access;
use super::plan::{GetPlan, ReadPlan};
use super::token::Resume;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::expr::{CompositeKeyCondition, DocPath, KeyCondition, PathElement, SortKeyPredicate};
use crate::model::table::SecondaryIndex;
use crate::model::{AttributeValue, Item};
use crate::ops::authorize;
use crate::ops::index::index_read;
use crate::ops::request::capacity::{read_units, Units};
use crate::ops::request::pagination;
use crate::ops::request::query_range::key_range;
use crate::ops::request::read_page::{self, Output, PageSpec, MAX_PAGE_BYTES};
use crate::traits::{reads_for, AuthzContext, Direction, KeyRange};
use std::ops::Bound;

/// One page of a SELECT.
#[derive(Debug, Default)]
pub struct Page {
    /// The items, projected.
    pub items: Vec<Item>,
    /// Where the next page starts: a partition index and the last key read there (empty
    /// when the next page starts at that partition's beginning).
    pub next: Option<(usize, Item)>,
    /// The capacity consumed.
    pub units: Units,
}

/// The IAM context of a statement on `def`.
pub fn context(
    leading: &[AttributeValue],
    projection: Option<&[DocPath]>,
    full_scan: Option<bool>,
    enclosing: Option<&str>,
) -> AuthzContext {
    AuthzContext {
        leading_keys: leading.iter().map(authorize::leading_key).collect(),
        attributes: projection.map(|p| {
            let mut names: Vec<String> = Vec::new();
            for path in p {
                if !names.iter().any(|n| n == path.top()) {
                    names.push(path.top().to_string());
                }
            }
            names
        }),
        full_table_scan: full_scan,
        enclosing_operation: enclosing.map(str::to_string),
        ..AuthzContext::default()
    }
}

/// PartiQL's projection: each path's value under its last name (`a.b[1]` as `b[1]`), as
/// DynamoDB unnests a SELECT's columns; `None` is `*`.
pub fn project(item: Item, paths: Option<&[DocPath]>) -> Item {
    let Some(paths) = paths else {
        return item;
    };
    let mut out = Item::new();
    for p in paths {
        let Some(v) = p.get(&item) else {
            continue;
        };
        let mut name = String::new();
        for el in &p.0 {
            match el {
                PathElement::Attr(a) => name = a.clone(),
                PathElement::Index(i) => name.push_str(&format!("[{i}]")),
            }
        }
        out.insert(name, v.clone());
    }
    out
}

fn index_of(plan: &ReadPlan) -> Result<Option<(&SecondaryIndex, bool)>, ApiError> {
    match &plan.index {
        Some((name, _)) => index_read::resolve(&plan.def, name).map(Some),
        None => Ok(None),
    }
}

/// Reads one page of `plan`: at most `limit` items read, from `resume` on.
pub async fn select(
    ctx: &Ctx,
    plan: &ReadPlan,
    limit: Option<usize>,
    resume: Option<&Resume>,
    consistent: bool,
) -> Result<Page, ApiError> {
    let def = &plan.def;
    let index = index_of(plan)?;
    let mut tops: Vec<&str> = plan.projection.iter().flatten().map(|p| p.top()).collect();
    if let Some((i, global)) = index {
        if global && consistent {
            return Err(invalid(
                "Strongly consistent read is not supported on Global Secondary Indexes",
            ));
        }
        index_read::check_gsi_projection(def, i, global, &tops)?;
    }
    let mut filter_paths = Vec::new();
    if let Some(f) = &plan.filter {
        crate::ops::request::read_request::condition_paths(f, &mut filter_paths);
    }
    tops.extend(filter_paths.iter().map(|p| p.top()));
    let partitions: &[AttributeValue] = match &plan.access {
        Access::Partitions(p, _) => p,
        Access::Scan => &[],
    };
    let full_scan = plan.access == Access::Scan;
    let ctxt = || {
        context(
            partitions,
            plan.projection.as_deref(),
            Some(full_scan),
            None,
        )
    };
    match &plan.index {
        Some((name, _)) => {
            authorize::on_index(ctx, "dynamodb:PartiQLSelect", def, name, ctxt).await?
        }
        None => authorize::on_table(ctx, "dynamodb:PartiQLSelect", def, ctxt).await?,
    }
    let index_name = plan.index.as_ref().map(|(n, _)| n.as_str());
    let claim_partition = match partitions {
        [one] => Some(
            crate::model::key_encoding::item_key(one, None)
                .get(..2)
                .map(<[u8]>::to_vec)
                .unwrap_or_default(),
        ),
        _ => None,
    };
    let claim = Ctx::claim(def, index_name, claim_partition.as_deref(), Direction::Read);
    let grant = ctx.admit(&claim)?;

    let fetch = index.is_some_and(|(i, g)| index_read::needs_fetch(def, i, g, None, &tops));
    let key_names = index.map(|(i, _)| index_read::key_names(def, i));
    let storage_id = index.map_or(def.storage_id, |(i, _)| i.storage_id);
    let start = |key: &Item| -> Result<Vec<u8>, ApiError> {
        match index {
            Some((i, _)) => index_read::start_key(def, i, key),
            None => {
                pagination::scan_key(&def.key_schema, key)?;
                Ok(pagination::encode(&def.key_schema, key))
            }
        }
    };
    let output = Output::AllAttributes;
    let spec = |range: KeyRange, limit: Option<usize>| PageSpec {
        storage_id,
        range,
        forward: plan.forward,
        limit,
        filter: plan.filter.as_ref(),
        output: &output,
        key_schema: &def.key_schema,
        index_key_names: key_names.as_deref(),
        fetch_from: fetch.then_some(def.as_ref()),
    };
    let mut page = Page::default();
    let mut bytes = 0usize;
    // Without ConsistentRead a SELECT may be served by a replica, as GetItem/Query/Scan are.
    let reader = reads_for(ctx.store.as_ref(), consistent);
    match &plan.access {
        Access::Scan => {
            let lower = match resume {
                Some(r) if !r.key.is_empty() => Bound::Excluded(start(&r.key)?),
                _ => Bound::Unbounded,
            };
            let range = KeyRange {
                prefix: Vec::new(),
                lower,
                upper: Bound::Unbounded,
            };
            let read = read_page::read(&*reader, spec(range, limit)).await?;
            bytes += read.scanned_bytes;
            page.next = read.last_evaluated_key.map(|k| (0, k));
            page.items = read.items;
        }
        Access::Partitions(values, sort) => {
            let first = resume.map_or(0, |r| r.partition);
            let mut remaining = limit;
            for (i, value) in values.iter().enumerate().skip(first) {
                if remaining == Some(0) || bytes >= MAX_PAGE_BYTES {
                    page.next = Some((i, Item::new()));
                    break;
                }
                let mut range = partition_range(index.map(|(x, _)| x), value, sort.clone());
                if let Some(r) = resume.filter(|r| r.partition == i && !r.key.is_empty()) {
                    let after = Bound::Excluded(start(&r.key)?);
                    if plan.forward {
                        range.lower = after;
                    } else {
                        range.upper = after;
                    }
                }
                let read = read_page::read(&*reader, spec(range, remaining)).await?;
                bytes += read.scanned_bytes;
                remaining = remaining.map(|r| r.saturating_sub(read.scanned_count));
                page.items.extend(read.items);
                if let Some(k) = read.last_evaluated_key {
                    page.next = Some((i, k));
                    break;
                }
            }
        }
    }
    let units = read_units(Some(bytes), consistent);
    page.units = match &plan.index {
        Some((name, global)) => Units::index(name, *global, units),
        None => Units::table(units),
    };
    ctx.charge_grant(&claim, grant, &page.units);
    let paths = plan.projection.as_deref();
    page.items = std::mem::take(&mut page.items)
        .into_iter()
        .map(|item| project(item, paths))
        .collect();
    Ok(page)
}

fn partition_range(
    index: Option<&SecondaryIndex>,
    value: &AttributeValue,
    sort: Option<SortKeyPredicate>,
) -> KeyRange {
    match index {
        Some(_) => {
            let (sort_equal, sort_last) = match sort {
                Some(SortKeyPredicate::Eq(v)) => (vec![v], None),
                other => (Vec::new(), other),
            };
            index_read::key_range(&CompositeKeyCondition {
                partition_values: vec![value.clone()],
                sort_equal,
                sort_last,
            })
        }
        None => key_range(&KeyCondition {
            partition_value: value.clone(),
            sort,
        }),
    }
}

/// Reads one item by its key (a SELECT in a batch or a transaction), projected; authorized
/// as `dynamodb:PartiQLSelect` (with `enclosing`, the transaction it runs in).
pub async fn get(
    ctx: &Ctx,
    plan: &GetPlan,
    consistent: bool,
    enclosing: Option<&str>,
) -> Result<(Option<Item>, Units), ApiError> {
    let leading: Vec<AttributeValue> = plan
        .key
        .get(&plan.def.key_schema.hash.name)
        .cloned()
        .into_iter()
        .collect();
    authorize::on_table(ctx, "dynamodb:PartiQLSelect", &plan.def, || {
        context(&leading, plan.projection.as_deref(), Some(false), enclosing)
    })
    .await?;
    let partition = crate::ops::request::item_key::partition_of(&plan.storage_key.key).to_vec();
    let claim = Ctx::claim(&plan.def, None, Some(&partition), Direction::Read);
    let grant = ctx.admit(&claim)?;
    let stored = reads_for(ctx.store.as_ref(), consistent)
        .get(&plan.storage_key)
        .await?;
    let size = crate::ops::request::batch_common::stored_size(stored.as_ref())?;
    let units = Units::table(read_units(size, consistent));
    ctx.charge_grant(&claim, grant, &units);
    let item = stored.map(|s| s.decode()).transpose()?;
    Ok((item.map(|i| project(i, plan.projection.as_deref())), units))
}
