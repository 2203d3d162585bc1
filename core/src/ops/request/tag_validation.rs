//! Checks of tag contents that follow the member constraints, shared by CreateTable and
//! TagResource: allowed characters, the reserved `aws:` prefix, duplicate keys in one request
//! and the 50-tag limit.
//!
//! DynamoDB answers each with a ValidationException; its exact wording for these cases is not
//! published, so the messages say what was wrong and what would be right.

use crate::error::ApiError;
use crate::model::tags::{Tag, MAX_TAGS};
use crate::ops::request::table_input::Tag as InputTag;

fn invalid(detail: String) -> ApiError {
    ApiError::Validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// What DynamoDB allows in tag keys and values: Unicode letters, digits and white space, and
/// `+ - = . _ : /`.
fn allowed(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || matches!(c, '+' | '-' | '=' | '.' | '_' | ':' | '/')
}

const ALLOWED: &str =
    "tag keys and values may contain only Unicode letters, digits, white space and + - = . _ : /";

/// The message for more than `MAX_TAGS` tags on one resource.
pub(crate) fn too_many() -> ApiError {
    invalid(format!("A resource can have at most {MAX_TAGS} tags"))
}

/// The request's tags, checked, in request order. Members must already have passed
/// `tag_constraints` (present, within length).
pub(crate) fn checked_tags(tags: &[InputTag]) -> Result<Vec<Tag>, ApiError> {
    let mut out: Vec<Tag> = Vec::with_capacity(tags.len());
    for t in tags {
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        if !key.chars().all(allowed) {
            return Err(invalid(format!("Invalid tag key '{key}': {ALLOWED}")));
        }
        if !value.chars().all(allowed) {
            return Err(invalid(format!("Invalid tag value '{value}': {ALLOWED}")));
        }
        if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
            return Err(invalid(format!(
                "Tag key '{key}' is reserved: keys beginning with 'aws:' are for AWS use"
            )));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(invalid(format!("Duplicate tag key '{key}' in the request")));
        }
        out.push(Tag { key, value });
    }
    if out.len() > MAX_TAGS {
        return Err(too_many());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(key: &str, value: &str) -> InputTag {
        InputTag {
            key: Some(key.into()),
            value: Some(value.into()),
        }
    }

    fn err(tags: &[InputTag]) -> String {
        checked_tags(tags).unwrap_err().to_string()
    }

    #[test]
    fn letters_of_any_script_digits_spaces_and_the_listed_signs_pass() {
        let tags = [
            input("законные буквы", "ѮѮ"),
            input("a+b-c=d.e_f:g/h", ""),
            input(" ", "9"),
            input("7", " "),
        ];
        let out = checked_tags(&tags).unwrap();
        assert_eq!(out.len(), 4);
        assert_eq!(out[1].key, "a+b-c=d.e_f:g/h");
        assert_eq!(out[1].value, "");
    }

    #[test]
    fn other_characters_are_refused_in_keys_and_values() {
        for bad in ["hi!", "d%g", "\"hello\"", "a@b", "<>"] {
            assert_eq!(
                err(&[input(bad, "v")]),
                format!(
                    "One or more parameter values were invalid: Invalid tag key '{bad}': {ALLOWED}"
                )
            );
            assert_eq!(
                err(&[input("k", bad)]),
                format!("One or more parameter values were invalid: Invalid tag value '{bad}': {ALLOWED}")
            );
        }
    }

    #[test]
    fn the_aws_prefix_is_reserved_in_any_case() {
        for key in ["aws:x", "AWS:x", "Aws:"] {
            assert_eq!(
                err(&[input(key, "v")]),
                format!("One or more parameter values were invalid: Tag key '{key}' is reserved: keys beginning with 'aws:' are for AWS use")
            );
        }
        assert!(checked_tags(&[input("awsx", "v"), input("aws", "v")]).is_ok());
    }

    #[test]
    fn duplicate_keys_and_more_than_fifty_are_refused() {
        assert_eq!(
            err(&[input("k", "1"), input("k", "2")]),
            "One or more parameter values were invalid: Duplicate tag key 'k' in the request"
        );
        let fifty: Vec<InputTag> = (0..50).map(|i| input(&i.to_string(), "v")).collect();
        assert_eq!(checked_tags(&fifty).unwrap().len(), 50);
        let many: Vec<InputTag> = (0..51).map(|i| input(&i.to_string(), "v")).collect();
        assert_eq!(
            err(&many),
            "One or more parameter values were invalid: A resource can have at most 50 tags"
        );
    }
}
