//! ProjectionExpression: compiling the written paths, and projecting an item onto a set of
//! (possibly nested) paths. The same projection serves ReturnValues UPDATED_OLD/UPDATED_NEW.

use super::ast::ProjectionAst;
use super::names::ExpressionAttributes;
use super::path::{check_overlaps, step, DocPath, PathElement};
use crate::model::{AttributeValue, Item};
use std::collections::BTreeMap;

/// A compiled ProjectionExpression.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The requested paths, in written order.
    pub paths: Vec<DocPath>,
}

impl Projection {
    /// The distinct top-level attributes the projection names, in written order (what
    /// `dynamodb:Attributes` holds for a read).
    pub fn top_level_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::with_capacity(self.paths.len());
        for p in &self.paths {
            if !names.iter().any(|n| n == p.top()) {
                names.push(p.top().to_string());
            }
        }
        names
    }

    /// The item reduced to the requested paths.
    pub fn apply(&self, item: &Item) -> Item {
        project(item, &self.paths)
    }

    /// The distinct top-level attributes the projection reads.
    pub fn top_level_attributes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.paths {
            if !out.contains(&p.top()) {
                out.push(p.top());
            }
        }
        out
    }
}

/// Compiles a parsed projection: reserved words, placeholders, then overlapping paths.
/// `Err` is DynamoDB's message without the `Invalid ProjectionExpression: ` prefix.
pub fn compile_projection(
    ast: &ProjectionAst,
    attrs: &mut ExpressionAttributes<'_>,
) -> Result<Projection, String> {
    if let Some(word) = ast.0.iter().find_map(|p| p.reserved_word()) {
        return Err(format!(
            "Attribute name is a reserved keyword; reserved keyword: {word}"
        ));
    }
    let paths = ast
        .0
        .iter()
        .map(|p| attrs.path(p))
        .collect::<Result<Vec<_>, _>>()?;
    check_overlaps(&paths)?;
    Ok(Projection { paths })
}

/// Which parts of a value to keep.
#[derive(Debug)]
enum Keep {
    /// Nothing selected yet.
    Empty,
    /// The whole value.
    All,
    /// Some keys of a map.
    Keys(BTreeMap<String, Keep>),
    /// Some elements of a list.
    Indexes(BTreeMap<usize, Keep>),
}

impl Keep {
    fn insert(&mut self, rest: &[PathElement]) {
        let Some((first, rest)) = rest.split_first() else {
            *self = Keep::All;
            return;
        };
        match self {
            Keep::All => return,
            Keep::Empty => {
                *self = match first {
                    PathElement::Attr(_) => Keep::Keys(BTreeMap::new()),
                    PathElement::Index(_) => Keep::Indexes(BTreeMap::new()),
                }
            }
            _ => {}
        }
        let child = match (self, first) {
            (Keep::Keys(m), PathElement::Attr(k)) => m.entry(k.clone()).or_insert(Keep::Empty),
            (Keep::Indexes(m), PathElement::Index(i)) => m.entry(*i).or_insert(Keep::Empty),
            // A path that disagrees in shape with an earlier one selects nothing more.
            _ => return,
        };
        child.insert(rest);
    }
}

/// Projects `item` onto `paths`: nested paths keep only the named map keys and list elements
/// (list elements in index order); paths that do not exist in the item contribute nothing.
pub fn project(item: &Item, paths: &[DocPath]) -> Item {
    let mut tops: BTreeMap<&str, Keep> = BTreeMap::new();
    for p in paths {
        let entry = tops.entry(p.top()).or_insert(Keep::Empty);
        entry.insert(&p.0[1..]);
    }
    let mut out = Item::new();
    for (name, keep) in tops {
        if let Some(v) = item.get(name).and_then(|v| extract(v, &keep)) {
            out.insert(name.to_string(), v);
        }
    }
    out
}

fn extract(v: &AttributeValue, keep: &Keep) -> Option<AttributeValue> {
    match keep {
        Keep::All => Some(v.clone()),
        Keep::Empty => None,
        Keep::Keys(keys) => {
            let m: Item = keys
                .iter()
                .filter_map(|(k, sub)| {
                    let child = step(v, &PathElement::Attr(k.clone()))?;
                    Some((k.clone(), extract(child, sub)?))
                })
                .collect();
            (!m.is_empty()).then_some(AttributeValue::M(m))
        }
        Keep::Indexes(idx) => {
            let l: Vec<AttributeValue> = idx
                .iter()
                .filter_map(|(i, sub)| extract(step(v, &PathElement::Index(*i))?, sub))
                .collect();
            (!l.is_empty()).then_some(AttributeValue::L(l))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parser::parse_projection_ast;
    use std::collections::HashMap;

    fn compile(src: &str) -> Result<Projection, String> {
        let names: HashMap<String, String> = [("#s".to_string(), "status".to_string())].into();
        let mut attrs = ExpressionAttributes::new(Some(&names), None);
        compile_projection(&parse_projection_ast(src)?, &mut attrs)
    }

    fn item(s: &str) -> Item {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn projects_nested_paths() {
        let it = item(
            r#"{"a":{"M":{"b":{"L":[{"N":"0"},{"M":{"c":{"S":"x"},"d":{"S":"y"}}},{"N":"2"},{"N":"3"}]},"e":{"S":"z"}}},
                "status":{"S":"ok"},"other":{"S":"no"}}"#,
        );
        let p = compile("a.b[3], #s, a.b[1].c, nothere, a.zz").unwrap();
        let out = p.apply(&it);
        assert_eq!(
            out,
            item(
                r#"{"a":{"M":{"b":{"L":[{"M":{"c":{"S":"x"}}},{"N":"3"}]}}},"status":{"S":"ok"}}"#
            )
        );
        assert_eq!(p.top_level_attributes(), vec!["a", "status", "nothere"]);
    }

    #[test]
    fn errors() {
        assert_eq!(
            compile("a, a").unwrap_err(),
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
        );
        assert_eq!(
            compile("a.b, a[1]").unwrap_err(),
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"
        );
        assert_eq!(
            compile("status").unwrap_err(),
            "Attribute name is a reserved keyword; reserved keyword: status"
        );
        assert_eq!(
            compile("#x").unwrap_err(),
            "An expression attribute name used in the document path is not defined; attribute name: #x"
        );
    }
}
