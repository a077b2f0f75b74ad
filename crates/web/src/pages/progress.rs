//! The progress bar of multi-step flows (001's 「已完成申辦流程的 40%」): the steps by name, the
//! one the user is at marked `aria-current="step"`, and how much of the way is done — for the
//! organization flows and for the form pages of online applications.

use tessera_core::apply::ApplicationType;
use tessera_core::lang::Lang;
use tessera_core::org::flow::{self, FlowKind, Step};

/// One step in the list.
pub struct ProgressStep {
    pub label: String,
    /// `done`, `current` or `todo` (the CSS class and the screen-reader hint).
    pub state: &'static str,
}

/// The base of `templates/partials/progress.html`.
pub struct ProgressView {
    pub percent: u8,
    pub position: usize,
    pub total: usize,
    pub steps: Vec<ProgressStep>,
}

impl ProgressView {
    /// An organization flow (`kind`, `step` as the flow view names them) in `lang`; `None`
    /// for a kind or step this build does not know.
    pub fn org_flow(kind: &str, step: &str, lang: Lang) -> Option<Self> {
        let kind = FlowKind::parse(kind)?;
        let step = Step::parse(step)?;
        let p = flow::progress(kind, step);
        let steps = kind
            .steps()
            .iter()
            .enumerate()
            .map(|(i, s)| ProgressStep {
                label: s.label(lang).to_owned(),
                state: match (i + 1).cmp(&p.position) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "todo",
                },
            })
            .collect();
        Some(Self {
            percent: p.percent,
            position: p.position,
            total: p.total,
            steps,
        })
    }

    /// An application of `kind` at step `index` (0-based): its form pages by title, then the
    /// confirmation (確認送出); the percent is the type's own
    /// ([`ApplicationType::progress_percent`]).
    pub fn application(kind: &ApplicationType, index: usize, lang: Lang) -> Self {
        let confirm = match lang {
            Lang::ZhTw => "確認送出",
            Lang::En => "Check and send",
        };
        let labels: Vec<String> = kind
            .pages
            .iter()
            .map(|p| p.title.get(lang).to_owned())
            .chain(std::iter::once(confirm.to_owned()))
            .collect();
        let total = labels.len();
        let index = index.min(total - 1);
        let steps = labels
            .into_iter()
            .enumerate()
            .map(|(i, label)| ProgressStep {
                label,
                state: match i.cmp(&index) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "todo",
                },
            })
            .collect();
        Self {
            percent: kind.progress_percent(index),
            position: index + 1,
            total,
            steps,
        }
    }
}
