//! What a page or an API client is shown of a case, in one language: its number and status,
//! its form page by page with values as people read them (ROC dates on zh-TW pages) and as
//! they were typed (to fill the form again), the version in force while a change is under
//! review, the moves the viewer may take, the history, the attachments and the printouts.

use serde::Serialize;
use tessera_core::Lang;
use tessera_core::apply::ApplicationType;
use tessera_core::apply::form::{self, FieldKind, Value, Values};
use tessera_core::apply::kind::CommentRule;
use tessera_store::cases::CaseRecord;
use utoipa::ToSchema;

use super::Who;
use super::cases::{self, Relation};
use crate::error::Failure;
use crate::state::AppState;

/// One choice of a select field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChoiceView {
    pub value: String,
    pub name: String,
}

/// One field of a form page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldView {
    pub id: String,
    /// `text`, `date_range`, `schedule`, …
    pub kind: String,
    pub label: String,
    pub help: Option<String>,
    pub required: bool,
    /// The value as people read it; empty when not filled in.
    pub shown: String,
    /// The value as a form sends it: one entry, or several (a schedule, a multi-select), or
    /// `[start, end]` for a date range.
    pub input: Vec<String>,
    pub choices: Vec<ChoiceView>,
    pub max_length: Option<u32>,
}

/// One page of a form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageView {
    pub id: String,
    pub title: String,
    pub fields: Vec<FieldView>,
}

/// A move the viewer may take now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    pub action: String,
    pub name: String,
    /// `none`, `optional` or `required`.
    pub comment: String,
    /// The deadline offered, in days, when the move sets one.
    pub deadline_days: Option<u16>,
    pub effective_date: bool,
    /// The form is checked in full before the move.
    pub validates: bool,
}

/// One entry of a case's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Unix seconds.
    pub at: i64,
    pub action: String,
    pub action_name: String,
    pub from: String,
    pub to: String,
    pub to_name: String,
    /// `filer`, `reviewer` or `system`.
    pub by: String,
    pub on_behalf: bool,
    pub comment: Option<String>,
    pub deadline_at: Option<i64>,
}

/// An attachment, without its content.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub field: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
}

/// A printout the viewer may take now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrintView {
    pub id: String,
    pub title: String,
}

/// A case as its viewer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub number: Option<String>,
    pub type_id: String,
    pub type_name: String,
    pub status: String,
    pub status_name: String,
    /// `filer`, `reviewer` or `reader`.
    pub relation: String,
    /// The viewer may edit the form now.
    pub editable: bool,
    /// A change is being drafted or reviewed: the form shows the new version, `in_force` the
    /// approved one.
    pub changing: bool,
    /// The viewer may open a change (變更) of this approved case.
    pub can_change: bool,
    pub pages: Vec<PageView>,
    pub in_force: Option<Vec<PageView>>,
    pub actions: Vec<ActionView>,
    pub history: Vec<EventView>,
    pub attachments: Vec<AttachmentView>,
    pub prints: Vec<PrintView>,
    pub subject_name: Option<String>,
    pub county: Option<String>,
    pub deadline_at: Option<i64>,
    pub effective_from: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
    pub row_version: i64,
}

fn kind_name(kind: FieldKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn input_of(value: Option<&Value>) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(Value::Text(s)) => vec![s.clone()],
        Some(Value::Date(d)) => vec![tessera_core::apply::date::iso(*d)],
        Some(Value::Range { start, end }) => vec![
            tessera_core::apply::date::iso(*start),
            tessera_core::apply::date::iso(*end),
        ],
        Some(Value::Schedule(s)) => s.tokens(),
        Some(Value::County(c)) => vec![c.name_zh().to_owned()],
        Some(Value::List(l)) => l.clone(),
        Some(Value::Bool(b)) => vec![if *b { "true".into() } else { String::new() }],
    }
}

/// The form's pages with `values`, in `lang`.
pub fn pages(kind: &ApplicationType, values: &Values, lang: Lang) -> Vec<PageView> {
    kind.pages
        .iter()
        .map(|p| PageView {
            id: p.id.get_ref().clone(),
            title: p.title.get(lang).to_owned(),
            fields: p
                .fields
                .iter()
                .map(|f| FieldView {
                    id: f.id().to_owned(),
                    kind: kind_name(f.kind),
                    label: f.label.get(lang).to_owned(),
                    help: f.help.as_ref().map(|h| h.get(lang).to_owned()),
                    required: f.required,
                    shown: values
                        .get(f.id())
                        .map(|v| form::display(f, v, lang))
                        .unwrap_or_default(),
                    input: input_of(values.get(f.id())),
                    choices: f
                        .options
                        .iter()
                        .flat_map(|o| o.0.iter())
                        .map(|c| ChoiceView {
                            value: c.value.clone(),
                            name: c.name.get(lang).to_owned(),
                        })
                        .collect(),
                    max_length: matches!(f.kind, FieldKind::Text | FieldKind::LongText)
                        .then(|| f.max_chars()),
                })
                .collect(),
        })
        .collect()
}

/// The case `id` as `who` sees it, in `lang`.
pub async fn case(state: &AppState, who: &Who, id: &str, lang: Lang) -> Result<CaseView, Failure> {
    let (case, kind, rel) = cases::open(state, who, id).await?;
    build(state, &case, &kind, rel, lang).await
}

/// A view of `case` for a viewer standing in `rel` to it.
pub async fn build(
    state: &AppState,
    case: &CaseRecord,
    kind: &ApplicationType,
    rel: Relation,
    lang: Lang,
) -> Result<CaseView, Failure> {
    let values = cases::values_of(state, case, case.current_version).await?;
    let changing = case
        .in_force_version
        .is_some_and(|v| v != case.current_version);
    let in_force = match case.in_force_version {
        Some(v) if changing => Some(pages(kind, &cases::values_of(state, case, v).await?, lang)),
        _ => None,
    };
    let editable = cases::editable(kind, case)
        && (rel == Relation::Filer || (rel == Relation::Reviewer && case.filer_kind == "staff"));
    let can_change = !changing
        && rel
            .actor()
            .is_some_and(|actor| kind.actions(&case.status, actor).any(|t| t.new_version));
    let actions = match rel.actor() {
        Some(actor) => kind
            .actions(&case.status, actor)
            // A change is proposed from its draft: offered once a change is being drafted.
            .filter(|t| !t.new_version || changing)
            .map(|t| ActionView {
                action: t.action.get_ref().clone(),
                name: t.name.get(lang).to_owned(),
                comment: match t.comment {
                    CommentRule::None => "none",
                    CommentRule::Optional => "optional",
                    CommentRule::Required => "required",
                }
                .to_owned(),
                deadline_days: t.deadline_days,
                effective_date: t.effective_date,
                validates: t.validates,
            })
            .collect(),
        None => Vec::new(),
    };
    let status_name = |s: &str| {
        kind.status(s)
            .map(|st| st.name.get(lang).to_owned())
            .unwrap_or_else(|| s.to_owned())
    };
    let history = state
        .store
        .case_events(&case.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            action_name: kind
                .transitions
                .iter()
                .find(|t| t.action.get_ref() == &e.action)
                .map(|t| t.name.get(lang).to_owned())
                .unwrap_or_else(|| e.action.clone()),
            action: e.action,
            to_name: status_name(&e.to_status),
            from: e.from_status,
            to: e.to_status,
            by: e.actor_role,
            on_behalf: e.on_behalf,
            comment: e.comment,
            deadline_at: e.deadline_at,
        })
        .collect();
    let attachments = state
        .store
        .attachments_of(&case.id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let field = values.iter().find_map(|(field, v)| match v {
                Value::List(ids) if ids.contains(&a.id) => Some(field.clone()),
                _ => None,
            })?;
            Some(AttachmentView {
                id: a.id,
                field,
                name: a.name,
                mime: a.mime,
                size: a.size,
            })
        })
        .collect();
    let prints = kind
        .prints
        .iter()
        .filter(|p| kind.print(p.id.get_ref(), &case.status).is_some())
        .map(|p| PrintView {
            id: p.id.get_ref().clone(),
            title: p.title.get(lang).to_owned(),
        })
        .collect();
    Ok(CaseView {
        id: case.id.clone(),
        number: case.number.clone(),
        type_id: kind.id().to_owned(),
        type_name: kind.name.get(lang).to_owned(),
        status: case.status.clone(),
        status_name: status_name(&case.status),
        relation: match rel {
            Relation::Filer => "filer",
            Relation::Reviewer => "reviewer",
            Relation::Reader => "reader",
        }
        .to_owned(),
        editable,
        changing,
        can_change,
        pages: pages(kind, &values, lang),
        in_force,
        actions,
        history,
        attachments,
        prints,
        subject_name: case.subject_name.clone(),
        county: case.county.clone(),
        deadline_at: case.deadline_at,
        effective_from: case.effective_from.clone(),
        created_at: case.created_at,
        updated_at: case.updated_at,
        submitted_at: case.submitted_at,
        row_version: case.row_version,
    })
}

/// One line of a list of cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseLine {
    pub id: String,
    pub number: Option<String>,
    pub type_name: String,
    pub status: String,
    pub status_name: String,
    pub subject_name: Option<String>,
    pub county: Option<String>,
    pub institution: Option<String>,
    pub submitted_at: Option<i64>,
    pub updated_at: i64,
    pub deadline_at: Option<i64>,
}

/// A list line for `case`.
pub fn line(state: &AppState, case: &CaseRecord, lang: Lang) -> CaseLine {
    let kind = state.applications.get(&case.type_id);
    CaseLine {
        id: case.id.clone(),
        number: case.number.clone(),
        type_name: kind
            .map(|k| k.name.get(lang).to_owned())
            .unwrap_or_else(|| case.type_id.clone()),
        status: case.status.clone(),
        status_name: kind
            .and_then(|k| k.status(&case.status))
            .map(|s| s.name.get(lang).to_owned())
            .unwrap_or_else(|| case.status.clone()),
        subject_name: case.subject_name.clone(),
        county: case.county.clone(),
        institution: case.institution.clone(),
        submitted_at: case.submitted_at,
        updated_at: case.updated_at,
        deadline_at: case.deadline_at,
    }
}

/// The cases `who` filed or that are for them (members), or their organization's.
pub async fn mine(state: &AppState, who: &Who, lang: Lang) -> Result<Vec<CaseLine>, Failure> {
    let rows = match who {
        Who::Member { account, .. } => {
            state
                .store
                .cases_for_filer(&account.id, account.national_id.as_deref(), 200)
                .await?
        }
        Who::Org { org, .. } => state.store.cases_for_org(&org.agency_code, 200).await?,
        Who::Staff { account, .. } => state.store.cases_for_filer(&account.id, None, 200).await?,
    };
    Ok(rows
        .iter()
        .filter(|c| {
            state
                .applications
                .get(&c.type_id)
                .is_some_and(|k| cases::relation(state, k, c, who).is_some())
        })
        .map(|c| line(state, c, lang))
        .collect())
}
