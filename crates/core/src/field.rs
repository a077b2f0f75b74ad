//! A validation failure tied to one input field, carrying a stable machine code whose
//! user-facing text lives in the message catalog.

use crate::{Lang, messages};
use serde::Serialize;

/// One field failed validation: `field` names the input ("username", "national_id", …) and
/// `code` is the stable machine code ("username_invalid") that clients may rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, thiserror::Error)]
#[error("{field}: {code}")]
pub struct FieldError {
    /// The input field's name as used in the API and in forms.
    pub field: &'static str,
    /// The stable machine code; see [`messages::CODES`].
    pub code: &'static str,
}

impl FieldError {
    /// Builds a field error.
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        FieldError { field, code }
    }

    /// The same failure reported against another field name (e.g. `new_password`).
    pub const fn in_field(self, field: &'static str) -> Self {
        FieldError { field, ..self }
    }

    /// The text telling the user what to fix, in `lang`.
    pub fn message(&self, lang: Lang) -> &'static str {
        messages::message(self.code, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_comes_from_catalog_in_both_languages() {
        let e = FieldError::new("username", "username_invalid");
        assert!(e.message(Lang::ZhTw).contains("5-15"));
        assert!(e.message(Lang::En).contains("5-15"));
        assert_eq!(e.in_field("login").field, "login");
        assert_eq!(e.to_string(), "username: username_invalid");
    }
}
