//! The sign-in gate: one attempt is counted (as a failure, until the password proves right)
//! by one atomic statement that also decides whether the attempt may go on at all — without a
//! CAPTCHA past `captcha_after` failures, and never past `disable_after`. Because the decision
//! and the count are one statement, parallel attempts cannot all read the same old count and
//! slip past the CAPTCHA demand together.
//!
//! Usernames with no account are counted the same way in `login_phantoms`, so the answers a
//! caller sees (CAPTCHA demand, lock) are the same for known and unknown names at every count.

use sqlx::Row;

use crate::rows::flag;
use crate::{Store, StoreError};

/// Whose failures an attempt counts against.
#[derive(Debug, Clone, Copy)]
pub enum GateSubject<'a> {
    /// An existing account, by id.
    Account(&'a str),
    /// A username with no account (of the kinds asked for), lower-cased.
    Phantom(&'a str),
}

/// The thresholds of the gate (0 turns the lock off; a CAPTCHA threshold of 0 demands one on
/// every attempt).
#[derive(Debug, Clone, Copy)]
pub struct GateLimits {
    pub captcha_after: i64,
    pub disable_after: i64,
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    /// The attempt may go on; it is counted. The consecutive failures including this one.
    Counted(i64),
    /// A solved CAPTCHA is required first; nothing was counted.
    CaptchaRequired,
    /// The account (or phantom) is locked, or enough attempts are in flight to lock it.
    Locked,
}

/// Rows of `login_phantoms` untouched this long are purged.
pub const PHANTOM_RETENTION_SECS: i64 = 180 * 24 * 3600;

impl Store {
    /// Counts one sign-in attempt for `who` if the thresholds allow it (see the module doc).
    pub async fn gate_login(
        &self,
        who: GateSubject<'_>,
        limits: GateLimits,
        captcha_ok: bool,
        now: i64,
    ) -> Result<LoginGate, StoreError> {
        if !captcha_ok && limits.captcha_after <= 0 {
            return Ok(match self.gate_state(who).await? {
                (_, true) => LoginGate::Locked,
                _ => LoginGate::CaptchaRequired,
            });
        }
        let ok = i64::from(captcha_ok);
        let row = match who {
            GateSubject::Account(id) => {
                sqlx::query(
                    "UPDATE accounts SET failed_logins = failed_logins + 1, \
                     last_failed_login_at = $2 \
                     WHERE id = $1 AND disabled = 0 \
                     AND ($3 <= 0 OR failed_logins < $3) \
                     AND ($4 = 1 OR failed_logins < $5) \
                     RETURNING failed_logins",
                )
                .bind(id)
                .bind(now)
                .bind(limits.disable_after)
                .bind(ok)
                .bind(limits.captcha_after)
                .fetch_optional(&self.pool)
                .await?
            }
            GateSubject::Phantom(key) => sqlx::query(
                "INSERT INTO login_phantoms (username_key, failed_logins, disabled, updated_at) \
                     VALUES ($1, 1, 0, $2) \
                     ON CONFLICT (username_key) DO UPDATE SET \
                     failed_logins = login_phantoms.failed_logins + 1, \
                     updated_at = excluded.updated_at \
                     WHERE login_phantoms.disabled = 0 \
                     AND ($3 <= 0 OR login_phantoms.failed_logins < $3) \
                     AND ($4 = 1 OR login_phantoms.failed_logins < $5) \
                     RETURNING failed_logins",
            )
            .bind(key)
            .bind(now)
            .bind(limits.disable_after)
            .bind(ok)
            .bind(limits.captcha_after)
            .fetch_optional(&self.pool)
            .await?,
        };
        if let Some(row) = row {
            return Ok(LoginGate::Counted(row.try_get("failed_logins")?));
        }
        let (failures, disabled) = self.gate_state(who).await?;
        let at_lock = limits.disable_after > 0 && failures >= limits.disable_after;
        Ok(if disabled || at_lock {
            LoginGate::Locked
        } else {
            LoginGate::CaptchaRequired
        })
    }

    /// After a counted attempt whose password was wrong: disables `who` once the failures
    /// reached `disable_after`. `true` for the one caller that disabled it.
    pub async fn settle_login_failure(
        &self,
        who: GateSubject<'_>,
        disable_after: i64,
    ) -> Result<bool, StoreError> {
        if disable_after <= 0 {
            return Ok(false);
        }
        let sql = match who {
            GateSubject::Account(_) => {
                "UPDATE accounts SET disabled = 1 \
                 WHERE id = $1 AND disabled = 0 AND failed_logins >= $2"
            }
            GateSubject::Phantom(_) => {
                "UPDATE login_phantoms SET disabled = 1 \
                 WHERE username_key = $1 AND disabled = 0 AND failed_logins >= $2"
            }
        };
        let key = match who {
            GateSubject::Account(k) | GateSubject::Phantom(k) => k,
        };
        let done = sqlx::query(sql)
            .bind(key)
            .bind(disable_after)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The failures and the lock of `who` as stored (a phantom never seen: 0, unlocked).
    async fn gate_state(&self, who: GateSubject<'_>) -> Result<(i64, bool), StoreError> {
        let row =
            match who {
                GateSubject::Account(id) => {
                    sqlx::query("SELECT failed_logins, disabled FROM accounts WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?
                }
                GateSubject::Phantom(key) => sqlx::query(
                    "SELECT failed_logins, disabled FROM login_phantoms WHERE username_key = $1",
                )
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
            };
        match row {
            Some(row) => Ok((row.try_get("failed_logins")?, flag(&row, "disabled")?)),
            None => Ok((0, false)),
        }
    }
}
