//! What the organization flows answer with: a catalog message (`Notice`), the terms as shown,
//! and a flow's state as the client sees it.

use serde::Serialize;
use tessera_core::{Lang, message};
use utoipa::ToSchema;

use super::card::{ManagerCardView, OrgCardView};

/// A message to show with a step's answer (code from the catalog).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub code: String,
    pub message: String,
}

impl Notice {
    pub fn new(code: &str, lang: Lang) -> Self {
        Notice {
            code: code.to_owned(),
            message: message(code, lang).to_owned(),
        }
    }
}

/// 用戶約定條款 as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsView {
    pub version: String,
    /// 網頁下載時間, RFC 3339 and in ROC form (「111年11月14日14點46分46秒」).
    pub page_downloaded_at: Option<String>,
    pub page_downloaded_at_roc: Option<String>,
}

/// A flow's state as the client sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowView {
    pub flow_id: String,
    /// `register`, `replace_org`, `replace_manager`, `replace_both`, `assign`.
    pub kind: String,
    /// `terms`, `org_certificate`, `contact`, `manager_certificate`, `details`, `done`.
    pub step: String,
    pub agency_code: Option<String>,
    pub expires_at: Option<String>,
    /// The challenge purpose the current step's card signature needs.
    pub challenge_purpose: Option<String>,
    pub terms: Option<TermsView>,
    pub organization: Option<OrgCardView>,
    pub manager: Option<ManagerCardView>,
    pub notice: Option<Notice>,
    /// The review case this flow filed (after 比對不符 and the applicant's contact details):
    /// its reference and where the decision will be sent.
    pub review: Option<ReviewFiledView>,
}

/// A review case filed from a flow, as its applicant sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewFiledView {
    /// The case's reference (案件編號), for questions to the service desk.
    pub case_id: String,
    /// When it was filed (RFC 3339) and the same in ROC time for pages.
    pub filed_at: Option<String>,
    pub filed_at_roc: Option<String>,
    /// The address the decision is mailed to.
    pub email: String,
}
