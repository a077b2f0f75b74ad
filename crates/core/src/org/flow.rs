//! The multi-step certificate flows of seed 003 as a state machine: first registration (四),
//! the three certificate replacements (六) and the opening of an authorization assignment (五).
//! Each flow kind says which step comes first, which rule the organization card and the
//! manager's card must meet, and which receipt record it leaves. The web layer keeps the state
//! in the database and moves it only along [`next`].

use serde::{Deserialize, Serialize};

use crate::Lang;

/// Which flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// 首次註冊.
    Register,
    /// 更換機關憑證.
    ReplaceOrg,
    /// 更換授權管理者自然人憑證.
    ReplaceManager,
    /// 更換機關憑證和更換授權管理者自然人憑證.
    ReplaceBoth,
    /// 授權指派: both certificates open a short assignment session.
    Assign,
}

/// A step of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 用戶約定條款: shown (its download time stored), to be agreed.
    Terms,
    /// 機關憑證確認: agency code + the organization card's signature.
    OrgCertificate,
    /// 比對不符: the applicant's contact details for the review case.
    Contact,
    /// 自然人憑證確認: the manager's national ID + citizen card's signature.
    ManagerCertificate,
    /// 資訊確認: both certificates shown; the manager's contact details asked.
    Details,
    /// Finished.
    Done,
}

/// What happened at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Agreed,
    OrgCardAccepted,
    /// The card's identifier differs from the registry entry: a review is needed.
    OrgCardMismatch,
    ContactGiven,
    ManagerAccepted,
    DetailsGiven,
}

/// What the organization card must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgCardRule {
    /// Its OID / business ID / institution code must equal the registry entry's (or an
    /// approved review case must cover this very certificate).
    MatchRegistry,
    /// It must be the organization's currently registered certificate.
    Current,
}

/// What the manager's citizen card must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerRule {
    /// Any citizen certificate whose holder typed the matching national ID (a new manager).
    AnyCitizen,
    /// The registered manager's current certificate, with the registered national ID.
    Current,
}

/// The kinds of receipt records (註冊項目).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptItem {
    FirstRegistration,
    ReplaceOrg,
    ReplaceManager,
    ReplaceBoth,
}

impl ReceiptItem {
    pub const ALL: [ReceiptItem; 4] = [
        ReceiptItem::FirstRegistration,
        ReceiptItem::ReplaceOrg,
        ReceiptItem::ReplaceManager,
        ReceiptItem::ReplaceBoth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptItem::FirstRegistration => "first_registration",
            ReceiptItem::ReplaceOrg => "replace_org",
            ReceiptItem::ReplaceManager => "replace_manager",
            ReceiptItem::ReplaceBoth => "replace_both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ReceiptItem::ALL.into_iter().find(|i| i.as_str() == s)
    }

    /// The label of 圖3-39's 註冊項目 column.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ReceiptItem::FirstRegistration, Lang::ZhTw) => "首次註冊",
            (ReceiptItem::ReplaceOrg, Lang::ZhTw) => "更換機關憑證",
            (ReceiptItem::ReplaceManager, Lang::ZhTw) => "更換授權管理者自然人憑證",
            (ReceiptItem::ReplaceBoth, Lang::ZhTw) => "更換機關憑證與授權管理者自然人憑證",
            (ReceiptItem::FirstRegistration, Lang::En) => "First registration",
            (ReceiptItem::ReplaceOrg, Lang::En) => "Organization certificate replaced",
            (ReceiptItem::ReplaceManager, Lang::En) => "Manager certificate replaced",
            (ReceiptItem::ReplaceBoth, Lang::En) => "Both certificates replaced",
        }
    }
}

impl FlowKind {
    pub const ALL: [FlowKind; 5] = [
        FlowKind::Register,
        FlowKind::ReplaceOrg,
        FlowKind::ReplaceManager,
        FlowKind::ReplaceBoth,
        FlowKind::Assign,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Register => "register",
            FlowKind::ReplaceOrg => "replace_org",
            FlowKind::ReplaceManager => "replace_manager",
            FlowKind::ReplaceBoth => "replace_both",
            FlowKind::Assign => "assign",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        FlowKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Where the flow starts: the terms, except for an assignment.
    pub fn first_step(self) -> Step {
        match self {
            FlowKind::Assign => Step::OrgCertificate,
            _ => Step::Terms,
        }
    }

    /// Whether the organization must already be registered (every flow but the first).
    pub fn needs_registered(self) -> bool {
        self != FlowKind::Register
    }

    pub fn org_card_rule(self) -> OrgCardRule {
        match self {
            FlowKind::Register | FlowKind::ReplaceOrg | FlowKind::ReplaceBoth => {
                OrgCardRule::MatchRegistry
            }
            FlowKind::ReplaceManager | FlowKind::Assign => OrgCardRule::Current,
        }
    }

    pub fn manager_rule(self) -> ManagerRule {
        match self {
            FlowKind::Register | FlowKind::ReplaceManager | FlowKind::ReplaceBoth => {
                ManagerRule::AnyCitizen
            }
            FlowKind::ReplaceOrg | FlowKind::Assign => ManagerRule::Current,
        }
    }

    /// The receipt record the flow leaves when done (an assignment leaves none).
    pub fn receipt(self) -> Option<ReceiptItem> {
        match self {
            FlowKind::Register => Some(ReceiptItem::FirstRegistration),
            FlowKind::ReplaceOrg => Some(ReceiptItem::ReplaceOrg),
            FlowKind::ReplaceManager => Some(ReceiptItem::ReplaceManager),
            FlowKind::ReplaceBoth => Some(ReceiptItem::ReplaceBoth),
            FlowKind::Assign => None,
        }
    }

    /// The challenge purpose of the organization card's signature.
    pub fn org_card_purpose(self) -> &'static str {
        match self {
            FlowKind::Register => "org-register",
            FlowKind::Assign => "org-assign",
            _ => "org-replace",
        }
    }

    /// The message code of the finished flow (圖3-10, 3-27, 3-32, 3-37).
    pub fn done_code(self) -> &'static str {
        match self {
            FlowKind::Register => "org_registered",
            FlowKind::ReplaceOrg => "org_replaced_org",
            FlowKind::ReplaceManager => "org_replaced_manager",
            FlowKind::ReplaceBoth => "org_replaced_both",
            FlowKind::Assign => "org_assignment_opened",
        }
    }
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Terms => "terms",
            Step::OrgCertificate => "org_certificate",
            Step::Contact => "contact",
            Step::ManagerCertificate => "manager_certificate",
            Step::Details => "details",
            Step::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Step::Terms,
            Step::OrgCertificate,
            Step::Contact,
            Step::ManagerCertificate,
            Step::Details,
            Step::Done,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

impl Step {
    /// The step's name as the progress list shows it.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Step::Terms, Lang::ZhTw) => "用戶約定條款",
            (Step::OrgCertificate | Step::Contact, Lang::ZhTw) => "機關憑證確認",
            (Step::ManagerCertificate, Lang::ZhTw) => "授權管理者自然人憑證確認",
            (Step::Details, Lang::ZhTw) => "資訊確認",
            (Step::Done, Lang::ZhTw) => "完成",
            (Step::Terms, Lang::En) => "Terms of use",
            (Step::OrgCertificate | Step::Contact, Lang::En) => "Organization certificate",
            (Step::ManagerCertificate, Lang::En) => "Manager's citizen certificate",
            (Step::Details, Lang::En) => "Confirm the details",
            (Step::Done, Lang::En) => "Done",
        }
    }
}

impl FlowKind {
    /// The steps a flow of this kind passes on its way to the end, in order. The review's
    /// contact step is a detour of the organization-card step and counts as that step.
    pub fn steps(self) -> &'static [Step] {
        match self {
            FlowKind::Assign => &[Step::OrgCertificate, Step::ManagerCertificate, Step::Done],
            _ => &[
                Step::Terms,
                Step::OrgCertificate,
                Step::ManagerCertificate,
                Step::Details,
                Step::Done,
            ],
        }
    }
}

/// How far a flow has come: at `position` (from 1) of `total` steps, `percent` of the way
/// done (001's 「已完成申辦流程的 40%」: the steps before this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub position: usize,
    pub total: usize,
    pub percent: u8,
}

/// The progress of a `kind` flow at `step`.
pub fn progress(kind: FlowKind, step: Step) -> Progress {
    let steps = kind.steps();
    let at = if step == Step::Contact {
        Step::OrgCertificate
    } else {
        step
    };
    let index = steps.iter().position(|s| *s == at).unwrap_or(0);
    let total = steps.len();
    let percent = (index * 100 / total.saturating_sub(1).max(1)).min(100) as u8;
    Progress {
        position: index + 1,
        total,
        percent,
    }
}

/// The step after `event` at `step` of a `kind` flow; `None` when the event is not allowed
/// there (out of order, or a review for a flow whose card must be the current one).
pub fn next(kind: FlowKind, step: Step, event: Event) -> Option<Step> {
    use Event::*;
    let card_step = matches!(step, Step::OrgCertificate | Step::Contact);
    match (step, event) {
        (Step::Terms, Agreed) if kind != FlowKind::Assign => Some(Step::OrgCertificate),
        (_, OrgCardAccepted) if card_step => Some(Step::ManagerCertificate),
        (_, OrgCardMismatch) if card_step && kind.org_card_rule() == OrgCardRule::MatchRegistry => {
            Some(Step::Contact)
        }
        // The case is filed; the applicant may try again once it is approved.
        (Step::Contact, ContactGiven) => Some(Step::OrgCertificate),
        (Step::ManagerCertificate, ManagerAccepted) if kind == FlowKind::Assign => Some(Step::Done),
        (Step::ManagerCertificate, ManagerAccepted) => Some(Step::Details),
        (Step::Details, DetailsGiven) if kind != FlowKind::Assign => Some(Step::Done),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_walks_the_seed_screens() {
        let k = FlowKind::Register;
        let mut s = k.first_step();
        assert_eq!(s, Step::Terms);
        for (e, want) in [
            (Event::Agreed, Step::OrgCertificate),
            (Event::OrgCardMismatch, Step::Contact),
            (Event::ContactGiven, Step::OrgCertificate),
            (Event::OrgCardAccepted, Step::ManagerCertificate),
            (Event::ManagerAccepted, Step::Details),
            (Event::DetailsGiven, Step::Done),
        ] {
            s = next(k, s, e).unwrap_or_else(|| panic!("{e:?} at {s:?}"));
            assert_eq!(s, want);
        }
    }

    #[test]
    fn progress_counts_the_steps_behind_and_the_review_detour_stays_in_place() {
        let k = FlowKind::Register;
        let at = |s| progress(k, s);
        assert_eq!(
            at(Step::Terms),
            Progress {
                position: 1,
                total: 5,
                percent: 0
            }
        );
        assert_eq!(at(Step::OrgCertificate).percent, 25);
        assert_eq!(at(Step::Contact), at(Step::OrgCertificate));
        assert_eq!(
            at(Step::Details),
            Progress {
                position: 4,
                total: 5,
                percent: 75
            }
        );
        assert_eq!(at(Step::Done).percent, 100);
        let a = FlowKind::Assign;
        assert_eq!(progress(a, Step::OrgCertificate).percent, 0);
        assert_eq!(
            progress(a, Step::ManagerCertificate),
            Progress {
                position: 2,
                total: 3,
                percent: 50
            }
        );
        // Every step a flow can be at is on its list, so the position is never a guess.
        for kind in FlowKind::ALL {
            let mut s = kind.first_step();
            let mut seen = vec![progress(kind, s).position];
            for e in [
                Event::Agreed,
                Event::OrgCardAccepted,
                Event::ManagerAccepted,
                Event::DetailsGiven,
            ] {
                if let Some(n) = next(kind, s, e) {
                    s = n;
                    seen.push(progress(kind, s).position);
                }
            }
            assert_eq!(s, Step::Done, "{kind:?}");
            assert_eq!(
                seen,
                (1..=kind.steps().len()).collect::<Vec<_>>(),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn steps_cannot_be_skipped_or_repeated() {
        let k = FlowKind::Register;
        assert_eq!(next(k, Step::Terms, Event::OrgCardAccepted), None);
        assert_eq!(next(k, Step::Terms, Event::DetailsGiven), None);
        assert_eq!(next(k, Step::OrgCertificate, Event::ManagerAccepted), None);
        assert_eq!(next(k, Step::Details, Event::ManagerAccepted), None);
        assert_eq!(next(k, Step::Done, Event::DetailsGiven), None);
        assert_eq!(next(k, Step::OrgCertificate, Event::ContactGiven), None);
    }

    #[test]
    fn assignment_and_replacements() {
        let a = FlowKind::Assign;
        assert_eq!(a.first_step(), Step::OrgCertificate);
        assert_eq!(next(a, Step::Terms, Event::Agreed), None);
        // The current card is required: a mismatch is a refusal, never a review.
        assert_eq!(next(a, Step::OrgCertificate, Event::OrgCardMismatch), None);
        assert_eq!(
            next(a, Step::ManagerCertificate, Event::ManagerAccepted),
            Some(Step::Done)
        );
        assert_eq!(a.receipt(), None);
        assert_eq!(
            FlowKind::ReplaceManager.org_card_rule(),
            OrgCardRule::Current
        );
        assert_eq!(FlowKind::ReplaceOrg.manager_rule(), ManagerRule::Current);
        assert_eq!(
            FlowKind::ReplaceBoth.manager_rule(),
            ManagerRule::AnyCitizen
        );
        for k in FlowKind::ALL {
            assert_eq!(FlowKind::parse(k.as_str()), Some(k));
        }
        for i in ReceiptItem::ALL {
            assert_eq!(ReceiptItem::parse(i.as_str()), Some(i));
        }
        assert_eq!(
            ReceiptItem::ReplaceBoth.label(Lang::ZhTw),
            "更換機關憑證與授權管理者自然人憑證"
        );
    }
}
