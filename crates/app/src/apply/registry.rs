//! The application types this deployment offers: the `.toml` files of the operator's
//! `applications_dir`, or the shipped example (報備支援) in demo mode. Every file is checked
//! whole at start; one bad file stops the start with its path, line and reason, so a typo never
//! reaches a citizen.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tessera_core::apply::{ApplicationType, TypeFileError};

/// The shipped example type: 報備支援.
pub const MEDICAL_SUPPORT: &str = include_str!("../../content/applications/medical-support.toml");

/// Why the types could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file is not a usable type.
    #[error("{0}")]
    Type(#[from] TypeFileError),
    /// The directory or a file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Two files declare the same id or case-number prefix.
    #[error("{path}: {what} `{value}` is already used by {other}")]
    Duplicate {
        /// The later file.
        path: String,
        /// `id` or `prefix`.
        what: &'static str,
        /// The clashing value.
        value: String,
        /// The earlier file.
        other: String,
    },
}

/// The loaded types, by id.
#[derive(Debug, Clone, Default)]
pub struct Applications {
    types: BTreeMap<String, Arc<ApplicationType>>,
}

impl Applications {
    /// No types: the application pages say there is nothing to file.
    pub fn none() -> Self {
        Self::default()
    }

    /// The shipped example alone (demo mode and tests).
    pub fn shipped() -> Result<Self, LoadError> {
        Self::from_texts([(
            "medical-support.toml".to_owned(),
            MEDICAL_SUPPORT.to_owned(),
        )])
    }

    /// Every `*.toml` file of `dir`, in name order.
    pub fn from_dir(dir: &Path) -> Result<Self, LoadError> {
        let read_err = |path: &Path, source| LoadError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| read_err(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
            .collect();
        paths.sort();
        let mut texts = Vec::with_capacity(paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|e| read_err(&path, e))?;
            texts.push((path.display().to_string(), text));
        }
        Self::from_texts(texts)
    }

    /// Types from `(path, text)` pairs.
    pub fn from_texts(
        texts: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, LoadError> {
        let mut types: BTreeMap<String, Arc<ApplicationType>> = BTreeMap::new();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
        for (path, text) in texts {
            let kind = ApplicationType::parse(&path, &text)?;
            if let Some(other) = origin.get(kind.id()) {
                return Err(LoadError::Duplicate {
                    path,
                    what: "id",
                    value: kind.id().to_owned(),
                    other: other.clone(),
                });
            }
            if let Some(other) = prefixes.get(kind.prefix()) {
                return Err(LoadError::Duplicate {
                    path,
                    what: "prefix",
                    value: kind.prefix().to_owned(),
                    other: other.clone(),
                });
            }
            origin.insert(kind.id().to_owned(), path.clone());
            prefixes.insert(kind.prefix().to_owned(), path);
            types.insert(kind.id().to_owned(), Arc::new(kind));
        }
        Ok(Applications { types })
    }

    /// The type `id`.
    pub fn get(&self, id: &str) -> Option<&Arc<ApplicationType>> {
        self.types.get(id)
    }

    /// Every type, by id.
    pub fn all(&self) -> impl Iterator<Item = &Arc<ApplicationType>> {
        self.types.values()
    }

    /// Whether any type is offered.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_type_loads_and_a_directory_of_types_is_read_in_name_order() {
        let shipped = Applications::shipped().unwrap();
        assert_eq!(shipped.all().count(), 1);
        assert_eq!(shipped.get("medical-support").unwrap().prefix(), "報備");

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), MEDICAL_SUPPORT).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a type").unwrap();
        let other = MEDICAL_SUPPORT
            .replacen("id = \"medical-support\"", "id = \"night-support\"", 1)
            .replacen("prefix = \"報備\"", "prefix = \"夜支\"", 1);
        std::fs::write(dir.path().join("b.toml"), other).unwrap();
        let apps = Applications::from_dir(dir.path()).unwrap();
        let ids: Vec<&str> = apps.all().map(|t| t.id()).collect();
        assert_eq!(ids, ["medical-support", "night-support"]);
    }

    #[test]
    fn a_bad_or_clashing_file_stops_the_start_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), MEDICAL_SUPPORT).unwrap();
        std::fs::write(dir.path().join("b.toml"), MEDICAL_SUPPORT).unwrap();
        let err = Applications::from_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("b.toml") && err.contains("a.toml"), "{err}");

        std::fs::write(
            dir.path().join("b.toml"),
            MEDICAL_SUPPORT.replacen("id = \"medical-support\"", "id = \"Medical Support\"", 1),
        )
        .unwrap();
        let err = Applications::from_dir(dir.path()).unwrap_err().to_string();
        assert!(err.contains("b.toml:7:"), "{err}");

        let err = Applications::from_dir(&dir.path().join("missing")).unwrap_err();
        assert!(matches!(err, LoadError::Read { .. }));
    }
}
