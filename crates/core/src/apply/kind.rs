//! Application types as data: one TOML file per type declares its names, its form as pages of
//! fields, who may file and who reviews, its statuses and the transitions each actor may take,
//! deadlines, notifications, print templates and the named Rust rules it needs. A file is
//! checked whole when it is read; a bad file is refused with its path, line and reason, so an
//! operator who adds a type learns at start what to fix.

use super::form::{FieldKind, FieldSpec};
use super::rules::RuleSpec;
use crate::{Lang, Loa};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use toml::Spanned;

/// A text in both interface languages; English falls back to Chinese when a file leaves it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Traditional Chinese (Taiwan).
    #[serde(rename = "zh-TW")]
    pub zh: String,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) if !en.trim().is_empty() => en,
            _ => &self.zh,
        }
    }
}

/// Who may file a case of this type. At least one way must be open.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filers {
    /// Members filing for themselves, signed in at least at this level.
    #[serde(default)]
    pub members: Option<MemberFilers>,
    /// An organization's handler holding a function permission, filing for a person.
    #[serde(default)]
    pub handlers: Option<HandlerFilers>,
    /// The organization's own account (its manager signed in with the organization card).
    #[serde(default)]
    pub organizations: bool,
}

/// Members filing for themselves.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberFilers {
    /// The weakest sign-in that may file.
    pub min_loa: Loa,
}

/// Handlers filing on an organization's behalf.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlerFilers {
    /// The function permission (by its name in the permission tree) the handler needs.
    pub permission: String,
}

/// Where a case is reviewed: the county a field names, or one fixed office.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    /// A field of kind `county` or `organization` (the organization's county).
    #[serde(default)]
    pub field: Option<Spanned<String>>,
    /// A fixed office that reviews every case (e.g. 保訓會).
    #[serde(default)]
    pub office: Option<String>,
}

/// Who reviews, and who may read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The staff role (per application type) that reviews.
    pub role: String,
    /// Which reviewers see a case.
    pub jurisdiction: Jurisdiction,
    /// Other jurisdictions that may read (not act on) a case, e.g. the home county's 衛生局.
    #[serde(default)]
    pub readers: Vec<Jurisdiction>,
}

/// One status a case can be in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// Stable ASCII id (`draft`, `submitted`, …).
    pub id: Spanned<String>,
    /// Name shown to people (草稿, 已送出, …).
    pub name: Text,
    /// The status a new case starts in. Exactly one.
    #[serde(default)]
    pub initial: bool,
    /// The filer may edit the form in this status (a draft, a case returned for correction).
    #[serde(default)]
    pub editable: bool,
    /// A version reaching this status is the one in force (核准).
    #[serde(default)]
    pub in_force: bool,
    /// No transition leaves this status.
    #[serde(default, rename = "final")]
    pub terminal: bool,
    /// The case counts against the overlap rule in this status (pending or approved).
    #[serde(default)]
    pub blocks_overlap: bool,
}

/// Who takes a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The person or organization that filed (or the handler acting for them).
    Filer,
    /// A reviewer of the case's jurisdiction, including a counter filing on a person's behalf.
    Reviewer,
    /// The scheduled job (deadlines, expiry).
    System,
}

impl Actor {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Filer => "filer",
            Actor::Reviewer => "reviewer",
            Actor::System => "system",
        }
    }
}

/// Whether a transition asks for a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentRule {
    /// No comment field.
    #[default]
    None,
    /// A comment may be given.
    Optional,
    /// A comment must be given (a rejection's reason, what to correct).
    Required,
}

/// One allowed move from some statuses to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Stable ASCII id of the action (`submit`, `approve`, …); the same action may leave
    /// several statuses.
    pub action: Spanned<String>,
    /// The button's text.
    pub name: Text,
    /// The statuses it leaves.
    pub from: Vec<Spanned<String>>,
    /// The status it reaches.
    pub to: Spanned<String>,
    /// Who may take it.
    pub by: Vec<Actor>,
    /// Whether a comment is asked for.
    #[serde(default)]
    pub comment: CommentRule,
    /// The reviewer sets a deadline in days (補正期限); the value is the default offered.
    #[serde(default)]
    pub deadline_days: Option<u16>,
    /// Starts a new version (變更): the version in force stays in force until the new one is.
    #[serde(default)]
    pub new_version: bool,
    /// Drops the version under review and keeps the one in force (a change not approved).
    #[serde(default)]
    pub discard_version: bool,
    /// Asks for a date from which it takes effect (註銷 from a date).
    #[serde(default)]
    pub effective_date: bool,
    /// The form is validated in full (and the rules run) before the move.
    #[serde(default)]
    pub validates: bool,
}

/// When a deadline's clock starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum DeadlineFrom {
    /// The moment the case entered the status (or the deadline the reviewer set).
    Entered,
    /// The end of a date-range field.
    RangeEnd(Spanned<String>),
    /// A date field.
    Date(Spanned<String>),
}

/// A deadline: while a case is in `status`, `days` after `from` the system takes `action`;
/// reminders go out the given numbers of days before.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// The status the clock runs in.
    pub status: Spanned<String>,
    /// Where the clock starts.
    pub from: DeadlineFrom,
    /// Days after the start (0 = the day after the date itself has passed).
    #[serde(default)]
    pub days: u16,
    /// The system action taken when it passes.
    pub action: Spanned<String>,
    /// Reminders to the filer, in days before the deadline.
    #[serde(default)]
    pub remind_days_before: Vec<u16>,
}

/// Who a notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The filer (email; SMS too when they opted in).
    Filer,
    /// The person the case is for, when someone else filed.
    Subject,
    /// The reviewers of the case's jurisdiction.
    Reviewers,
}

/// Notify `to` when one of `on` is taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// Actions that trigger it.
    pub on: Vec<Spanned<String>>,
    /// Recipients.
    pub to: Vec<Recipient>,
}

/// A printable document: the application form, a decision notice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Print {
    /// Stable ASCII id (`form`, `decision`).
    pub id: Spanned<String>,
    /// The document's title.
    pub title: Text,
    /// Statuses in which it can be printed; empty means any but the initial one.
    #[serde(default)]
    pub statuses: Vec<Spanned<String>>,
    /// Print the form's fields, page by page.
    #[serde(default)]
    pub fields: bool,
    /// Body text; `{case_number}`, `{status}`, `{decided_on}` and `{field:ID}` are filled in.
    #[serde(default)]
    pub body: Option<Text>,
}

/// One page of the form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Stable ASCII id.
    pub id: Spanned<String>,
    /// The page's heading.
    pub title: Text,
    /// Its fields, in order.
    pub fields: Vec<FieldSpec>,
}

/// An application type, as read from its file and checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationType {
    /// Stable ASCII id used in URLs (`medical-support`).
    pub id: Spanned<String>,
    /// The case number's prefix (報備 in 報備-115-000123).
    pub prefix: Spanned<String>,
    /// The type's name.
    pub name: Text,
    /// One paragraph shown before the form.
    #[serde(default)]
    pub description: Option<Text>,
    /// Who may file.
    pub filers: Filers,
    /// Who reviews.
    pub review: Review,
    /// The form.
    pub pages: Vec<Page>,
    /// The statuses.
    pub statuses: Vec<Status>,
    /// The transitions.
    pub transitions: Vec<Transition>,
    /// Deadlines.
    #[serde(default)]
    pub deadlines: Vec<Deadline>,
    /// Notifications.
    #[serde(default)]
    pub notifications: Vec<Notification>,
    /// Printable documents.
    #[serde(default)]
    pub prints: Vec<Print>,
    /// Named rules implemented in Rust.
    #[serde(default)]
    pub rules: Vec<Spanned<RuleSpec>>,
}

/// A type file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {reason}")]
pub struct TypeFileError {
    /// The file's path as given.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub reason: String,
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A problem found while checking a parsed file: the byte span it concerns and why.
struct Problem {
    span: std::ops::Range<usize>,
    reason: String,
}

fn problem<T>(at: &Spanned<T>, reason: impl Into<String>) -> Problem {
    Problem {
        span: at.span(),
        reason: reason.into(),
    }
}

fn ascii_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

impl ApplicationType {
    /// Reads and checks a type file's text; `path` only names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<ApplicationType, TypeFileError> {
        let at = |offset: usize, reason: String| {
            let (line, column) = line_col(text, offset);
            TypeFileError {
                path: path.to_owned(),
                line,
                column,
                reason,
            }
        };
        let mut kind: ApplicationType = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            at(offset, e.message().trim().to_owned())
        })?;
        for field in kind.pages.iter_mut().flat_map(|p| p.fields.iter_mut()) {
            let start = field.id.span().start;
            field
                .resolve_options()
                .map_err(|reason| at(start, reason))?;
        }
        match kind.check() {
            Ok(()) => Ok(kind),
            Err(p) => Err(at(p.span.start, p.reason)),
        }
    }

    /// The stable id.
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }

    /// The case number prefix.
    pub fn prefix(&self) -> &str {
        self.prefix.get_ref()
    }

    /// Every field, page by page.
    pub fn fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.pages.iter().flat_map(|p| p.fields.iter())
    }

    /// The field `id`.
    pub fn field(&self, id: &str) -> Option<&FieldSpec> {
        self.fields().find(|f| f.id() == id)
    }

    /// The status `id`.
    pub fn status(&self, id: &str) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id.get_ref() == id)
    }

    /// The status new cases start in.
    pub fn initial_status(&self) -> &str {
        self.statuses
            .iter()
            .find(|s| s.initial)
            .map_or("draft", |s| s.id.get_ref().as_str())
    }

    /// The transitions `actor` may take from `status`, in file order.
    pub fn actions<'a>(
        &'a self,
        status: &'a str,
        actor: Actor,
    ) -> impl Iterator<Item = &'a Transition> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.by.contains(&actor) && t.from.iter().any(|f| f.get_ref() == status))
    }

    /// The transition for taking `action` from `status` as `actor`, or why not.
    pub fn transition(
        &self,
        status: &str,
        action: &str,
        actor: Actor,
    ) -> Result<&Transition, TransitionError> {
        let named: Vec<&Transition> = self
            .transitions
            .iter()
            .filter(|t| t.action.get_ref() == action)
            .collect();
        if named.is_empty() {
            return Err(TransitionError::UnknownAction);
        }
        let from_here = named
            .iter()
            .find(|t| t.from.iter().any(|f| f.get_ref() == status))
            .ok_or(TransitionError::WrongStatus)?;
        if !from_here.by.contains(&actor) {
            return Err(TransitionError::WrongActor);
        }
        Ok(from_here)
    }

    /// The print `id`, if the case's `status` allows it.
    pub fn print(&self, id: &str, status: &str) -> Option<&Print> {
        let print = self.prints.iter().find(|p| p.id.get_ref() == id)?;
        let allowed = if print.statuses.is_empty() {
            status != self.initial_status()
        } else {
            print.statuses.iter().any(|s| s.get_ref() == status)
        };
        allowed.then_some(print)
    }

    /// How far a filer is, in percent, on page `index` (0-based) of the form; the last step
    /// after the pages is the confirmation (「已完成申辦流程的 40%」).
    pub fn progress_percent(&self, index: usize) -> u8 {
        let steps = self.pages.len() + 1;
        let done = index.min(steps);
        u8::try_from(done * 100 / steps).unwrap_or(100)
    }

    fn check(&self) -> Result<(), Problem> {
        if !ascii_id(self.id.get_ref()) {
            return Err(problem(
                &self.id,
                "id must be 1-40 lowercase ASCII letters, digits, '-' or '_', starting with a letter",
            ));
        }
        let prefix = self.prefix.get_ref();
        if prefix.trim().is_empty()
            || prefix.chars().count() > 8
            || prefix
                .chars()
                .any(|c| c == '-' || c.is_whitespace() || c.is_control())
        {
            return Err(problem(
                &self.prefix,
                "prefix must be 1-8 characters without spaces or '-'",
            ));
        }
        let filers = &self.filers;
        if filers.members.is_none() && filers.handlers.is_none() && !filers.organizations {
            return Err(problem(
                &self.id,
                "[filers] must open at least one way to file (members, handlers or organizations)",
            ));
        }
        if let Some(h) = &filers.handlers
            && h.permission.trim().is_empty()
        {
            return Err(problem(&self.id, "[filers.handlers] permission is empty"));
        }
        self.check_fields()?;
        self.check_review()?;
        self.check_statuses()?;
        self.check_transitions()?;
        self.check_deadlines()?;
        for n in &self.notifications {
            for on in &n.on {
                if !self
                    .transitions
                    .iter()
                    .any(|t| t.action.get_ref() == on.get_ref())
                {
                    return Err(problem(on, format!("unknown action `{}`", on.get_ref())));
                }
            }
        }
        let mut prints = HashSet::new();
        for p in &self.prints {
            if !ascii_id(p.id.get_ref()) || !prints.insert(p.id.get_ref().as_str()) {
                return Err(problem(
                    &p.id,
                    "print id must be a unique lowercase ASCII id",
                ));
            }
            for s in &p.statuses {
                self.known_status(s)?;
            }
            if !p.fields && p.body.is_none() {
                return Err(problem(&p.id, "a print needs `fields = true` or a `body`"));
            }
            if let Some(body) = &p.body {
                for text in [Some(&body.zh), body.en.as_ref()].into_iter().flatten() {
                    for id in placeholders(text) {
                        if let Some(field) = id.strip_prefix("field:") {
                            if self.field(field).is_none() {
                                return Err(problem(
                                    &p.id,
                                    format!("body names unknown field `{field}`"),
                                ));
                            }
                        } else if !["case_number", "status", "decided_on", "type"].contains(&id) {
                            return Err(problem(
                                &p.id,
                                format!("body has unknown placeholder `{{{id}}}`"),
                            ));
                        }
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        for rule in &self.rules {
            let name = rule.get_ref().name();
            if !seen.insert(name) {
                return Err(problem(rule, format!("rule `{name}` is named twice")));
            }
            rule.get_ref()
                .check(self)
                .map_err(|reason| problem(rule, reason))?;
        }
        Ok(())
    }

    fn check_fields(&self) -> Result<(), Problem> {
        if self.pages.is_empty() {
            return Err(problem(&self.id, "the form needs at least one [[pages]]"));
        }
        let mut pages = HashSet::new();
        let mut ids: BTreeMap<&str, &FieldSpec> = BTreeMap::new();
        for page in &self.pages {
            if !ascii_id(page.id.get_ref()) || !pages.insert(page.id.get_ref().as_str()) {
                return Err(problem(
                    &page.id,
                    "page id must be a unique lowercase ASCII id",
                ));
            }
            if page.fields.is_empty() {
                return Err(problem(&page.id, "a page needs at least one field"));
            }
            for field in &page.fields {
                if !ascii_id(field.id()) || ids.contains_key(field.id()) {
                    return Err(problem(
                        &field.id,
                        "field id must be a lowercase ASCII id, unique across all pages",
                    ));
                }
                field.check().map_err(|reason| problem(&field.id, reason))?;
                if let Some(cond) = &field.required_if {
                    let Some(other) = ids.get(cond.field.get_ref().as_str()) else {
                        return Err(problem(
                            &cond.field,
                            "required_if must name a field that comes earlier in the form",
                        ));
                    };
                    let ok = match &other.kind {
                        FieldKind::Checkbox => cond.equals == "true",
                        FieldKind::Select | FieldKind::MultiSelect => other
                            .options
                            .as_ref()
                            .is_some_and(|o| o.contains(&cond.equals)),
                        _ => false,
                    };
                    if !ok {
                        return Err(problem(
                            &cond.field,
                            format!(
                                "`{}` is not a choice of field `{}`",
                                cond.equals,
                                cond.field.get_ref()
                            ),
                        ));
                    }
                }
                ids.insert(field.id(), field);
            }
        }
        Ok(())
    }

    fn check_jurisdiction(&self, j: &Jurisdiction) -> Result<(), Problem> {
        match (&j.field, &j.office) {
            (Some(field), None) => match self.field(field.get_ref()).map(|f| &f.kind) {
                Some(FieldKind::County | FieldKind::Organization) => Ok(()),
                Some(_) => Err(problem(
                    field,
                    "a jurisdiction field must be of kind `county` or `organization`",
                )),
                None => Err(problem(
                    field,
                    format!("unknown field `{}`", field.get_ref()),
                )),
            },
            (None, Some(office)) if !office.trim().is_empty() => Ok(()),
            _ => Err(problem(
                &self.id,
                "a jurisdiction names exactly one of `field` or `office`",
            )),
        }
    }

    fn check_review(&self) -> Result<(), Problem> {
        if !ascii_id(&self.review.role) {
            return Err(problem(
                &self.id,
                "[review] role must be a lowercase ASCII id",
            ));
        }
        self.check_jurisdiction(&self.review.jurisdiction)?;
        for r in &self.review.readers {
            self.check_jurisdiction(r)?;
        }
        Ok(())
    }

    fn known_status(&self, id: &Spanned<String>) -> Result<&Status, Problem> {
        self.status(id.get_ref())
            .ok_or_else(|| problem(id, format!("unknown status `{}`", id.get_ref())))
    }

    fn check_statuses(&self) -> Result<(), Problem> {
        let mut seen = HashSet::new();
        for s in &self.statuses {
            if !ascii_id(s.id.get_ref()) || !seen.insert(s.id.get_ref().as_str()) {
                return Err(problem(
                    &s.id,
                    "status id must be a unique lowercase ASCII id",
                ));
            }
        }
        let initial: Vec<&Status> = self.statuses.iter().filter(|s| s.initial).collect();
        match initial[..] {
            [one] if !one.terminal => Ok(()),
            [one] => Err(problem(&one.id, "the initial status cannot be final")),
            [] => Err(problem(&self.id, "one status must be `initial = true`")),
            [_, second, ..] => Err(problem(&second.id, "only one status may be initial")),
        }
    }

    fn check_transitions(&self) -> Result<(), Problem> {
        let mut pairs = HashSet::new();
        for t in &self.transitions {
            if !ascii_id(t.action.get_ref()) {
                return Err(problem(&t.action, "action must be a lowercase ASCII id"));
            }
            if t.by.is_empty() {
                return Err(problem(&t.action, "`by` must name at least one actor"));
            }
            if t.from.is_empty() {
                return Err(problem(&t.action, "`from` must name at least one status"));
            }
            let to = self.known_status(&t.to)?;
            if to.initial {
                return Err(problem(
                    &t.to,
                    "no transition may lead back to the initial status",
                ));
            }
            for from in &t.from {
                let status = self.known_status(from)?;
                if status.terminal {
                    return Err(problem(
                        from,
                        format!("status `{}` is final: nothing may leave it", from.get_ref()),
                    ));
                }
                if !pairs.insert((t.action.get_ref().as_str(), from.get_ref().as_str())) {
                    return Err(problem(
                        &t.action,
                        format!(
                            "action `{}` leaves `{}` twice",
                            t.action.get_ref(),
                            from.get_ref()
                        ),
                    ));
                }
            }
            if t.new_version
                && !t
                    .from
                    .iter()
                    .all(|f| self.status(f.get_ref()).is_some_and(|s| s.in_force))
            {
                return Err(problem(
                    &t.action,
                    "a `new_version` transition may only leave statuses that are in force",
                ));
            }
        }
        // A version can only be discarded where one was started: from a status that a
        // `new_version` transition leads to.
        for t in &self.transitions {
            if t.discard_version {
                let after_change = t.from.iter().all(|f| {
                    self.transitions
                        .iter()
                        .any(|n| n.new_version && n.to.get_ref() == f.get_ref())
                });
                let to_in_force = self.status(t.to.get_ref()).is_some_and(|s| s.in_force);
                if !after_change || !to_in_force {
                    return Err(problem(
                        &t.action,
                        "a `discard_version` transition leaves a status a `new_version` transition leads to, and returns to a status in force",
                    ));
                }
            }
        }
        // Every status must be reachable from the initial one, and every non-final one must
        // have a way out: a type that strands cases is a mistake in the file.
        let mut reached: BTreeSet<&str> = BTreeSet::from([self.initial_status()]);
        loop {
            let before = reached.len();
            for t in &self.transitions {
                if t.from
                    .iter()
                    .any(|f| reached.contains(f.get_ref().as_str()))
                {
                    reached.insert(t.to.get_ref());
                }
            }
            if reached.len() == before {
                break;
            }
        }
        for s in &self.statuses {
            if !reached.contains(s.id.get_ref().as_str()) {
                return Err(problem(
                    &s.id,
                    format!(
                        "status `{}` cannot be reached from the initial status",
                        s.id.get_ref()
                    ),
                ));
            }
            let leaves = self
                .transitions
                .iter()
                .any(|t| t.from.iter().any(|f| f.get_ref() == s.id.get_ref()));
            if !s.terminal && !leaves {
                return Err(problem(
                    &s.id,
                    format!(
                        "status `{}` has no transition out; mark it `final = true` or add one",
                        s.id.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_deadlines(&self) -> Result<(), Problem> {
        for d in &self.deadlines {
            self.known_status(&d.status)?;
            let system_move = self.transitions.iter().any(|t| {
                t.action.get_ref() == d.action.get_ref()
                    && t.by.contains(&Actor::System)
                    && t.from.iter().any(|f| f.get_ref() == d.status.get_ref())
            });
            if !system_move {
                return Err(problem(
                    &d.action,
                    format!(
                        "no transition `{}` from `{}` is taken by `system`",
                        d.action.get_ref(),
                        d.status.get_ref()
                    ),
                ));
            }
            let (field, want) = match &d.from {
                DeadlineFrom::Entered => continue,
                DeadlineFrom::RangeEnd(f) => (f, "date_range"),
                DeadlineFrom::Date(f) => (f, "date"),
            };
            let ok = matches!(
                (self.field(field.get_ref()).map(|f| &f.kind), want),
                (Some(FieldKind::DateRange), "date_range") | (Some(FieldKind::Date), "date")
            );
            if !ok {
                return Err(problem(
                    field,
                    format!("`{}` must be a field of kind `{want}`", field.get_ref()),
                ));
            }
            if d.remind_days_before.contains(&0) {
                return Err(problem(&d.action, "reminders are at least one day before"));
            }
        }
        Ok(())
    }
}

/// The `{name}` placeholders in a template text.
pub fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// Why a transition cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The type has no such action.
    #[error("apply_action_unknown")]
    UnknownAction,
    /// Not from the case's current status.
    #[error("apply_wrong_status")]
    WrongStatus,
    /// Not by this actor.
    #[error("apply_wrong_actor")]
    WrongActor,
}

impl TransitionError {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::UnknownAction => "apply_action_unknown",
            TransitionError::WrongStatus => "apply_wrong_status",
            TransitionError::WrongActor => "apply_wrong_actor",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../app/content/applications/medical-support.toml");

    fn shipped() -> ApplicationType {
        ApplicationType::parse("medical-support.toml", SHIPPED).unwrap()
    }

    /// The 1-based line of the first occurrence of `needle` in `text`.
    fn line_of(text: &str, needle: &str) -> usize {
        let at = text.find(needle).unwrap();
        text[..at].matches('\n').count() + 1
    }

    /// Parses the shipped file with `from` replaced by `to`, expecting a refusal at the line
    /// holding `at` (in the changed text) whose reason contains `why`.
    fn refused(from: &str, to: &str, at: &str, why: &str) {
        assert!(SHIPPED.contains(from), "{from}");
        let text = SHIPPED.replacen(from, to, 1);
        let err = ApplicationType::parse("types/bad.toml", &text).unwrap_err();
        assert_eq!(err.path, "types/bad.toml");
        assert_eq!(err.line, line_of(&text, at), "{err}");
        assert!(err.reason.contains(why), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("types/bad.toml:{}:", err.line))
        );
    }

    #[test]
    fn the_shipped_medical_support_type_reads() {
        let t = shipped();
        assert_eq!(t.id(), "medical-support");
        assert_eq!(t.prefix(), "報備");
        assert_eq!(t.name.get(Lang::ZhTw), "報備支援");
        assert_eq!(t.pages.len(), 2);
        assert_eq!(t.initial_status(), "draft");
        assert_eq!(
            t.status("change_review").unwrap().name.get(Lang::ZhTw),
            "變更審查中"
        );
        // The profession list comes from the shipped list of 醫事人員 categories.
        let profession = t.field("profession").unwrap();
        let options = profession.options.as_ref().unwrap();
        assert!(options.0.iter().any(|c| c.name.zh == "醫師"));
        assert!(options.0.iter().any(|c| c.name.zh == "護理師"));
        // Two pages and the confirmation: 0 %, 33 %, 66 %, then done.
        assert_eq!(
            (0..4).map(|i| t.progress_percent(i)).collect::<Vec<_>>(),
            [0, 33, 66, 100]
        );
    }

    #[test]
    fn each_actor_may_take_only_its_own_moves() {
        let t = shipped();
        assert_eq!(
            t.transition("draft", "submit", Actor::Filer)
                .unwrap()
                .to
                .get_ref(),
            "submitted"
        );
        // A reviewer files at the counter on a person's behalf.
        assert!(t.transition("draft", "submit", Actor::Reviewer).is_ok());
        assert_eq!(
            t.transition("submitted", "approve", Actor::Filer)
                .unwrap_err(),
            TransitionError::WrongActor
        );
        assert_eq!(
            t.transition("draft", "approve", Actor::Reviewer)
                .unwrap_err(),
            TransitionError::WrongStatus
        );
        assert_eq!(
            t.transition("approved", "approve", Actor::Reviewer)
                .unwrap_err(),
            TransitionError::WrongStatus
        );
        assert_eq!(
            t.transition("draft", "delete-everything", Actor::Reviewer)
                .unwrap_err(),
            TransitionError::UnknownAction
        );
        assert_eq!(
            t.transition("rejected", "approve", Actor::Reviewer)
                .unwrap_err(),
            TransitionError::WrongStatus
        );
        // Only the scheduled job lets an approved case expire.
        assert_eq!(
            t.transition("approved", "expire", Actor::Reviewer)
                .unwrap_err(),
            TransitionError::WrongActor
        );
        let reviewer: Vec<&str> = t
            .actions("submitted", Actor::Reviewer)
            .map(|a| a.action.get_ref().as_str())
            .collect();
        assert_eq!(reviewer, ["return", "approve", "reject"]);
        let filer: Vec<&str> = t
            .actions("approved", Actor::Filer)
            .map(|a| a.action.get_ref().as_str())
            .collect();
        assert_eq!(filer, ["change", "cancel"]);
        // A change keeps the version in force; a change not approved goes back to it.
        assert!(
            t.transition("approved", "change", Actor::Filer)
                .unwrap()
                .new_version
        );
        assert!(
            t.transition("change_review", "reject_change", Actor::Reviewer)
                .unwrap()
                .discard_version
        );
    }

    #[test]
    fn the_decision_prints_only_once_decided() {
        let t = shipped();
        assert!(t.print("decision", "submitted").is_none());
        assert!(t.print("decision", "approved").is_some());
        assert!(t.print("decision", "rejected").is_some());
        assert!(t.print("form", "submitted").is_some());
        assert!(t.print("form", "draft").is_none());
        assert!(t.print("nonsense", "approved").is_none());
    }

    #[test]
    fn a_bad_file_is_refused_with_its_line_and_reason() {
        // A typo in a key.
        refused(
            "required = true\n\n[[pages.fields]]\nid = \"name\"",
            "requird = true\n\n[[pages.fields]]\nid = \"name\"",
            "requird",
            "requird",
        );
        // Broken TOML.
        refused("prefix = \"報備\"", "prefix = \"報備", "prefix", "");
        // A transition to a status that does not exist.
        refused(
            "to = \"approved\"\nby = [\"reviewer\"]\ncomment = \"optional\"",
            "to = \"aproved\"\nby = [\"reviewer\"]\ncomment = \"optional\"",
            "\"aproved\"",
            "unknown status `aproved`",
        );
        // A jurisdiction on a field that is not a county or an organization.
        refused(
            "jurisdiction = { field = \"host_institution\" }",
            "jurisdiction = { field = \"department\" }",
            "\"department\" }",
            "county",
        );
        refused(
            "jurisdiction = { field = \"host_institution\" }",
            "jurisdiction = { field = \"nowhere\" }",
            "\"nowhere\"",
            "unknown field `nowhere`",
        );
        // A select without choices.
        refused(
            "options_from = \"medical_professions\"\n",
            "",
            "id = \"profession\"",
            "options",
        );
        refused(
            "options_from = \"medical_professions\"",
            "options_from = \"vets\"",
            "id = \"profession\"",
            "unknown list `vets`",
        );
        // A rule naming a field that is not there, or of the wrong kind.
        refused(
            "person = \"national_id\"",
            "person = \"nobody\"",
            "[[rules]]\nname = \"no_overlap\"",
            "unknown field `nobody`",
        );
        refused(
            "schedule = \"schedule\"\n",
            "schedule = \"period\"\n",
            "[[rules]]\nname = \"no_overlap\"",
            "expected",
        );
        refused(
            "name = \"differ\"",
            "name = \"magic\"",
            "name = \"magic\"",
            "magic",
        );
        // Two initial statuses.
        refused(
            "name = { zh-TW = \"已送出\", en = \"Submitted\" }",
            "name = { zh-TW = \"已送出\", en = \"Submitted\" }\ninitial = true",
            "id = \"submitted\"",
            "only one status may be initial",
        );
        // A status nothing leads to.
        refused(
            "to = \"withdrawn\"",
            "to = \"rejected\"",
            "id = \"withdrawn\"",
            "cannot be reached",
        );
        // A deadline whose action the system does not take.
        refused(
            "action = \"lapse\"\nremind",
            "action = \"return\"\nremind",
            "action = \"return\"\nremind",
            "taken by `system`",
        );
        // The same field id twice.
        refused(
            "id = \"email\"",
            "id = \"phone\"",
            "id = \"phone\"\nkind = \"email\"",
            "unique",
        );
        // required_if on a later field.
        refused(
            "required_if = { field = \"timing\", equals = \"after\" }",
            "required_if = { field = \"period\", equals = \"after\" }",
            "field = \"period\", equals",
            "earlier",
        );
        refused(
            "required_if = { field = \"reason\", equals = \"other\" }",
            "required_if = { field = \"reason\", equals = \"others\" }",
            "field = \"reason\", equals = \"others\"",
            "not a choice",
        );
        // A print body naming a field the form does not have.
        refused(
            "{field:name} 君",
            "{field:nom} 君",
            "id = \"decision\"",
            "unknown field `nom`",
        );
        // A change that cannot be taken back.
        refused(
            "new_version = true\n",
            "",
            "action = \"reject_change\"",
            "discard_version",
        );
    }

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        assert_eq!(line_col("a\n報備x", 8), (2, 3));
        assert_eq!(line_col("", 10), (1, 1));
    }
}
