//! A table definition as the redb catalog stores it: the `TableDefinition` JSON plus a
//! `version` member that every write of the table bumps (`TableDefinition` itself ignores it).
//! `Catalog::update_table` writes only if the version is still the one it read, so a change
//! computed from an older definition is re-applied to the newer one instead of undoing it.

use extenddb_core::error::StoreError;
use extenddb_core::model::table::{TableDefinition, Tag};
use extenddb_core::traits::CatalogError;

/// The members of a stored document the catalog itself keeps: its version and tags.
#[derive(serde::Deserialize)]
pub(crate) struct Meta {
    /// Writes so far (0 for a document stored before versions existed, and at creation).
    #[serde(default)]
    pub version: u64,
    /// The stored tags (`put_table` keeps them).
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Decodes a stored definition.
pub(crate) fn decode(bytes: &[u8]) -> Result<TableDefinition, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("table definition: {e}")))
}

/// The version and tags of a stored definition, read without decoding the rest.
pub(crate) fn meta(bytes: &[u8]) -> Result<Meta, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("table definition: {e}")))
}

/// Encodes `def` as stored with `version`.
pub(crate) fn encode(def: &TableDefinition, version: u64) -> Result<Vec<u8>, CatalogError> {
    let fail = |e: serde_json::Error| {
        CatalogError::Store(StoreError::Backend(format!("table definition: {e}")))
    };
    let mut doc = serde_json::to_value(def).map_err(fail)?;
    if let Some(members) = doc.as_object_mut() {
        members.insert("version".into(), version.into());
    }
    serde_json::to_vec(&doc).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_round_trips_beside_the_definition() {
        let def = extenddb_core::testsuite::hash_table_definition("000000000000", "t", 3);
        let bytes = encode(&def, 41).unwrap();
        assert_eq!(meta(&bytes).unwrap().version, 41);
        assert_eq!(decode(&bytes).unwrap(), def);
        let plain = serde_json::to_vec(&def).unwrap();
        assert_eq!(
            meta(&plain).unwrap().version,
            0,
            "documents without a version are 0"
        );
    }
}
