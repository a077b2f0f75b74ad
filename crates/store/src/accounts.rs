//! Member accounts: registration with never-reusable usernames, lookups, profile and
//! password changes, the atomic login-failure counter, deletion and inactivity.

use sqlx::Row;

use crate::account_model::{ACCOUNT_COLUMNS, account_from_row};
use crate::error::is_unique_violation;
use crate::outbox::NewMail;
use crate::rows::{flag, to_flag};
use crate::{
    Account, LoginFailure, NewAccount, NewAuditEvent, ProfileUpdate, Store, StoreError, Token,
};

/// The case-insensitive key of a username.
pub(crate) fn username_key(username: &str) -> String {
    username.to_lowercase()
}

/// What [`Store::create_account_with`] commits with a new account. The `account_id` of
/// every audit event and token is replaced by the new account's id.
#[derive(Debug, Clone, Default)]
pub struct AccountRecords {
    /// Audit events (e.g. the registration).
    pub audit: Vec<NewAuditEvent>,
    /// Single-use tokens (e.g. the email-verification link's).
    pub tokens: Vec<Token>,
    /// Email to queue in the outbox (e.g. the verification link).
    pub mail: Vec<NewMail>,
}

fn found<T>(value: Option<T>) -> Result<T, StoreError> {
    value.ok_or(StoreError::NotFound)
}

impl Store {
    /// Registers an account. [`StoreError::UsernameTaken`] when the username is taken
    /// case-insensitively or was ever used by a (since deleted) account.
    pub async fn create_account(&self, new: &NewAccount) -> Result<Account, StoreError> {
        self.create_account_of_kind(new, crate::kind::MEMBER).await
    }

    /// [`Store::create_account`] for an account of another kind (`organization`, `staff`).
    pub async fn create_account_of_kind(
        &self,
        new: &NewAccount,
        kind: &str,
    ) -> Result<Account, StoreError> {
        let mut tx = self.pool.begin().await?;
        let account = insert_account(&mut tx, new, kind).await?;
        tx.commit().await.map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::UsernameTaken
            } else {
                StoreError::Database(e)
            }
        })?;
        Ok(account)
    }

    /// Creates an account of `kind` together with `with`'s audit entries, tokens and
    /// outbox mail, in one transaction: all of them are committed, or none is. Returns the
    /// account and the outbox ids of its mail, in `with.mail`'s order (to send at once:
    /// [`Store::claim_mail`]). [`StoreError::UsernameTaken`] as for
    /// [`Store::create_account`].
    ///
    /// The audit entries are appended last, under the chain head's lock like every append
    /// (`audit_queue.rs`), so the head stays locked only for the end of the transaction.
    /// On a SQLite file the transaction runs on the connection of the group-committed
    /// writers, taking its turn with their batches instead of polling for the file's lock.
    pub async fn create_account_with(
        &self,
        new: &NewAccount,
        kind: &str,
        with: &AccountRecords,
    ) -> Result<(Account, Vec<String>), StoreError> {
        let mut tx = self.writer.begin().await?;
        let account = insert_account(&mut tx, new, kind).await?;
        for token in &with.tokens {
            let token = Token {
                account_id: account.id.clone(),
                ..token.clone()
            };
            crate::tokens::insert_token(&mut tx, &token).await?;
        }
        let mut mail_ids = Vec::with_capacity(with.mail.len());
        for mail in &with.mail {
            mail_ids.push(crate::outbox::insert(&mut tx, mail, new.created_at).await?);
        }
        let events: Vec<NewAuditEvent> = with
            .audit
            .iter()
            .map(|e| NewAuditEvent {
                account_id: Some(account.id.clone()),
                ..e.clone()
            })
            .collect();
        crate::audit_queue::write_in(&mut tx, &events).await?;
        tx.commit().await.map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::UsernameTaken
            } else {
                StoreError::Database(e)
            }
        })?;
        Ok((account, mail_ids))
    }

    /// The live account with this username, compared case-insensitively.
    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username_lower = $1");
        let row = sqlx::query(&sql)
            .bind(username_key(username))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(account_from_row).transpose()?)
    }

    /// The live account with this id.
    pub async fn account_by_id(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(account_from_row).transpose()?)
    }

    /// Whether a username is unavailable: taken by a live account or ever used before.
    pub async fn username_reserved(&self, username: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM reserved_usernames WHERE username_lower = $1")
            .bind(username_key(username))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Replaces every profile field but the username; returns the updated account.
    pub async fn update_profile(
        &self,
        id: &str,
        update: &ProfileUpdate,
    ) -> Result<Account, StoreError> {
        let sql = format!(
            "UPDATE accounts SET name = $2, email = $3, email_verified = $4, mobile = $5, \
             mobile_verified = $6, national_id = $7, birthday = $8, landline = $9 \
             WHERE id = $1 RETURNING {ACCOUNT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(&update.name)
            .bind(&update.email)
            .bind(to_flag(update.email_verified))
            .bind(&update.mobile)
            .bind(to_flag(update.mobile_verified))
            .bind(&update.national_id)
            .bind(&update.birthday)
            .bind(&update.landline)
            .fetch_optional(&self.pool)
            .await?;
        Ok(account_from_row(&found(row)?)?)
    }

    /// Sets a new password (change or reset): stores the hash and `password_changed_at`,
    /// clears the failure counter and re-enables the account.
    pub async fn set_password(&self, id: &str, hash: &str, now: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $2, password_changed_at = $3, \
             failed_logins = 0, disabled = 0 WHERE id = $1",
        )
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        found((done.rows_affected() == 1).then_some(()))
    }

    /// Replaces the hash of the same password (rehash on login); changes nothing else.
    pub async fn update_password_hash(&self, id: &str, hash: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .execute(&self.pool)
            .await?;
        found((done.rows_affected() == 1).then_some(()))
    }

    /// Counts one failed login, atomically, in one statement. The account is disabled when
    /// the count reaches `disable_after` (`0` = never). Once disabled, failures are no longer
    /// counted: the counter stays at the value that disabled the account, however many
    /// attempts race, and only [`Store::set_password`] clears it.
    pub async fn record_login_failure(
        &self,
        id: &str,
        disable_after: i64,
        now: i64,
    ) -> Result<LoginFailure, StoreError> {
        let row = sqlx::query(
            "UPDATE accounts SET failed_logins = failed_logins + 1, last_failed_login_at = $3, \
             disabled = CASE WHEN $2 > 0 AND failed_logins + 1 >= $2 THEN 1 ELSE 0 END \
             WHERE id = $1 AND disabled = 0 RETURNING failed_logins, disabled",
        )
        .bind(id)
        .bind(disable_after)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = row {
            let disabled = flag(&row, "disabled")?;
            return Ok(LoginFailure {
                failed_logins: row.try_get("failed_logins")?,
                disabled,
                just_disabled: disabled,
            });
        }
        let row = sqlx::query("SELECT failed_logins, disabled FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let row = found(row)?;
        Ok(LoginFailure {
            failed_logins: row.try_get("failed_logins")?,
            disabled: flag(&row, "disabled")?,
            just_disabled: false,
        })
    }

    /// Records a successful login: clears the failure counter and the inactivity warning,
    /// sets `last_login_at`. Returns `false` (and changes nothing) when the account is
    /// disabled or gone — e.g. parallel failures locked it while this password was being
    /// checked — in which case the login must be refused.
    pub async fn record_login_success(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET failed_logins = 0, last_login_at = $2, \
             inactivity_warned_at = NULL WHERE id = $1 AND disabled = 0",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the email verified if it still is `email` (it may have changed since the link
    /// was sent). Returns whether it did.
    pub async fn set_email_verified(&self, id: &str, email: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE accounts SET email_verified = 1 WHERE id = $1 AND email = $2")
                .bind(id)
                .bind(email)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes `email` the account's verified address (the address a followed verification link
    /// was sent to: the current one, or the new one it is changing to). Returns whether the
    /// account exists.
    pub async fn confirm_email(&self, id: &str, email: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE accounts SET email = $2, email_verified = 1 WHERE id = $1")
            .bind(id)
            .bind(email)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the mobile verified if it still is `mobile`. Returns whether it did.
    pub async fn set_mobile_verified(&self, id: &str, mobile: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE accounts SET mobile_verified = 1 WHERE id = $1 AND mobile = $2")
                .bind(id)
                .bind(mobile)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes an account irreversibly: the account row (all personal data), its sessions,
    /// tokens and codes go; the username stays reserved forever (with the account id and
    /// deletion time). Audit entries are kept. Returns `true` when this call deleted it,
    /// `false` when no live account has this id (e.g. another node's purge got there
    /// first).
    pub async fn delete_account(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE reserved_usernames SET deleted_at = $2 WHERE account_id = $1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "DELETE FROM sessions WHERE account_id = $1",
            "DELETE FROM tokens WHERE account_id = $1",
            "DELETE FROM codes WHERE account_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let done = sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false); // the transaction rolls back on drop
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Member accounts whose last activity (last login, or registration if never) is before
    /// `last_activity_before`, oldest first. (Organization and staff accounts are never
    /// purged for inactivity: the organization's account must outlive quiet years.)
    pub async fn inactive_accounts(
        &self,
        last_activity_before: i64,
    ) -> Result<Vec<Account>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts \
             WHERE COALESCE(last_login_at, created_at) < $1 AND kind = 'member' \
             ORDER BY COALESCE(last_login_at, created_at), id"
        );
        let rows = sqlx::query(&sql)
            .bind(last_activity_before)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(account_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// Records that the inactivity warning went out. `true` only for the first caller (so
    /// several nodes running the daily job send one warning).
    pub async fn mark_inactivity_warned(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE accounts SET inactivity_warned_at = $2 \
             WHERE id = $1 AND inactivity_warned_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Inserts an account of `kind` inside the caller's transaction (so that, e.g., an
/// organization's registration and its account commit together).
/// [`StoreError::UsernameTaken`] when the username is or was ever taken.
pub(crate) async fn insert_account(
    conn: &mut sqlx::AnyConnection,
    new: &NewAccount,
    kind: &str,
) -> Result<Account, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    let key = username_key(&new.username);
    // The reservation comes first: a write, so SQLite takes its write lock at once, and
    // on PostgreSQL a concurrent registration of the same name waits here.
    let reserved = sqlx::query(
        "INSERT INTO reserved_usernames (username_lower, account_id, reserved_at) \
         VALUES ($1, $2, $3) ON CONFLICT (username_lower) DO NOTHING",
    )
    .bind(&key)
    .bind(&id)
    .bind(new.created_at)
    .execute(&mut *conn)
    .await?;
    if reserved.rows_affected() != 1 {
        return Err(StoreError::UsernameTaken);
    }
    let insert = format!(
        "INSERT INTO accounts (id, username, username_lower, name, email, email_verified, \
         mobile, mobile_verified, national_id, birthday, landline, password_hash, \
         password_changed_at, failed_logins, disabled, created_at, terms_version, \
         terms_accepted_at, kind) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, 0, $7, $8, $9, $10, $11, 0, 0, $11, $12, $13, $14) \
         RETURNING {ACCOUNT_COLUMNS}"
    );
    let row = sqlx::query(&insert)
        .bind(&id)
        .bind(&new.username)
        .bind(&key)
        .bind(&new.name)
        .bind(&new.email)
        .bind(&new.mobile)
        .bind(&new.national_id)
        .bind(&new.birthday)
        .bind(&new.landline)
        .bind(&new.password_hash)
        .bind(new.created_at)
        .bind(&new.terms_version)
        .bind(new.terms_accepted_at)
        .bind(kind)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::UsernameTaken
            } else {
                StoreError::Database(e)
            }
        })?;
    Ok(account_from_row(&row)?)
}
