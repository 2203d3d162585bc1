//! DynamoDB's model-level validation, as one mechanism: the member constraints of every
//! operation's input (required, length, range, pattern, enum), checked on the request body
//! before the operation's own (semantic) validation, with DynamoDB's texts:
//!
//! ```text
//! 1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3
//! 2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: …; Value …
//! ```
//!
//! The constraint data is `generated` (one table, written by `devtools/gen-shapes` from the
//! service model botocore publishes, with the deviations of DynamoDB's service listed there);
//! `walk` checks a body against it. Member paths are DynamoDB's: the member name with its first
//! letter lowered, `.<n>.member` for the n-th element of a list (from 1), `.<key>.member` for a
//! map's value (`transactItems.1.member.put.tableName`, `requestItems.T.member.keys`).
//! Violations are reported in the model's member order.
//!
//! The check concerns member constraints only: unknown members, wrong JSON types and bodies
//! that are not JSON are the protocol decoder's business (it runs first).

#[rustfmt::skip]
mod generated;
mod pattern;
mod typed;
mod walk;

#[cfg(test)]
mod every_operation_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod typed_tests;

pub use pattern::Pattern;
pub use typed::{Members, ModelChecked};

use crate::error::ApiError;
use crate::ops::Operation;

/// One shape of the model, reduced to what its constraints need.
#[derive(Debug)]
pub struct Shape {
    /// The shape's name in the model (values of structures render as it).
    pub name: &'static str,
    /// What the shape is and its constraints.
    pub kind: Kind,
}

/// A shape's type and constraints. Lengths count UTF-16 units for strings (Java's
/// `String.length()`, as DynamoDB's service counts) and entries for lists and maps.
#[derive(Debug)]
pub enum Kind {
    /// A structure: its members in the model's order.
    Structure(&'static [Member]),
    /// A list.
    List {
        /// The elements' shape.
        member: &'static Shape,
        /// Fewest elements.
        min: Option<u64>,
        /// Most elements.
        max: Option<u64>,
        /// Whether an element's own violations are reported at its path (`tagKeys.1.member`)
        /// rather than once at the list ("Member must satisfy constraint: [...]").
        element_paths: bool,
    },
    /// A map.
    Map {
        /// The keys' shape.
        key: &'static Shape,
        /// The values' shape.
        value: &'static Shape,
        /// Fewest entries.
        min: Option<u64>,
        /// Most entries.
        max: Option<u64>,
    },
    /// A string.
    String {
        /// Shortest length.
        min: Option<u64>,
        /// Longest length.
        max: Option<u64>,
        /// A regular expression the whole value must match.
        pattern: Option<Pattern>,
        /// The allowed values (an enum), in the order DynamoDB lists them; empty when free.
        values: &'static [&'static str],
    },
    /// An integer or long.
    Number {
        /// Smallest value.
        min: Option<i64>,
        /// Largest value.
        max: Option<i64>,
    },
    /// Not checked here: AttributeValues (validated by the data model with DynamoDB's own
    /// texts) and shapes without constraints.
    Opaque,
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The member's name on the wire (`TableName`).
    pub name: &'static str,
    /// Its segment of a constraint path (`tableName`).
    pub path: &'static str,
    /// Whether the member must be present ("Member must not be null").
    pub required: bool,
    /// Its shape.
    pub shape: &'static Shape,
}

/// The shape of whatever the walk does not look into.
pub static OPAQUE: Shape = Shape {
    name: "AttributeValue",
    kind: Kind::Opaque,
};

/// The input shape of `op`, when the model has it.
pub fn input(op: Operation) -> Option<&'static Shape> {
    generated::input(op.api().target_prefix(), op.name())
}

/// Checks the request body of `op` against the model's member constraints: `Ok` when they
/// hold, else DynamoDB's ValidationException listing every violation. A body that is not
/// JSON passes (the decoder has refused it already).
pub fn check(op: Operation, body: &[u8]) -> Result<(), ApiError> {
    match input(op) {
        Some(shape) => finish(walk::violations(shape, body)),
        None => Ok(()),
    }
}

/// `check` for a request already decoded into `req`: the walk runs only when the typed
/// members cannot show that every constraint holds (`ModelChecked`).
pub fn check_decoded<T: ModelChecked>(op: Operation, req: &T, body: &[u8]) -> Result<(), ApiError> {
    match Members::of(op) {
        Some(members) if req.holds(&members) => Ok(()),
        _ => check(op, body),
    }
}

/// DynamoDB's summary of `violations` (each "Value … at '…' failed to satisfy constraint:
/// …"), or `Ok` when there are none.
pub fn finish(violations: Vec<String>) -> Result<(), ApiError> {
    match violations.len() {
        0 => Ok(()),
        n => Err(ApiError::Validation(format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            violations.join("; ")
        ))),
    }
}
