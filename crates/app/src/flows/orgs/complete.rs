//! The last screen of registration and replacement (圖3-9, 3-26, 3-31, 3-36): both certificates
//! shown, the manager's name, email, phone (`(02)2701-3411`), extension and notes entered — and
//! for a first registration the password of the organization's own account (seed 000: username
//! = agency code, email required). One transaction binds the certificates, writes the manager,
//! creates the account and the receipt record (圖3-10, 3-27, 3-32, 3-37).

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::ids::{Email, Landline, PersonName};
use tessera_core::org::ids::{extension, notes};
use tessera_core::org::{FlowKind, Step};
use tessera_core::password::PasswordContext;
use tessera_store::NewAccount;
use tessera_store::orgs::{Completed, ManagerContact, Registration, Replacement, role};
use utoipa::ToSchema;

use super::card::{ManagerCardView, OrgCardView};
use super::flow::{Loaded, Notice, load, out_of_step};
use super::queries::ReceiptView;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::register::Checks;
use crate::flows::verify as email_verify;
use crate::state::AppState;

/// `POST /api/v1/org-flows/{flow}/details`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DetailsInput {
    /// The manager's name.
    pub name: String,
    pub email: String,
    /// Landline, e.g. `(02)2701-3411`.
    pub phone: String,
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    /// First registration only: the password of the organization's account.
    #[serde(default)]
    pub password: Option<String>,
    /// First registration only: the account's email (default: the manager's).
    #[serde(default)]
    pub account_email: Option<String>,
}

/// The finished flow.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletedView {
    pub notice: Notice,
    pub organization: OrgCardView,
    pub manager: ManagerCardView,
    pub receipt: ReceiptView,
    /// First registration: the organization's account username (the agency code).
    pub account_username: Option<String>,
}

struct Contact {
    manager: ManagerContact,
    account_email: Option<Email>,
}

fn validate(
    state: &AppState,
    f: &Loaded,
    code: &str,
    input: &DetailsInput,
) -> Result<Contact, Failure> {
    let mut c = Checks::default();
    let name = c.take(PersonName::parse(&input.name));
    let email = c.take(Email::parse(&input.email));
    let phone = c.take(Landline::parse(&input.phone).map_err(|e| e.in_field("phone")));
    let ext = c
        .take(extension(input.extension.as_deref().unwrap_or("")))
        .flatten();
    let notes = c
        .take(notes(input.notes.as_deref().unwrap_or("")))
        .flatten();
    let mut account_email = None;
    if f.kind == FlowKind::Register {
        let typed = crate::flows::opt(input.account_email.as_deref());
        account_email = c.take(
            Email::parse(typed.unwrap_or(&input.email)).map_err(|e| e.in_field("account_email")),
        );
        let pw = input.password.as_deref().unwrap_or("");
        let ctx = PasswordContext {
            username: Some(code),
            national_id: None,
            birthday: None,
        };
        c.take(state.settings.password_policy.check(pw, &ctx));
    }
    c.finish()?;
    let (Some(name), Some(email), Some(phone)) = (name, email, phone) else {
        return Err(Failure::internal());
    };
    let national_id = f.data.manager_national_id.clone().ok_or_else(out_of_step)?;
    Ok(Contact {
        manager: ManagerContact {
            national_id,
            name: name.to_string(),
            email: email.to_string(),
            phone: phone.number().to_owned(),
            extension: ext.or_else(|| phone.extension().map(str::to_owned)),
            notes,
        },
        account_email,
    })
}

fn receipt_detail(f: &Loaded) -> String {
    let d = &f.data;
    json!({
        "terms_version": d.terms_version,
        "page_downloaded_at": d.terms_shown_at,
        "terms_agreed_at": d.terms_agreed_at,
        "org_serial": d.org_card.as_ref().map(|c| &c.serial),
        "manager_serial": d.manager_card.as_ref().map(|c| &c.serial),
        "review_id": d.review_id,
    })
    .to_string()
}

fn failure_of(outcome: &Completed) -> Failure {
    match outcome {
        Completed::Stale | Completed::Done { .. } => out_of_step(),
        Completed::UnknownOrg => Failure::new(FailureKind::NotFound, "org_unknown_agency_code"),
        Completed::AlreadyRegistered => {
            Failure::new(FailureKind::Conflict, "org_already_registered")
        }
        Completed::NotRegistered => Failure::new(FailureKind::Conflict, "org_not_registered"),
        Completed::UsernameTaken => Failure::new(FailureKind::Conflict, "org_account_taken"),
        Completed::OrgCertElsewhere => {
            Failure::new(FailureKind::Conflict, "org_cert_bound_elsewhere")
        }
    }
}

/// Finishes the flow.
pub async fn submit(
    state: &AppState,
    flow_id: &str,
    input: &DetailsInput,
    browser: &str,
    ctx: &Ctx,
) -> Result<CompletedView, Failure> {
    let f = load(state, flow_id, browser).await?;
    f.expect(&[Step::Details])?;
    let (Some(code), Some(org_card), Some(manager_card)) = (
        f.agency_code.clone(),
        f.data.org_card.clone(),
        f.data.manager_card.clone(),
    ) else {
        return Err(out_of_step());
    };
    let contact = validate(state, &f, &code, input)?;
    let t = now();
    let national_id = contact.manager.national_id.clone();
    let outcome = if f.kind == FlowKind::Register {
        let password = input.password.as_deref().unwrap_or("");
        let hash = state.hasher.hash(password).await?;
        let org_name = f.data.org_name.clone().unwrap_or_default();
        let account_email = contact
            .account_email
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default();
        state
            .store
            .register_organization(&Registration {
                flow_id_hash: f.id_hash.clone(),
                flow_step: Step::Details.as_str().to_owned(),
                agency_code: code.clone(),
                org_cert: org_card.record(None),
                manager_cert: manager_card.record(Some(&national_id)),
                manager: contact.manager.clone(),
                account: NewAccount {
                    username: code.clone(),
                    name: org_name,
                    email: account_email,
                    mobile: None,
                    national_id: None,
                    birthday: None,
                    landline: Some(contact.manager.phone.clone()),
                    password_hash: hash,
                    terms_version: state.settings.orgs.terms_version.clone(),
                    terms_accepted_at: f.data.terms_agreed_at.unwrap_or(t),
                    created_at: t,
                },
                receipt_detail: Some(receipt_detail(&f)),
                at: t,
            })
            .await?
    } else {
        let replaces_org = matches!(f.kind, FlowKind::ReplaceOrg | FlowKind::ReplaceBoth);
        let replaces_manager = matches!(f.kind, FlowKind::ReplaceManager | FlowKind::ReplaceBoth);
        let mut still_current = Vec::new();
        if !replaces_org {
            still_current.push((
                role::ORGANIZATION.to_owned(),
                org_card.issuer.clone(),
                org_card.serial.clone(),
            ));
        }
        if !replaces_manager {
            still_current.push((
                role::MANAGER.to_owned(),
                manager_card.issuer.clone(),
                manager_card.serial.clone(),
            ));
        }
        state
            .store
            .replace_org_certificates(&Replacement {
                flow_id_hash: f.id_hash.clone(),
                flow_step: Step::Details.as_str().to_owned(),
                agency_code: code.clone(),
                item: f
                    .kind
                    .receipt()
                    .map(|r| r.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                new_org_cert: replaces_org.then(|| org_card.record(None)),
                new_manager_cert: replaces_manager.then(|| manager_card.record(Some(&national_id))),
                still_current,
                manager: contact.manager.clone(),
                receipt_detail: Some(receipt_detail(&f)),
                at: t,
            })
            .await?
    };
    let Completed::Done {
        receipt,
        account,
        replaced,
        sessions_ended,
    } = outcome
    else {
        audit::record(
            state,
            AuditKind::OrgManagerChecked,
            Subject::default(),
            ctx,
            "refused_completion",
            Some(json!({ "agency_code": code, "kind": f.kind.as_str() })),
        )
        .await;
        return Err(failure_of(&outcome));
    };
    let old: Vec<_> = replaced.iter().map(|c| json!({ "role": c.role, "serial": c.cert.serial, "national_id": c.cert.national_id })).collect();
    let detail = json!({
        "agency_code": code, "kind": f.kind.as_str(), "org_serial": org_card.serial,
        "manager_serial": manager_card.serial, "manager": national_id, "replaced": old,
        "assignment_sessions_ended": sessions_ended, "receipt": receipt.id,
    });
    let kinds: &[AuditKind] = match f.kind {
        FlowKind::Register => &[AuditKind::OrgRegistered],
        FlowKind::ReplaceOrg => &[AuditKind::OrgCertReplaced],
        FlowKind::ReplaceManager => &[AuditKind::OrgManagerReplaced],
        FlowKind::ReplaceBoth => &[AuditKind::OrgCertReplaced, AuditKind::OrgManagerReplaced],
        FlowKind::Assign => &[],
    };
    let who = match &account {
        Some(a) => Subject::account(&a.id, &a.username),
        None => Subject::username(&national_id),
    };
    for kind in kinds {
        audit::record(state, *kind, who, ctx, "ok", Some(detail.clone())).await;
    }
    if let Some(a) = &account {
        email_verify::send_email_link(state, a, ctx.lang).await?;
    }
    let org_name = f.data.org_name.clone().unwrap_or_default();
    Ok(CompletedView {
        notice: Notice::new(f.kind.done_code(), ctx.lang),
        organization: OrgCardView::new(&code, &org_name, &org_card, ctx.lang),
        manager: ManagerCardView::new(&national_id, &manager_card),
        receipt: ReceiptView::new(1, &receipt, ctx.lang),
        account_username: account.map(|a| a.username),
    })
}
