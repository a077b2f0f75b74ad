//! External identities (an upstream OpenID provider's issuer + subject) linked to accounts, for
//! 「使用 Google 登入」 and 會員中心 › 管理外部帳號 (004 二 Q6–Q7). An identity is linked to at most
//! one account and an account has at most one identity per issuer; both rules are unique
//! indexes, so concurrent links on any node cannot break them. Deleting an account deletes
//! its links (ON DELETE CASCADE).

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::is_unique_violation;
use crate::{Store, StoreError};

/// An external identity linked to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// UUID v4, text.
    pub id: String,
    pub account_id: String,
    /// The configured provider's id when linked (e.g. `google`).
    pub provider: String,
    /// The upstream's issuer identifier, exactly as in its ID tokens.
    pub issuer: String,
    /// The upstream's `sub` for this person.
    pub subject: String,
    /// The email the upstream reported at the last sign-in, if any.
    pub email: Option<String>,
    pub linked_at: i64,
    pub last_used_at: Option<i64>,
}

/// What linking supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub account_id: String,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub linked_at: i64,
}

/// The result of [`Store::link_external_identity`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// Newly linked.
    Linked(ExternalIdentity),
    /// Already linked to this very account: nothing changed.
    AlreadyLinked(ExternalIdentity),
    /// Linked to another account: refused.
    LinkedElsewhere,
    /// The account already has another identity of this issuer: refused.
    IssuerTaken,
}

const COLUMNS: &str = "id, account_id, provider, issuer, subject, email, linked_at, last_used_at";

fn from_row(row: &AnyRow) -> sqlx::Result<ExternalIdentity> {
    Ok(ExternalIdentity {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        provider: row.try_get("provider")?,
        issuer: row.try_get("issuer")?,
        subject: row.try_get("subject")?,
        email: row.try_get("email")?,
        linked_at: row.try_get("linked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Store {
    /// Links an external identity to an account. The unique indexes decide between
    /// concurrent links: exactly one wins, the others learn why they lost.
    pub async fn link_external_identity(&self, l: &NewLink) -> Result<LinkOutcome, StoreError> {
        let sql = format!(
            "INSERT INTO external_identities (id, account_id, provider, issuer, subject, email, \
             linked_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
        );
        let inserted = sqlx::query(&sql)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&l.account_id)
            .bind(&l.provider)
            .bind(&l.issuer)
            .bind(&l.subject)
            .bind(&l.email)
            .bind(l.linked_at)
            .fetch_one(&self.pool)
            .await;
        match inserted {
            Ok(row) => Ok(LinkOutcome::Linked(from_row(&row)?)),
            Err(e) if is_unique_violation(&e) => {
                Ok(match self.external_identity(&l.issuer, &l.subject).await? {
                    Some(x) if x.account_id == l.account_id => LinkOutcome::AlreadyLinked(x),
                    Some(_) => LinkOutcome::LinkedElsewhere,
                    None => LinkOutcome::IssuerTaken,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The link of (issuer, subject), if any.
    pub async fn external_identity(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<ExternalIdentity>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM external_identities WHERE issuer = $1 AND subject = $2");
        let row = sqlx::query(&sql)
            .bind(issuer)
            .bind(subject)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// The account's links, oldest first.
    pub async fn external_identities_of(
        &self,
        account_id: &str,
    ) -> Result<Vec<ExternalIdentity>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM external_identities WHERE account_id = $1 \
             ORDER BY linked_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
    }

    /// Removes the account's link `id`; returns it, or `None` when the account has no such link.
    pub async fn unlink_external_identity(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<Option<ExternalIdentity>, StoreError> {
        let sql = format!(
            "DELETE FROM external_identities WHERE account_id = $1 AND id = $2 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(account_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Records a sign-in with the link: the time and the email the upstream reported now.
    pub async fn touch_external_identity(
        &self,
        id: &str,
        email: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE external_identities SET last_used_at = $2, email = COALESCE($3, email) \
             WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .bind(email)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
