//! Table tags: the stored `Tag` and `TagChange`, the one way tags change once a table exists.
//! Backends apply a change inside their own transaction (`Catalog::update_tags`), so two
//! concurrent changes of one table's tags never lose each other.

use serde::{Deserialize, Serialize};

/// The most tags one resource may carry (DynamoDB's limit; AWS-assigned `aws:` tags, which
/// users cannot set, would not count).
pub const MAX_TAGS: usize = 50;

/// One tag of a table: a key (1–128 characters) and a value (0–256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The tag key, unique within the table.
    pub key: String,
    /// The tag value (may be empty).
    pub value: String,
}

/// A change of one table incarnation's tags: TagResource sets, UntagResource removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagChange {
    /// The incarnation the change was checked against (`TableDefinition::table_id`): a table
    /// deleted and re-created meanwhile under the same name is not changed.
    pub table_id: String,
    /// Tags to add, or whose value to replace (keys unique).
    pub set: Vec<Tag>,
    /// Keys to remove; absent keys are ignored.
    pub remove: Vec<String>,
}

/// Why a `TagChange` was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagChangeRefused {
    /// The result would carry more than `MAX_TAGS` tags.
    TooMany,
}

impl TagChange {
    /// `current` with the change applied: replaced values keep their key's position, new keys
    /// are appended in request order, removed keys go. `current` is untouched on refusal.
    pub fn apply(&self, current: &[Tag]) -> Result<Vec<Tag>, TagChangeRefused> {
        let mut tags: Vec<Tag> = current
            .iter()
            .filter(|t| !self.remove.contains(&t.key))
            .cloned()
            .collect();
        for tag in &self.set {
            match tags.iter_mut().find(|t| t.key == tag.key) {
                Some(existing) => existing.value.clone_from(&tag.value),
                None => tags.push(tag.clone()),
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(TagChangeRefused::TooMany);
        }
        Ok(tags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }

    fn change(set: Vec<Tag>, remove: &[&str]) -> TagChange {
        TagChange {
            table_id: "t".into(),
            set,
            remove: remove.iter().map(|k| k.to_string()).collect(),
        }
    }

    #[test]
    fn set_replaces_in_place_and_appends_new_keys() {
        let current = vec![tag("a", "1"), tag("b", "2")];
        let out = change(vec![tag("b", "x"), tag("c", "3")], &[])
            .apply(&current)
            .unwrap();
        assert_eq!(out, vec![tag("a", "1"), tag("b", "x"), tag("c", "3")]);
    }

    #[test]
    fn remove_ignores_absent_keys() {
        let current = vec![tag("a", "1"), tag("b", "2")];
        let out = change(Vec::new(), &["a", "zzz"]).apply(&current).unwrap();
        assert_eq!(out, vec![tag("b", "2")]);
    }

    #[test]
    fn the_limit_counts_the_result_not_the_request() {
        let current: Vec<Tag> = (0..40).map(|i| tag(&i.to_string(), "v")).collect();
        // 20 keys, 10 of them already present: 50 in all, allowed.
        let overlap: Vec<Tag> = (30..50).map(|i| tag(&i.to_string(), "w")).collect();
        assert_eq!(
            change(overlap, &[]).apply(&current).unwrap().len(),
            MAX_TAGS
        );
        let over: Vec<Tag> = (30..51).map(|i| tag(&i.to_string(), "w")).collect();
        assert_eq!(
            change(over, &[]).apply(&current),
            Err(TagChangeRefused::TooMany)
        );
    }
}

#[cfg(test)]
mod stored_form_tests {
    use crate::model::table::{TableDefinition, TableStatus};
    use crate::ops::table::table_description::test_support::table;

    #[test]
    fn definitions_stored_before_tags_existed_load_untagged() {
        let def = table("Music", TableStatus::Active, 0.0);
        let mut json = serde_json::to_value(&def).unwrap();
        assert!(json.as_object_mut().unwrap().remove("tags").is_some());
        let loaded: TableDefinition = serde_json::from_value(json).unwrap();
        assert!(loaded.tags.is_empty());
        assert_eq!(loaded, def);
    }
}
