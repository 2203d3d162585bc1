//! The constraint errors the Streams operations (and StreamSpecification) check by hand:
//! "1 validation error detected: Value 'x' at 'path' failed to satisfy constraint: …", joined
//! with "; ". (Model-level member constraints are checked before, by `request::shapes`; these
//! are the Streams checks kept from before that check existed.)

use crate::error::ApiError;

/// Collects constraint violations of one request in the order DynamoDB reports them.
#[derive(Debug, Default)]
pub struct Constraints {
    errors: Vec<String>,
}

impl Constraints {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `value` at `path` failed `constraint` (the text after "failed to satisfy
    /// constraint: "). `value` is rendered as DynamoDB does: quoted, or `null` when absent.
    pub fn violation(&mut self, value: Option<&str>, path: &str, constraint: &str) {
        let value = match value {
            Some(v) => format!("'{v}'"),
            None => "null".to_string(),
        };
        self.errors.push(format!(
            "Value {value} at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// Checks a table name: 3–255 characters of `[a-zA-Z0-9_.-]`.
    pub fn table_name(&mut self, name: Option<&str>, path: &str) {
        let Some(n) = name else {
            self.violation(None, path, "Member must not be null");
            return;
        };
        // DynamoDB reports the pattern violation before the length ones.
        if !n
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            self.violation(
                Some(n),
                path,
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            );
        }
        if n.len() < 3 {
            self.violation(
                Some(n),
                path,
                "Member must have length greater than or equal to 3",
            );
        }
        if n.len() > 255 {
            self.violation(
                Some(n),
                path,
                "Member must have length less than or equal to 255",
            );
        }
    }

    /// Ok when nothing was recorded, else DynamoDB's summary ValidationException.
    pub fn finish(self) -> Result<(), ApiError> {
        crate::ops::request::shapes::finish(self.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_errors_are_counted_and_joined() {
        let mut c = Constraints::new();
        c.table_name(Some("a!"), "tableName");
        let msg = c.finish().unwrap_err().to_string();
        assert!(
            msg.starts_with("2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
            "{msg}"
        );
    }
}
