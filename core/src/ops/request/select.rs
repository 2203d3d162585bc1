//! `Select` of Query and Scan, and DynamoDB's rules for combining it with a projection.
//!
//! Messages as DynamoDB words them (cross-checked against emulators whose conformance suites
//! ran against DynamoDB): "Cannot specify the ProjectionExpression when choosing to get
//! ALL_ATTRIBUTES" / "… only the Count", "ALL_PROJECTED_ATTRIBUTES can be used only when
//! Querying using an IndexName", "Must specify the AttributesToGet or ProjectionExpression when
//! choosing to get SPECIFIC_ATTRIBUTES" (Query puts that one in the "1 validation error
//! detected: " envelope, Scan does not).

use crate::error::ApiError;

/// A `Select` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// ALL_ATTRIBUTES
    AllAttributes,
    /// ALL_PROJECTED_ATTRIBUTES (indexes only)
    AllProjectedAttributes,
    /// SPECIFIC_ATTRIBUTES
    SpecificAttributes,
    /// COUNT
    Count,
}

impl Select {
    /// Parses the parameter. Unknown values never get here: the model's enum constraint
    /// (`shapes`) refused them; read as absent all the same.
    pub fn parse(value: Option<&str>) -> Option<Select> {
        match value? {
            "ALL_ATTRIBUTES" => Some(Select::AllAttributes),
            "ALL_PROJECTED_ATTRIBUTES" => Some(Select::AllProjectedAttributes),
            "SPECIFIC_ATTRIBUTES" => Some(Select::SpecificAttributes),
            "COUNT" => Some(Select::Count),
            _ => None,
        }
    }
}

/// The projection parameter a request carries, by name, for [`check`]: ProjectionExpression
/// or the legacy AttributesToGet (which cannot come together: the mixing rule refuses that).
pub fn projection_param(has_expression: bool, has_attributes_to_get: bool) -> Option<&'static str> {
    if has_expression {
        Some("ProjectionExpression")
    } else {
        has_attributes_to_get.then_some("AttributesToGet")
    }
}

/// Checks `Select` against the projection parameter present (`ProjectionExpression` or
/// `AttributesToGet`, by name), whether an index is queried and whether this is a Query.
pub fn check(
    select: Option<Select>,
    projection_param: Option<&str>,
    has_index: bool,
    is_query: bool,
) -> Result<(), ApiError> {
    let Some(select) = select else {
        return Ok(());
    };
    if let Some(param) = projection_param {
        let target = match select {
            Select::AllAttributes => Some("ALL_ATTRIBUTES"),
            Select::AllProjectedAttributes => Some("ALL_PROJECTED_ATTRIBUTES"),
            Select::Count => Some("only the Count"),
            Select::SpecificAttributes => None,
        };
        if let Some(target) = target {
            return Err(ApiError::validation(format!(
                "Cannot specify the {param} when choosing to get {target}"
            )));
        }
    }
    if select == Select::AllProjectedAttributes && !has_index {
        return Err(ApiError::validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        ));
    }
    if select == Select::SpecificAttributes && projection_param.is_none() {
        let msg = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
        return Err(ApiError::validation(if is_query {
            format!("1 validation error detected: {msg}")
        } else {
            msg.to_string()
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_each_value() {
        assert_eq!(Select::parse(Some("COUNT")), Some(Select::Count));
        assert_eq!(
            Select::parse(Some("ALL_PROJECTED_ATTRIBUTES")),
            Some(Select::AllProjectedAttributes)
        );
        assert_eq!(Select::parse(None), None);
    }

    #[test]
    fn combinations() {
        let pe = Some("ProjectionExpression");
        let err = |s, p, q| check(Some(s), p, false, q).unwrap_err().to_string();
        assert_eq!(
            err(Select::Count, pe, true),
            "Cannot specify the ProjectionExpression when choosing to get only the Count"
        );
        assert_eq!(
            err(Select::AllAttributes, Some("AttributesToGet"), false),
            "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"
        );
        assert_eq!(
            err(Select::AllProjectedAttributes, None, false),
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        );
        assert_eq!(
            err(Select::SpecificAttributes, None, true),
            "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
        );
        assert_eq!(
            err(Select::SpecificAttributes, None, false),
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
        );
        assert!(check(Some(Select::SpecificAttributes), pe, false, true).is_ok());
        assert!(check(Some(Select::Count), None, false, false).is_ok());
        assert!(check(None, pe, false, false).is_ok());
        assert!(check(
            Some(Select::SpecificAttributes),
            projection_param(false, true),
            false,
            true
        )
        .is_ok());
        assert_eq!(
            err(Select::Count, projection_param(false, true), true),
            "Cannot specify the AttributesToGet when choosing to get only the Count"
        );
        assert_eq!(projection_param(true, false), pe);
        assert_eq!(projection_param(false, false), None);
    }
}
