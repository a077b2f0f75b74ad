//! Server-side sessions, shared by every node. The web layer stores a SHA-256 of the cookie
//! value as `id_hash`, so a database leak does not hand out live cookies.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::{flag, to_flag};
use crate::{Store, StoreError};

/// A login session. (`Debug` leaves out the CSRF token.)
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 (hex) of the cookie value.
    pub id_hash: String,
    /// The account signed in.
    pub account_id: String,
    /// Level of assurance reached (e.g. `password`).
    pub loa: String,
    /// Login time (unix seconds).
    pub created_at: i64,
    /// Last request seen (for the idle timeout).
    pub last_seen_at: i64,
    /// Absolute expiry.
    pub expires_at: i64,
    /// CSRF token bound to the session.
    pub csrf_token: String,
    /// The password expired: the session may only change it.
    pub password_change_only: bool,
    /// Client IP at login.
    pub ip: Option<String>,
    /// Client user agent at login.
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id_hash", &self.id_hash)
            .field("account_id", &self.account_id)
            .field("loa", &self.loa)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .field("csrf_token", &"<redacted>")
            .field("password_change_only", &self.password_change_only)
            .finish_non_exhaustive()
    }
}

const SESSION_COLUMNS: &str = "id_hash, account_id, loa, created_at, last_seen_at, expires_at, \
     csrf_token, password_change_only, ip, user_agent";

fn session_from_row(row: &AnyRow) -> sqlx::Result<Session> {
    Ok(Session {
        id_hash: row.try_get("id_hash")?,
        account_id: row.try_get("account_id")?,
        loa: row.try_get("loa")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
        csrf_token: row.try_get("csrf_token")?,
        password_change_only: flag(row, "password_change_only")?,
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
    })
}

impl Store {
    /// Stores a new session.
    pub async fn create_session(&self, session: &Session) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        sqlx::query(&sql)
            .bind(&session.id_hash)
            .bind(&session.account_id)
            .bind(&session.loa)
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.expires_at)
            .bind(&session.csrf_token)
            .bind(to_flag(session.password_change_only))
            .bind(&session.ip)
            .bind(&session.user_agent)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The session with this id hash, live or not (the caller applies the timeouts; see
    /// [`Store::session_if_live`] for the atomic check).
    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1");
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(session_from_row).transpose()?)
    }

    /// The session if it is neither past `expires_at` nor idle for `idle_secs` or more,
    /// touched (`last_seen_at = now`) in the same statement. A dead session is deleted and
    /// `None` returned.
    pub async fn session_if_live(
        &self,
        id_hash: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<Session>, StoreError> {
        let idle_cutoff = now.saturating_sub(idle_secs);
        let sql = format!(
            "UPDATE sessions SET last_seen_at = $2 \
             WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3 \
             RETURNING {SESSION_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .bind(now)
            .bind(idle_cutoff)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(session_from_row(&row)?)),
            None => {
                sqlx::query(
                    "DELETE FROM sessions WHERE id_hash = $1 \
                     AND (expires_at <= $2 OR last_seen_at <= $3)",
                )
                .bind(id_hash)
                .bind(now)
                .bind(idle_cutoff)
                .execute(&self.pool)
                .await?;
                Ok(None)
            }
        }
    }

    /// Sets `last_seen_at = now`. Returns whether the session exists.
    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a session (logout). Returns whether it existed.
    pub async fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends every session of an account (password reset, deletion). Returns how many.
    pub async fn delete_sessions_for_account(&self, account_id: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends every session of an account but `keep_id_hash` (password change from one
    /// session). Returns how many.
    pub async fn delete_other_sessions(
        &self,
        account_id: &str,
        keep_id_hash: &str,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id_hash <> $2")
            .bind(account_id)
            .bind(keep_id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Ends sessions idle since before `last_seen_before`. Returns how many.
    pub async fn purge_idle_sessions(&self, last_seen_before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
            .bind(last_seen_before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
