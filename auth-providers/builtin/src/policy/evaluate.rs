//! AWS's evaluation logic for one account and no resource-based policies:
//! 1. an explicit `Deny` in any applicable policy — identity (the user's and its groups', or
//!    the role's), permissions boundary, session policy — denies;
//! 2. otherwise an identity policy must allow, else implicit deny;
//! 3. a permissions boundary, when set, must also allow;
//! 4. a session policy, when the caller is a role session that passed one, must also allow;
//! 5. then the request is allowed.
//!
//! The answer names the policy type that decided a denial (`DenyReason`), which AWS's
//! AccessDenied text reports. When several explicit denies apply, identity is reported first,
//! then boundary, then session.
//!
//! Hand-written: no maintained, permissively licensed Rust crate evaluates IAM policies with
//! boundaries, session policies, set operators and variables (see the project's auth reference
//! §2.2); this module is checked by the decision table in tests/decision_table.

use super::compiled::{ArnParts, ArnPattern};
use super::condition::holds;
use super::context::Context;
use super::document::{Effect, Patterns, Policy, PolicyVersion, PrincipalSpec, Statement};
use extenddb_core::traits::{Decision, DenyReason};
use std::sync::Arc;

/// The policies that apply to one principal.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity policies: the user's inline policies and its groups', or the role's.
    pub identity: Vec<Arc<Policy>>,
    /// The permissions boundary, if one is set.
    pub boundary: Option<Arc<Policy>>,
    /// The session policy of an assumed-role session, if one was passed.
    pub session: Option<Arc<Policy>>,
}

impl PolicySet {
    /// Whether evaluating the set may read the request's `AuthzContext` (any of its
    /// policies may).
    pub fn reads_request_keys(&self) -> bool {
        self.identity
            .iter()
            .chain(&self.boundary)
            .chain(&self.session)
            .any(|p| p.reads_request_keys())
    }
}

/// What one policy says about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Verdict {
    /// A `Deny` statement applies.
    pub denied: bool,
    /// An `Allow` statement applies.
    pub allowed: bool,
}

/// Whether `action` (`service:Name`) matches the statement's actions (case-insensitively).
fn action_matches(st: &Statement, action: &str, ctx: &dyn Context) -> bool {
    // Actions never hold variables: only wildcards.
    let any = st
        .compiled
        .actions
        .iter()
        .any(|p| p.matches(false, ctx, action, true));
    match &st.actions {
        Patterns::Any(_) => any,
        Patterns::Not(_) => !any,
    }
}

fn resource_matches(
    st: &Statement,
    resource: &ArnParts<'_>,
    variables: bool,
    ctx: &dyn Context,
) -> bool {
    let one = |p: &ArnPattern| {
        // An account-wide action (ListTables) matches only a `*` pattern.
        p.is_any() || (resource.text != "*" && p.matches(variables, ctx, resource))
    };
    let any = || st.compiled.resources.iter().any(one);
    match &st.resources {
        None => true,
        Some(Patterns::Any(_)) => any(),
        Some(Patterns::Not(_)) => !any(),
    }
}

/// Whether the statement applies to (`action`, `resource`) in `ctx`.
pub fn statement_applies(
    st: &Statement,
    version: PolicyVersion,
    action: &str,
    resource: &str,
    ctx: &dyn Context,
) -> bool {
    applies(st, version, action, &ArnParts::split(resource), ctx)
}

/// `statement_applies` with the resource split already.
fn applies(
    st: &Statement,
    version: PolicyVersion,
    action: &str,
    resource: &ArnParts<'_>,
    ctx: &dyn Context,
) -> bool {
    let variables = version == PolicyVersion::V2012;
    action_matches(st, action, ctx)
        && resource_matches(st, resource, variables, ctx)
        && st.conditions.iter().all(|c| holds(c, ctx, variables))
}

/// What `policy` says about (`action`, `resource`).
pub fn evaluate_policy(
    policy: &Policy,
    action: &str,
    resource: &str,
    ctx: &dyn Context,
) -> Verdict {
    policy_verdict(policy, action, &ArnParts::split(resource), ctx)
}

/// `evaluate_policy` with the resource split already.
fn policy_verdict(
    policy: &Policy,
    action: &str,
    resource: &ArnParts<'_>,
    ctx: &dyn Context,
) -> Verdict {
    let mut v = Verdict::default();
    for st in &policy.statements {
        if (st.effect == Effect::Deny && v.denied) || (st.effect == Effect::Allow && v.allowed) {
            continue;
        }
        if applies(st, policy.version, action, resource, ctx) {
            match st.effect {
                Effect::Deny => v.denied = true,
                Effect::Allow => v.allowed = true,
            }
        }
    }
    v
}

/// The decision for `action` on `resource` under `set` in `ctx`.
pub fn evaluate(set: &PolicySet, action: &str, resource: &str, ctx: &dyn Context) -> Decision {
    evaluate_split(set, action, &ArnParts::split(resource), ctx)
}

/// `evaluate` with the resource split once (`ArnParts::split`) for every statement.
pub fn evaluate_split(
    set: &PolicySet,
    action: &str,
    resource: &ArnParts<'_>,
    ctx: &dyn Context,
) -> Decision {
    let mut identity = Verdict::default();
    for p in &set.identity {
        let v = policy_verdict(p, action, resource, ctx);
        identity.denied |= v.denied;
        identity.allowed |= v.allowed;
        if identity.denied {
            break;
        }
    }
    if identity.denied {
        return Decision::Deny(DenyReason::ExplicitIdentityDeny);
    }
    let boundary = set
        .boundary
        .as_ref()
        .map(|p| policy_verdict(p, action, resource, ctx));
    if boundary.is_some_and(|v| v.denied) {
        return Decision::Deny(DenyReason::ExplicitBoundaryDeny);
    }
    let session = set
        .session
        .as_ref()
        .map(|p| policy_verdict(p, action, resource, ctx));
    if session.is_some_and(|v| v.denied) {
        return Decision::Deny(DenyReason::ExplicitSessionDeny);
    }
    if !identity.allowed {
        return Decision::Deny(DenyReason::NoIdentityPolicy);
    }
    if boundary.is_some_and(|v| !v.allowed) {
        return Decision::Deny(DenyReason::NoBoundary);
    }
    if session.is_some_and(|v| !v.allowed) {
        return Decision::Deny(DenyReason::NoSessionPolicy);
    }
    Decision::Allow
}

/// How a trust policy answered an AssumeRole request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustVerdict {
    /// A statement naming the caller (by ARN, or `*`) allows it.
    AllowedByName,
    /// A statement naming the caller's account (`<id>` or `arn:aws:iam::<id>:root`) allows it:
    /// the caller's own identity policies must also allow `sts:AssumeRole` on the role.
    AllowedByAccount,
    /// A statement denies it.
    Denied,
    /// No statement allows it.
    NotAllowed,
}

/// Whether the trust policy element `spec` names `caller_arn` of `caller_account`; answers
/// whether it names it by account only.
fn principal_matches(spec: &PrincipalSpec, caller_arn: &str, caller_account: &str) -> Option<bool> {
    match spec {
        PrincipalSpec::Anyone => Some(false),
        PrincipalSpec::Aws { aws, not } => {
            let root = format!("arn:aws:iam::{caller_account}:root");
            let by_name = aws.iter().any(|a| a == caller_arn || a == "*");
            let by_account = aws.iter().any(|a| a == caller_account || *a == root);
            match (not, by_name || by_account) {
                (false, true) => Some(!by_name),
                (true, false) => Some(false),
                _ => None,
            }
        }
    }
}

/// Evaluates a role's trust policy for `action` (`sts:AssumeRole`, `sts:TagSession`) by the
/// caller `caller_arn` of `caller_account`, with `ctx` for its conditions.
pub fn evaluate_trust(
    trust: &Policy,
    action: &str,
    caller_arn: &str,
    caller_account: &str,
    ctx: &dyn Context,
) -> TrustVerdict {
    let mut verdict = TrustVerdict::NotAllowed;
    for st in &trust.statements {
        let Some(spec) = &st.principal else { continue };
        let Some(by_account) = principal_matches(spec, caller_arn, caller_account) else {
            continue;
        };
        if !statement_applies(st, trust.version, action, "*", ctx) {
            continue;
        }
        match st.effect {
            Effect::Deny => return TrustVerdict::Denied,
            Effect::Allow if !by_account => verdict = TrustVerdict::AllowedByName,
            Effect::Allow if verdict == TrustVerdict::NotAllowed => {
                verdict = TrustVerdict::AllowedByAccount
            }
            Effect::Allow => {}
        }
    }
    verdict
}
