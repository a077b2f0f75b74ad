//! Where an organization flow's pages are: the URL of its current step, its title, and the
//! browser binding its steps check.

use super::super::i18n::L;
use super::super::layout::PageCtx;
use tessera_app::flows::orgs::flow::{self as org_flow, FlowView};

/// The URL section of a flow kind.
fn section(kind: &str) -> &'static str {
    match kind {
        "register" => "register",
        "assign" => "assign",
        _ => "replace",
    }
}

/// The URL segment of a step.
pub fn step_slug(step: &str) -> &'static str {
    match step {
        "terms" => "terms",
        "org_certificate" => "org-certificate",
        "contact" => "contact",
        "manager_certificate" => "manager-certificate",
        "details" => "details",
        _ => "done",
    }
}

/// The page of the flow's current step.
pub fn step_url(v: &FlowView) -> String {
    format!(
        "/orgs/{}/{}/{}",
        section(&v.kind),
        v.flow_id,
        step_slug(&v.step)
    )
}

/// The flow's name (the page title).
pub fn kind_label(l: L, kind: &str) -> &'static str {
    match kind {
        "register" => l.t("機關憑證註冊（首次註冊）", "Organization registration"),
        "replace_org" => l.t("更換機關憑證", "Replace the organization certificate"),
        "replace_manager" => l.t(
            "更換授權管理者自然人憑證",
            "Replace the manager's citizen certificate",
        ),
        "replace_both" => l.t(
            "更換機關憑證與授權管理者自然人憑證",
            "Replace both certificates",
        ),
        _ => l.t("授權指派作業", "Authorization assignment"),
    }
}

pub fn binding(pc: &PageCtx) -> String {
    org_flow::browser_binding(&pc.csrf)
}
