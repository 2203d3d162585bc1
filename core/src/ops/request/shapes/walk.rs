//! Walks a request body against its input shape in one streaming pass (serde's visitor over
//! the raw bytes: no `serde_json::Value` tree), collecting DynamoDB's constraint texts.
//!
//! Values render as DynamoDB's Java service prints them: strings and numbers as written,
//! lists as `[a, b]`, maps as `{k=v}`, a structure of scalars as its SDK object dump
//! (`KeySchemaElement(AttributeName=pk, KeyType=HASH)`, present members in model order) and
//! any other structure by its shape's name (DynamoDB prints an object reference there,
//! `…WriteRequest@5f1c…`; the class name says the same — best guess), AttributeValues as
//! `AttributeValue`. Only values a constraint may need are rendered.
//!
//! Within a structure, violations come in the model's member order; a member's own violation
//! comes before those inside it. A list reports its elements' own violations once, at the list
//! ("Member must satisfy constraint: [all of the element's]"; a null element is "Member must
//! not be null" at its path), a map its keys' and values' ("Map keys/value must satisfy
//! constraint: [...]"), as DynamoDB does.
//!
//! Nearly every request breaks no constraint, so a first pass only asks whether any is broken
//! (no paths, renderings or texts built: half the instructions of a full walk); the full walk
//! runs only when one is.

use super::{Kind, Member, Shape};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Every violation of `body` against `shape`, in reporting order. A body that is not JSON
/// yields none.
pub fn violations(shape: &'static Shape, body: &[u8]) -> Vec<String> {
    let mut probe = Walk {
        probe: true,
        ..Walk::default()
    };
    if !walk_with(shape, body, &mut probe) || !probe.broken {
        return Vec::new();
    }
    let mut walk = Walk::default();
    walk_with(shape, body, &mut walk);
    walk.errors
}

/// Walks `body` with `walk`; false when it is not JSON.
fn walk_with(shape: &'static Shape, body: &[u8], walk: &mut Walk) -> bool {
    let mut de = serde_json::Deserializer::from_slice(body);
    let seed = Seed {
        shape,
        walk,
        own: Own::Report,
        render: false,
    };
    seed.deserialize(&mut de).is_ok()
}

#[derive(Default)]
struct Walk {
    /// The path of the value being walked (`transactItems.1.member.put`).
    path: String,
    errors: Vec<String>,
    /// A probe only notes whether any constraint is broken: it keeps no path, renders no
    /// value and writes no text.
    probe: bool,
    /// Whether a probe saw a broken constraint.
    broken: bool,
}

impl Walk {
    fn push(&mut self, segment: &str) -> usize {
        if self.probe {
            return 0;
        }
        let len = self.path.len();
        if !self.path.is_empty() {
            self.path.push('.');
        }
        self.path.push_str(segment);
        len
    }

    fn violation(&mut self, value: Option<&str>, constraint: &str) {
        if self.probe {
            self.broken = true;
            return;
        }
        let value = match value {
            Some(v) => format!("'{v}'"),
            None => "null".to_string(),
        };
        self.errors.push(format!(
            "Value {value} at '{}' failed to satisfy constraint: {constraint}",
            self.path
        ));
    }
}

/// What to do with a value's own constraint violations (not those inside it).
#[derive(Clone, Copy, PartialEq)]
enum Own {
    /// Report them at the value's path.
    Report,
    /// Report nothing; tell the caller (a map's keys and values are reported at the map).
    Return,
}

/// The result of walking one value.
#[derive(Default)]
struct Seen {
    /// False for JSON `null` (an absent member).
    present: bool,
    /// The value as DynamoDB prints it, when asked for.
    rendered: Option<String>,
    /// With `Own::Return`: whether the value broke one of its own constraints.
    failed: bool,
}

struct Seed<'w> {
    shape: &'static Shape,
    walk: &'w mut Walk,
    own: Own,
    render: bool,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Seen;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Seen, D::Error> {
        if let Kind::Opaque = self.shape.kind {
            // Still tell null from a value: a required AttributeValue member may be null.
            return d.deserialize_any(OpaqueVisitor {
                render: self.render.then_some(self.shape.name),
            });
        }
        d.deserialize_any(self)
    }
}

/// The constraint texts of a length range, most first (DynamoDB's map forms list them so).
fn length_texts(min: Option<u64>, max: Option<u64>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(max) = max {
        out.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if let Some(min) = min {
        out.push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    out
}

/// Every constraint of a map key or value shape, as listed in "Map … must satisfy constraint".
fn all_texts(shape: &Shape) -> Vec<String> {
    match &shape.kind {
        Kind::String {
            min,
            max,
            pattern,
            values,
        } => {
            let mut out = length_texts(*min, *max);
            if let Some(p) = pattern {
                out.push(format!(
                    "Member must satisfy regular expression pattern: {}",
                    p.text()
                ));
            }
            if !values.is_empty() {
                out.push(format!(
                    "Member must satisfy enum value set: [{}]",
                    values.join(", ")
                ));
            }
            out
        }
        Kind::List { min, max, .. } | Kind::Map { min, max, .. } => length_texts(*min, *max),
        Kind::Number { min, max } => {
            let mut out = Vec::new();
            if let Some(max) = max {
                out.push(format!(
                    "Member must have value less than or equal to {max}"
                ));
            }
            if let Some(min) = min {
                out.push(format!(
                    "Member must have value greater than or equal to {min}"
                ));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The failed constraints of a string value, in DynamoDB's order: pattern, shortest, longest,
/// enum.
fn string_failures(shape: &Shape, s: &str) -> Vec<String> {
    let Kind::String {
        min,
        max,
        pattern,
        values,
    } = &shape.kind
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(p) = pattern.filter(|p| !p.matches(s)) {
        out.push(format!(
            "Member must satisfy regular expression pattern: {}",
            p.text()
        ));
    }
    let len = s.encode_utf16().count() as u64;
    if let Some(min) = min.filter(|m| len < *m) {
        out.push(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = max.filter(|m| len > *m) {
        out.push(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    if !values.is_empty() && !values.contains(&s) {
        out.push(format!(
            "Member must satisfy enum value set: [{}]",
            values.join(", ")
        ));
    }
    out
}

fn count_failure(min: Option<u64>, max: Option<u64>, n: u64) -> Option<String> {
    match (min, max) {
        (Some(min), _) if n < min => Some(format!(
            "Member must have length greater than or equal to {min}"
        )),
        (_, Some(max)) if n > max => Some(format!(
            "Member must have length less than or equal to {max}"
        )),
        _ => None,
    }
}

impl Seed<'_> {
    fn number(self, text: String, value: Option<i128>) -> Seen {
        let mut failed = false;
        if let (Kind::Number { min, max }, Some(v)) = (&self.shape.kind, value) {
            let text_of = match (min, max) {
                (Some(min), _) if v < i128::from(*min) => Some(format!(
                    "Member must have value greater than or equal to {min}"
                )),
                (_, Some(max)) if v > i128::from(*max) => Some(format!(
                    "Member must have value less than or equal to {max}"
                )),
                _ => None,
            };
            if let Some(t) = text_of {
                failed = true;
                if self.own == Own::Report {
                    self.walk.violation(Some(&text), &t);
                }
            }
        }
        Seen {
            present: true,
            rendered: self.render.then_some(text),
            failed,
        }
    }

    fn string(self, s: &str) -> Seen {
        let failures = string_failures(self.shape, s);
        let failed = !failures.is_empty();
        if self.own == Own::Report {
            for f in &failures {
                self.walk.violation(Some(s), f);
            }
        }
        Seen {
            present: true,
            rendered: self.render.then(|| s.to_string()),
            failed,
        }
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Seen;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a value of shape {}", self.shape.name)
    }

    fn visit_unit<E>(self) -> Result<Seen, E> {
        Ok(Seen::default())
    }

    fn visit_none<E>(self) -> Result<Seen, E> {
        Ok(Seen::default())
    }

    fn visit_bool<E>(self, v: bool) -> Result<Seen, E> {
        Ok(Seen {
            present: true,
            rendered: self.render.then(|| v.to_string()),
            failed: false,
        })
    }

    fn visit_i64<E>(self, v: i64) -> Result<Seen, E> {
        Ok(self.number(v.to_string(), Some(i128::from(v))))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Seen, E> {
        Ok(self.number(v.to_string(), Some(i128::from(v))))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Seen, E> {
        // Not an integer: the decoder refuses it for a number member.
        Ok(self.number(v.to_string(), None))
    }

    fn visit_str<E>(self, v: &str) -> Result<Seen, E> {
        Ok(self.string(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        let Kind::List {
            member,
            min,
            max,
            element_paths,
        } = &self.shape.kind
        else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Seen::default());
        };
        let render = !self.walk.probe
            && (self.render || min.is_some() || max.is_some() || !all_texts(member).is_empty());
        let base = self.walk.errors.len();
        let mut rendered: Vec<String> = Vec::new();
        let mut bad_member = false;
        let mut n: u64 = 0;
        loop {
            let mark = if self.walk.probe {
                0
            } else {
                self.walk.push(&format!("{}.member", n + 1))
            };
            let seen = seq.next_element_seed(Seed {
                shape: member,
                walk: self.walk,
                own: if *element_paths {
                    Own::Report
                } else {
                    Own::Return
                },
                render,
            });
            let seen = match seen {
                Ok(seen) => seen,
                Err(e) => {
                    self.walk.path.truncate(mark);
                    return Err(e);
                }
            };
            let Some(seen) = seen else {
                self.walk.path.truncate(mark);
                break;
            };
            n += 1;
            if !seen.present {
                self.walk.violation(None, "Member must not be null");
            }
            self.walk.path.truncate(mark);
            bad_member |= seen.failed && !*element_paths;
            if render {
                rendered.push(seen.rendered.unwrap_or_else(|| "null".into()));
            }
        }
        let text = render.then(|| format!("[{}]", rendered.join(", ")));
        let mut own = Vec::new();
        if let Some(f) = count_failure(*min, *max, n) {
            own.push(f);
        }
        if bad_member {
            own.push(format!(
                "Member must satisfy constraint: [{}]",
                all_texts(member).join(", ")
            ));
        }
        let failed = !own.is_empty();
        if failed && self.own == Own::Report {
            let inner: Vec<String> = self.walk.errors.drain(base..).collect();
            for f in &own {
                self.walk.violation(text.as_deref(), f);
            }
            self.walk.errors.extend(inner);
        }
        Ok(Seen {
            present: true,
            rendered: text.filter(|_| self.render),
            failed,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Seen, A::Error> {
        match &self.shape.kind {
            Kind::Structure(members) => self.structure(members, map),
            Kind::Map {
                key,
                value,
                min,
                max,
            } => self.map(key, value, (*min, *max), map),
            _ => {
                let mut map = map;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Seen::default())
            }
        }
    }
}

impl Seed<'_> {
    fn structure<'de, A: MapAccess<'de>>(
        self,
        members: &'static [Member],
        mut map: A,
    ) -> Result<Seen, A::Error> {
        // (member index, its violations), sorted into the model's order at the end.
        let mut found: Vec<(usize, Vec<String>)> = Vec::new();
        // With `render`: (member index, `Name=value`), or `None` once a member is not a
        // scalar (the structure then renders as its bare name).
        let mut shown: Option<Vec<(usize, String)>> = self.render.then(Vec::new);
        let mut present = vec![false; members.len()];
        while let Some(name) = map.next_key::<Cow<'de, str>>()? {
            let Some(i) = members.iter().position(|m| m.name == name) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let member = &members[i];
            let before = self.walk.errors.len();
            let mark = self.walk.push(member.path);
            let scalar = matches!(member.shape.kind, Kind::String { .. } | Kind::Number { .. });
            let seen = map.next_value_seed(Seed {
                shape: member.shape,
                walk: self.walk,
                own: Own::Report,
                render: shown.is_some() && scalar,
            });
            if let Ok(s) = &seen {
                if !s.present && member.required {
                    self.walk.violation(None, "Member must not be null");
                }
            }
            self.walk.path.truncate(mark);
            let seen = seen?;
            if seen.present {
                present[i] = true;
                shown = match (shown, scalar, seen.rendered) {
                    (Some(mut list), true, Some(text)) => {
                        list.push((i, format!("{}={text}", member.name)));
                        Some(list)
                    }
                    _ => None,
                };
            }
            if self.walk.errors.len() > before {
                found.push((i, self.walk.errors.drain(before..).collect()));
            }
        }
        for (i, m) in members.iter().enumerate() {
            if m.required && !present[i] && !found.iter().any(|(j, _)| *j == i) {
                let mark = self.walk.push(m.path);
                let before = self.walk.errors.len();
                self.walk.violation(None, "Member must not be null");
                self.walk.path.truncate(mark);
                found.push((i, self.walk.errors.drain(before..).collect()));
            }
        }
        found.sort_by_key(|(i, _)| *i);
        for (_, errors) in found {
            self.walk.errors.extend(errors);
        }
        let rendered = self.render.then(|| match shown {
            Some(mut list) => {
                list.sort_by_key(|(i, _)| *i);
                let parts: Vec<String> = list.into_iter().map(|(_, p)| p).collect();
                format!("{}({})", self.shape.name, parts.join(", "))
            }
            None => self.shape.name.to_string(),
        });
        Ok(Seen {
            present: true,
            rendered,
            failed: false,
        })
    }

    fn map<'de, A: MapAccess<'de>>(
        self,
        key: &'static Shape,
        value: &'static Shape,
        (min, max): (Option<u64>, Option<u64>),
        mut map: A,
    ) -> Result<Seen, A::Error> {
        let key_checks = !matches!(key.kind, Kind::Opaque);
        let render = !self.walk.probe
            && (self.render
                || min.is_some()
                || max.is_some()
                || key_checks
                || !all_texts(value).is_empty());
        let base = self.walk.errors.len();
        let mut rendered: Vec<String> = Vec::new();
        let (mut bad_key, mut bad_value) = (false, false);
        let mut n: u64 = 0;
        while let Some(k) = map.next_key::<Cow<'de, str>>()? {
            n += 1;
            if key_checks && !bad_key && !string_failures(key, &k).is_empty() {
                bad_key = true;
            }
            let mark = if self.walk.probe {
                0
            } else {
                self.walk.push(&format!("{k}.member"))
            };
            let seen = map.next_value_seed(Seed {
                shape: value,
                walk: self.walk,
                own: Own::Return,
                render,
            });
            self.walk.path.truncate(mark);
            let seen = seen?;
            bad_value |= seen.failed;
            if render {
                rendered.push(format!(
                    "{k}={}",
                    seen.rendered.unwrap_or_else(|| "null".into())
                ));
            }
        }
        let text = render.then(|| format!("{{{}}}", rendered.join(", ")));
        let mut own = Vec::new();
        if let Some(f) = count_failure(min, max, n) {
            own.push(f);
        }
        if bad_key {
            own.push(format!(
                "Map keys must satisfy constraint: [{}]",
                all_texts(key).join(", ")
            ));
        }
        if bad_value {
            own.push(format!(
                "Map value must satisfy constraint: [{}]",
                all_texts(value).join(", ")
            ));
        }
        let failed = !own.is_empty();
        if failed && self.own == Own::Report {
            let inner: Vec<String> = self.walk.errors.drain(base..).collect();
            for f in &own {
                self.walk.violation(text.as_deref(), f);
            }
            self.walk.errors.extend(inner);
        }
        Ok(Seen {
            present: true,
            rendered: text.filter(|_| self.render),
            failed,
        })
    }
}

/// Skips an unchecked value, noting whether it is null and rendering it by `name` if asked.
struct OpaqueVisitor {
    render: Option<&'static str>,
}

impl OpaqueVisitor {
    fn seen(self) -> Seen {
        Seen {
            present: true,
            rendered: self.render.map(str::to_string),
            failed: false,
        }
    }
}

impl<'de> Visitor<'de> for OpaqueVisitor {
    type Value = Seen;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_unit<E>(self) -> Result<Seen, E> {
        Ok(Seen::default())
    }

    fn visit_bool<E>(self, _: bool) -> Result<Seen, E> {
        Ok(self.seen())
    }

    fn visit_i64<E>(self, _: i64) -> Result<Seen, E> {
        Ok(self.seen())
    }

    fn visit_u64<E>(self, _: u64) -> Result<Seen, E> {
        Ok(self.seen())
    }

    fn visit_f64<E>(self, _: f64) -> Result<Seen, E> {
        Ok(self.seen())
    }

    fn visit_str<E>(self, _: &str) -> Result<Seen, E> {
        Ok(self.seen())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(self.seen())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(self.seen())
    }
}
