//! UpdateItem's `ReturnValues`: which part of the item, before or after the update, the answer
//! carries.

use crate::expr::{project, DocPath};
use crate::model::Item;

/// The five values of UpdateItem's `ReturnValues`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateReturnValues {
    /// Nothing (the default).
    None,
    /// The whole item before the update (nothing when there was none).
    AllOld,
    /// The updated attributes as they were before.
    UpdatedOld,
    /// The whole item after the update.
    AllNew,
    /// The updated attributes as they are after.
    UpdatedNew,
}

impl UpdateReturnValues {
    /// Parses the parameter. Unknown values never get here: the model's enum constraint
    /// (`shapes`) refused them; read as `None` all the same.
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("ALL_OLD") => Self::AllOld,
            Some("UPDATED_OLD") => Self::UpdatedOld,
            Some("ALL_NEW") => Self::AllNew,
            Some("UPDATED_NEW") => Self::UpdatedNew,
            _ => Self::None,
        }
    }

    /// The `Attributes` of the answer: `old` is the item before the update (`None`: it did not
    /// exist), `new` the item after, `updated` the paths the update wrote. An empty selection
    /// is no `Attributes` at all, as DynamoDB answers.
    pub fn select(self, old: Option<&Item>, new: &Item, updated: &[DocPath]) -> Option<Item> {
        let picked = match self {
            Self::None => return None,
            Self::AllOld => old?.clone(),
            Self::UpdatedOld => project(old?, updated),
            Self::AllNew => new.clone(),
            Self::UpdatedNew => project(new, updated),
        };
        (!picked.is_empty()).then_some(picked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(s: &str) -> Item {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn selects_what_each_value_names() {
        let old = item(r#"{"pk":{"S":"k"},"a":{"N":"1"},"b":{"S":"x"}}"#);
        let new = item(r#"{"pk":{"S":"k"},"a":{"N":"2"},"b":{"S":"x"},"c":{"S":"n"}}"#);
        let paths = vec![DocPath::attribute("a"), DocPath::attribute("c")];
        let sel = |rv| rv_select(rv, Some(&old), &new, &paths);
        assert_eq!(sel(UpdateReturnValues::None), None);
        assert_eq!(sel(UpdateReturnValues::AllOld), Some(old.clone()));
        assert_eq!(sel(UpdateReturnValues::AllNew), Some(new.clone()));
        assert_eq!(
            sel(UpdateReturnValues::UpdatedOld),
            Some(item(r#"{"a":{"N":"1"}}"#))
        );
        assert_eq!(
            sel(UpdateReturnValues::UpdatedNew),
            Some(item(r#"{"a":{"N":"2"},"c":{"S":"n"}}"#))
        );
        assert_eq!(
            UpdateReturnValues::UpdatedOld.select(None, &new, &paths),
            None
        );
        assert_eq!(UpdateReturnValues::AllOld.select(None, &new, &paths), None);
    }

    fn rv_select(
        rv: UpdateReturnValues,
        old: Option<&Item>,
        new: &Item,
        paths: &[DocPath],
    ) -> Option<Item> {
        rv.select(old, new, paths)
    }

    #[test]
    fn parse_reads_each_value() {
        assert_eq!(
            UpdateReturnValues::parse(Some("UPDATED_NEW")),
            UpdateReturnValues::UpdatedNew
        );
        assert_eq!(
            UpdateReturnValues::parse(Some("NONE")),
            UpdateReturnValues::None
        );
        assert_eq!(UpdateReturnValues::parse(None), UpdateReturnValues::None);
    }
}
