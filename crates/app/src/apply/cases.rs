//! A case's life: started by someone allowed to file, filled page by page as a draft on the
//! server, sent, returned for correction, corrected, decided, changed and cancelled — each move
//! checked against the type's state machine for the actor taking it, written in one
//! transaction with its event, its audit entry and its notifications. A refused move is
//! audited too. Whoever may not see a case is told it does not exist (404), never 403.

use std::sync::Arc;

use serde_json::json;
use tessera_core::apply::form::{self, FieldKind, FormInput, Value, Values};
use tessera_core::apply::kind::{CommentRule, DeadlineFrom, Transition};
use tessera_core::apply::{
    Actor, ApplicationType, Booked, CaseNumber, FormError, RuleContext, TransitionError,
    date::DateRange, rules, schedule::WeeklySchedule,
};
use tessera_core::audit::AuditKind;
use tessera_core::org::roc::TAIPEI;
use tessera_store::cases::{
    CaseMove, CaseRecord, CaseRouting, NewBooking, NewCase, NewCaseEvent, VersionChange,
};
use tessera_store::{NewAuditEvent, NewMail, StoreError};

use super::Who;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::{Failure, FailureKind};
use crate::flows::orgs::guard::Via;
use crate::state::AppState;

/// How the one acting stands to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Filed it, or it is for them, or acts for the organization that filed it.
    Filer,
    /// Reviews it (their jurisdiction and role), or filed it at the counter.
    Reviewer,
    /// May read it (e.g. the home county's 衛生局), not act on it.
    Reader,
}

impl Relation {
    /// The state machine's actor for this relation (readers act as nobody).
    pub fn actor(self) -> Option<Actor> {
        match self {
            Relation::Filer => Some(Actor::Filer),
            Relation::Reviewer => Some(Actor::Reviewer),
            Relation::Reader => None,
        }
    }
}

/// The one answer for a case someone may not see, or that does not exist.
pub fn not_found() -> Failure {
    Failure::new(FailureKind::NotFound, "apply_case_not_found")
}

/// The type `id`, or 404.
pub fn kind_of(state: &AppState, id: &str) -> Result<Arc<ApplicationType>, Failure> {
    state
        .applications
        .get(id)
        .cloned()
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "apply_type_not_found"))
}

/// Today in Asia/Taipei.
pub fn today() -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(now())
        .map(|t| t.to_offset(TAIPEI).date())
        .unwrap_or(time::Date::MIN)
}

/// Whether `who` may file a case of `kind`, or why not.
pub fn may_file(state: &AppState, kind: &ApplicationType, who: &Who) -> Result<(), Failure> {
    let refused = |code| Err(Failure::new(FailureKind::Forbidden, code));
    match who {
        Who::Member { loa, .. } => match &kind.filers.members {
            Some(m) if *loa >= m.min_loa => Ok(()),
            Some(_) => refused("apply_loa_too_low"),
            None => refused("apply_filer_not_allowed"),
        },
        Who::Org { via, .. } => match via.as_ref() {
            Via::Handler { handler, .. } => match &kind.filers.handlers {
                Some(h)
                    if state
                        .settings
                        .orgs
                        .tree
                        .allows(&handler.permissions, &h.permission) =>
                {
                    Ok(())
                }
                _ => refused("apply_permission_required"),
            },
            Via::OrgAccount(_) | Via::Manager(_) if kind.filers.organizations => Ok(()),
            _ => refused("apply_filer_not_allowed"),
        },
        Who::Staff { roles, .. } if roles.iter().any(|r| r == &kind.review.role) => Ok(()),
        Who::Staff { .. } => refused("apply_filer_not_allowed"),
    }
}

/// How `who` stands to `case`, or `None` (then the case does not exist for them).
pub fn relation(
    state: &AppState,
    kind: &ApplicationType,
    case: &CaseRecord,
    who: &Who,
) -> Option<Relation> {
    match who {
        Who::Member { account, .. } => {
            let own = case.filer_account_id == account.id;
            let for_them = account.national_id.is_some()
                && case.subject_national_id.is_some()
                && account.national_id == case.subject_national_id
                && case.number.is_some();
            (own || for_them).then_some(Relation::Filer)
        }
        Who::Org { org, .. } => (case.org_code.as_deref() == Some(org.agency_code.as_str())
            && may_file(state, kind, who).is_ok())
        .then_some(Relation::Filer),
        Who::Staff {
            account,
            roles,
            counties,
        } => {
            if !roles.iter().any(|r| r == &kind.review.role) {
                return None;
            }
            if case.filer_account_id == account.id && case.filer_kind == "staff" {
                return Some(Relation::Reviewer);
            }
            let ours = |c: &String| counties.iter().any(|mine| mine == c);
            if case.number.is_none() {
                None
            } else if case.county.as_ref().is_some_and(ours) {
                Some(Relation::Reviewer)
            } else if case.reader_counties.iter().any(ours) {
                Some(Relation::Reader)
            } else {
                None
            }
        }
    }
}

/// The case `id` with its type and how `who` stands to it; 404 for anyone else.
pub async fn open(
    state: &AppState,
    who: &Who,
    id: &str,
) -> Result<(CaseRecord, Arc<ApplicationType>, Relation), Failure> {
    let case = find(state, id).await?.ok_or_else(not_found)?;
    let kind = kind_of(state, &case.type_id).map_err(|_| not_found())?;
    let rel = relation(state, &kind, &case, who).ok_or_else(not_found)?;
    Ok((case, kind, rel))
}

/// A case by id or by number.
async fn find(state: &AppState, id: &str) -> Result<Option<CaseRecord>, Failure> {
    if CaseNumber::parse(id).is_ok() {
        return Ok(state.store.case_by_number(id.trim()).await?);
    }
    if id.len() > 64 {
        return Ok(None);
    }
    Ok(state.store.case(id).await?)
}

/// The values of version `version` of `case`.
pub async fn values_of(
    state: &AppState,
    case: &CaseRecord,
    version: i64,
) -> Result<Values, Failure> {
    let Some(v) = state.store.case_version(&case.id, version).await? else {
        return Ok(Values::new());
    };
    serde_json::from_str(&v.values_json).map_err(|e| {
        tracing::error!(error = %e, case = %case.id, "unreadable case values");
        Failure::internal()
    })
}

fn json_of(values: &Values) -> Result<String, Failure> {
    serde_json::to_string(values).map_err(|_| Failure::internal())
}

fn conflict(err: StoreError) -> Failure {
    match err {
        StoreError::Conflict => Failure::new(FailureKind::Conflict, "apply_conflict"),
        StoreError::NotFound => not_found(),
        other => other.into(),
    }
}

fn case_event(
    kind: AuditKind,
    who: &Who,
    ctx: &Ctx,
    outcome: &str,
    detail: serde_json::Value,
) -> NewAuditEvent {
    let name = who.audit_name();
    audit::event(
        kind,
        Subject {
            account_id: who.account_id(),
            username: Some(&name),
        },
        ctx,
        outcome,
        Some(detail),
    )
}

async fn audit_refusal(state: &AppState, who: &Who, ctx: &Ctx, detail: serde_json::Value) {
    let event = case_event(AuditKind::CaseRefused, who, ctx, "denied", detail);
    if let Err(e) = state.store.append_audit(&event).await {
        tracing::error!(error = %e, "AUDIT LOG WRITE FAILED");
    }
}

/// Starts a draft of `type_id` for `who`; a member's own national ID and name are filled in.
pub async fn start(
    state: &AppState,
    who: &Who,
    type_id: &str,
    ctx: &Ctx,
) -> Result<CaseRecord, Failure> {
    let kind = kind_of(state, type_id)?;
    if let Err(f) = may_file(state, &kind, who) {
        audit_refusal(
            state,
            who,
            ctx,
            json!({ "type": type_id, "refused": f.code }),
        )
        .await;
        return Err(f);
    }
    let mut values = Values::new();
    let (filer_kind, org_code) = match who {
        Who::Member { account, .. } => {
            if let Some(id) = &account.national_id
                && let Some(f) = kind.fields().find(|f| f.kind == FieldKind::NationalId)
            {
                values.insert(f.id().to_owned(), Value::Text(id.clone()));
            }
            if let Some(f) = kind.fields().find(|f| f.kind == FieldKind::Name)
                && !account.name.trim().is_empty()
            {
                values.insert(f.id().to_owned(), Value::Text(account.name.clone()));
            }
            ("member", None)
        }
        Who::Org { org, via } => {
            let filer = if matches!(via.as_ref(), Via::Handler { .. }) {
                "handler"
            } else {
                "organization"
            };
            (filer, Some(org.agency_code.clone()))
        }
        Who::Staff { .. } => ("staff", None),
    };
    let at = now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let new = NewCase {
        id: id.clone(),
        type_id: kind.id().to_owned(),
        status: kind.initial_status().to_owned(),
        filer_account_id: who.actor_id(),
        filer_kind: filer_kind.to_owned(),
        org_code,
        subject_national_id: None,
        subject_name: None,
        values_json: json_of(&values)?,
        now: at,
    };
    let event = case_event(
        AuditKind::CaseCreated,
        who,
        ctx,
        "ok",
        json!({ "type": kind.id(), "case": id }),
    );
    Ok(state.store.create_case(&new, &[event]).await?)
}

/// Whether the form of `case` may be edited now, and which version edits go to.
pub fn editable(kind: &ApplicationType, case: &CaseRecord) -> bool {
    let status = kind.status(&case.status);
    let drafting_change = status.is_some_and(|s| s.in_force)
        && case
            .in_force_version
            .is_some_and(|v| case.current_version > v);
    status.is_some_and(|s| s.editable) || drafting_change
}

/// Saves page `page_id` of `case_id` from the typed input; every failed field is reported.
pub async fn save_page(
    state: &AppState,
    who: &Who,
    case_id: &str,
    page_id: &str,
    pairs: &[(String, String)],
    ctx: &Ctx,
) -> Result<CaseRecord, Failure> {
    let (case, kind, rel) = open(state, who, case_id).await?;
    if rel == Relation::Reader || (rel == Relation::Reviewer && case.filer_kind != "staff") {
        audit_refusal(
            state,
            who,
            ctx,
            json!({ "case": case.id, "refused": "edit" }),
        )
        .await;
        return Err(Failure::new(FailureKind::Forbidden, "apply_wrong_actor"));
    }
    if !editable(&kind, &case) {
        return Err(Failure::new(FailureKind::Conflict, "apply_not_editable"));
    }
    let page = kind
        .pages
        .iter()
        .find(|p| p.id.get_ref() == page_id)
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "apply_page_not_found"))?;
    let mut values = values_of(state, &case, case.current_version).await?;
    // Attachments are added and removed on their own; the page keeps the ones it has.
    let mut input: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .filter(|(k, _)| {
            !page
                .fields
                .iter()
                .any(|f| f.kind == FieldKind::Attachments && f.id() == *k)
        })
        .collect();
    for f in page
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Attachments)
    {
        if let Some(Value::List(ids)) = values.get(f.id()) {
            input.extend(ids.iter().map(|id| (f.id(), id.as_str())));
        }
    }
    let checked = form::check_page(&page.fields, &FormInput::from_pairs(input), &values)
        .map_err(Failure::form)?;
    for f in &page.fields {
        values.remove(f.id());
    }
    values.extend(checked);
    state
        .store
        .save_case_values(
            &case.id,
            case.current_version,
            case.row_version,
            &json_of(&values)?,
            now(),
        )
        .await
        .map_err(conflict)
}

/// Opens a change (變更) of an approved case: a new version starting from the one in force,
/// which stays in force until the change is approved.
pub async fn start_change(
    state: &AppState,
    who: &Who,
    case_id: &str,
    ctx: &Ctx,
) -> Result<CaseRecord, Failure> {
    let (case, kind, rel) = open(state, who, case_id).await?;
    let actor = rel.actor();
    let change = kind.transitions.iter().find(|t| {
        t.new_version
            && actor.is_some_and(|a| t.by.contains(&a))
            && t.from.iter().any(|f| f.get_ref() == &case.status)
    });
    if change.is_none() {
        audit_refusal(
            state,
            who,
            ctx,
            json!({ "case": case.id, "refused": "change" }),
        )
        .await;
        return Err(Failure::new(FailureKind::Conflict, "apply_wrong_status"));
    }
    if editable(&kind, &case) {
        // A change is already being drafted: carry on with it.
        return Ok(case);
    }
    let in_force = case.in_force_version.unwrap_or(case.current_version);
    let values = values_of(state, &case, in_force).await?;
    state
        .store
        .start_case_version(
            &case.id,
            case.row_version,
            &json_of(&values)?,
            &who.actor_id(),
            now(),
        )
        .await
        .map_err(conflict)
}

/// What a move may carry besides its action.
#[derive(Debug, Clone, Default)]
pub struct TakeInput {
    /// The comment (a rejection's reason, what to correct).
    pub comment: Option<String>,
    /// The deadline the reviewer sets, in days (補正期限).
    pub deadline_days: Option<u16>,
    /// The date from which it takes effect (註銷).
    pub effective_date: Option<String>,
}

/// The longest comment kept.
const COMMENT_MAX: usize = 1000;

/// Takes `action` on `case_id` as `who`.
pub async fn take(
    state: &AppState,
    who: &Who,
    case_id: &str,
    action: &str,
    input: &TakeInput,
    ctx: &Ctx,
) -> Result<CaseRecord, Failure> {
    let (case, kind, rel) = open(state, who, case_id).await?;
    let refuse = |code: &'static str, kind: FailureKind| {
        let detail =
            json!({ "case": case.id, "action": action, "status": case.status, "refused": code });
        async move {
            audit_refusal(state, who, ctx, detail).await;
            Failure::new(kind, code)
        }
    };
    let Some(actor) = rel.actor() else {
        return Err(refuse("apply_wrong_actor", FailureKind::Forbidden).await);
    };
    let transition = match kind.transition(&case.status, action, actor) {
        Ok(t) => t,
        Err(TransitionError::UnknownAction) => {
            return Err(refuse("apply_action_unknown", FailureKind::NotFound).await);
        }
        Err(TransitionError::WrongStatus) => {
            return Err(refuse("apply_wrong_status", FailureKind::Conflict).await);
        }
        Err(TransitionError::WrongActor) => {
            return Err(refuse("apply_wrong_actor", FailureKind::Forbidden).await);
        }
    };
    // A reviewer taking a move the filer could take (a counter filing, a change or a
    // cancellation asked for on paper) acts on the person's behalf, and it is recorded so.
    let on_behalf = actor == Actor::Reviewer && transition.by.contains(&Actor::Filer);
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(COMMENT_MAX).collect::<String>());
    let mut form_errors = Vec::new();
    if transition.comment == CommentRule::Required && comment.is_none() {
        form_errors.push(FormError::new("comment", "apply_comment_required"));
    }
    let effective_from = if transition.effective_date {
        match input.effective_date.as_deref().map(str::trim) {
            None | Some("") => Some(today()),
            Some(d) => match tessera_core::apply::date::parse_date(d) {
                Ok(d) if d >= today() => Some(d),
                Ok(_) => {
                    form_errors.push(FormError::new("effective_date", "apply_effective_past"));
                    None
                }
                Err(code) => {
                    form_errors.push(FormError::new("effective_date", code));
                    None
                }
            },
        }
    } else {
        None
    };
    // A change is checked on its new version; anything else on the current one.
    let values = values_of(state, &case, case.current_version).await?;
    let mut routing = None;
    if transition.validates {
        let all: Vec<_> = kind.fields().collect();
        form_errors.extend(form::missing(&all, &values));
        form_errors.extend(check_people(&kind, &values, who));
        let (orgs, org_errors) = check_orgs(state, &kind, &values).await?;
        form_errors.extend(org_errors);
        if form_errors.is_empty() {
            let booked = booked_for(state, &kind, &values, &case).await?;
            form_errors.extend(rules::run(
                &kind,
                &values,
                RuleContext {
                    today: today(),
                    booked: &booked,
                },
            ));
        }
        if form_errors.is_empty() {
            match route(&kind, &values, &orgs) {
                Ok(r) => routing = Some(r),
                Err(e) => form_errors.push(e),
            }
        }
    }
    if !form_errors.is_empty() {
        audit_refusal(
            state,
            who,
            ctx,
            json!({ "case": case.id, "action": action, "refused": "validation",
                    "fields": form_errors.iter().map(|e| json!({"field": e.field, "code": e.code})).collect::<Vec<_>>() }),
        )
        .await;
        return Err(Failure::form(form_errors));
    }
    let to = kind
        .status(transition.to.get_ref())
        .ok_or_else(Failure::internal)?;
    let version = if transition.discard_version {
        VersionChange::Discard
    } else if to.in_force {
        VersionChange::AdoptCurrent
    } else {
        VersionChange::Keep
    };
    let at = now();
    let deadline_at = deadline(&kind, transition, input, &values, at);
    let bookings = if to.blocks_overlap {
        // While a change is reviewed, both the version in force and the new one hold slots;
        // after a decision, only the version in force does.
        let keep = match version {
            VersionChange::Keep => values_pair(state, &case).await?,
            VersionChange::AdoptCurrent => vec![values.clone()],
            VersionChange::Discard => {
                let v = case.in_force_version.unwrap_or(case.current_version);
                vec![values_of(state, &case, v).await?]
            }
        };
        keep.iter().filter_map(|v| booking_row(&kind, v)).collect()
    } else {
        Vec::new()
    };
    let number = case.number.is_none().then(|| {
        let year = i64::from(today().year()) - 1911;
        (kind.prefix().to_owned(), year)
    });
    let event = case_event(
        AuditKind::CaseTransition,
        who,
        ctx,
        "ok",
        json!({
            "case": case.id, "number": case.number, "type": kind.id(), "action": action,
            "from": case.status, "to": to.id.get_ref(), "on_behalf": on_behalf,
        }),
    );
    let mail = notices(state, &kind, &case, transition, comment.as_deref(), ctx).await?;
    let moved = state
        .store
        .move_case(&CaseMove {
            case_id: case.id.clone(),
            expected_row_version: case.row_version,
            to_status: to.id.get_ref().clone(),
            now: at,
            event: NewCaseEvent {
                actor_account_id: Some(who.actor_id()),
                actor_role: actor.as_str().to_owned(),
                on_behalf,
                action: action.to_owned(),
                comment: comment.clone(),
                deadline_at: deadline_at.flatten(),
                effective_from: effective_from.map(tessera_core::apply::date::iso),
            },
            assign_number: number,
            routing,
            version,
            deadline_at,
            effective_from: effective_from.map(tessera_core::apply::date::iso),
            submitted: transition.validates,
            decided: actor == Actor::Reviewer && !on_behalf,
            bookings: Some(bookings),
            audit: vec![event],
            mail,
        })
        .await
        .map_err(conflict)?;
    Ok(moved)
}

/// The values of the version in force and of the current one, when they differ.
async fn values_pair(state: &AppState, case: &CaseRecord) -> Result<Vec<Values>, Failure> {
    let mut out = vec![values_of(state, case, case.current_version).await?];
    if let Some(v) = case.in_force_version
        && v != case.current_version
    {
        out.push(values_of(state, case, v).await?);
    }
    Ok(out)
}

/// The booking a case's values hold for the overlap rule.
fn booking_row(kind: &ApplicationType, values: &Values) -> Option<NewBooking> {
    let person = rules::overlap_person(kind, values)?;
    let (range, schedule) = rules::booking(kind, values)?;
    Some(NewBooking {
        national_id: person.to_owned(),
        start_date: tessera_core::apply::date::iso(range.start),
        end_date: tessera_core::apply::date::iso(range.end),
        schedule: schedule.tokens().join(" "),
    })
}

/// The same person's other booked slots.
async fn booked_for(
    state: &AppState,
    kind: &ApplicationType,
    values: &Values,
    case: &CaseRecord,
) -> Result<Vec<Booked>, Failure> {
    let Some(person) = rules::overlap_person(kind, values) else {
        return Ok(Vec::new());
    };
    let rows = state
        .store
        .bookings_of(kind.id(), person, Some(&case.id))
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|b| {
            let start = tessera_core::apply::date::parse_date(&b.start_date).ok()?;
            let end = tessera_core::apply::date::parse_date(&b.end_date).ok()?;
            Some(Booked {
                case_number: b.case_number?,
                period: DateRange::new(start, end).ok()?,
                schedule: WeeklySchedule::parse(b.schedule.split_whitespace()).ok()?,
            })
        })
        .collect())
}

/// A member filing for themself files for their own national ID.
fn check_people(kind: &ApplicationType, values: &Values, who: &Who) -> Vec<FormError> {
    let Who::Member { account, .. } = who else {
        return Vec::new();
    };
    let Some(own) = &account.national_id else {
        return Vec::new();
    };
    kind.fields()
        .filter(|f| f.kind == FieldKind::NationalId)
        .take(1)
        .filter(|f| {
            values
                .get(f.id())
                .and_then(Value::as_text)
                .is_some_and(|v| v != own)
        })
        .map(|f| FormError::new(f.id(), "apply_not_yourself"))
        .collect()
}

/// An organization a field names: its agency code and county.
#[derive(Debug, Clone)]
pub struct NamedOrg {
    /// The field.
    pub field: String,
    /// The registry's agency code.
    pub agency_code: String,
    /// The organization's name.
    pub name: String,
    /// Its county, when the registry has one.
    pub county: Option<String>,
}

/// Looks every organization field up in the registry: it must exist and be of its kind.
pub async fn check_orgs(
    state: &AppState,
    kind: &ApplicationType,
    values: &Values,
) -> Result<(Vec<NamedOrg>, Vec<FormError>), Failure> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for field in kind.fields().filter(|f| f.kind == FieldKind::Organization) {
        let Some(code) = values.get(field.id()).and_then(Value::as_text) else {
            continue;
        };
        match state.store.organization_by_institution_code(code).await? {
            None => errors.push(FormError::new(field.id(), "apply_org_unknown")),
            Some(org) if field.org_kind.as_ref().is_some_and(|k| k != &org.kind) => {
                errors.push(FormError::new(field.id(), "apply_org_wrong_kind"));
            }
            Some(org) => {
                let county = state.store.org_county(&org.agency_code).await?;
                found.push(NamedOrg {
                    field: field.id().to_owned(),
                    agency_code: org.agency_code,
                    name: org.name,
                    county,
                });
            }
        }
    }
    Ok((found, errors))
}

/// The county of a jurisdiction: a county field's value, or an organization field's county.
fn county_of(field: &str, values: &Values, orgs: &[NamedOrg]) -> Result<Option<String>, FormError> {
    match values.get(field) {
        Some(Value::County(c)) => Ok(Some(c.name_zh().to_owned())),
        Some(Value::Text(_)) => match orgs.iter().find(|o| o.field == field) {
            Some(NamedOrg {
                county: Some(c), ..
            }) => Ok(Some(c.clone())),
            Some(_) => Err(FormError::new(field, "apply_org_no_county")),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Where a sent case is reviewed and read, and whom it is for.
fn route(
    kind: &ApplicationType,
    values: &Values,
    orgs: &[NamedOrg],
) -> Result<CaseRouting, FormError> {
    let jurisdiction = &kind.review.jurisdiction;
    let county = match (&jurisdiction.field, &jurisdiction.office) {
        (Some(f), _) => county_of(f.get_ref(), values, orgs)?,
        (None, Some(office)) => Some(office.clone()),
        (None, None) => None,
    };
    let mut readers = Vec::new();
    for r in &kind.review.readers {
        let c = match (&r.field, &r.office) {
            (Some(f), _) => county_of(f.get_ref(), values, orgs)?,
            (None, Some(office)) => Some(office.clone()),
            (None, None) => None,
        };
        if let Some(c) = c
            && Some(&c) != county.as_ref()
            && !readers.contains(&c)
        {
            readers.push(c);
        }
    }
    let text_of = |kind_wanted: FieldKind| {
        kind.fields()
            .find(|f| f.kind == kind_wanted)
            .and_then(|f| values.get(f.id()))
            .and_then(Value::as_text)
            .map(str::to_owned)
    };
    let institution = jurisdiction
        .field
        .as_ref()
        .and_then(|f| orgs.iter().find(|o| &o.field == f.get_ref()))
        .map(|o| o.agency_code.clone());
    Ok(CaseRouting {
        county,
        reader_counties: readers,
        institution,
        subject_national_id: text_of(FieldKind::NationalId),
        subject_name: text_of(FieldKind::Name),
    })
}

/// When the case's next deadline falls after this move: `None` leaves it, `Some(None)` clears.
fn deadline(
    kind: &ApplicationType,
    transition: &Transition,
    input: &TakeInput,
    values: &Values,
    at: i64,
) -> Option<Option<i64>> {
    const DAY: i64 = 86_400;
    if let Some(default) = transition.deadline_days {
        let days = input.deadline_days.unwrap_or(default).clamp(1, 90);
        return Some(Some(at + i64::from(days) * DAY));
    }
    let to = transition.to.get_ref();
    let Some(d) = kind.deadlines.iter().find(|d| d.status.get_ref() == to) else {
        return Some(None);
    };
    let end_of = |date: time::Date| {
        // The day after `date` begins in Asia/Taipei.
        date.next_day()
            .map(|n| n.midnight().assume_offset(TAIPEI).unix_timestamp())
    };
    let base = match &d.from {
        DeadlineFrom::Entered => Some(at),
        DeadlineFrom::RangeEnd(f) => values
            .get(f.get_ref())
            .and_then(Value::as_range)
            .and_then(|r| end_of(r.end)),
        DeadlineFrom::Date(f) => values
            .get(f.get_ref())
            .and_then(Value::as_date)
            .and_then(end_of),
    };
    Some(base.map(|b| b + i64::from(d.days) * DAY))
}

/// The notices a move sends, queued in the move's own transaction.
async fn notices(
    state: &AppState,
    kind: &ApplicationType,
    case: &CaseRecord,
    transition: &Transition,
    comment: Option<&str>,
    ctx: &Ctx,
) -> Result<Vec<NewMail>, Failure> {
    use tessera_core::apply::kind::Recipient;
    let action = transition.action.get_ref();
    let wanted = kind
        .notifications
        .iter()
        .filter(|n| n.on.iter().any(|a| a.get_ref() == action))
        .flat_map(|n| n.to.iter().copied())
        .collect::<Vec<_>>();
    if !wanted.contains(&Recipient::Filer) {
        return Ok(Vec::new());
    }
    let Some(account) = state.store.account_by_id(&case.filer_account_id).await? else {
        return Ok(Vec::new());
    };
    if account.email.trim().is_empty() {
        return Ok(Vec::new());
    }
    let lang = ctx.lang;
    let status = kind
        .status(transition.to.get_ref())
        .map(|s| s.name.get(lang).to_owned())
        .unwrap_or_default();
    let number = case
        .number
        .clone()
        .unwrap_or_else(|| kind.name.get(lang).to_owned());
    let link = format!("{}/apply/cases/{}", state.settings.base_url, case.id);
    let email = crate::mails::case_update(
        &state.settings,
        lang,
        &account.email,
        &number,
        &status,
        comment,
        &link,
    );
    Ok(vec![crate::flows::outbox::outbox_mail(&email)])
}
