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
use std::collections::HashMap;
use std::time::UNIX_EPOCH;

/// A context key's value(s). `multi` marks a multivalued key (an `ArrayOf…` key such as
/// `dynamodb:LeadingKeys`), which only `ForAllValues:`/`ForAnyValue:` operators can match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtxValue {
    /// The values (one for a single-valued key).
    pub values: Vec<String>,
    /// Whether the key is multivalued.
    pub multi: bool,
}

impl CtxValue {
    /// A single value.
    pub fn one(v: impl Into<String>) -> CtxValue {
        CtxValue {
            values: vec![v.into()],
            multi: false,
        }
    }

    /// A multivalued key's values.
    pub fn many(vs: Vec<String>) -> CtxValue {
        CtxValue {
            values: vs,
            multi: true,
        }
    }
}

/// The keys a request carries.
pub trait Context {
    /// The value of `key` (lower-case), or `None` when the request does not carry it.
    fn get(&self, key: &str) -> Option<CtxValue>;
}

/// A context from explicit entries (tests, the decision table, trust-policy evaluation).
#[derive(Debug, Clone, Default)]
pub struct MapContext {
    entries: HashMap<String, CtxValue>,
}

impl MapContext {
    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: &str) {
        self.entries
            .insert(key.to_ascii_lowercase(), CtxValue::one(value));
    }

    /// Sets a multivalued key.
    pub fn set_many(&mut self, key: &str, values: &[&str]) {
        self.entries.insert(
            key.to_ascii_lowercase(),
            CtxValue::many(values.iter().map(|s| s.to_string()).collect()),
        );
    }
}

impl Context for MapContext {
    fn get(&self, key: &str) -> Option<CtxValue> {
        self.entries.get(key).cloned()
    }
}

fn tag(tags: &[Tag], key: &str) -> Option<CtxValue> {
    tags.iter()
        .find(|t| t.key.eq_ignore_ascii_case(key))
        .map(|t| CtxValue::one(t.value.clone()))
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
    fn get(&self, key: &str) -> Option<CtxValue> {
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
                .map(|(_, v)| CtxValue::one(v.clone()));
        }
        match key {
            "aws:principalarn" => Some(CtxValue::one(id.principal_arn.clone())),
            "aws:principalaccount" => Some(CtxValue::one(id.account_id.clone())),
            "aws:principaltype" => Some(CtxValue::one(id.kind.as_str())),
            "aws:userid" => Some(CtxValue::one(id.user_id.clone())),
            "aws:username" => id.user_name.clone().map(CtxValue::one),
            "aws:requestedregion" => Some(CtxValue::one(self.region)),
            "aws:securetransport" => Some(CtxValue::one(facts.secure_transport.to_string())),
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
            "dynamodb:leadingkeys" if !c.leading_keys.is_empty() => {
                Some(CtxValue::many(c.leading_keys.clone()))
            }
            "dynamodb:attributes" => c.attributes.clone().map(CtxValue::many),
            "dynamodb:select" => c.select.clone().map(CtxValue::one),
            "dynamodb:returnvalues" => c.return_values.clone().map(CtxValue::one),
            "dynamodb:returnconsumedcapacity" => {
                c.return_consumed_capacity.clone().map(CtxValue::one)
            }
            "dynamodb:enclosingoperation" => c.enclosing_operation.clone().map(CtxValue::one),
            "dynamodb:fulltablescan" => c.full_table_scan.map(|b| CtxValue::one(b.to_string())),
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
