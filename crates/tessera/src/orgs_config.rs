//! The `[organizations]` section of tessera.toml: the function permission tree file,
//! the wait after a review approval, and the lifetimes of flows and assignment sessions.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::config_error::ConfigError;

/// `[organizations]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationsSection {
    /// TOML file with the function permission tree; default: the shipped example
    /// (`crates/core/data/org-permissions.toml`).
    pub permission_tree: Option<PathBuf>,
    /// When an approved review lets the card register: `none` (default) or `next_business_day`.
    pub approval_wait: Option<String>,
    /// Lifetime of a registration / replacement / assignment flow, minutes (default 30).
    pub flow_minutes: Option<u64>,
    /// Assignment session: absolute lifetime (default 30) and idle timeout (default 10), minutes.
    pub assignment_minutes: Option<u64>,
    pub assignment_idle_minutes: Option<u64>,
    /// Version label of the organizations' terms of use.
    pub terms_version: Option<String>,
}

/// Applies `[organizations]`.
pub fn apply(
    o: &mut tessera_app::flows::orgs::OrgSettings,
    section: &OrganizationsSection,
) -> Result<(), ConfigError> {
    let invalid = |key, message: String| ConfigError::Invalid { key, message };
    if let Some(path) = &section.permission_tree {
        let text = std::fs::read_to_string(path).map_err(|e| {
            invalid(
                "organizations.permission_tree",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let tree = tessera_core::org::PermissionTree::from_toml(&text).map_err(|e| {
            invalid(
                "organizations.permission_tree",
                format!("{}: {e}", path.display()),
            )
        })?;
        o.tree = std::sync::Arc::new(tree);
    }
    if let Some(w) = &section.approval_wait {
        o.approval_wait = tessera_app::flows::orgs::ApprovalWait::parse(w).ok_or_else(|| {
            invalid(
                "organizations.approval_wait",
                format!("`{w}` is neither `none` nor `next_business_day`"),
            )
        })?;
    }
    let minutes = |v: Option<u64>, key, default: Duration| match v {
        Some(0) => Err(invalid(key, "must be at least 1".into())),
        Some(m) => Ok(Duration::from_secs(m * 60)),
        None => Ok(default),
    };
    o.flow_ttl = minutes(
        section.flow_minutes,
        "organizations.flow_minutes",
        o.flow_ttl,
    )?;
    o.assignment_ttl = minutes(
        section.assignment_minutes,
        "organizations.assignment_minutes",
        o.assignment_ttl,
    )?;
    o.assignment_idle = minutes(
        section.assignment_idle_minutes,
        "organizations.assignment_idle_minutes",
        o.assignment_idle,
    )?;
    if let Some(v) = &section.terms_version {
        o.terms_version = v.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CommonOpts, Config};

    #[test]
    fn organizations_section_loads_a_tree_and_refuses_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree.toml");
        std::fs::write(
            &tree,
            "[[group]]\nid = 'g'\nname = '群組'\n[[group.function]]\nid = 'g.f'\nname = '功能'\nurl = 'https://svc.example.tw/f'\n",
        )
        .unwrap();
        let path = dir.path().join("tessera.toml");
        let config = |body: String| {
            std::fs::write(&path, body).unwrap();
            let opts = CommonOpts {
                config: Some(path.clone()),
                ..Default::default()
            };
            Config::load(&opts)
                .unwrap()
                .settings("http://127.0.0.1:8080", "k".into())
        };
        let s = config(format!(
            "[organizations]\npermission_tree = {:?}\napproval_wait = \"next_business_day\"\nflow_minutes = 5\n",
            tree.display().to_string()
        ))
        .unwrap();
        assert_eq!(s.orgs.tree.groups[0].functions[0].id, "g.f");
        assert_eq!(
            s.orgs.approval_wait,
            tessera_app::flows::orgs::ApprovalWait::NextBusinessDay
        );
        assert_eq!(s.orgs.flow_ttl, Duration::from_secs(300));
        std::fs::write(&tree, "[[group]]\nid = 'g'\nname = 'x'\n").unwrap();
        let bad = config(format!(
            "[organizations]\npermission_tree = {:?}\n",
            tree.display().to_string()
        ));
        assert!(matches!(
            bad,
            Err(ConfigError::Invalid {
                key: "organizations.permission_tree",
                ..
            })
        ));
        let bad = config("[organizations]\napproval_wait = \"tomorrow\"\n".into());
        assert!(matches!(
            bad,
            Err(ConfigError::Invalid {
                key: "organizations.approval_wait",
                ..
            })
        ));
        let default = config(String::new()).unwrap();
        assert_eq!(default.orgs.tree.groups[0].name, "保費申報作業");
    }
}
