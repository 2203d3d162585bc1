//! The request context that conditions and policy variables read: `Context` answers a key
//! (lower-cased) with its value(s). `RequestContext` derives the keys of a DynamoDB request
//! lazily — from the caller's resolved identity (`aws:PrincipalTag/*`, `aws:PrincipalArn`,
//! `aws:username`, `aws:userid`, `aws:PrincipalAccount`, `aws:PrincipalType`), the request's
//! facts (`aws:CurrentTime`, `aws:EpochTime`, `aws:SecureTransport`, `aws:SourceIp`) and its
//! DynamoDB keys (`dynamodb:LeadingKeys`, `dynamodb:Attributes`, `dynamodb:Select`, …,
//! `aws:ResourceTag/*`) — so a policy without conditions costs no context at all.

use crate::identity::ResolvedIdentity;
use extenddb_core::model::tags::Tag;
use extenddb_core::traits::AuthzRequest;
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::UNIX_EPOCH;

/// A context key's value(s), borrowed from the identity or the request where they can be.
/// `multi` marks a multivalued key (an `ArrayOf…` key such as `dynamodb:LeadingKeys`), which
/// only `ForAllValues:`/`ForAnyValue:` operators can match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtxValue<'a> {
    /// The values (`values()`): a single-valued key's one value is held without a vector, so
    /// reading it allocates nothing.
    values: Values<'a>,
    /// Whether the key is multivalued.
    pub multi: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Values<'a> {
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

impl<'a> CtxValue<'a> {
    /// A single value.
    pub fn one(v: impl Into<Cow<'a, str>>) -> CtxValue<'a> {
        CtxValue {
            values: Values::One(v.into()),
            multi: false,
        }
    }

    /// A multivalued key's values.
    pub fn many(vs: impl IntoIterator<Item = Cow<'a, str>>) -> CtxValue<'a> {
        CtxValue {
            values: Values::Many(vs.into_iter().collect()),
            multi: true,
        }
    }

    /// The values (one for a single-valued key).
    pub fn values(&self) -> &[Cow<'a, str>] {
        match &self.values {
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(vs) => vs,
        }
    }

    /// The value of a single-valued key; `None` for a multivalued one, whatever it holds.
    pub fn into_single(self) -> Option<Cow<'a, str>> {
        match self.values {
            Values::One(v) if !self.multi => Some(v),
            _ => None,
        }
    }
}

/// The keys a request carries.
pub trait Context {
    /// The value of `key` (lower-case), or `None` when the request does not carry it.
    fn get(&self, key: &str) -> Option<CtxValue<'_>>;

    /// The value of the address-valued `key` (lower-case) as an address, when the context
    /// holds it as one (`aws:SourceIp` of a request); `None`: read it with `get`. The
    /// `IpAddress` operators use it to skip the address's text form.
    fn ip(&self, _key: &str) -> Option<IpAddr> {
        None
    }
}

/// A context from explicit entries (tests, the decision table, trust-policy evaluation).
#[derive(Debug, Clone, Default)]
pub struct MapContext {
    entries: HashMap<String, CtxValue<'static>>,
}

impl MapContext {
    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: &str) {
        self.entries
            .insert(key.to_ascii_lowercase(), CtxValue::one(value.to_string()));
    }

    /// Sets a multivalued key.
    pub fn set_many(&mut self, key: &str, values: &[&str]) {
        self.entries.insert(
            key.to_ascii_lowercase(),
            CtxValue::many(values.iter().map(|s| Cow::Owned(s.to_string()))).into_owned(),
        );
    }
}

impl Context for MapContext {
    fn get(&self, key: &str) -> Option<CtxValue<'_>> {
        self.entries.get(key).map(CtxValue::borrowed)
    }
}

impl CtxValue<'_> {
    /// The same values, owned.
    pub fn into_owned(self) -> CtxValue<'static> {
        CtxValue {
            values: match self.values {
                Values::One(v) => Values::One(Cow::Owned(v.into_owned())),
                Values::Many(vs) => {
                    Values::Many(vs.into_iter().map(|v| Cow::Owned(v.into_owned())).collect())
                }
            },
            multi: self.multi,
        }
    }

    /// The same values, borrowed from `self`.
    pub fn borrowed(&self) -> CtxValue<'_> {
        CtxValue {
            values: match &self.values {
                Values::One(v) => Values::One(Cow::Borrowed(v.as_ref())),
                Values::Many(vs) => {
                    Values::Many(vs.iter().map(|v| Cow::Borrowed(v.as_ref())).collect())
                }
            },
            multi: self.multi,
        }
    }
}

/// An optional text key's value, borrowed.
fn text(v: &Option<String>) -> Option<CtxValue<'_>> {
    v.as_deref().map(CtxValue::one)
}

fn tag<'a>(tags: &'a [Tag], key: &str) -> Option<CtxValue<'a>> {
    tags.iter()
        .find(|t| t.key.eq_ignore_ascii_case(key))
        .map(|t| CtxValue::one(t.value.as_str()))
}

/// The context of one DynamoDB authorization question.
pub struct RequestContext<'a> {
    /// Who asks.
    pub identity: &'a ResolvedIdentity,
    /// What they ask.
    pub request: &'a AuthzRequest<'a>,
    /// The region of the request's credential scope (`aws:RequestedRegion`).
    pub region: &'a str,
}

impl Context for RequestContext<'_> {
    fn get(&self, key: &str) -> Option<CtxValue<'_>> {
        let id = self.identity;
        let facts = self.request.facts;
        let c = self.request.context;
        if let Some(k) = key.strip_prefix("aws:principaltag/") {
            return tag(&id.tags, k);
        }
        if let Some(k) = key.strip_prefix("aws:resourcetag/") {
            return c
                .resource_tags
                .iter()
                .find(|(tk, _)| tk.eq_ignore_ascii_case(k))
                .map(|(_, v)| CtxValue::one(v.as_str()));
        }
        match key {
            "aws:principalarn" => Some(CtxValue::one(id.principal_arn.as_str())),
            "aws:principalaccount" => Some(CtxValue::one(id.account_id.as_str())),
            "aws:principaltype" => Some(CtxValue::one(id.kind.as_str())),
            "aws:userid" => Some(CtxValue::one(id.user_id.as_str())),
            "aws:username" => text(&id.user_name),
            "aws:requestedregion" => Some(CtxValue::one(self.region)),
            "aws:securetransport" => Some(CtxValue::one(if facts.secure_transport {
                "true"
            } else {
                "false"
            })),
            "aws:sourceip" => facts.source_ip.map(|ip| CtxValue::one(ip.to_string())),
            "aws:currenttime" => {
                let secs = facts
                    .time
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                Some(CtxValue::one(iso8601(secs)))
            }
            "aws:epochtime" => {
                let secs = facts
                    .time
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                Some(CtxValue::one(secs.to_string()))
            }
            "aws:tokenissuetime" => id.session_issued.map(|t| CtxValue::one(iso8601(t))),
            "dynamodb:leadingkeys" if !c.leading_keys.is_empty() => Some(CtxValue::many(
                c.leading_keys.iter().map(|k| Cow::Borrowed(k.as_str())),
            )),
            "dynamodb:attributes" => c
                .attributes
                .as_ref()
                .map(|a| CtxValue::many(a.iter().map(|k| Cow::Borrowed(k.as_str())))),
            "dynamodb:select" => text(&c.select),
            "dynamodb:returnvalues" => text(&c.return_values),
            "dynamodb:returnconsumedcapacity" => text(&c.return_consumed_capacity),
            "dynamodb:enclosingoperation" => text(&c.enclosing_operation),
            "dynamodb:fulltablescan" => c
                .full_table_scan
                .map(|b| CtxValue::one(if b { "true" } else { "false" })),
            _ => None,
        }
    }

    fn ip(&self, key: &str) -> Option<IpAddr> {
        match key {
            "aws:sourceip" => self.request.facts.source_ip,
            _ => None,
        }
    }
}

/// `secs` as `yyyy-mm-ddThh:mm:ssZ`.
pub fn iso8601(secs: u64) -> String {
    let dt = time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_many_values_read_alike() {
        let one = CtxValue::one("a");
        assert_eq!(one.values(), ["a"]);
        assert!(!one.multi);
        let many = CtxValue::many(["a", "b"].map(Cow::Borrowed));
        assert_eq!(many.values(), ["a", "b"]);
        assert!(many.multi);
        assert!(CtxValue::many([]).values().is_empty());
        assert_eq!(one.borrowed(), one);
        assert_eq!(many.clone().into_owned(), many);
        assert_eq!(one.clone().into_single().as_deref(), Some("a"));
        let many_of_one = CtxValue::many([Cow::Borrowed("a")]);
        assert_eq!(
            many_of_one.into_single(),
            None,
            "a multivalued key is no variable"
        );
        assert_ne!(CtxValue::one("a"), CtxValue::many([Cow::Borrowed("a")]));
    }
}
