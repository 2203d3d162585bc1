//! Layout of the `iam` redb table: one string key per entity, prefixed by its kind, every
//! value JSON. IAM names hold no `/` (`[\w+=,.@-]`), so `/` separates key parts and a prefix
//! ending in `/` selects exactly one parent's children. User, group and role names appear as
//! their case-insensitive `name_key`.
//!
//! - `a/<account>` → Account
//! - `d/<admin>` → AdminUser
//! - `u/<account>/<user>` → IamUser
//! - `k/<access key id>` → AccessKey
//! - `g/<account>/<group>` → IamGroup
//! - `m/<account>/<group>/<user>` → the member's user name (membership)
//! - `n/<account>/<user>/<group>` → empty (the same membership, indexed by user)
//! - `r/<account>/<role>` → IamRole
//! - `p/<account>/<user|group|role>/<owner>/<policy name>` → InlinePolicy
//! - `s/<session key id>` → RoleSession
//! - `x/key-check` → SealedSecret (the data-key check)
//!
//! The IAM version lives in the `meta` table under `iam_version`.

use extenddb_core::model::iam::{name_key, PolicyOwner};
use redb::TableDefinition as RedbTable;

/// Every IAM entity.
pub(crate) const IAM: RedbTable<&str, &[u8]> = RedbTable::new("iam");
/// Meta key of the IAM version (u64 big endian).
pub(crate) const IAM_VERSION: &str = "iam_version";
/// Key of the data-key check.
pub(crate) const KEY_CHECK: &str = "x/key-check";

pub(crate) fn account(id: &str) -> String {
    format!("a/{id}")
}

pub(crate) fn admin(name: &str) -> String {
    format!("d/{name}")
}

pub(crate) fn user(account: &str, name: &str) -> String {
    format!("u/{account}/{}", name_key(name))
}

pub(crate) fn access_key(id: &str) -> String {
    format!("k/{id}")
}

pub(crate) fn group(account: &str, name: &str) -> String {
    format!("g/{account}/{}", name_key(name))
}

pub(crate) fn member(account: &str, group: &str, user: &str) -> String {
    format!("m/{account}/{}/{}", name_key(group), name_key(user))
}

pub(crate) fn member_by_user(account: &str, user: &str, group: &str) -> String {
    format!("n/{account}/{}/{}", name_key(user), name_key(group))
}

pub(crate) fn role(account: &str, name: &str) -> String {
    format!("r/{account}/{}", name_key(name))
}

pub(crate) fn policy_prefix(account: &str, owner: PolicyOwner<'_>) -> String {
    format!(
        "p/{account}/{}/{}/",
        owner.kind.as_str(),
        name_key(owner.name)
    )
}

pub(crate) fn policy(account: &str, owner: PolicyOwner<'_>, name: &str) -> String {
    format!("{}{name}", policy_prefix(account, owner))
}

pub(crate) fn session(id: &str) -> String {
    format!("s/{id}")
}

/// The first key after every key starting with `prefix` (prefixes end in `/`, and `0` is the
/// byte after `/`).
pub(crate) fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_string();
    if end.ends_with('/') {
        end.pop();
        end.push('0');
    } else {
        end.push('\u{10FFFF}');
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_prefixes_exact() {
        assert_eq!(user("123456789012", "Alice"), "u/123456789012/alice");
        assert_eq!(
            policy("1", PolicyOwner::group("Dev"), "ReadOnly"),
            "p/1/group/dev/ReadOnly"
        );
        let p = policy_prefix("1", PolicyOwner::user("a"));
        let end = prefix_end(&p);
        for owner in ["a", "a-", "a.", "a0", "ab", "a+", "a@", "a_", "A"] {
            let k = policy("1", PolicyOwner::user(owner), "x");
            let inside = k.as_str() >= p.as_str() && k.as_str() < end.as_str();
            assert_eq!(inside, k.starts_with(&p), "{owner}");
            assert_eq!(inside, owner.eq_ignore_ascii_case("a"), "{owner}");
        }
    }
}
