//! The `IamStore` suite: every entity's create / get / list / change / delete with IAM's name
//! rules, case-insensitive names, cascades (user, group, role, account), the IAM version and
//! the in-process change counter. Works in fresh account ids, so it can run twice over one
//! store.

use crate::model::iam::*;
use crate::model::tags::Tag;
use crate::traits::{IamEntity, IamError, IamStore};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A 12-digit account id no earlier run has used (time-derived, plus a counter).
fn fresh_account() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = (nanos / 1000 + u128::from(SEQ.fetch_add(1, Ordering::SeqCst))) % 900_000_000_000;
    format!("{}", 100_000_000_000 + n)
}

fn sealed(b: u8) -> SealedSecret {
    SealedSecret {
        nonce: vec![b; 12],
        ciphertext: vec![b; 40],
    }
}

fn tag(k: &str, v: &str) -> Tag {
    Tag {
        key: k.into(),
        value: v.into(),
    }
}

fn user(account: &str, name: &str) -> IamUser {
    IamUser {
        account_id: account.into(),
        user_name: name.into(),
        user_id: format!("AIDA{}{}", &account[4..], name.to_ascii_uppercase()),
        password_hash: Some("$argon2id$v=19$fake".into()),
        tags: vec![tag("team", "blue")],
        permissions_boundary: None,
        created: 1_700_000_000,
    }
}

fn key(account: &str, user: &str, id: &str, created: i64) -> AccessKey {
    AccessKey {
        access_key_id: id.into(),
        account_id: account.into(),
        user_name: user.into(),
        secret: sealed(1),
        status: AccessKeyStatus::Active,
        created,
    }
}

fn role(account: &str, name: &str) -> IamRole {
    IamRole {
        account_id: account.into(),
        role_name: name.into(),
        role_id: format!("AROA{}", name.to_ascii_uppercase()),
        trust_policy: r#"{"Version":"2012-10-17","Statement":[]}"#.into(),
        tags: vec![tag("Team", "Backend")],
        permissions_boundary: None,
        created: 1_700_000_000,
    }
}

fn policy(name: &str, doc: &str) -> InlinePolicy {
    InlinePolicy {
        policy_name: name.into(),
        document: doc.into(),
    }
}

fn session(account: &str, role: &str, id: &str, expires: i64) -> RoleSession {
    RoleSession {
        access_key_id: id.into(),
        account_id: account.into(),
        role_name: role.into(),
        session_name: "sess".into(),
        secret: sealed(2),
        token_sha256: vec![9; 32],
        expires,
        session_tags: vec![tag("Project", "Alpha")],
        session_policy: None,
        source_arn: format!("arn:aws:iam::{account}:user/alice"),
        created: expires - 3600,
    }
}

fn not_found(r: Result<impl std::fmt::Debug, IamError>, entity: IamEntity) {
    match r {
        Err(IamError::NotFound(e, _)) if e == entity => {}
        other => panic!("expected NotFound({entity}), got {other:?}"),
    }
}

fn exists(r: Result<impl std::fmt::Debug, IamError>, entity: IamEntity) {
    match r {
        Err(IamError::AlreadyExists(e, _)) if e == entity => {}
        other => panic!("expected AlreadyExists({entity}), got {other:?}"),
    }
}

fn invalid(r: Result<impl std::fmt::Debug, IamError>) {
    assert!(
        matches!(r, Err(IamError::Invalid(_))),
        "expected Invalid, got {r:?}"
    );
}

/// Runs the IAM checks against `store`.
pub async fn iam_suite(store: Arc<dyn IamStore>) {
    let acct = fresh_account();
    let v0 = store.iam_version().await.unwrap();
    let c0 = store.local_changes();
    accounts_and_admins(&*store, &acct).await;
    let v1 = store.iam_version().await.unwrap();
    assert!(v1 > v0, "every change bumps the IAM version ({v0} -> {v1})");
    assert!(
        store.local_changes() > c0,
        "changes through this handle are counted"
    );
    users_and_keys(&*store, &acct).await;
    groups(&*store, &acct).await;
    roles_and_sessions(&*store, &acct).await;
    policies_and_cascades(&*store, &acct).await;
    // A refused change bumps nothing.
    let (v, c) = (store.iam_version().await.unwrap(), store.local_changes());
    exists(
        store.create_user(&user(&acct, "alice")).await,
        IamEntity::User,
    );
    assert_eq!(store.iam_version().await.unwrap(), v);
    assert_eq!(store.local_changes(), c);
    account_cascade(&*store, &acct).await;
    let check = sealed(7);
    store.put_data_key_check(&check).await.unwrap();
    store.put_data_key_check(&check).await.unwrap();
    assert_eq!(store.data_key_check().await.unwrap(), Some(check));
}

async fn accounts_and_admins(store: &dyn IamStore, acct: &str) {
    let a = Account {
        account_id: acct.into(),
        name: "default".into(),
        created: 1_700_000_000,
    };
    store.create_account(&a).await.unwrap();
    exists(store.create_account(&a).await, IamEntity::Account);
    invalid(
        store
            .create_account(&Account {
                account_id: "12345".into(),
                ..a.clone()
            })
            .await,
    );
    assert_eq!(store.get_account(acct).await.unwrap(), Some(a.clone()));
    assert_eq!(store.get_account("999999999999").await.unwrap(), None);
    let list = store.list_accounts().await.unwrap();
    assert!(list.contains(&a));
    assert!(
        list.windows(2).all(|w| w[0].account_id < w[1].account_id),
        "ordered by id"
    );

    let admin = format!("admin{acct}");
    store
        .create_admin(&AdminUser {
            name: admin.clone(),
            password_hash: "h1".into(),
            created: 1,
        })
        .await
        .unwrap();
    exists(
        store
            .create_admin(&AdminUser {
                name: admin.clone(),
                password_hash: "h2".into(),
                created: 1,
            })
            .await,
        IamEntity::Admin,
    );
    store.set_admin_password(&admin, "h3").await.unwrap();
    assert_eq!(
        store
            .get_admin(&admin)
            .await
            .unwrap()
            .unwrap()
            .password_hash,
        "h3"
    );
    assert!(store
        .list_admins()
        .await
        .unwrap()
        .iter()
        .any(|a| a.name == admin));
    store.delete_admin(&admin).await.unwrap();
    assert!(store.get_admin(&admin).await.unwrap().is_none());
    not_found(store.delete_admin(&admin).await, IamEntity::Admin);
    not_found(
        store.set_admin_password(&admin, "x").await,
        IamEntity::Admin,
    );
}

async fn users_and_keys(store: &dyn IamStore, acct: &str) {
    not_found(
        store.create_user(&user("999999999998", "x")).await,
        IamEntity::Account,
    );
    invalid(store.create_user(&user(acct, "bad/name")).await);
    let alice = user(acct, "Alice");
    store.create_user(&alice).await.unwrap();
    exists(
        store.create_user(&user(acct, "ALICE")).await,
        IamEntity::User,
    );
    // Looked up case-insensitively; the stored spelling is kept.
    let got = store.get_user(acct, "alice").await.unwrap().unwrap();
    assert_eq!(got, alice);
    store.create_user(&user(acct, "bob")).await.unwrap();
    let names: Vec<String> = store
        .list_users(acct)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.user_name)
        .collect();
    assert_eq!(names, vec!["Alice", "bob"]);

    let u = store
        .update_user(
            acct,
            "alice",
            &UserChange::Tags {
                set: vec![tag("TEAM", "red"), tag("env", "dev")],
                remove: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(u.tags, vec![tag("TEAM", "red"), tag("env", "dev")]);
    let u = store
        .update_user(acct, "alice", &UserChange::Password(None))
        .await
        .unwrap();
    assert_eq!(u.password_hash, None);
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#;
    store
        .update_user(acct, "alice", &UserChange::Boundary(Some(boundary.into())))
        .await
        .unwrap();
    let stored = store.get_user(acct, "Alice").await.unwrap().unwrap();
    assert_eq!(stored.permissions_boundary.as_deref(), Some(boundary));
    assert_eq!(stored.tags.len(), 2);
    invalid(
        store
            .update_user(acct, "alice", &UserChange::Boundary(Some("x".repeat(7000))))
            .await,
    );
    not_found(
        store
            .update_user(acct, "nobody", &UserChange::Password(None))
            .await,
        IamEntity::User,
    );

    let id1 = format!("AKIAEXTENDDB{}", &acct[4..12]);
    let id2 = format!("AKIAIMPORTED{}", &acct[4..12]);
    not_found(
        store.create_access_key(&key(acct, "carol", &id1, 1)).await,
        IamEntity::User,
    );
    invalid(
        store
            .create_access_key(&key(acct, "alice", "BADKEY", 1))
            .await,
    );
    store
        .create_access_key(&key(acct, "alice", &id2, 20))
        .await
        .unwrap();
    store
        .create_access_key(&key(acct, "ALICE", &id1, 10))
        .await
        .unwrap();
    exists(
        store.create_access_key(&key(acct, "bob", &id1, 1)).await,
        IamEntity::AccessKey,
    );
    let got = store.get_access_key(&id1).await.unwrap().unwrap();
    assert_eq!(got.user_name, "Alice", "keys name the user as stored");
    assert_eq!(got.secret, sealed(1));
    let ids: Vec<String> = store
        .list_access_keys(acct, "alice")
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.access_key_id)
        .collect();
    assert_eq!(ids, vec![id1.clone(), id2.clone()], "ordered by creation");
    assert!(store
        .list_access_keys(acct, "bob")
        .await
        .unwrap()
        .is_empty());
    store
        .set_access_key_status(acct, "alice", &id1, AccessKeyStatus::Inactive)
        .await
        .unwrap();
    assert_eq!(
        store.get_access_key(&id1).await.unwrap().unwrap().status,
        AccessKeyStatus::Inactive
    );
    not_found(
        store.delete_access_key(acct, "bob", &id1).await,
        IamEntity::AccessKey,
    );
    store.delete_access_key(acct, "alice", &id2).await.unwrap();
    assert!(store.get_access_key(&id2).await.unwrap().is_none());
    not_found(
        store.delete_access_key(acct, "alice", &id2).await,
        IamEntity::AccessKey,
    );
}

async fn groups(store: &dyn IamStore, acct: &str) {
    let g = IamGroup {
        account_id: acct.into(),
        group_name: "Developers".into(),
        group_id: "AGPADEV".into(),
        created: 1,
    };
    store.create_group(&g).await.unwrap();
    exists(
        store
            .create_group(&IamGroup {
                group_name: "developers".into(),
                ..g.clone()
            })
            .await,
        IamEntity::Group,
    );
    invalid(
        store
            .create_group(&IamGroup {
                group_name: String::new(),
                ..g.clone()
            })
            .await,
    );
    assert_eq!(
        store.get_group(acct, "DEVELOPERS").await.unwrap(),
        Some(g.clone())
    );
    store
        .add_group_member(acct, "developers", "alice")
        .await
        .unwrap();
    store
        .add_group_member(acct, "developers", "alice")
        .await
        .unwrap();
    store
        .add_group_member(acct, "Developers", "bob")
        .await
        .unwrap();
    not_found(
        store.add_group_member(acct, "developers", "nobody").await,
        IamEntity::User,
    );
    not_found(
        store.add_group_member(acct, "nogroup", "alice").await,
        IamEntity::Group,
    );
    assert_eq!(
        store.list_group_members(acct, "developers").await.unwrap(),
        vec!["Alice", "bob"]
    );
    assert_eq!(
        store.list_groups_for_user(acct, "alice").await.unwrap(),
        vec![g.clone()]
    );
    store
        .remove_group_member(acct, "developers", "BOB")
        .await
        .unwrap();
    not_found(
        store.remove_group_member(acct, "developers", "bob").await,
        IamEntity::Membership,
    );
    assert_eq!(
        store.list_group_members(acct, "developers").await.unwrap(),
        vec!["Alice"]
    );
    assert!(store
        .list_groups_for_user(acct, "bob")
        .await
        .unwrap()
        .is_empty());
    // A second group, deleted with its memberships and policies.
    let ops = IamGroup {
        group_name: "ops".into(),
        group_id: "AGPAOPS".into(),
        ..g.clone()
    };
    store.create_group(&ops).await.unwrap();
    store.add_group_member(acct, "ops", "alice").await.unwrap();
    store
        .put_policy(acct, PolicyOwner::group("ops"), &policy("P", "{}"))
        .await
        .unwrap();
    assert_eq!(
        store
            .list_groups_for_user(acct, "alice")
            .await
            .unwrap()
            .len(),
        2
    );
    store.delete_group(acct, "OPS").await.unwrap();
    assert_eq!(
        store.list_groups_for_user(acct, "alice").await.unwrap(),
        vec![g]
    );
    not_found(
        store.list_policies(acct, PolicyOwner::group("ops")).await,
        IamEntity::Group,
    );
    store.create_group(&ops).await.unwrap();
    assert!(
        store
            .list_group_members(acct, "ops")
            .await
            .unwrap()
            .is_empty(),
        "a re-created group starts empty"
    );
    assert!(store
        .list_policies(acct, PolicyOwner::group("ops"))
        .await
        .unwrap()
        .is_empty());
    let names: Vec<String> = store
        .list_groups(acct)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.group_name)
        .collect();
    assert_eq!(names, vec!["Developers", "ops"]);
}

async fn roles_and_sessions(store: &dyn IamStore, acct: &str) {
    let r = role(acct, "data-reader");
    store.create_role(&r).await.unwrap();
    exists(
        store.create_role(&role(acct, "Data-Reader")).await,
        IamEntity::Role,
    );
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    let updated = store
        .update_role(acct, "DATA-READER", &RoleChange::TrustPolicy(trust.into()))
        .await
        .unwrap();
    assert_eq!(updated.trust_policy, trust);
    store
        .update_role(
            acct,
            "data-reader",
            &RoleChange::Tags {
                set: vec![tag("Env", "prod")],
                remove: vec!["team".into()],
            },
        )
        .await
        .unwrap();
    store
        .update_role(
            acct,
            "data-reader",
            &RoleChange::Boundary(Some("{}".into())),
        )
        .await
        .unwrap();
    let got = store.get_role(acct, "data-reader").await.unwrap().unwrap();
    assert_eq!(got.tags, vec![tag("Env", "prod")]);
    assert_eq!(got.permissions_boundary.as_deref(), Some("{}"));
    assert_eq!(store.list_roles(acct).await.unwrap(), vec![got.clone()]);

    let s1 = format!("ASIAEXTENDDB{}", &acct[4..12]);
    let s2 = format!("ASIAEXTENDDX{}", &acct[4..12]);
    store
        .create_session(&session(acct, "Data-Reader", &s1, 5_000))
        .await
        .unwrap();
    store
        .create_session(&session(acct, "data-reader", &s2, 9_000))
        .await
        .unwrap();
    exists(
        store
            .create_session(&session(acct, "data-reader", &s1, 1))
            .await,
        IamEntity::AccessKey,
    );
    not_found(
        store
            .create_session(&session(acct, "no-role", "ASIAEXTENDDBZZZZZZZZ", 1))
            .await,
        IamEntity::Role,
    );
    let got = store.get_session(&s1).await.unwrap().unwrap();
    assert_eq!(got.role_name, "data-reader");
    assert_eq!(got.token_sha256, vec![9; 32]);
    assert_eq!(got.session_tags, vec![tag("Project", "Alpha")]);
    assert!(store.delete_expired_sessions(6_000).await.unwrap() >= 1);
    assert!(store.get_session(&s1).await.unwrap().is_none());
    assert!(store.get_session(&s2).await.unwrap().is_some());
    store
        .put_policy(acct, PolicyOwner::role("data-reader"), &policy("R", "{}"))
        .await
        .unwrap();
    store.delete_role(acct, "data-reader").await.unwrap();
    assert!(
        store.get_session(&s2).await.unwrap().is_none(),
        "a role's sessions go with it"
    );
    not_found(
        store.delete_role(acct, "data-reader").await,
        IamEntity::Role,
    );
    store.create_role(&r).await.unwrap();
    assert!(store
        .list_policies(acct, PolicyOwner::role("data-reader"))
        .await
        .unwrap()
        .is_empty());
}

async fn policies_and_cascades(store: &dyn IamStore, acct: &str) {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}"#;
    store
        .put_policy(acct, PolicyOwner::user("alice"), &policy("ReadOnly", doc))
        .await
        .unwrap();
    store
        .put_policy(
            acct,
            PolicyOwner::user("ALICE"),
            &policy("FullAccess", "{}"),
        )
        .await
        .unwrap();
    store
        .put_policy(acct, PolicyOwner::user("alice"), &policy("FullAccess", doc))
        .await
        .unwrap();
    not_found(
        store
            .put_policy(acct, PolicyOwner::user("nobody"), &policy("P", doc))
            .await,
        IamEntity::User,
    );
    invalid(
        store
            .put_policy(acct, PolicyOwner::user("alice"), &policy("bad name", doc))
            .await,
    );
    invalid(
        store
            .put_policy(
                acct,
                PolicyOwner::user("alice"),
                &policy("Big", &"x".repeat(6145)),
            )
            .await,
    );
    assert_eq!(
        store
            .list_policies(acct, PolicyOwner::user("alice"))
            .await
            .unwrap(),
        vec![policy("FullAccess", doc), policy("ReadOnly", doc)],
        "replaced in place, ordered by name"
    );
    assert_eq!(
        store
            .get_policy(acct, PolicyOwner::user("alice"), "ReadOnly")
            .await
            .unwrap(),
        Some(policy("ReadOnly", doc))
    );
    assert_eq!(
        store
            .get_policy(acct, PolicyOwner::user("alice"), "readonly")
            .await
            .unwrap(),
        None,
        "policy names are exact"
    );
    assert!(store
        .list_policies(acct, PolicyOwner::user("bob"))
        .await
        .unwrap()
        .is_empty());
    store
        .delete_policy(acct, PolicyOwner::user("alice"), "FullAccess")
        .await
        .unwrap();
    not_found(
        store
            .delete_policy(acct, PolicyOwner::user("alice"), "FullAccess")
            .await,
        IamEntity::Policy,
    );

    // Deleting a user removes its keys, memberships and policies; a new user of the same
    // name starts with none of them.
    let id = store.list_access_keys(acct, "alice").await.unwrap()[0]
        .access_key_id
        .clone();
    store.delete_user(acct, "alice").await.unwrap();
    assert!(store.get_user(acct, "alice").await.unwrap().is_none());
    assert!(store.get_access_key(&id).await.unwrap().is_none());
    assert!(store
        .list_group_members(acct, "developers")
        .await
        .unwrap()
        .is_empty());
    not_found(store.delete_user(acct, "alice").await, IamEntity::User);
    store.create_user(&user(acct, "alice")).await.unwrap();
    assert!(store
        .list_policies(acct, PolicyOwner::user("alice"))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .list_groups_for_user(acct, "alice")
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .list_access_keys(acct, "alice")
        .await
        .unwrap()
        .is_empty());
}

async fn account_cascade(store: &dyn IamStore, acct: &str) {
    let other = fresh_account();
    store
        .create_account(&Account {
            account_id: other.clone(),
            name: "other".into(),
            created: 2,
        })
        .await
        .unwrap();
    store.create_user(&user(&other, "alice")).await.unwrap();
    let id = format!("AKIAEXTENDDQ{}", &acct[4..12]);
    store
        .create_access_key(&key(acct, "alice", &id, 1))
        .await
        .unwrap();
    store.delete_account(acct).await.unwrap();
    assert!(store.get_account(acct).await.unwrap().is_none());
    assert!(store.list_users(acct).await.unwrap().is_empty());
    assert!(store.list_groups(acct).await.unwrap().is_empty());
    assert!(store.list_roles(acct).await.unwrap().is_empty());
    assert!(store.get_access_key(&id).await.unwrap().is_none());
    not_found(store.delete_account(acct).await, IamEntity::Account);
    // The other account is untouched.
    assert!(store.get_user(&other, "alice").await.unwrap().is_some());
    store.delete_account(&other).await.unwrap();
}
