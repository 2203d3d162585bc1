//! Condition operator names (`ForAnyValue:StringLikeIfExists` and the rest), parsed into a
//! family, a comparison and the negation, `IfExists` and set-qualifier flags; `condition`
//! evaluates them.

/// The operator families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `StringEquals` / `StringNotEquals` (`fold`: the `IgnoreCase` forms).
    StringEquals {
        /// Case-insensitive.
        fold: bool,
    },
    /// `StringLike` / `StringNotLike`.
    StringLike,
    /// `Numeric*`.
    Numeric(Cmp),
    /// `Date*`.
    Date(Cmp),
    /// `Bool`.
    Bool,
    /// `IpAddress` / `NotIpAddress`.
    IpAddress,
    /// `ArnEquals`, `ArnLike` (the same matching) and their negations.
    Arn,
    /// `Null`.
    Null,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `Equals` (negated: `NotEquals`).
    Eq,
    /// `LessThan`.
    Lt,
    /// `LessThanEquals`.
    Le,
    /// `GreaterThan`.
    Gt,
    /// `GreaterThanEquals`.
    Ge,
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    /// Every request value must match.
    ForAllValues,
    /// At least one request value must match.
    ForAnyValue,
}

/// A parsed operator name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    /// The family (and comparison).
    pub family: Family,
    /// A `Not` form.
    pub negated: bool,
    /// The `IfExists` suffix.
    pub if_exists: bool,
    /// A set qualifier prefix.
    pub qualifier: Option<SetQualifier>,
}

impl Operator {
    /// Parses an operator name such as `ForAnyValue:StringLikeIfExists`.
    pub fn parse(name: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        use Cmp::*;
        let (family, negated) = match base {
            "StringEquals" => (Family::StringEquals { fold: false }, false),
            "StringNotEquals" => (Family::StringEquals { fold: false }, true),
            "StringEqualsIgnoreCase" => (Family::StringEquals { fold: true }, false),
            "StringNotEqualsIgnoreCase" => (Family::StringEquals { fold: true }, true),
            "StringLike" => (Family::StringLike, false),
            "StringNotLike" => (Family::StringLike, true),
            "NumericEquals" => (Family::Numeric(Eq), false),
            "NumericNotEquals" => (Family::Numeric(Eq), true),
            "NumericLessThan" => (Family::Numeric(Lt), false),
            "NumericLessThanEquals" => (Family::Numeric(Le), false),
            "NumericGreaterThan" => (Family::Numeric(Gt), false),
            "NumericGreaterThanEquals" => (Family::Numeric(Ge), false),
            "DateEquals" => (Family::Date(Eq), false),
            "DateNotEquals" => (Family::Date(Eq), true),
            "DateLessThan" => (Family::Date(Lt), false),
            "DateLessThanEquals" => (Family::Date(Le), false),
            "DateGreaterThan" => (Family::Date(Gt), false),
            "DateGreaterThanEquals" => (Family::Date(Ge), false),
            "Bool" => (Family::Bool, false),
            "IpAddress" => (Family::IpAddress, false),
            "NotIpAddress" => (Family::IpAddress, true),
            "ArnEquals" | "ArnLike" => (Family::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Family::Arn, true),
            "Null" if !if_exists => (Family::Null, false),
            _ => return None,
        };
        Some(Operator {
            family,
            negated,
            if_exists,
            qualifier,
        })
    }
}
