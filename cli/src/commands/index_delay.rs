//! `extenddb settings index-delay --table T --index I <ms|default>`: a GSI's own propagation
//! delay, stored with the index in the catalog. It overrides the system-wide
//! `gsi_propagation_delay_ms` for that index (0 = synchronous); `default` removes the override.
//! Running servers see the change with the table definition (PostgreSQL notifies every
//! process's cache).

use anyhow::{anyhow, bail};
use extenddb_core::model::table::TableDefinition;
use extenddb_core::traits::{Catalog, CatalogError};

/// The new value: milliseconds, or `None` for "follow the system-wide setting".
pub fn parse(value: &str) -> anyhow::Result<Option<u64>> {
    match value.trim() {
        "default" => Ok(None),
        v => v.parse::<u64>().map(Some).map_err(|_| {
            anyhow!("invalid value '{value}' for an index delay: expected a whole number of milliseconds or 'default'")
        }),
    }
}

/// Stores `delay` on GSI `index` of `table` in `account`; returns the line to print.
pub async fn set(
    catalog: &dyn Catalog,
    account: &str,
    table: &str,
    index: &str,
    delay: Option<u64>,
) -> anyhow::Result<String> {
    let mut refused = None;
    catalog
        .update_table(account, table, |def: &mut TableDefinition| {
            let Some(gsi) = def
                .global_secondary_indexes
                .iter_mut()
                .find(|g| g.name == index)
            else {
                refused = Some(if def.local_secondary_indexes.iter().any(|l| l.name == index) {
                    format!("'{index}' is a local secondary index: LSIs are maintained synchronously")
                } else {
                    format!("table '{table}' has no global secondary index '{index}'")
                });
                return Ok(false);
            };
            gsi.propagation_delay_ms = delay;
            Ok(true)
        })
        .await
        .map_err(|e| match e {
            CatalogError::NotFound => anyhow!("table '{table}' not found in account {account}"),
            e => anyhow!("cannot store the index delay: {e}"),
        })?;
    if let Some(why) = refused {
        bail!("{why}");
    }
    Ok(match delay {
        Some(ms) => format!("{table}/{index} propagation_delay_ms = {ms}"),
        None => {
            format!("{table}/{index} propagation_delay_ms = default (gsi_propagation_delay_ms)")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_milliseconds_or_default() {
        assert_eq!(parse("50").unwrap(), Some(50));
        assert_eq!(parse(" 0 ").unwrap(), Some(0));
        assert_eq!(parse("default").unwrap(), None);
        let err = parse("soon").unwrap_err().to_string();
        assert!(
            err.starts_with("invalid value 'soon' for an index delay"),
            "{err}"
        );
    }
}
