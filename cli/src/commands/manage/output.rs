//! What `extenddb manage` prints: a title line and aligned `Label: value` rows for one entity,
//! aligned columns for lists, and with `--json` the API's JSON instead (lists with every page
//! merged under `items`).

use extenddb_server::management::api;
use serde::Serialize;

/// Prints `value` as pretty JSON.
pub fn json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: cannot print the answer as JSON: {e}"),
    }
}

/// A title and aligned `Label: value` rows.
pub fn block(title: &str, rows: &[(&str, String)]) {
    println!("{title}");
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 1;
    for (label, value) in rows {
        println!("  {:<width$} {value}", format!("{label}:"));
    }
}

/// Columns with a header row; `(none)` for no rows.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        println!("(none)");
        return;
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (i, cell) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        println!("{}", out.trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        line(r);
    }
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// Tags as `k=v, k=v` (or `-`).
pub fn tags(tags: &[api::Tag]) -> String {
    if tags.is_empty() {
        return "-".into();
    }
    tags.iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One account.
pub fn account(title: &str, a: &api::Account) {
    block(
        title,
        &[
            ("Account ID", a.account_id.clone()),
            ("Account name", a.account_name.clone()),
            ("Created", a.created.clone()),
        ],
    );
}

/// One user.
pub fn user(title: &str, u: &api::User) {
    block(
        title,
        &[
            ("User name", u.user_name.clone()),
            ("Account ID", u.account_id.clone()),
            ("User ID", u.user_id.clone()),
            ("ARN", u.arn.clone()),
            ("Console password", yes(u.has_password)),
            ("Permissions boundary", yes(u.has_boundary)),
            ("Tags", tags(&u.tags)),
            ("Created", u.created.clone()),
        ],
    );
}

/// Users as a table.
pub fn users(list: &[api::User]) {
    table(
        &["USER NAME", "USER ID", "PASSWORD", "TAGS", "CREATED"],
        list.iter()
            .map(|u| {
                vec![
                    u.user_name.clone(),
                    u.user_id.clone(),
                    yes(u.has_password),
                    tags(&u.tags),
                    u.created.clone(),
                ]
            })
            .collect(),
    );
}

/// Access keys as a table.
pub fn keys(list: &[api::AccessKey]) {
    table(
        &["ACCESS KEY ID", "STATUS", "USER", "CREATED"],
        list.iter()
            .map(|k| {
                vec![
                    k.access_key_id.clone(),
                    k.status.clone(),
                    k.user_name.clone(),
                    k.created.clone(),
                ]
            })
            .collect(),
    );
}

/// Groups as a table.
pub fn groups(list: &[api::Group]) {
    table(
        &["GROUP NAME", "GROUP ID", "ARN", "CREATED"],
        list.iter()
            .map(|g| {
                vec![
                    g.group_name.clone(),
                    g.group_id.clone(),
                    g.arn.clone(),
                    g.created.clone(),
                ]
            })
            .collect(),
    );
}

/// One role.
pub fn role(title: &str, r: &api::Role) {
    block(
        title,
        &[
            ("Role name", r.role_name.clone()),
            ("Account ID", r.account_id.clone()),
            ("Role ID", r.role_id.clone()),
            ("ARN", r.arn.clone()),
            ("Permissions boundary", yes(r.has_boundary)),
            ("Tags", tags(&r.tags)),
            ("Created", r.created.clone()),
            ("Trust policy", r.trust_policy.clone()),
        ],
    );
}

/// Roles as a table.
pub fn roles(list: &[api::Role]) {
    table(
        &["ROLE NAME", "ROLE ID", "ARN", "CREATED"],
        list.iter()
            .map(|r| {
                vec![
                    r.role_name.clone(),
                    r.role_id.clone(),
                    r.arn.clone(),
                    r.created.clone(),
                ]
            })
            .collect(),
    );
}

/// Inline policies: their names, then each document.
pub fn policies(list: &[api::Policy]) {
    if list.is_empty() {
        println!("(none)");
    }
    for p in list {
        println!("{}", p.policy_name);
        println!("  {}", p.policy_document);
    }
}
