//! Back-office staff: `staff` accounts with roles, created in one transaction, and
//! their own sessions (a table apart from member sessions, so neither kind of cookie opens the
//! other's pages). Only the SHA-256 of a session cookie is stored.

use sqlx::Row;

use crate::account_model::{ACCOUNT_COLUMNS, account_from_row};
use crate::accounts::insert_account;
use crate::{Account, NewAccount, Store, StoreError, kind};

/// A staff session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub id_hash: String,
    pub account_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

async fn write_roles(
    conn: &mut sqlx::AnyConnection,
    account_id: &str,
    roles: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM staff_roles WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    for role in roles {
        sqlx::query(
            "INSERT INTO staff_roles (account_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(role)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Creates a staff account with its roles. [`StoreError::UsernameTaken`] as for members.
    pub async fn create_staff(
        &self,
        new: &NewAccount,
        roles: &[String],
    ) -> Result<Account, StoreError> {
        let mut tx = self.pool.begin().await?;
        let account = insert_account(&mut tx, new, kind::STAFF).await?;
        write_roles(&mut tx, &account.id, roles).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Replaces a staff account's roles.
    pub async fn set_staff_roles(
        &self,
        account_id: &str,
        roles: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        write_roles(&mut tx, account_id, roles).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A staff account's roles, sorted.
    pub async fn staff_roles(&self, account_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT role FROM staff_roles WHERE account_id = $1 ORDER BY role")
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("role"))
            .collect::<sqlx::Result<_>>()?)
    }

    /// Disables or re-enables a staff account, with the account's `disabled` flag (the
    /// one failed logins set: a disabled account cannot sign in, and a password reset
    /// re-enables it). Disabling ends the account's staff sessions; re-enabling clears its
    /// failure counter. One transaction. [`StoreError::NotFound`] when there is no staff
    /// account with this id.
    pub async fn set_staff_disabled(
        &self,
        account_id: &str,
        disabled: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE accounts SET disabled = $2, \
             failed_logins = CASE WHEN $2 = 0 THEN 0 ELSE failed_logins END \
             WHERE id = $1 AND kind = 'staff'",
        )
        .bind(account_id)
        .bind(crate::rows::to_flag(disabled))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            sqlx::query("DELETE FROM staff_sessions WHERE account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every staff account, by username.
    pub async fn staff_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'staff' ORDER BY username_lower"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(account_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// Stores a staff session.
    pub async fn create_staff_session(&self, s: &StaffSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO staff_sessions (id_hash, account_id, created_at, last_seen_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(&s.account_id)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live staff session with this hash (idle clock written at most once a minute, see
    /// [`Store::org_session_if_live`]).
    pub async fn staff_session_if_live(
        &self,
        id_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<StaffSession>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, account_id, created_at, last_seen_at, expires_at FROM staff_sessions \
             WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3",
        )
        .bind(id_hash)
        .bind(now)
        .bind(now.saturating_sub(idle_secs))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut s = StaffSession {
            id_hash: row.try_get("id_hash")?,
            account_id: row.try_get("account_id")?,
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
        };
        if now - s.last_seen_at >= crate::TOUCH_EVERY_SECS {
            sqlx::query("UPDATE staff_sessions SET last_seen_at = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
            s.last_seen_at = now;
        }
        Ok(Some(s))
    }

    /// Ends a staff session. `true` when it existed.
    pub async fn delete_staff_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every session of a staff account (password reset, removal). Returns how many.
    pub async fn delete_staff_sessions_for(&self, account_id: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM staff_sessions WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
