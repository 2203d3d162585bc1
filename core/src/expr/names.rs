//! ExpressionAttributeNames / ExpressionAttributeValues of one request: substitution of
//! `#name` and `:value` placeholders, and the check that every one supplied was used by some
//! expression of the request (all expressions of a request share one `ExpressionAttributes`).

use super::ast::{PathSegment, RawPath};
use super::path::{DocPath, PathElement};
use crate::error::ApiError;
use crate::model::AttributeValue;
use std::collections::{BTreeSet, HashMap};

/// DynamoDB's limit on a document path's nesting levels (the top-level attribute counts).
pub const MAX_PATH_DEPTH: usize = 32;

/// The placeholders of one request, and which of them expressions have used so far.
#[derive(Debug, Clone)]
pub struct ExpressionAttributes<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: Option<&'a HashMap<String, AttributeValue>>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

fn valid_key(key: &str, sigil: char) -> bool {
    let mut chars = key.chars();
    chars.next() == Some(sigil)
        && key.len() > 1
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'a> ExpressionAttributes<'a> {
    /// Wraps the request's maps (either may be absent).
    pub fn new(
        names: Option<&'a HashMap<String, String>>,
        values: Option<&'a HashMap<String, AttributeValue>>,
    ) -> Self {
        ExpressionAttributes {
            names,
            values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        }
    }

    /// DynamoDB's checks of the maps themselves: not empty when given, and keys of the form
    /// `#word` / `:word`.
    pub fn validate_maps(&self) -> Result<(), ApiError> {
        if let Some(names) = self.names {
            if names.is_empty() {
                return Err(ApiError::validation(
                    "ExpressionAttributeNames must not be empty",
                ));
            }
            let mut keys: Vec<&String> = names.keys().collect();
            keys.sort();
            if let Some(bad) = keys.iter().find(|k| !valid_key(k, '#')) {
                return Err(ApiError::validation(format!(
                    "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{bad}\""
                )));
            }
            for key in keys {
                if let Some(problem) = crate::model::validate::attribute_name_problem(&names[key]) {
                    return Err(ApiError::validation(format!(
                        "ExpressionAttributeNames contains invalid value: {problem} for key {key}"
                    )));
                }
            }
        }
        if let Some(values) = self.values {
            if values.is_empty() {
                return Err(ApiError::validation(
                    "ExpressionAttributeValues must not be empty",
                ));
            }
            let mut keys: Vec<&String> = values.keys().collect();
            keys.sort();
            if let Some(bad) = keys.into_iter().find(|k| !valid_key(k, ':')) {
                return Err(ApiError::validation(format!(
                    "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{bad}\""
                )));
            }
        }
        Ok(())
    }

    /// The attribute name a `#name` placeholder stands for, marking it used.
    pub(crate) fn name(&mut self, placeholder: &str) -> Result<String, String> {
        match self.names.and_then(|m| m.get(placeholder)) {
            Some(n) => {
                self.used_names.insert(placeholder.to_string());
                Ok(n.clone())
            }
            None => Err(format!(
                "An expression attribute name used in the document path is not defined; attribute name: {placeholder}"
            )),
        }
    }

    /// The value a `:value` placeholder stands for, marking it used.
    pub(crate) fn value(&mut self, placeholder: &str) -> Result<AttributeValue, String> {
        match self.values.and_then(|m| m.get(placeholder)) {
            Some(v) => {
                self.used_values.insert(placeholder.to_string());
                Ok(v.clone())
            }
            None => Err(format!(
                "An expression attribute value used in expression is not defined; attribute value: {placeholder}"
            )),
        }
    }

    /// Resolves a written path, substituting `#name` placeholders.
    pub(crate) fn path(&mut self, raw: &RawPath) -> Result<DocPath, String> {
        if raw.0.len() > MAX_PATH_DEPTH {
            return Err(format!(
                "The document path has too many nesting levels; nesting levels: {}",
                raw.0.len()
            ));
        }
        let mut out = Vec::with_capacity(raw.0.len());
        for seg in &raw.0 {
            out.push(match seg {
                PathSegment::Attr(a) => PathElement::Attr(a.clone()),
                PathSegment::Name(n) => PathElement::Attr(self.name(n)?),
                PathSegment::Index(i) => PathElement::Index(*i as usize),
                PathSegment::OutOfRangeIndex(i) => {
                    return Err(format!(
                        "List index is not within the allowable range; index: [{i}]"
                    ))
                }
            });
        }
        Ok(DocPath(out))
    }

    /// After every expression of the request was compiled: fails if a supplied name or value
    /// was used by none of them (names are reported before values).
    pub fn check_unused(&self) -> Result<(), ApiError> {
        let unused = |all: Option<Vec<&String>>, used: &BTreeSet<String>| -> Vec<String> {
            let mut v: Vec<String> = all
                .unwrap_or_default()
                .into_iter()
                .filter(|k| !used.contains(*k))
                .cloned()
                .collect();
            v.sort();
            v
        };
        let names = unused(self.names.map(|m| m.keys().collect()), &self.used_names);
        if !names.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                names.join(", ")
            )));
        }
        let values = unused(self.values.map(|m| m.keys().collect()), &self.used_values);
        if !values.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                values.join(", ")
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_and_unused_tracking() {
        let names: HashMap<String, String> = [
            ("#a".to_string(), "x".to_string()),
            ("#b".into(), "y".into()),
        ]
        .into();
        let values: HashMap<String, AttributeValue> =
            [(":v".to_string(), AttributeValue::Bool(true))].into();
        let mut attrs = ExpressionAttributes::new(Some(&names), Some(&values));
        assert_eq!(attrs.name("#a").unwrap(), "x");
        assert_eq!(
            attrs.name("#zz").unwrap_err(),
            "An expression attribute name used in the document path is not defined; attribute name: #zz"
        );
        assert_eq!(
            attrs.value(":w").unwrap_err(),
            "An expression attribute value used in expression is not defined; attribute value: :w"
        );
        assert_eq!(
            attrs.check_unused().unwrap_err().to_string(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
        );
        attrs.name("#b").unwrap();
        assert_eq!(
            attrs.check_unused().unwrap_err().to_string(),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"
        );
        assert_eq!(attrs.value(":v").unwrap(), AttributeValue::Bool(true));
        assert!(attrs.check_unused().is_ok());
    }

    #[test]
    fn map_validation() {
        let empty = HashMap::new();
        let attrs = ExpressionAttributes::new(Some(&empty), None);
        assert_eq!(
            attrs.validate_maps().unwrap_err().to_string(),
            "ExpressionAttributeNames must not be empty"
        );
        let bad: HashMap<String, AttributeValue> =
            [("a".to_string(), AttributeValue::Bool(true))].into();
        let attrs = ExpressionAttributes::new(None, Some(&bad));
        assert_eq!(
            attrs.validate_maps().unwrap_err().to_string(),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"a\""
        );
    }
}
