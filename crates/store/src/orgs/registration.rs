//! The last step of a registration or replacement, each in one transaction: the flow is
//! consumed, certificates bound (old ones kept as history), the manager written, the
//! organization's account created (first registration) and a receipt record added — all or
//! nothing, so a race or a failure never leaves half a registration.

use super::model::*;
use super::tx::{add_receipt, bind, take_flow, write_manager};
use crate::accounts::insert_account;
use crate::{Account, NewAccount, Store, StoreError, kind};

/// A first registration.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The flow being finished (consumed here; must still be at `step`).
    pub flow_id_hash: String,
    pub flow_step: String,
    pub agency_code: String,
    pub org_cert: CertRecord,
    pub manager_cert: CertRecord,
    pub manager: ManagerContact,
    /// The organization's own account (username = agency code).
    pub account: NewAccount,
    pub receipt_detail: Option<String>,
    pub at: i64,
}

/// A replacement of the organization certificate, the manager's, or both.
#[derive(Debug, Clone)]
pub struct Replacement {
    pub flow_id_hash: String,
    pub flow_step: String,
    pub agency_code: String,
    pub item: String,
    pub new_org_cert: Option<CertRecord>,
    pub new_manager_cert: Option<CertRecord>,
    /// Certificates confirmed as current during the flow: (role, issuer, serial). They must
    /// still be live, or the flow is stale (a concurrent replacement won).
    pub still_current: Vec<(String, String, String)>,
    pub manager: ManagerContact,
    pub receipt_detail: Option<String>,
    pub at: i64,
}

/// The outcome of [`Store::register_organization`] and [`Store::replace_org_certificates`].
#[derive(Debug, Clone)]
pub enum Completed {
    /// Done. `account` is the organization's new account (first registration); `replaced`
    /// the certificates that became history; `sessions_ended` the assignment sessions closed.
    Done {
        receipt: Receipt,
        account: Option<Box<Account>>,
        replaced: Vec<OrgCert>,
        sessions_ended: u64,
    },
    /// The flow is gone or moved on (double submit), or a confirmed certificate changed.
    Stale,
    UnknownOrg,
    AlreadyRegistered,
    NotRegistered,
    /// The organization's username is taken by another account.
    UsernameTaken,
    /// The organization card is registered for another agency code.
    OrgCertElsewhere,
}

impl Store {
    /// Completes a first registration (see [`Registration`]).
    pub async fn register_organization(&self, r: &Registration) -> Result<Completed, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !take_flow(&mut tx, &r.flow_id_hash, &r.flow_step, r.at).await? {
            return Ok(Completed::Stale);
        }
        let claimed = sqlx::query(
            "UPDATE organizations SET registered_at = $2, updated_at = $2 \
             WHERE agency_code = $1 AND registered_at IS NULL",
        )
        .bind(&r.agency_code)
        .bind(r.at)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            let exists = sqlx::query("SELECT 1 FROM organizations WHERE agency_code = $1")
                .bind(&r.agency_code)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            return Ok(if exists {
                Completed::AlreadyRegistered
            } else {
                Completed::UnknownOrg
            });
        }
        let account = match insert_account(&mut tx, &r.account, kind::ORGANIZATION).await {
            Ok(a) => a,
            Err(StoreError::UsernameTaken) => return Ok(Completed::UsernameTaken),
            Err(e) => return Err(e),
        };
        sqlx::query("UPDATE organizations SET account_id = $2 WHERE agency_code = $1")
            .bind(&r.agency_code)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        if !bind(
            &mut tx,
            &r.agency_code,
            role::ORGANIZATION,
            &r.org_cert,
            r.at,
        )
        .await?
        {
            return Ok(Completed::OrgCertElsewhere);
        }
        bind(
            &mut tx,
            &r.agency_code,
            role::MANAGER,
            &r.manager_cert,
            r.at,
        )
        .await?;
        write_manager(&mut tx, &r.agency_code, &r.manager, r.at).await?;
        let receipt = add_receipt(
            &mut tx,
            &r.agency_code,
            "first_registration",
            r.receipt_detail.as_deref(),
            r.at,
        )
        .await?;
        tx.commit().await?;
        Ok(Completed::Done {
            receipt,
            account: Some(Box::new(account)),
            replaced: Vec::new(),
            sessions_ended: 0,
        })
    }

    /// Completes a certificate replacement (see [`Replacement`]). Open assignment sessions of
    /// the organization end: they were opened with the old certificates.
    pub async fn replace_org_certificates(&self, r: &Replacement) -> Result<Completed, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !take_flow(&mut tx, &r.flow_id_hash, &r.flow_step, r.at).await? {
            return Ok(Completed::Stale);
        }
        let registered = sqlx::query(
            "UPDATE organizations SET updated_at = $2 \
             WHERE agency_code = $1 AND registered_at IS NOT NULL",
        )
        .bind(&r.agency_code)
        .bind(r.at)
        .execute(&mut *tx)
        .await?;
        if registered.rows_affected() != 1 {
            return Ok(Completed::NotRegistered);
        }
        for (role, issuer, serial) in &r.still_current {
            let live = sqlx::query(
                "SELECT 1 FROM org_certificates WHERE agency_code = $1 AND role = $2 \
                 AND issuer = $3 AND serial = $4 AND unbound_at IS NULL",
            )
            .bind(&r.agency_code)
            .bind(role)
            .bind(issuer)
            .bind(serial)
            .fetch_optional(&mut *tx)
            .await?;
            if live.is_none() {
                return Ok(Completed::Stale);
            }
        }
        let mut replaced = Vec::new();
        for (role, new) in [
            (role::ORGANIZATION, &r.new_org_cert),
            (role::MANAGER, &r.new_manager_cert),
        ] {
            let Some(new) = new else { continue };
            let sql = format!(
                "UPDATE org_certificates SET unbound_at = $3, unbound_reason = 'replaced' \
                 WHERE agency_code = $1 AND role = $2 AND unbound_at IS NULL \
                 RETURNING {CERT_COLUMNS}"
            );
            let old = sqlx::query(&sql)
                .bind(&r.agency_code)
                .bind(role)
                .bind(r.at)
                .fetch_all(&mut *tx)
                .await?;
            for row in &old {
                replaced.push(cert_from_row(row)?);
            }
            if !bind(&mut tx, &r.agency_code, role, new, r.at).await? {
                return Ok(Completed::OrgCertElsewhere);
            }
        }
        write_manager(&mut tx, &r.agency_code, &r.manager, r.at).await?;
        let ended =
            sqlx::query("DELETE FROM org_sessions WHERE agency_code = $1 AND kind = 'assignment'")
                .bind(&r.agency_code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let receipt = add_receipt(
            &mut tx,
            &r.agency_code,
            &r.item,
            r.receipt_detail.as_deref(),
            r.at,
        )
        .await?;
        tx.commit().await?;
        Ok(Completed::Done {
            receipt,
            account: None,
            replaced,
            sessions_ended: ended,
        })
    }
}
