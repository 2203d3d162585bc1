//! Policy documents: parsing and validation of the IAM JSON policy language into `Policy`,
//! which evaluation reads. Identity policies, permissions boundaries and session policies share
//! one grammar; trust policies add `Principal` and forbid `Resource`.
//!
//! Error texts follow IAM's MalformedPolicyDocument messages where they are known (marked
//! "IAM's text"); the others say what was wrong and what would be right.

use super::compiled::Compiled;
use super::condition::{Condition, Operator};
use extenddb_core::model::iam::validate_policy_size;
use serde_json::{Map, Value};

/// Longest session policy, without whitespace (AWS's limit for the plaintext of a session
/// policy passed to AssumeRole).
pub const MAX_SESSION_POLICY_SIZE: usize = 2_048;

/// Which kind of policy a document is, which decides the fields it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// An inline policy of a user, group or role.
    Identity,
    /// A permissions boundary.
    Boundary,
    /// A session policy passed to AssumeRole.
    Session,
    /// A role's trust policy.
    Trust,
}

/// The policy language version: under `2008-10-17` (also when `Version` is absent) policy
/// variables are literal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    /// `2008-10-17`.
    V2008,
    /// `2012-10-17`.
    V2012,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies, overriding every allow.
    Deny,
}

/// A list of patterns, or its negation (`NotAction`, `NotResource`, `NotPrincipal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Patterns {
    /// Matches when any pattern matches.
    Any(Vec<String>),
    /// Matches when no pattern matches.
    Not(Vec<String>),
}

/// A trust policy's principal element: `"*"`, or `{"AWS": …, "Service": …, …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSpec {
    /// `"*"` or `{"AWS": "*"}`: anyone.
    Anyone,
    /// `{"AWS": [...]}`: ARNs or account ids; other principal types (Service, Federated, …)
    /// are kept apart and never match a caller of this server.
    Aws {
        /// The `AWS` entries.
        aws: Vec<String>,
        /// Whether the element is `NotPrincipal`.
        not: bool,
    },
}

/// One statement, built by `Statement::new` (which compiles its patterns; the fields are for
/// reading: changed afterwards, they would no longer agree with the compiled form).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, if given.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// `Action` / `NotAction` patterns (lower-cased: actions match case-insensitively).
    pub actions: Patterns,
    /// `Resource` / `NotResource` patterns; `None` in trust policies.
    pub resources: Option<Patterns>,
    /// `Principal` / `NotPrincipal`; trust policies only.
    pub principal: Option<PrincipalSpec>,
    /// The conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// `actions` and `resources` compiled for matching.
    pub(super) compiled: Compiled,
}

impl Statement {
    /// A statement of these elements, its patterns compiled.
    pub fn new(
        sid: Option<String>,
        effect: Effect,
        actions: Patterns,
        resources: Option<Patterns>,
        principal: Option<PrincipalSpec>,
        conditions: Vec<Condition>,
    ) -> Statement {
        let compiled = Compiled::of(&actions, resources.as_ref(), &conditions);
        Statement {
            sid,
            effect,
            actions,
            resources,
            principal,
            conditions,
            compiled,
        }
    }
}

/// A parsed, validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The language version.
    pub version: PolicyVersion,
    /// The statements.
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Whether evaluating the policy may read the request's `AuthzContext` (DynamoDB
    /// condition keys, resource tags); when not, the pipeline need not build one.
    pub fn reads_request_keys(&self) -> bool {
        self.statements
            .iter()
            .any(|s| s.compiled.reads_request_keys)
    }
}

/// Why a policy document was refused (IAM's MalformedPolicyDocument).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError(msg.into()))
}

/// Parses and validates `doc` as a policy of `kind`.
pub fn parse_policy(doc: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
    validate_policy_size(doc).map_err(|e| PolicyError(e.0))?;
    if kind == PolicyKind::Session {
        let packed = doc.chars().filter(|c| !c.is_whitespace()).count();
        if packed > MAX_SESSION_POLICY_SIZE {
            return err(format!(
                "Session policy is {packed} characters without whitespace; the limit is {MAX_SESSION_POLICY_SIZE}"
            ));
        }
    }
    let Ok(Value::Object(top)) = serde_json::from_str::<Value>(doc) else {
        return err("Syntax errors in policy."); // IAM's text
    };
    let mut version = PolicyVersion::V2008;
    let mut statements = None;
    for (k, v) in &top {
        match k.as_str() {
            "Version" => {
                version = match v.as_str() {
                    Some("2012-10-17") => PolicyVersion::V2012,
                    Some("2008-10-17") => PolicyVersion::V2008,
                    _ => return err("The policy failed legacy parsing"), // IAM's text
                }
            }
            "Id" if v.is_string() => {}
            "Statement" => statements = Some(v),
            other => return err(format!("Syntax errors in policy. Unknown field {other}")),
        }
    }
    let list: Vec<&Value> = match statements {
        Some(Value::Array(a)) if !a.is_empty() => a.iter().collect(),
        Some(s @ Value::Object(_)) => vec![s],
        _ => return err(
            "Policy document must contain a non-empty Statement (an object or an array of objects)",
        ),
    };
    let mut parsed = Vec::with_capacity(list.len());
    for s in list {
        let Value::Object(s) = s else {
            return err("Syntax errors in policy. Each Statement must be an object");
        };
        let st = statement(s, kind)?;
        if let Some(sid) = &st.sid {
            if parsed
                .iter()
                .any(|p: &Statement| p.sid.as_ref() == Some(sid))
            {
                return err("Statement IDs (SID) in a single policy must be unique.");
                // IAM's text
            }
        }
        parsed.push(st);
    }
    Ok(Policy {
        version,
        statements: parsed,
    })
}

fn strings(field: &str, v: &Value) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                _ => err(format!("{field} entries must be strings")),
            })
            .collect(),
        _ => err(format!(
            "{field} must be a string or a non-empty array of strings"
        )),
    }
}

fn statement(s: &Map<String, Value>, kind: PolicyKind) -> Result<Statement, PolicyError> {
    let mut sid = None;
    let mut effect = None;
    let (mut action, mut not_action, mut resource, mut not_resource) = (None, None, None, None);
    let (mut principal, mut not_principal, mut condition) = (None, None, None);
    for (k, v) in s {
        match k.as_str() {
            "Sid" => match v {
                Value::String(x) if x.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    sid = Some(x.clone())
                }
                _ => return err("Statement IDs (SID) must be alpha-numeric."), // IAM's text
            },
            "Effect" => {
                effect = Some(match v.as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => return err(format!("Invalid effect: {v}")),
                })
            }
            "Action" => action = Some(strings("Action", v)?),
            "NotAction" => not_action = Some(strings("NotAction", v)?),
            "Resource" => resource = Some(strings("Resource", v)?),
            "NotResource" => not_resource = Some(strings("NotResource", v)?),
            "Principal" => principal = Some(v),
            "NotPrincipal" => not_principal = Some(v),
            "Condition" => condition = Some(v),
            other => return err(format!("Syntax errors in policy. Unknown field {other}")),
        }
    }
    let Some(effect) = effect else {
        return err("Missing required field Effect"); // IAM's text
    };
    let actions = match (action, not_action) {
        (Some(a), None) => Patterns::Any(a),
        (None, Some(a)) => Patterns::Not(a),
        (None, None) => return err("Policy statement must contain actions."), // IAM's text
        (Some(_), Some(_)) => return err("A statement may hold Action or NotAction, not both"),
    };
    let actions = validate_actions(actions)?;
    let resources = match (resource, not_resource, kind) {
        (None, None, PolicyKind::Trust) => None,
        (_, _, PolicyKind::Trust) => return err("Has prohibited field Resource"), // IAM's text
        (Some(r), None, _) => Some(Patterns::Any(validate_resources(r)?)),
        (None, Some(r), _) => Some(Patterns::Not(validate_resources(r)?)),
        (None, None, _) => return err("Policy statement must contain resources."), // IAM's text
        (Some(_), Some(_), _) => {
            return err("A statement may hold Resource or NotResource, not both")
        }
    };
    let principal = match (principal, not_principal, kind) {
        (None, None, PolicyKind::Trust) => return err("Missing required field Principal"), // IAM's text
        (None, None, _) => None,
        (_, _, k) if k != PolicyKind::Trust => {
            return err("Policy document should not specify a principal."); // IAM's text
        }
        (Some(p), None, _) => Some(principal_spec(p, false)?),
        (None, Some(p), _) => Some(principal_spec(p, true)?),
        (Some(_), Some(_), _) => {
            return err("A statement may hold Principal or NotPrincipal, not both")
        }
    };
    let conditions = match condition {
        None => Vec::new(),
        Some(Value::Object(c)) => conditions(c)?,
        Some(_) => return err("Syntax errors in policy. Condition must be an object"),
    };
    Ok(Statement::new(
        sid, effect, actions, resources, principal, conditions,
    ))
}

fn validate_actions(p: Patterns) -> Result<Patterns, PolicyError> {
    let check = |list: Vec<String>| -> Result<Vec<String>, PolicyError> {
        list.into_iter()
            .map(|a| {
                let ok = a == "*"
                    || a.split_once(':').is_some_and(|(svc, name)| {
                        !svc.is_empty()
                            && !name.is_empty()
                            && svc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    });
                if ok {
                    Ok(a.to_ascii_lowercase())
                } else {
                    // IAM's text
                    err("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
                }
            })
            .collect()
    };
    Ok(match p {
        Patterns::Any(l) => Patterns::Any(check(l)?),
        Patterns::Not(l) => Patterns::Not(check(l)?),
    })
}

fn validate_resources(list: Vec<String>) -> Result<Vec<String>, PolicyError> {
    for r in &list {
        if r != "*" && !(r.starts_with("arn:") && r.splitn(6, ':').count() == 6) {
            // IAM's text for a resource that is neither "*" nor an ARN.
            return err(format!("Resource {r} must be in ARN format or \"*\"."));
        }
    }
    Ok(list)
}

fn principal_spec(v: &Value, not: bool) -> Result<PrincipalSpec, PolicyError> {
    match v {
        Value::String(s) if s == "*" && !not => Ok(PrincipalSpec::Anyone),
        Value::Object(m) if !m.is_empty() => {
            let mut aws = Vec::new();
            for (k, v) in m {
                match k.as_str() {
                    "AWS" => aws = strings("Principal AWS", v)?,
                    "Service" | "Federated" | "CanonicalUser" => {
                        strings(&format!("Principal {k}"), v)?;
                    }
                    other => return err(format!("Invalid principal type {other}")),
                }
            }
            for a in &aws {
                let account = a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit());
                if a != "*" && !account && !a.starts_with("arn:") {
                    return err(format!("Invalid principal in policy: \"AWS\":\"{a}\""));
                    // IAM's text
                }
            }
            if aws.iter().any(|a| a == "*") && !not {
                return Ok(PrincipalSpec::Anyone);
            }
            Ok(PrincipalSpec::Aws { aws, not })
        }
        _ => err("Principal must be \"*\" or an object such as {\"AWS\": \"<arn>\"}"),
    }
}

fn conditions(c: &Map<String, Value>) -> Result<Vec<Condition>, PolicyError> {
    let mut out = Vec::new();
    for (op_name, block) in c {
        let op = Operator::parse(op_name)
            .ok_or_else(|| PolicyError(format!("Invalid Condition type : {op_name}")))?;
        let Value::Object(keys) = block else {
            return err(format!("Condition {op_name} must map keys to values"));
        };
        if keys.is_empty() {
            return err(format!("Condition {op_name} names no key"));
        }
        for (key, values) in keys {
            let scalar = |x: &Value| match x {
                Value::String(s) => Ok(s.clone()),
                Value::Bool(b) => Ok(b.to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => err(format!(
                    "Condition values of {key} must be strings, numbers or booleans"
                )),
            };
            let values: Vec<String> = match values {
                Value::Array(a) if !a.is_empty() => {
                    a.iter().map(scalar).collect::<Result<_, _>>()?
                }
                Value::Array(_) => return err(format!("Condition key {key} has no value")),
                v => vec![scalar(v)?],
            };
            if !key.contains(':') {
                // IAM's text
                return err(
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
                );
            }
            out.push(Condition::new(op, key, values));
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
