//! The function permission tree (功能選單) of organizations: configuration, not code. Groups hold
//! functions; a function may name the downstream service implementing it. A handler's grant is
//! a set of function ids; granting a group grants every function in it. The format is
//! documented in `data/org-permissions.toml`, which is also the example used by default.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The permission guarding the receipt-record query (查詢憑證註冊收件紀錄).
pub const RECEIPTS: &str = "tessera.receipts";
/// The permission guarding the authorized-handlers list and its CSV export (查詢已授權清單).
pub const AUTHORIZED_LIST: &str = "tessera.authorized_list";

/// The example tree shipped with Tessera (seed 003 圖3-15 plus Tessera's queries).
pub const EXAMPLE_TOML: &str = include_str!("../../data/org-permissions.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeFile {
    #[serde(default)]
    group: Vec<GroupFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    id: String,
    name: String,
    name_en: Option<String>,
    #[serde(default)]
    function: Vec<Function>,
}

/// A function: a leaf of the tree, the unit of permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub id: String,
    /// zh-TW name.
    pub name: String,
    pub name_en: Option<String>,
    /// The downstream service implementing the function.
    pub url: Option<String>,
}

/// A group of functions (a checkbox group toggle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub functions: Vec<Function>,
}

/// Why a tree file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    #[error("not a valid permission tree: {0}")]
    Parse(String),
    #[error("the tree has no function")]
    Empty,
    #[error("id {0:?} must be 1-64 characters a-z 0-9 _ . - starting with a letter or digit")]
    BadId(String),
    #[error("id {0:?} is used twice")]
    DuplicateId(String),
    #[error("group {0:?} has no function")]
    EmptyGroup(String),
    #[error("{0:?} needs a name")]
    NoName(String),
    #[error("the url of {0:?} must be an absolute http:// or https:// URL")]
    BadUrl(String),
}

/// The whole tree, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionTree {
    pub groups: Vec<Group>,
}

fn id_ok(id: &str) -> bool {
    let b = id.as_bytes();
    (1..=64).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'.' | b'-')
        })
}

fn url_ok(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !url.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

impl PermissionTree {
    /// Parses and validates a tree file.
    pub fn from_toml(text: &str) -> Result<Self, TreeError> {
        let file: TreeFile = toml::from_str(text).map_err(|e| TreeError::Parse(e.to_string()))?;
        let mut seen = std::collections::HashSet::new();
        let mut groups = Vec::new();
        for g in file.group {
            let mut check_id = |id: &str| {
                if !id_ok(id) {
                    return Err(TreeError::BadId(id.to_owned()));
                }
                if !seen.insert(id.to_owned()) {
                    return Err(TreeError::DuplicateId(id.to_owned()));
                }
                Ok(())
            };
            check_id(&g.id)?;
            if g.name.trim().is_empty() {
                return Err(TreeError::NoName(g.id));
            }
            if g.function.is_empty() {
                return Err(TreeError::EmptyGroup(g.id));
            }
            for f in &g.function {
                check_id(&f.id)?;
                if f.name.trim().is_empty() {
                    return Err(TreeError::NoName(f.id.clone()));
                }
                if f.url.as_deref().is_some_and(|u| !url_ok(u)) {
                    return Err(TreeError::BadUrl(f.id.clone()));
                }
            }
            groups.push(Group {
                id: g.id,
                name: g.name,
                name_en: g.name_en,
                functions: g.function,
            });
        }
        if groups.is_empty() {
            return Err(TreeError::Empty);
        }
        Ok(PermissionTree { groups })
    }

    /// The example tree shipped with Tessera.
    pub fn example() -> Self {
        // A constant checked by the unit tests below, not input.
        PermissionTree::from_toml(EXAMPLE_TOML).unwrap_or(PermissionTree { groups: Vec::new() })
    }

    /// Every function, in tree order.
    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.groups.iter().flat_map(|g| g.functions.iter())
    }

    /// The function with this id.
    pub fn function(&self, id: &str) -> Option<&Function> {
        self.functions().find(|f| f.id == id)
    }

    /// Turns requested ids (functions or whole groups) into the granted function ids, in tree
    /// order without duplicates. Unknown ids and an empty request are refused.
    pub fn resolve(&self, requested: &[String]) -> Result<Vec<String>, FieldError> {
        let mut wanted = std::collections::HashSet::new();
        for id in requested.iter().map(|s| s.trim()) {
            if let Some(g) = self.groups.iter().find(|g| g.id == id) {
                wanted.extend(g.functions.iter().map(|f| f.id.as_str()));
            } else if self.function(id).is_some() {
                wanted.insert(id);
            } else {
                return Err(FieldError::new("permissions", "permission_unknown"));
            }
        }
        if wanted.is_empty() {
            return Err(FieldError::new("permissions", "permissions_required"));
        }
        Ok(self
            .functions()
            .filter(|f| wanted.contains(f.id.as_str()))
            .map(|f| f.id.clone())
            .collect())
    }

    /// Whether a grant includes `id`, counting only ids the tree still has (a function removed
    /// from the configuration stops being granted).
    pub fn allows(&self, granted: &[String], id: &str) -> bool {
        self.function(id).is_some() && granted.iter().any(|g| g == id)
    }

    /// The tree cut down to what `granted` allows (groups without a granted function dropped).
    pub fn granted_view(&self, granted: &[String]) -> Vec<Group> {
        self.groups
            .iter()
            .filter_map(|g| {
                let functions: Vec<Function> = g
                    .functions
                    .iter()
                    .filter(|f| granted.contains(&f.id))
                    .cloned()
                    .collect();
                (!functions.is_empty()).then(|| Group {
                    functions,
                    ..g.clone()
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_example_tree_is_the_seed_tree() {
        let t = PermissionTree::from_toml(EXAMPLE_TOML).expect("example parses");
        assert_eq!(t, PermissionTree::example());
        let premium: Vec<&str> = t.groups[0]
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(t.groups[0].name, "保費申報作業");
        assert_eq!(
            premium,
            [
                "異動登錄",
                "申報資料傳送",
                "申報資料列印",
                "申報資料查詢",
                "附件補送",
                "問題協調",
                "離線異動登錄檔案下載"
            ]
        );
        let names: Vec<&str> = t.groups.iter().map(|g| g.name.as_str()).collect();
        assert!(names.contains(&"給付試算作業") && names.contains(&"一般查詢作業"));
        assert!(t.function(RECEIPTS).is_some() && t.function(AUTHORIZED_LIST).is_some());
    }

    #[test]
    fn groups_expand_and_unknown_ids_are_refused() {
        let t = PermissionTree::example();
        let got = t
            .resolve(&ids(&[
                "benefit_claim",
                "premium.send",
                "benefit_claim.apply",
            ]))
            .unwrap();
        assert_eq!(
            got,
            ids(&[
                "premium.send",
                "benefit_claim.apply",
                "benefit_claim.progress"
            ])
        );
        let e = t.resolve(&ids(&["premium.send", "admin.all"])).unwrap_err();
        assert_eq!((e.field, e.code), ("permissions", "permission_unknown"));
        assert_eq!(t.resolve(&[]).unwrap_err().code, "permissions_required");
        assert!(t.allows(&got, "premium.send"));
        assert!(!t.allows(&got, "premium.change"));
        assert!(!t.allows(&ids(&["gone.function"]), "gone.function"));
        let view = t.granted_view(&got);
        assert_eq!(view.len(), 2);
        assert_eq!(view[0].functions.len(), 1);
    }

    #[test]
    fn bad_trees_are_refused() {
        let f = |body: &str| PermissionTree::from_toml(body).unwrap_err();
        assert_eq!(f(""), TreeError::Empty);
        assert!(matches!(
            f("[[group]]\nid='a'\nname='A'\n"),
            TreeError::EmptyGroup(_)
        ));
        let dup = "[[group]]\nid='a'\nname='A'\n[[group.function]]\nid='a'\nname='x'\n";
        assert_eq!(f(dup), TreeError::DuplicateId("a".into()));
        let bad_id = "[[group]]\nid='A b'\nname='A'\n[[group.function]]\nid='x'\nname='x'\n";
        assert!(matches!(f(bad_id), TreeError::BadId(_)));
        for url in [
            "javascript:alert(1)",
            "//evil.tw/x",
            "https://",
            "https://a b",
        ] {
            let t = format!(
                "[[group]]\nid='g'\nname='G'\n[[group.function]]\nid='x'\nname='x'\nurl='{url}'\n"
            );
            assert!(matches!(f(&t), TreeError::BadUrl(_)), "{url}");
        }
        assert!(matches!(
            f("[[group]]\nid='g'\nnme='G'\n"),
            TreeError::Parse(_)
        ));
    }
}
