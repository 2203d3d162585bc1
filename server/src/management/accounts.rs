//! Accounts: list, create (a random id when none is given), get, delete (refused while the
//! account owns tables — `Catalog::list_tables` — as the user guide says).

use super::api::{CreateAccount, PageQuery};
use super::caller::Caller;
use super::error::MgmtError;
use super::extract::{Body, P, Q};
use super::views::{self, account_arn, Answer};
use extenddb_core::model::iam::Account;
use rand::Rng;

/// How many table names a refusal to delete an account lists.
const TABLES_SHOWN: usize = 5;

/// `GET /management/accounts`.
pub async fn list(c: Caller, Q(q): Q<PageQuery>) -> Answer {
    c.authorize("*")?;
    let accounts = c.state.iam.list_accounts().await?;
    let items = accounts.iter().map(views::account).collect();
    views::ok(views::page(items, |a| a.account_id.clone(), &q)?)
}

/// `POST /management/accounts`.
pub async fn create(c: Caller, Body(req): Body<CreateAccount>) -> Answer {
    let id = match req.account_id {
        Some(id) => id,
        None => {
            let n: u64 = rand::rngs::OsRng.gen_range(100_000_000_000..1_000_000_000_000);
            n.to_string()
        }
    };
    c.authorize(&account_arn(&id))?;
    let account = Account {
        account_id: id,
        name: req.account_name,
        created: c.state.now_secs(),
    };
    account.validate().map_err(|e| MgmtError::validation(e.0))?;
    c.state.iam.create_account(&account).await?;
    c.audit(
        &account_arn(&account.account_id),
        &format!("account created, name '{}'", account.name),
    );
    views::created(views::account(&account))
}

/// `GET /management/accounts/{account_id}`.
pub async fn get(c: Caller, P(id): P<String>) -> Answer {
    c.authorize(&account_arn(&id))?;
    match c.state.iam.get_account(&id).await? {
        Some(a) => views::ok(views::account(&a)),
        None => Err(MgmtError::not_found(format!(
            "Account '{id}' does not exist"
        ))),
    }
}

/// `DELETE /management/accounts/{account_id}`.
pub async fn delete(c: Caller, P(id): P<String>) -> Answer {
    c.authorize(&account_arn(&id))?;
    views::account_id(&id)?;
    if c.state.iam.get_account(&id).await?.is_none() {
        return Err(MgmtError::not_found(format!(
            "Account '{id}' does not exist"
        )));
    }
    let tables = c
        .state
        .services
        .catalog
        .list_tables(&id, None, TABLES_SHOWN + 1)
        .await?;
    if !tables.is_empty() {
        let more = if tables.len() > TABLES_SHOWN {
            ", ..."
        } else {
            ""
        };
        let shown: Vec<&str> = tables
            .iter()
            .take(TABLES_SHOWN)
            .map(String::as_str)
            .collect();
        return Err(MgmtError::conflict(
            "DeleteConflict",
            format!(
                "Account {id} still owns tables ({}{more}); delete all of its tables first",
                shown.join(", ")
            ),
        ));
    }
    c.state.iam.delete_account(&id).await?;
    c.audit(&account_arn(&id), "account deleted with its IAM entities");
    views::done()
}
