//! Admin users: list, create, change a password, delete (never the last one).

use super::api::{self, CreateAdmin, NewPassword, PageQuery};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, Answer};
use extenddb_core::model::iam::{validate_admin_name, AdminUser};

fn admin_arn(name: &str) -> String {
    format!("arn:extenddb:management:::admin/{name}")
}

/// `GET /management/admins`.
pub async fn list(c: Caller, Q(q): Q<PageQuery>) -> Answer {
    c.authorize("*")?;
    let admins = c.state.iam.list_admins().await?;
    let items: Vec<api::Admin> = admins
        .iter()
        .map(|a| api::Admin {
            admin_name: a.name.clone(),
            created: views::time(a.created),
        })
        .collect();
    views::ok(views::page(items, |a| a.admin_name.clone(), &q)?)
}

/// `POST /management/admins`.
pub async fn create(c: Caller, Body(req): Body<CreateAdmin>) -> Answer {
    c.authorize(&admin_arn(&req.admin_name))?;
    validate_admin_name(&req.admin_name).map_err(|e| MgmtError::validation(e.0))?;
    views::password(&req.password)?;
    let admin = AdminUser {
        name: req.admin_name.clone(),
        password_hash: views::hash(req.password).await?,
        created: c.state.now_secs(),
    };
    c.state.iam.create_admin(&admin).await?;
    c.audit(&admin_arn(&admin.name), "admin created");
    views::created(api::Admin {
        admin_name: admin.name,
        created: views::time(admin.created),
    })
}

/// `PUT /management/admins/{admin_name}/password`.
pub async fn change_password(
    c: Caller,
    P(name): P<String>,
    Body(req): Body<NewPassword>,
) -> Answer {
    c.authorize(&admin_arn(&name))?;
    views::password(&req.new_password)?;
    let hash = views::hash(req.new_password).await?;
    c.state.iam.set_admin_password(&name, &hash).await?;
    c.audit(&admin_arn(&name), "admin password changed");
    views::done()
}

/// `DELETE /management/admins/{admin_name}`.
pub async fn delete(c: Caller, P(name): P<String>) -> Answer {
    c.authorize(&admin_arn(&name))?;
    let admins = c.state.iam.list_admins().await?;
    if !admins.iter().any(|a| a.name == name) {
        return Err(MgmtError::not_found(format!(
            "Admin '{name}' does not exist"
        )));
    }
    if admins.len() == 1 {
        return Err(MgmtError::conflict(
            "DeleteConflict",
            format!("Admin '{name}' is the last admin; create another one before deleting it"),
        ));
    }
    c.state.iam.delete_admin(&name).await?;
    c.audit(&admin_arn(&name), "admin deleted");
    views::done()
}
