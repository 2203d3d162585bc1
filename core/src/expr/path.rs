//! Resolved document paths (`a.b[2].c` with placeholders substituted), lookup in an item, and
//! DynamoDB's overlap/conflict rules between the paths of one update or projection.

use crate::model::{AttributeValue, Item};
use std::fmt;

/// One step of a resolved document path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    /// A map key (or, first, a top-level attribute name).
    Attr(String),
    /// A list index.
    Index(usize),
}

/// A resolved document path. Invariant: non-empty, and the first element is an `Attr`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocPath(pub Vec<PathElement>);

impl DocPath {
    /// A path naming one top-level attribute.
    pub fn attribute(name: impl Into<String>) -> DocPath {
        DocPath(vec![PathElement::Attr(name.into())])
    }

    /// The top-level attribute the path starts at.
    pub fn top(&self) -> &str {
        match self.0.first() {
            Some(PathElement::Attr(a)) => a,
            _ => "",
        }
    }

    /// Whether the path names a top-level attribute only.
    pub fn is_top_level(&self) -> bool {
        self.0.len() == 1
    }

    /// The value at this path in `item`, if every step exists with the right type.
    pub fn get<'a>(&self, item: &'a Item) -> Option<&'a AttributeValue> {
        let mut cur = item.get(self.top())?;
        for el in &self.0[1..] {
            cur = step(cur, el)?;
        }
        Some(cur)
    }

    /// The path as DynamoDB prints it in messages: `[a, b, [2]]`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| match e {
                PathElement::Attr(a) => a.clone(),
                PathElement::Index(i) => format!("[{i}]"),
            })
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

/// One step into a map or list value.
pub(crate) fn step<'a>(v: &'a AttributeValue, el: &PathElement) -> Option<&'a AttributeValue> {
    match (v, el) {
        (AttributeValue::M(m), PathElement::Attr(k)) => m.get(k),
        (AttributeValue::L(l), PathElement::Index(i)) => l.get(*i),
        _ => None,
    }
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            match e {
                PathElement::Attr(a) if i == 0 => f.write_str(a)?,
                PathElement::Attr(a) => write!(f, ".{a}")?,
                PathElement::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Rejects paths of one expression that overlap (one is a prefix of the other, or equal) or
/// conflict (one indexes a list where the other names a map key), with DynamoDB's messages.
/// Overlaps are reported before conflicts; "path one" is the earlier path as written.
pub(crate) fn check_overlaps(paths: &[DocPath]) -> Result<(), String> {
    let mut conflict = None;
    for (j, later) in paths.iter().enumerate() {
        for earlier in &paths[..j] {
            match relation(earlier, later) {
                Relation::Overlap => {
                    return Err(format!(
                        "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                        earlier.describe(),
                        later.describe()
                    ))
                }
                Relation::Conflict if conflict.is_none() => {
                    conflict = Some(format!(
                        "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                        earlier.describe(),
                        later.describe()
                    ))
                }
                _ => {}
            }
        }
    }
    conflict.map_or(Ok(()), Err)
}

enum Relation {
    Disjoint,
    Overlap,
    Conflict,
}

fn relation(a: &DocPath, b: &DocPath) -> Relation {
    for (x, y) in a.0.iter().zip(&b.0) {
        match (x, y) {
            (PathElement::Attr(p), PathElement::Attr(q)) if p != q => return Relation::Disjoint,
            (PathElement::Index(p), PathElement::Index(q)) if p != q => return Relation::Disjoint,
            (PathElement::Attr(_), PathElement::Index(_))
            | (PathElement::Index(_), PathElement::Attr(_)) => return Relation::Conflict,
            _ => {}
        }
    }
    Relation::Overlap
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathElement::{Attr, Index};

    fn p(els: Vec<PathElement>) -> DocPath {
        DocPath(els)
    }

    #[test]
    fn get_walks_maps_and_lists() {
        let item: Item =
            serde_json::from_str(r#"{"a":{"M":{"b":{"L":[{"S":"x"},{"M":{"c":{"N":"1"}}}]}}}}"#)
                .unwrap();
        let path = p(vec![
            Attr("a".into()),
            Attr("b".into()),
            Index(1),
            Attr("c".into()),
        ]);
        assert_eq!(path.to_string(), "a.b[1].c");
        assert_eq!(path.describe(), "[a, b, [1], c]");
        assert!(matches!(path.get(&item), Some(AttributeValue::N(n)) if n.as_str() == "1"));
        assert_eq!(p(vec![Attr("a".into()), Index(0)]).get(&item), None);
        assert_eq!(
            p(vec![Attr("a".into()), Attr("zz".into())]).get(&item),
            None
        );
    }

    #[test]
    fn overlap_and_conflict_messages() {
        let a = p(vec![Attr("a".into())]);
        let ab = p(vec![Attr("a".into()), Attr("b".into())]);
        let a1 = p(vec![Attr("a".into()), Index(1)]);
        let c = p(vec![Attr("c".into())]);
        assert_eq!(
            check_overlaps(&[a.clone(), ab.clone()]).unwrap_err(),
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
        );
        assert_eq!(
            check_overlaps(&[ab.clone(), a1.clone()]).unwrap_err(),
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"
        );
        // An overlap anywhere wins over an earlier conflict.
        assert!(check_overlaps(&[ab.clone(), a1, c.clone(), c.clone()])
            .unwrap_err()
            .contains("overlap"));
        assert!(check_overlaps(&[ab, c]).is_ok());
    }
}
