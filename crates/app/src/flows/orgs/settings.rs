//! The organization settings (`[organizations]` in tessera.toml): the function permission tree,
//! the wait after a review approval, and the lifetimes of flows and assignment sessions.

use std::sync::Arc;
use std::time::Duration;

use tessera_core::org::PermissionTree;
use tessera_core::org::roc;

/// When an approved review case lets its card register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApprovalWait {
    /// At once (the default: nothing is gained by making the applicant come back tomorrow).
    #[default]
    None,
    /// From the next business day, 00:00 Asia/Taipei (the seed's practice; weekends skipped,
    /// public holidays not known).
    NextBusinessDay,
}

impl ApprovalWait {
    /// Parses `none` / `next_business_day`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" | "0" => Some(ApprovalWait::None),
            "next_business_day" => Some(ApprovalWait::NextBusinessDay),
            _ => None,
        }
    }

    /// When an approval decided at `now` takes effect.
    pub fn effective_at(self, now: i64) -> i64 {
        match self {
            ApprovalWait::None => now,
            ApprovalWait::NextBusinessDay => roc::next_business_day_start(now).unwrap_or(now),
        }
    }
}

/// Everything the organization flows need to know.
#[derive(Debug, Clone)]
pub struct OrgSettings {
    /// The function permission tree (the shipped example unless configured).
    pub tree: Arc<PermissionTree>,
    pub approval_wait: ApprovalWait,
    /// Lifetime of a registration / replacement / assignment flow (absolute).
    pub flow_ttl: Duration,
    /// An assignment session's absolute lifetime and idle timeout.
    pub assignment_ttl: Duration,
    pub assignment_idle: Duration,
    /// Version label of the organizations' terms of use (用戶約定條款) stored with each receipt.
    pub terms_version: String,
}

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            tree: Arc::new(PermissionTree::example()),
            approval_wait: ApprovalWait::None,
            flow_ttl: Duration::from_secs(30 * 60),
            assignment_ttl: Duration::from_secs(30 * 60),
            assignment_idle: Duration::from_secs(10 * 60),
            terms_version: "2026-11-org".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_waits() {
        assert_eq!(
            ApprovalWait::parse("next_business_day"),
            Some(ApprovalWait::NextBusinessDay)
        );
        assert_eq!(ApprovalWait::parse("tomorrow"), None);
        assert_eq!(ApprovalWait::None.effective_at(42), 42);
        // Friday 2016-04-22 14:36:34 Taipei → Monday 00:00 Taipei.
        assert_eq!(
            ApprovalWait::NextBusinessDay.effective_at(1_461_306_994),
            1_461_513_600
        );
        assert!(!OrgSettings::default().tree.groups.is_empty());
    }
}
