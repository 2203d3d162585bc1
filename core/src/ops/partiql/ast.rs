//! The syntax tree of a DynamoDB PartiQL statement, as the parser reads it (no table or
//! value checks yet). Every node that DynamoDB's messages point at keeps its position.

use super::lexer::Pos;

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `SELECT … FROM …`.
    Select(Select),
    /// `INSERT INTO … VALUE {…}`.
    Insert(Insert),
    /// `UPDATE … SET/REMOVE … WHERE …` (or `FROM … WHERE … SET …`).
    Update(Update),
    /// `DELETE FROM … WHERE …`.
    Delete(Delete),
    /// `EXISTS(SELECT …)`: a condition check inside ExecuteTransaction.
    Exists(Select),
}

/// A table, or an index of one (`"table"."index"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The table's name.
    pub table: String,
    /// The index's name.
    pub index: Option<String>,
}

/// A SELECT.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// `*` (None) or the projected paths.
    pub projection: Option<Vec<PathExpr>>,
    /// FROM.
    pub source: Source,
    /// WHERE.
    pub filter: Option<Expr>,
    /// ORDER BY: attribute names, descending when true.
    pub order_by: Vec<(String, bool, Pos)>,
}

/// An INSERT.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The table.
    pub source: Source,
    /// The item expression (DynamoDB takes a tuple only).
    pub value: Expr,
}

/// An UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The table.
    pub source: Source,
    /// SET and REMOVE actions in written order.
    pub actions: Vec<Action>,
    /// WHERE.
    pub filter: Option<Expr>,
    /// RETURNING.
    pub returning: Option<Returning>,
}

/// A DELETE.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The table.
    pub source: Source,
    /// WHERE.
    pub filter: Option<Expr>,
    /// RETURNING.
    pub returning: Option<Returning>,
}

/// One action of an UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `SET path = value`.
    Set(PathExpr, Expr),
    /// `REMOVE path`.
    Remove(PathExpr),
}

/// `RETURNING (ALL|MODIFIED) (OLD|NEW) *`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returning {
    /// ALL OLD.
    AllOld,
    /// MODIFIED OLD.
    ModifiedOld,
    /// ALL NEW.
    AllNew,
    /// MODIFIED NEW.
    ModifiedNew,
}

impl Returning {
    /// As written, for messages (`ALL NEW *`).
    pub fn text(self) -> &'static str {
        match self {
            Returning::AllOld => "ALL OLD *",
            Returning::ModifiedOld => "MODIFIED OLD *",
            Returning::AllNew => "ALL NEW *",
            Returning::ModifiedNew => "MODIFIED NEW *",
        }
    }
}

/// One step of a document path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `.name`, `."name"` or `['name']` (and the first step).
    Attr(String),
    /// `[n]`.
    Index(i64),
}

/// A document path, `a.b[2]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PathExpr {
    /// The steps; the first is an `Attr`.
    pub steps: Vec<Step>,
    /// Where the path starts.
    pub pos: Pos,
}

/// A literal scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `'text'`.
    Str(String),
    /// A number as written (with a leading `-` when negated).
    Num(String),
    /// TRUE / FALSE.
    Bool(bool),
    /// NULL.
    Null,
    /// MISSING.
    Missing,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `=`.
    Eq,
    /// `<>` or `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// What `IS` tests.
#[derive(Debug, Clone, PartialEq)]
pub enum IsType {
    /// `IS MISSING`.
    Missing,
    /// `IS NULL`.
    Null,
    /// `IS <type>` (upper-cased).
    Type(String),
}

/// An expression: a value, or a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A document path.
    Path(PathExpr),
    /// A literal.
    Lit(Lit, Pos),
    /// The n-th `?` (from 0).
    Param(usize, Pos),
    /// `{'k': v, …}`.
    Tuple(Vec<(Expr, Expr)>, Pos),
    /// `[v, …]` (or `(v, …)` after IN).
    List(Vec<Expr>, Pos),
    /// `<<v, …>>`.
    Bag(Vec<Expr>, Pos),
    /// `name(args)`; the name lower-cased.
    Call(String, Vec<Expr>, Pos),
    /// `a + b` (true) or `a - b` (false).
    Arith(bool, Box<Expr>, Box<Expr>, Pos),
    /// `a <op> b`.
    Compare(Cmp, Box<Expr>, Box<Expr>, Pos),
    /// `a [NOT] IN list` (negated when true).
    In(Box<Expr>, Box<Expr>, bool, Pos),
    /// `a [NOT] BETWEEN lo AND hi`.
    Between(Box<Expr>, Box<Expr>, Box<Expr>, bool, Pos),
    /// `a IS [NOT] type`.
    Is(Box<Expr>, IsType, bool, Pos),
    /// `NOT c`.
    Not(Box<Expr>, Pos),
    /// `l AND r`.
    And(Box<Expr>, Box<Expr>),
    /// `l OR r`.
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Where the expression starts (for the operators: where the operator is).
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Path(p) => p.pos,
            Expr::Lit(_, p)
            | Expr::Param(_, p)
            | Expr::Tuple(_, p)
            | Expr::List(_, p)
            | Expr::Bag(_, p)
            | Expr::Call(_, _, p)
            | Expr::Arith(_, _, _, p)
            | Expr::Compare(_, _, _, p)
            | Expr::In(_, _, _, p)
            | Expr::Between(_, _, _, _, p)
            | Expr::Is(_, _, _, p)
            | Expr::Not(_, p) => *p,
            Expr::And(l, _) | Expr::Or(l, _) => l.pos(),
        }
    }
}
