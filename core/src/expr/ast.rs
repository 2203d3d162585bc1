//! The syntax tree the parser builds: exactly what was written, placeholders (`#n`, `:v`)
//! unresolved and function names unchecked. `Display` prints it back as expression text that
//! parses to the same tree (parentheses only where precedence needs them).
//!
//! Meaning (names resolved, functions checked, values substituted) is given by the compile
//! steps in `condition.rs`, `update.rs` and `projection.rs`.

use std::fmt;

/// One step of a document path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// A bare attribute name (`a`).
    Attr(String),
    /// A placeholder (`#n`, text includes `#`).
    Name(String),
    /// A list index (`[3]`).
    Index(u32),
    /// A list index too large to address any element (`[99999999999999]`), as written;
    /// DynamoDB reports it when the path is resolved, not as a syntax error.
    OutOfRangeIndex(String),
}

/// A document path as written: `a.#b[2].c`. The first segment is never an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPath(pub Vec<PathSegment>);

impl RawPath {
    /// The first bare segment that is a DynamoDB reserved word, as written.
    pub fn reserved_word(&self) -> Option<String> {
        self.0.iter().find_map(|s| match s {
            PathSegment::Attr(a) if super::reserved::is_reserved(a) => Some(a.clone()),
            _ => None,
        })
    }
}

/// A function call as written: `name(arg, …)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The function name exactly as written (names are case-sensitive).
    pub name: String,
    /// Its arguments.
    pub args: Vec<Operand>,
}

/// An operand: a path, a value placeholder or a function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// A document path.
    Path(RawPath),
    /// A value placeholder (`:v`, text includes `:`).
    Value(String),
    /// A function call.
    Call(Call),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Comparator {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

/// A condition as written (ConditionExpression, FilterExpression, KeyConditionExpression).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionAst {
    /// `a <op> b`
    Compare(Operand, Comparator, Operand),
    /// `a BETWEEN b AND c`
    Between(Operand, Operand, Operand),
    /// `a IN (b, c, …)`
    In(Operand, Vec<Operand>),
    /// A function used as a condition: `attribute_exists(a)`.
    Call(Call),
    /// `NOT c`
    Not(Box<ConditionAst>),
    /// `l AND r`
    And(Box<ConditionAst>, Box<ConditionAst>),
    /// `l OR r`
    Or(Box<ConditionAst>, Box<ConditionAst>),
}

/// The right-hand side of a SET action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetRhs {
    /// A single operand.
    Operand(Operand),
    /// `a + b`
    Plus(Operand, Operand),
    /// `a - b`
    Minus(Operand, Operand),
}

/// One clause of an update expression, with its actions in written order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateClause {
    /// `SET path = rhs, …`
    Set(Vec<(RawPath, SetRhs)>),
    /// `REMOVE path, …`
    Remove(Vec<RawPath>),
    /// `ADD path :v, …`
    Add(Vec<(RawPath, String)>),
    /// `DELETE path :v, …`
    Delete(Vec<(RawPath, String)>),
}

impl UpdateClause {
    /// The clause keyword as DynamoDB names it in messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            UpdateClause::Set(_) => "SET",
            UpdateClause::Remove(_) => "REMOVE",
            UpdateClause::Add(_) => "ADD",
            UpdateClause::Delete(_) => "DELETE",
        }
    }
}

/// An update expression as written: clauses in written order (a repeated clause is kept here
/// and rejected when compiled, as DynamoDB reports it after syntax errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateAst(pub Vec<UpdateClause>);

/// A projection expression as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionAst(pub Vec<RawPath>);

impl fmt::Display for RawPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSegment::Attr(s) | PathSegment::Name(s) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(s)?;
                }
                PathSegment::Index(n) => write!(f, "[{n}]")?,
                PathSegment::OutOfRangeIndex(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        write_list(f, &self.args)?;
        f.write_str(")")
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Path(p) => write!(f, "{p}"),
            Operand::Value(v) => f.write_str(v),
            Operand::Call(c) => write!(f, "{c}"),
        }
    }
}

impl ConditionAst {
    /// Binding strength: OR 1, AND 2, NOT 3, everything else 4.
    fn precedence(&self) -> u8 {
        match self {
            ConditionAst::Or(..) => 1,
            ConditionAst::And(..) => 2,
            ConditionAst::Not(_) => 3,
            _ => 4,
        }
    }

    fn write_child(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl fmt::Display for ConditionAst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConditionAst::Compare(a, op, b) => write!(f, "{a} {} {b}", op.as_str()),
            ConditionAst::Between(a, lo, hi) => write!(f, "{a} BETWEEN {lo} AND {hi}"),
            ConditionAst::In(a, list) => {
                write!(f, "{a} IN (")?;
                write_list(f, list)?;
                f.write_str(")")
            }
            ConditionAst::Call(c) => write!(f, "{c}"),
            ConditionAst::Not(c) => {
                f.write_str("NOT ")?;
                c.write_child(f, 3)
            }
            // The parser is left-associative, so a right operand of equal strength needs
            // parentheses to come back as the same tree.
            ConditionAst::And(l, r) => {
                l.write_child(f, 2)?;
                f.write_str(" AND ")?;
                r.write_child(f, 3)
            }
            ConditionAst::Or(l, r) => {
                l.write_child(f, 1)?;
                f.write_str(" OR ")?;
                r.write_child(f, 2)
            }
        }
    }
}

impl fmt::Display for SetRhs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetRhs::Operand(o) => write!(f, "{o}"),
            SetRhs::Plus(a, b) => write!(f, "{a} + {b}"),
            SetRhs::Minus(a, b) => write!(f, "{a} - {b}"),
        }
    }
}

impl fmt::Display for UpdateClause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())?;
        f.write_str(" ")?;
        let parts: Vec<String> = match self {
            UpdateClause::Set(v) => v.iter().map(|(p, r)| format!("{p} = {r}")).collect(),
            UpdateClause::Remove(v) => v.iter().map(|p| p.to_string()).collect(),
            UpdateClause::Add(v) | UpdateClause::Delete(v) => {
                v.iter().map(|(p, val)| format!("{p} {val}")).collect()
            }
        };
        write_list(f, &parts)
    }
}

impl fmt::Display for UpdateAst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ProjectionAst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> Operand {
        Operand::Path(RawPath(vec![PathSegment::Attr(s.into())]))
    }

    #[test]
    fn prints_with_minimal_parentheses() {
        let cmp = |a: &str| {
            Box::new(ConditionAst::Compare(
                path(a),
                Comparator::Eq,
                Operand::Value(":v".into()),
            ))
        };
        let c = ConditionAst::And(cmp("a"), Box::new(ConditionAst::Or(cmp("b"), cmp("c"))));
        assert_eq!(c.to_string(), "a = :v AND (b = :v OR c = :v)");
        let n = ConditionAst::Not(Box::new(ConditionAst::And(cmp("a"), cmp("b"))));
        assert_eq!(n.to_string(), "NOT (a = :v AND b = :v)");
    }

    #[test]
    fn prints_paths_and_updates() {
        let p = RawPath(vec![
            PathSegment::Attr("a".into()),
            PathSegment::Index(2),
            PathSegment::Name("#b".into()),
        ]);
        assert_eq!(p.to_string(), "a[2].#b");
        let u = UpdateAst(vec![
            UpdateClause::Set(vec![(
                p.clone(),
                SetRhs::Plus(path("x"), Operand::Value(":one".into())),
            )]),
            UpdateClause::Remove(vec![p]),
        ]);
        assert_eq!(u.to_string(), "SET a[2].#b = x + :one REMOVE a[2].#b");
    }
}
