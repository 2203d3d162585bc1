//! IAM's rules for entities (names, sizes, tags) and the application of `UserChange` /
//! `RoleChange`, shared by every `IamStore` so backends refuse the same things.

use super::iam::*;
use crate::model::tags::{Tag, MAX_TAGS};

/// Why an entity or change was refused before reaching storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidEntity(pub String);

impl UserChange {
    /// Checks the change and applies it to `user`.
    pub fn apply(&self, user: &mut IamUser) -> Result<(), InvalidEntity> {
        match self {
            UserChange::Password(h) => user.password_hash = h.clone(),
            UserChange::Boundary(b) => {
                if let Some(doc) = b {
                    validate_policy_size(doc)?;
                }
                user.permissions_boundary = b.clone();
            }
            UserChange::Tags { set, remove } => user.tags = change_tags(&user.tags, set, remove)?,
        }
        Ok(())
    }
}

impl RoleChange {
    /// Checks the change and applies it to `role`.
    pub fn apply(&self, role: &mut IamRole) -> Result<(), InvalidEntity> {
        match self {
            RoleChange::TrustPolicy(doc) => {
                validate_policy_size(doc)?;
                role.trust_policy = doc.clone();
            }
            RoleChange::Boundary(b) => {
                if let Some(doc) = b {
                    validate_policy_size(doc)?;
                }
                role.permissions_boundary = b.clone();
            }
            RoleChange::Tags { set, remove } => role.tags = change_tags(&role.tags, set, remove)?,
        }
        Ok(())
    }
}

/// `current` with `set` applied (IAM tag keys compare case-insensitively, the new spelling
/// wins) and `remove` removed; at most `MAX_TAGS` tags.
pub fn change_tags(
    current: &[Tag],
    set: &[Tag],
    remove: &[String],
) -> Result<Vec<Tag>, InvalidEntity> {
    validate_tags(set)?;
    let mut out: Vec<Tag> = current
        .iter()
        .filter(|t| !remove.iter().any(|r| r.eq_ignore_ascii_case(&t.key)))
        .cloned()
        .collect();
    for tag in set {
        match out
            .iter_mut()
            .find(|t| t.key.eq_ignore_ascii_case(&tag.key))
        {
            Some(existing) => *existing = tag.clone(),
            None => out.push(tag.clone()),
        }
    }
    if out.len() > MAX_TAGS {
        return Err(InvalidEntity(format!(
            "A principal may carry at most {MAX_TAGS} tags; the change would leave {}",
            out.len()
        )));
    }
    Ok(out)
}

/// A 12-digit account id.
pub fn validate_account_id(id: &str) -> Result<(), InvalidEntity> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(InvalidEntity(format!(
            "Account ID must be a 12-digit numeric string, got '{id}'"
        )))
    }
}

/// IAM's name characters: letters, digits and `+=,.@_-`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

fn validate_name(what: &str, name: &str, max: usize) -> Result<(), InvalidEntity> {
    if name.is_empty() || name.chars().count() > max || !name.chars().all(is_name_char) {
        return Err(InvalidEntity(format!(
            "{what} '{name}' is invalid: it must be 1 to {max} characters of letters, digits and +=,.@_-"
        )));
    }
    Ok(())
}

/// A user name: `[\w+=,.@-]{1,64}`.
pub fn validate_user_name(name: &str) -> Result<(), InvalidEntity> {
    validate_name("User name", name, MAX_ENTITY_NAME)
}

/// A group name: `[\w+=,.@-]{1,64}`.
pub fn validate_group_name(name: &str) -> Result<(), InvalidEntity> {
    validate_name("Group name", name, MAX_ENTITY_NAME)
}

/// A role name: `[\w+=,.@-]{1,64}`.
pub fn validate_role_name(name: &str) -> Result<(), InvalidEntity> {
    validate_name("Role name", name, MAX_ENTITY_NAME)
}

/// An inline policy name: `[\w+=,.@-]{1,128}`.
pub fn validate_policy_name(name: &str) -> Result<(), InvalidEntity> {
    validate_name("Policy name", name, MAX_POLICY_NAME)
}

/// An admin name: the same characters as a user name.
pub fn validate_admin_name(name: &str) -> Result<(), InvalidEntity> {
    validate_name("Admin name", name, MAX_ENTITY_NAME)
}

/// A role session name: `[\w+=,.@-]{2,64}`.
pub fn validate_session_name(name: &str) -> Result<(), InvalidEntity> {
    if name.chars().count() < 2 {
        return Err(InvalidEntity(format!(
            "Role session name '{name}' is invalid: it must be 2 to 64 characters"
        )));
    }
    validate_name("Role session name", name, MAX_ENTITY_NAME)
}

/// The document's length without whitespace is at most `MAX_POLICY_SIZE` (its syntax is the
/// auth provider's to check).
pub fn validate_policy_size(doc: &str) -> Result<(), InvalidEntity> {
    let packed = doc.chars().filter(|c| !c.is_whitespace()).count();
    if packed > MAX_POLICY_SIZE {
        return Err(InvalidEntity(format!(
            "Policy document is {packed} characters without whitespace; the limit is {MAX_POLICY_SIZE}"
        )));
    }
    Ok(())
}

/// Tag keys 1–128 characters, values up to 256, keys unique (case-insensitively), at most
/// `MAX_TAGS`.
pub fn validate_tags(tags: &[Tag]) -> Result<(), InvalidEntity> {
    if tags.len() > MAX_TAGS {
        return Err(InvalidEntity(format!(
            "At most {MAX_TAGS} tags are allowed, got {}",
            tags.len()
        )));
    }
    for (i, t) in tags.iter().enumerate() {
        let n = t.key.chars().count();
        if n == 0 || n > MAX_TAG_KEY {
            return Err(InvalidEntity(format!(
                "Tag key '{}' must be 1 to {MAX_TAG_KEY} characters",
                t.key
            )));
        }
        if t.value.chars().count() > MAX_TAG_VALUE {
            return Err(InvalidEntity(format!(
                "Value of tag '{}' must be at most {MAX_TAG_VALUE} characters",
                t.key
            )));
        }
        if tags[..i].iter().any(|o| o.key.eq_ignore_ascii_case(&t.key)) {
            return Err(InvalidEntity(format!("Duplicate tag key '{}'", t.key)));
        }
    }
    Ok(())
}

impl Account {
    /// Checks the id and name.
    pub fn validate(&self) -> Result<(), InvalidEntity> {
        validate_account_id(&self.account_id)?;
        if self.name.is_empty() || self.name.chars().count() > MAX_ENTITY_NAME {
            return Err(InvalidEntity(format!(
                "Account name must be 1 to {MAX_ENTITY_NAME} characters"
            )));
        }
        Ok(())
    }
}

impl IamUser {
    /// Checks the account id, name, tags and boundary size.
    pub fn validate(&self) -> Result<(), InvalidEntity> {
        validate_account_id(&self.account_id)?;
        validate_user_name(&self.user_name)?;
        validate_tags(&self.tags)?;
        if let Some(b) = &self.permissions_boundary {
            validate_policy_size(b)?;
        }
        Ok(())
    }
}

impl IamGroup {
    /// Checks the account id and name.
    pub fn validate(&self) -> Result<(), InvalidEntity> {
        validate_account_id(&self.account_id)?;
        validate_group_name(&self.group_name)
    }
}

impl IamRole {
    /// Checks the account id, name, tags and document sizes.
    pub fn validate(&self) -> Result<(), InvalidEntity> {
        validate_account_id(&self.account_id)?;
        validate_role_name(&self.role_name)?;
        validate_tags(&self.tags)?;
        validate_policy_size(&self.trust_policy)?;
        if let Some(b) = &self.permissions_boundary {
            validate_policy_size(b)?;
        }
        Ok(())
    }
}

impl InlinePolicy {
    /// Checks the name and document size.
    pub fn validate(&self) -> Result<(), InvalidEntity> {
        validate_policy_name(&self.policy_name)?;
        validate_policy_size(&self.document)
    }
}

impl RoleSession {
    /// Checks the session name, tags and policy size.
    pub fn validate(&self) -> Result<(), InvalidEntity> {
        validate_session_name(&self.session_name)?;
        validate_tags(&self.session_tags)?;
        if let Some(p) = &self.session_policy {
            validate_policy_size(p)?;
        }
        Ok(())
    }
}

/// An access key id: `AKIA`/`ASIA` and 16 to 124 more letters or digits (IAM allows 16–128
/// characters in all).
pub fn validate_access_key_id(id: &str) -> Result<(), InvalidEntity> {
    let ok = (16..=128).contains(&id.len())
        && (id.starts_with("AKIA") || id.starts_with("ASIA"))
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(InvalidEntity(format!(
            "Access key id '{id}' is invalid: it must start with AKIA and be 16 to 128 upper-case letters or digits"
        )))
    }
}

/// The case-insensitive identity of a user, group or role name (the store's unique key).
pub fn name_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tags::Tag;

    fn tag(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn names_follow_iam_rules() {
        assert!(validate_user_name("alice+ops=x,y.z@corp_1-2").is_ok());
        assert!(validate_user_name(&"a".repeat(64)).is_ok());
        assert!(validate_user_name(&"a".repeat(65)).is_err());
        assert!(validate_user_name("").is_err());
        assert!(validate_user_name("a/b").is_err());
        assert!(validate_user_name("a b").is_err());
        assert!(validate_user_name("é").is_err());
        assert!(validate_policy_name(&"p".repeat(128)).is_ok());
        assert!(validate_policy_name(&"p".repeat(129)).is_err());
        assert!(validate_session_name("a").is_err());
        assert!(validate_session_name("ab").is_ok());
        assert!(validate_account_id("123456789012").is_ok());
        assert!(validate_account_id("12345678901").is_err());
        assert!(validate_account_id("12345678901a").is_err());
    }

    #[test]
    fn policy_size_ignores_whitespace() {
        let body = "x".repeat(MAX_POLICY_SIZE);
        assert!(validate_policy_size(&body).is_ok());
        assert!(validate_policy_size(&format!("{body}  \n\t ")).is_ok());
        assert!(validate_policy_size(&format!("{body}y")).is_err());
    }

    #[test]
    fn tags_change_case_insensitively_and_are_capped() {
        let cur = vec![tag("Team", "a"), tag("Env", "dev")];
        let out = change_tags(&cur, &[tag("team", "b"), tag("New", "1")], &["ENV".into()]).unwrap();
        assert_eq!(out, vec![tag("team", "b"), tag("New", "1")]);
        let many: Vec<Tag> = (0..MAX_TAGS).map(|i| tag(&format!("k{i}"), "v")).collect();
        let full = change_tags(&[], &many, &[]).unwrap();
        assert!(change_tags(&full, &[tag("one-more", "v")], &[]).is_err());
        assert!(validate_tags(&[tag("a", "1"), tag("A", "2")]).is_err());
        assert!(validate_tags(&[tag("", "1")]).is_err());
        assert!(validate_tags(&[tag("k", &"v".repeat(257))]).is_err());
    }

    #[test]
    fn debug_never_shows_secrets_or_hashes() {
        let s = SealedSecret {
            nonce: vec![1; 12],
            ciphertext: vec![2; 56],
        };
        assert_eq!(format!("{s:?}"), "SealedSecret(***)");
        let a = AdminUser {
            name: "admin".into(),
            password_hash: "$argon2id$secret".into(),
            created: 0,
        };
        assert!(!format!("{a:?}").contains("argon2"));
        let u = IamUser {
            account_id: "123456789012".into(),
            user_name: "alice".into(),
            user_id: "AIDAEXAMPLE".into(),
            password_hash: Some("$argon2id$secret".into()),
            tags: vec![],
            permissions_boundary: None,
            created: 0,
        };
        assert!(!format!("{u:?}").contains("argon2"));
        assert_eq!(u.arn(), "arn:aws:iam::123456789012:user/alice");
    }
}
