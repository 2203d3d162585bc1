//! Recursive-descent parser of DynamoDB's PartiQL statements (see `mod.rs` for why it is
//! written by hand). It reads SELECT, INSERT, UPDATE (both orders), DELETE and EXISTS and
//! the expression grammar of their clauses, precedence lowest first: OR, AND, NOT,
//! comparisons / IN / BETWEEN / IS, `+` `-`, unary `-`, primaries.
//!
//! Refusals use DynamoDB's texts where they are known: "Unexpected token after expression"
//! for anything left over, "Aliasing is not supported" for a table alias, the bare
//! "wasn't well formed" envelope for what the lexer cannot read. The details of other syntax
//! errors are ours (DynamoDB's parser words them after its own grammar): they name what
//! was expected.

use super::ast::*;
use super::error::{invalid, not_well_formed, INCOMPLETE_KEY};
use super::lexer::{lex, Pos, Tok, Token};
use crate::error::ApiError;

/// Deepest nesting of parentheses and collections accepted (a fuzzer's `((((…` must not
/// exhaust the stack).
const MAX_DEPTH: usize = 64;

/// A parsed statement and how many `?` it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The statement.
    pub statement: Statement,
    /// Number of `?` parameters.
    pub parameters: usize,
}

/// Parses one statement.
pub fn parse(src: &str) -> Result<Parsed, ApiError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        at: 0,
        params: 0,
        depth: 0,
    };
    let statement = p.statement()?;
    Ok(Parsed {
        statement,
        parameters: p.params,
    })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    params: usize,
    depth: usize,
}

/// Words that cannot name an attribute unquoted.
const RESERVED: [&str; 22] = [
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "IS",
    "SET",
    "REMOVE",
    "RETURNING",
    "ORDER",
    "BY",
    "VALUE",
    "VALUES",
    "INTO",
    "INSERT",
    "UPDATE",
    "DELETE",
    "AS",
    "EXISTS",
];

/// PartiQL keywords that cannot follow a `.` unquoted (`m.inner` is refused as DynamoDB does;
/// `m."inner"` is fine).
const AFTER_DOT_RESERVED: [&str; 24] = [
    "INNER", "OUTER", "LEFT", "RIGHT", "CROSS", "JOIN", "FULL", "UNION", "GROUP", "HAVING",
    "LIMIT", "OFFSET", "AT", "PIVOT", "UNPIVOT", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST",
    "LIKE", "DISTINCT", "ON",
];

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.at).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.tokens.get(self.at + n).map_or(&Tok::Eof, |t| &t.tok)
    }

    fn pos(&self) -> Pos {
        self.tokens
            .get(self.at)
            .or_else(|| self.tokens.last())
            .map_or_else(Pos::default, |t| t.pos)
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        t
    }

    fn is_kw(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w.eq_ignore_ascii_case(word))
    }

    fn eat_kw(&mut self, word: &str) -> bool {
        let yes = self.is_kw(word);
        if yes {
            self.bump();
        }
        yes
    }

    fn expect_kw(&mut self, word: &str) -> Result<(), ApiError> {
        if self.eat_kw(word) {
            Ok(())
        } else {
            Err(self.expected(&format!("keyword {word}")))
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.bump();
        }
        yes
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), ApiError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{p}'")))
        }
    }

    /// Our detail for a syntax error (best guess at DynamoDB's parser wording).
    fn expected(&self, what: &str) -> ApiError {
        match self.peek() {
            Tok::Eof => not_well_formed(&format!("Expected {what} at end of statement")),
            _ => not_well_formed(&format!("Expected {what} at {}", self.pos().describe())),
        }
    }

    fn end(&mut self) -> Result<(), ApiError> {
        match self.peek() {
            Tok::Eof => Ok(()),
            _ => Err(not_well_formed("Unexpected token after expression")),
        }
    }

    fn enter(&mut self) -> Result<(), ApiError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(not_well_formed("Expression is nested too deeply"));
        }
        Ok(())
    }

    fn statement(&mut self) -> Result<Statement, ApiError> {
        let st = if self.eat_kw("SELECT") {
            Statement::Select(self.select_rest()?)
        } else if self.eat_kw("INSERT") {
            Statement::Insert(self.insert()?)
        } else if self.eat_kw("UPDATE") {
            Statement::Update(self.update()?)
        } else if self.eat_kw("DELETE") {
            Statement::Delete(self.delete()?)
        } else if self.eat_kw("FROM") {
            Statement::Update(self.update_from_first()?)
        } else if self.eat_kw("EXISTS") {
            self.expect_punct("(")?;
            self.expect_kw("SELECT")?;
            let s = self.select_rest()?;
            self.expect_punct(")")?;
            Statement::Exists(s)
        } else {
            return Err(not_well_formed("Expected data manipulation"));
        };
        self.end()?;
        Ok(st)
    }

    /// A table or index name: bare or quoted.
    fn name(&mut self) -> Result<String, ApiError> {
        match self.peek().clone() {
            Tok::Quoted(s) => {
                self.bump();
                Ok(s)
            }
            Tok::Ident(s) if !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&s)) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.expected("a table name")),
        }
    }

    fn source(&mut self) -> Result<Source, ApiError> {
        let table = self.name()?;
        let index = if self.eat_punct(".") {
            Some(self.name()?)
        } else {
            None
        };
        if self.is_punct(".") {
            return Err(invalid(
                "A path may contain at most 2 components in the FROM clause",
            ));
        }
        Ok(Source { table, index })
    }

    /// Refuses `t alias` and `t AS alias` after a source, unless the next word is one of
    /// `next` (the clause that may follow).
    fn no_alias(&mut self, next: &[&str]) -> Result<(), ApiError> {
        match self.peek() {
            Tok::Ident(w) if !next.iter().any(|n| n.eq_ignore_ascii_case(w)) => {
                Err(invalid("Aliasing is not supported"))
            }
            Tok::Quoted(_) => Err(invalid("Aliasing is not supported")),
            _ => Ok(()),
        }
    }

    fn select_rest(&mut self) -> Result<Select, ApiError> {
        let projection = if self.eat_punct("*") {
            None
        } else {
            if self.is_kw("VALUE") || self.is_kw("PIVOT") {
                return Err(invalid(
                    "Select projection doesn't support value or pivot keywords",
                ));
            }
            let mut paths = vec![self.projected()?];
            while self.eat_punct(",") {
                if self.is_punct("*") {
                    return Err(invalid(
                        "Other attributes should not be present in the projection when '*' is used.",
                    ));
                }
                paths.push(self.projected()?);
            }
            Some(paths)
        };
        self.expect_kw("FROM")?;
        let source = self.source()?;
        self.no_alias(&["WHERE", "ORDER"])?;
        let filter = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let pos = self.pos();
                let name = match self.bump() {
                    Tok::Ident(s) | Tok::Quoted(s) => s,
                    _ => return Err(self.expected("an attribute name")),
                };
                let desc = if self.eat_kw("DESC") {
                    true
                } else {
                    self.eat_kw("ASC");
                    false
                };
                order_by.push((name, desc, pos));
                if !self.eat_punct(",") {
                    break;
                }
            }
        }
        Ok(Select {
            projection,
            source,
            filter,
            order_by,
        })
    }

    /// One projected item: a path, or DynamoDB's refusal of anything else.
    fn projected(&mut self) -> Result<PathExpr, ApiError> {
        let e = self.additive()?;
        match e {
            Expr::Path(p) => Ok(p),
            other => Err(super::error::at("Unexpected path component", other.pos())),
        }
    }

    fn insert(&mut self) -> Result<Insert, ApiError> {
        self.expect_kw("INTO")?;
        let source = self.source()?;
        if self.is_punct("<<") {
            return Err(invalid(
                "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead",
            ));
        }
        if !self.is_kw("VALUE") && !matches!(self.peek(), Tok::Eof) {
            // `INSERT INTO t x VALUE …`: DynamoDB reads the statement as ending at the table.
            return Err(not_well_formed("Unexpected token after expression"));
        }
        self.expect_kw("VALUE")?;
        let value = self.expr()?;
        if self.is_kw("RETURNING") {
            return Err(invalid("RETURNING is not supported in INSERT"));
        }
        Ok(Insert { source, value })
    }

    fn update(&mut self) -> Result<Update, ApiError> {
        let source = self.source()?;
        self.no_alias(&["SET", "REMOVE", "WHERE"])?;
        let actions = self.actions()?;
        let filter = if self.eat_kw("WHERE") {
            Some(self.expr()?)
        } else {
            return Err(invalid(INCOMPLETE_KEY));
        };
        let returning = self.returning()?;
        Ok(Update {
            source,
            actions,
            filter,
            returning,
        })
    }

    /// `FROM t WHERE … SET …`: PartiQL's other order of an UPDATE.
    fn update_from_first(&mut self) -> Result<Update, ApiError> {
        let source = self.source()?;
        self.no_alias(&["WHERE", "SET", "REMOVE"])?;
        if !self.eat_kw("WHERE") {
            return Err(invalid(INCOMPLETE_KEY));
        }
        let filter = Some(self.expr()?);
        let actions = self.actions()?;
        let returning = self.returning()?;
        Ok(Update {
            source,
            actions,
            filter,
            returning,
        })
    }

    fn actions(&mut self) -> Result<Vec<Action>, ApiError> {
        let mut actions = Vec::new();
        loop {
            if self.eat_kw("SET") {
                loop {
                    let path = self.path()?;
                    self.expect_punct("=")?;
                    let value = self.additive()?;
                    actions.push(Action::Set(path, value));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            } else if self.eat_kw("REMOVE") {
                loop {
                    actions.push(Action::Remove(self.path()?));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        if actions.is_empty() {
            return Err(self.expected("SET or REMOVE"));
        }
        Ok(actions)
    }

    fn delete(&mut self) -> Result<Delete, ApiError> {
        self.expect_kw("FROM")?;
        let source = self.source()?;
        self.no_alias(&["WHERE"])?;
        if !self.eat_kw("WHERE") {
            return Err(invalid(INCOMPLETE_KEY));
        }
        let filter = Some(self.expr()?);
        let returning = self.returning()?;
        Ok(Delete {
            source,
            filter,
            returning,
        })
    }

    fn returning(&mut self) -> Result<Option<Returning>, ApiError> {
        if !self.eat_kw("RETURNING") {
            return Ok(None);
        }
        let all = if self.eat_kw("ALL") {
            true
        } else if self.eat_kw("MODIFIED") {
            false
        } else {
            return Err(self.expected("ALL or MODIFIED"));
        };
        let old = if self.eat_kw("OLD") {
            true
        } else if self.eat_kw("NEW") {
            false
        } else {
            return Err(self.expected("OLD or NEW"));
        };
        if !self.eat_punct("*") {
            return Err(invalid(
                "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause",
            ));
        }
        if self.is_punct(",") {
            return Err(invalid(
                "Invalid syntax with multiple returning elements in RETURNING clause",
            ));
        }
        Ok(Some(match (all, old) {
            (true, true) => Returning::AllOld,
            (false, true) => Returning::ModifiedOld,
            (true, false) => Returning::AllNew,
            (false, false) => Returning::ModifiedNew,
        }))
    }

    /// A document path where only a path may stand (SET and REMOVE targets).
    fn path(&mut self) -> Result<PathExpr, ApiError> {
        match self.primary()? {
            Expr::Path(p) => Ok(p),
            other => Err(super::error::at("Unexpected path component", other.pos())),
        }
    }

    fn expr(&mut self) -> Result<Expr, ApiError> {
        self.enter()?;
        let mut l = self.and()?;
        while self.eat_kw("OR") {
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        self.depth -= 1;
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, ApiError> {
        let mut l = self.not()?;
        while self.eat_kw("AND") {
            let r = self.not()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Expr, ApiError> {
        let pos = self.pos();
        if self.eat_kw("NOT") {
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner), pos));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, ApiError> {
        let l = self.additive()?;
        let pos = self.pos();
        let cmp = match self.peek() {
            Tok::Punct("=") => Some(Cmp::Eq),
            Tok::Punct("<>" | "!=") => Some(Cmp::Ne),
            Tok::Punct("<") => Some(Cmp::Lt),
            Tok::Punct("<=") => Some(Cmp::Le),
            Tok::Punct(">") => Some(Cmp::Gt),
            Tok::Punct(">=") => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(op) = cmp {
            self.bump();
            let r = self.additive()?;
            return Ok(Expr::Compare(op, Box::new(l), Box::new(r), pos));
        }
        let negated = self.is_kw("NOT")
            && matches!(self.peek_at(1), Tok::Ident(w) if w.eq_ignore_ascii_case("IN") || w.eq_ignore_ascii_case("BETWEEN"));
        if negated {
            self.bump();
        }
        if self.eat_kw("IN") {
            let list = self.additive()?;
            return Ok(Expr::In(Box::new(l), Box::new(list), negated, pos));
        }
        if self.eat_kw("BETWEEN") {
            let lo = self.additive()?;
            self.expect_kw("AND")?;
            let hi = self.additive()?;
            return Ok(Expr::Between(
                Box::new(l),
                Box::new(lo),
                Box::new(hi),
                negated,
                pos,
            ));
        }
        if self.eat_kw("IS") {
            let not = self.eat_kw("NOT");
            let ty = match self.bump() {
                Tok::Ident(w) if w.eq_ignore_ascii_case("MISSING") => IsType::Missing,
                Tok::Ident(w) if w.eq_ignore_ascii_case("NULL") => IsType::Null,
                Tok::Ident(w) => IsType::Type(w.to_ascii_uppercase()),
                _ => return Err(self.expected("a type after IS")),
            };
            return Ok(Expr::Is(Box::new(l), ty, not, pos));
        }
        Ok(l)
    }

    fn additive(&mut self) -> Result<Expr, ApiError> {
        let mut l = self.unary()?;
        loop {
            let pos = self.pos();
            let plus = if self.eat_punct("+") {
                true
            } else if self.eat_punct("-") {
                false
            } else {
                return Ok(l);
            };
            let r = self.unary()?;
            l = Expr::Arith(plus, Box::new(l), Box::new(r), pos);
        }
    }

    fn unary(&mut self) -> Result<Expr, ApiError> {
        let pos = self.pos();
        if self.eat_punct("-") {
            return match self.bump() {
                Tok::Num(n) => Ok(Expr::Lit(Lit::Num(format!("-{n}")), pos)),
                _ => Err(self.expected("a number after '-'")),
            };
        }
        if self.eat_punct("+") {
            return match self.bump() {
                Tok::Num(n) => Ok(Expr::Lit(Lit::Num(n), pos)),
                _ => Err(self.expected("a number after '+'")),
            };
        }
        self.primary()
    }

    fn list_items(&mut self, close: &str) -> Result<Vec<Expr>, ApiError> {
        let mut items = Vec::new();
        if self.eat_punct(close) {
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            if self.eat_punct(close) {
                return Ok(items);
            }
            self.expect_punct(",")?;
        }
    }

    fn primary(&mut self) -> Result<Expr, ApiError> {
        self.enter()?;
        let e = self.primary_inner();
        self.depth -= 1;
        e
    }

    fn primary_inner(&mut self) -> Result<Expr, ApiError> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Lit(Lit::Str(s), pos))
            }
            Tok::Num(n) => {
                self.bump();
                Ok(Expr::Lit(Lit::Num(n), pos))
            }
            Tok::Param => {
                self.bump();
                self.params += 1;
                Ok(Expr::Param(self.params - 1, pos))
            }
            Tok::Punct("(") => {
                self.bump();
                let first = self.expr()?;
                if self.eat_punct(")") {
                    return Ok(first);
                }
                self.expect_punct(",")?;
                let mut items = vec![first];
                items.extend(self.list_items(")")?);
                Ok(Expr::List(items, pos))
            }
            Tok::Punct("[") => {
                self.bump();
                Ok(Expr::List(self.list_items("]")?, pos))
            }
            Tok::Punct("<<") => {
                self.bump();
                Ok(Expr::Bag(self.list_items(">>")?, pos))
            }
            Tok::Punct("{") => {
                self.bump();
                let mut fields = Vec::new();
                if !self.eat_punct("}") {
                    loop {
                        let k = self.expr()?;
                        self.expect_punct(":")?;
                        let v = self.expr()?;
                        fields.push((k, v));
                        if self.eat_punct("}") {
                            break;
                        }
                        self.expect_punct(",")?;
                    }
                }
                Ok(Expr::Tuple(fields, pos))
            }
            Tok::Ident(w) => {
                let upper = w.to_ascii_uppercase();
                match upper.as_str() {
                    "TRUE" | "FALSE" => {
                        self.bump();
                        return Ok(Expr::Lit(Lit::Bool(upper == "TRUE"), pos));
                    }
                    "NULL" => {
                        self.bump();
                        return Ok(Expr::Lit(Lit::Null, pos));
                    }
                    "MISSING" => {
                        self.bump();
                        return Ok(Expr::Lit(Lit::Missing, pos));
                    }
                    _ => {}
                }
                if matches!(self.peek_at(1), Tok::Punct("(")) {
                    self.bump();
                    self.bump();
                    let args = self.list_items(")")?;
                    return Ok(Expr::Call(w.to_ascii_lowercase(), args, pos));
                }
                if RESERVED.contains(&upper.as_str()) {
                    return Err(self.expected("an expression"));
                }
                self.path_from(pos)
            }
            Tok::Quoted(_) => self.path_from(pos),
            _ => Err(self.expected("an expression")),
        }
    }

    fn path_from(&mut self, pos: Pos) -> Result<Expr, ApiError> {
        let first = match self.bump() {
            Tok::Ident(s) | Tok::Quoted(s) => s,
            _ => return Err(self.expected("an attribute name")),
        };
        let mut steps = vec![Step::Attr(first)];
        loop {
            if self.eat_punct(".") {
                match self.bump() {
                    Tok::Ident(s)
                        if RESERVED
                            .iter()
                            .chain(AFTER_DOT_RESERVED.iter())
                            .any(|r| r.eq_ignore_ascii_case(&s)) =>
                    {
                        return Err(not_well_formed("Invalid path dot component"))
                    }
                    Tok::Ident(s) | Tok::Quoted(s) => steps.push(Step::Attr(s)),
                    Tok::Punct("*") => {
                        return Err(invalid(
                            "Unpivot path component like a.*.b are not supported",
                        ))
                    }
                    _ => return Err(not_well_formed("Invalid path dot component")),
                }
            } else if self.eat_punct("[") {
                match self.bump() {
                    Tok::Num(n) => {
                        let i: i64 = n.parse().map_err(|_| {
                            invalid(format!(
                                "List index is not within the allowable range; index: [{n}]"
                            ))
                        })?;
                        steps.push(Step::Index(i));
                    }
                    Tok::Punct("-") => {
                        let n = match self.bump() {
                            Tok::Num(n) => n,
                            _ => return Err(self.expected("a list index")),
                        };
                        return Err(invalid(format!(
                            "List index is not within the allowable range; index: [-{n}]"
                        )));
                    }
                    Tok::Str(s) => steps.push(Step::Attr(s)),
                    Tok::Punct("*") => {
                        return Err(invalid(
                            "Wildcard path component like a[*].b are not supported",
                        ))
                    }
                    _ => return Err(self.expected("a list index")),
                }
                self.expect_punct("]")?;
            } else {
                break;
            }
        }
        Ok(Expr::Path(PathExpr { steps, pos }))
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
