//! From stored IAM entities to the API's views, pagination of lists, and the checks every
//! handler shares (account ids, passwords, policy documents, tags).

use super::api::{self, Page, PageQuery};
use super::error::MgmtError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use extenddb_auth_builtin::policy::context::iso8601;
use extenddb_auth_builtin::policy::{parse_policy, PolicyKind};
use extenddb_core::model::iam::{self as m, validate_account_id};
use extenddb_core::model::tags::Tag;
use serde::Serialize;

/// Items per page when `max_items` is absent.
pub const DEFAULT_PAGE: usize = 100;
/// Most items per page.
pub const MAX_PAGE: usize = 1000;
/// Longest password.
pub const MAX_PASSWORD: usize = 128;

/// A handler's answer.
pub type Answer = Result<Response, MgmtError>;

/// 200 with `body` as JSON.
pub fn ok<T: Serialize>(body: T) -> Answer {
    Ok(Json(body).into_response())
}

/// 201 with `body` as JSON.
pub fn created<T: Serialize>(body: T) -> Answer {
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// 204, no body.
pub fn done() -> Answer {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Epoch seconds as RFC 3339.
pub fn time(secs: i64) -> String {
    iso8601(u64::try_from(secs).unwrap_or(0))
}

/// The page of `items` (already in order of `key`) that `q` asks for.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> String,
    q: &PageQuery,
) -> Result<Page<T>, MgmtError> {
    let max = q.max_items.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&max) {
        return Err(MgmtError::validation(format!(
            "max_items must be 1 to {MAX_PAGE}, got {max}"
        )));
    }
    let mut rest: Vec<T> = match &q.marker {
        Some(marker) => items.into_iter().filter(|i| key(i) > *marker).collect(),
        None => items,
    };
    let next_marker = (rest.len() > max).then(|| key(&rest[max - 1]));
    rest.truncate(max);
    Ok(Page {
        items: rest,
        next_marker,
    })
}

/// A 12-digit account id, or 400.
pub fn account_id(id: &str) -> Result<(), MgmtError> {
    validate_account_id(id).map_err(|e| MgmtError::validation(e.0))
}

/// A password of 1 to `MAX_PASSWORD` characters, or 400.
pub fn password(p: &str) -> Result<(), MgmtError> {
    let n = p.chars().count();
    if n == 0 || n > MAX_PASSWORD {
        return Err(MgmtError::validation(format!(
            "A password must be 1 to {MAX_PASSWORD} characters"
        )));
    }
    Ok(())
}

/// Hashes a password with argon2 off the async threads.
pub async fn hash(password: String) -> Result<String, MgmtError> {
    let password = zeroize::Zeroizing::new(password);
    tokio::task::spawn_blocking(move || extenddb_auth_builtin::secrets::hash_password(&password))
        .await
        .map_err(MgmtError::internal)?
        .map_err(MgmtError::internal)
}

/// Checks a policy document of `kind`: JSON with `Version` and `Statement` (the user guide's
/// rule, stricter than IAM, which defaults a missing Version) and IAM's grammar and size.
pub fn policy(doc: &str, kind: PolicyKind) -> Result<(), MgmtError> {
    let top: serde_json::Value = serde_json::from_str(doc).map_err(|e| {
        MgmtError::malformed_policy(format!("Policy document is not valid JSON: {e}"))
    })?;
    for field in ["Version", "Statement"] {
        if top.get(field).is_none() {
            return Err(MgmtError::malformed_policy(format!(
                "Policy document must have a {field} field"
            )));
        }
    }
    parse_policy(doc, kind)
        .map(|_| ())
        .map_err(|e| MgmtError::malformed_policy(e.0))
}

/// API tags to stored tags.
pub fn tags_in(tags: Vec<api::Tag>) -> Vec<Tag> {
    tags.into_iter()
        .map(|t| Tag {
            key: t.key,
            value: t.value,
        })
        .collect()
}

/// Stored tags to API tags.
pub fn tags_out(tags: &[Tag]) -> Vec<api::Tag> {
    tags.iter()
        .map(|t| api::Tag {
            key: t.key.clone(),
            value: t.value.clone(),
        })
        .collect()
}

/// An account's view.
pub fn account(a: &m::Account) -> api::Account {
    api::Account {
        account_id: a.account_id.clone(),
        account_name: a.name.clone(),
        created: time(a.created),
    }
}

/// A user's view.
pub fn user(u: &m::IamUser) -> api::User {
    api::User {
        account_id: u.account_id.clone(),
        user_name: u.user_name.clone(),
        user_id: u.user_id.clone(),
        arn: u.arn(),
        created: time(u.created),
        has_password: u.password_hash.is_some(),
        tags: tags_out(&u.tags),
        has_boundary: u.permissions_boundary.is_some(),
    }
}

/// An access key's view (no secret).
pub fn access_key(k: &m::AccessKey) -> api::AccessKey {
    api::AccessKey {
        access_key_id: k.access_key_id.clone(),
        account_id: k.account_id.clone(),
        user_name: k.user_name.clone(),
        status: k.status.as_str().to_string(),
        created: time(k.created),
    }
}

/// A group's view.
pub fn group(g: &m::IamGroup) -> api::Group {
    api::Group {
        account_id: g.account_id.clone(),
        group_name: g.group_name.clone(),
        group_id: g.group_id.clone(),
        arn: g.arn(),
        created: time(g.created),
    }
}

/// A role's view.
pub fn role(r: &m::IamRole) -> api::Role {
    api::Role {
        account_id: r.account_id.clone(),
        role_name: r.role_name.clone(),
        role_id: r.role_id.clone(),
        arn: r.arn(),
        trust_policy: r.trust_policy.clone(),
        tags: tags_out(&r.tags),
        has_boundary: r.permissions_boundary.is_some(),
        created: time(r.created),
    }
}

/// `arn:aws:iam::<account>:user/<name>`.
pub fn user_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user/{name}")
}

/// `arn:aws:iam::<account>:group/<name>`.
pub fn group_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:group/{name}")
}

/// `arn:aws:iam::<account>:role/<name>`.
pub fn role_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

/// `arn:aws:iam::<account>:root`.
pub fn account_arn(account: &str) -> String {
    format!("arn:aws:iam::{account}:root")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_markers() {
        let names: Vec<String> = (0..5).map(|i| format!("n{i}")).collect();
        let q = |max, marker: Option<&str>| PageQuery {
            max_items: Some(max),
            marker: marker.map(str::to_string),
        };
        let p = page(names.clone(), String::clone, &q(2, None)).unwrap();
        assert_eq!(p.items, ["n0", "n1"]);
        assert_eq!(p.next_marker.as_deref(), Some("n1"));
        let p = page(names.clone(), String::clone, &q(2, Some("n3"))).unwrap();
        assert_eq!((p.items, p.next_marker), (vec!["n4".to_string()], None));
        let p = page(names.clone(), String::clone, &q(5, None)).unwrap();
        assert_eq!(p.next_marker, None);
        assert!(page(names, String::clone, &q(0, None)).is_err());
    }

    #[test]
    fn policies_need_version_and_statement() {
        let ok = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
        assert!(policy(ok, PolicyKind::Identity).is_ok());
        let no_version =
            r#"{"Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
        let e = policy(no_version, PolicyKind::Identity).unwrap_err();
        assert_eq!(e.code, "MalformedPolicyDocument");
        assert!(e.message.contains("Version"), "{}", e.message);
        let e = policy("{nope", PolicyKind::Identity).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
        let e = policy(r#"{"Version":"2012-10-17"}"#, PolicyKind::Identity).unwrap_err();
        assert!(e.message.contains("Statement"), "{}", e.message);
        let bad_effect = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"x:y","Resource":"*"}]}"#;
        assert_eq!(
            policy(bad_effect, PolicyKind::Identity).unwrap_err().status,
            400
        );
    }
}
