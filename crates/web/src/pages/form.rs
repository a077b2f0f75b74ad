//! Form view models shared by every page: fields with label, hint, value and error, grouped
//! in fieldsets, and the error summary built from a flow's `Failure` with catalog messages.

use super::i18n::L;
use crate::error::Failure;

/// One input of a form, rendered by `partials/field.html`.
#[derive(Debug, Clone)]
pub struct Field {
    /// The form field's name (also the flows' field name in errors).
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `password`, `email`, `tel`, `date`, `checkbox` or `captcha`.
    pub kind: &'static str,
    pub value: String,
    pub hint: String,
    /// A link printed after the hint ("" when none).
    pub link_href: &'static str,
    pub link_text: &'static str,
    pub error: &'static str,
    pub required: bool,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    /// Distinguishes the ids of two forms on one page.
    pub id_prefix: &'static str,
}

impl Field {
    fn new(name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Self {
            name,
            label,
            kind,
            value: String::new(),
            hint: String::new(),
            link_href: "",
            link_text: "",
            error: "",
            required: false,
            autocomplete: "off",
            inputmode: "",
            id_prefix: "",
        }
    }

    pub fn text(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, "text")
    }

    /// A password input; its value is never echoed back.
    pub fn password(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, "password")
    }

    pub fn email(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, "email").autocomplete("email")
    }

    pub fn tel(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, "tel").inputmode("tel")
    }

    pub fn date(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, "date")
    }

    pub fn checkbox(name: &'static str, label: &'static str) -> Self {
        Self::new(name, label, "checkbox")
    }

    /// The ALTCHA widget, which fills the hidden input `captcha`.
    pub fn captcha(l: L) -> Self {
        Self::new("captcha", l.t("人機驗證", "CAPTCHA"), "captcha").hint(l.t(
            "請勾選「我不是機器人」並稍候，瀏覽器會自動完成驗證（需啟用 JavaScript）。",
            "Tick the box and wait a moment: your browser completes the check (JavaScript needed).",
        ))
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn link(mut self, href: &'static str, text: &'static str) -> Self {
        self.link_href = href;
        self.link_text = text;
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        if self.kind != "password" {
            self.value = value.into();
        }
        self
    }

    pub fn autocomplete(mut self, v: &'static str) -> Self {
        self.autocomplete = v;
        self
    }

    pub fn inputmode(mut self, v: &'static str) -> Self {
        self.inputmode = v;
        self
    }

    /// The input's id (the error summary links to it).
    pub fn id(&self) -> String {
        format!("f-{}{}", self.id_prefix, self.name)
    }

    /// Ids of the hint and error paragraphs, for `aria-describedby`.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.error.is_empty() {
            ids.push(format!("{}-error", self.id()));
        }
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.id()));
        }
        ids.join(" ")
    }

    pub fn checked(&self) -> bool {
        !self.value.is_empty()
    }
}

/// A fieldset; an empty legend renders the fields without one.
#[derive(Debug, Clone)]
pub struct Group {
    pub legend: &'static str,
    pub fields: Vec<Field>,
}

/// One line of the error summary, linking to its field.
#[derive(Debug, Clone)]
pub struct ErrorLine {
    pub id: String,
    pub label: &'static str,
    pub message: &'static str,
}

/// A form's fields and, after a failed submission, its errors.
#[derive(Debug, Clone)]
pub struct Form {
    /// Prefix of the field ids ("" unless the page holds several forms).
    pub prefix: &'static str,
    pub groups: Vec<Group>,
    /// The summary's lead message ("" when the form has no error).
    pub summary: &'static str,
    pub lines: Vec<ErrorLine>,
}

impl Form {
    /// A form of one unnamed group.
    pub fn new(fields: Vec<Field>) -> Self {
        Self::grouped(vec![Group { legend: "", fields }])
    }

    pub fn grouped(groups: Vec<Group>) -> Self {
        Self {
            prefix: "",
            groups,
            summary: "",
            lines: Vec::new(),
        }
    }

    /// Prefixes the ids of every field, for a second form on the same page.
    pub fn with_prefix(mut self, prefix: &'static str) -> Self {
        self.prefix = prefix;
        for f in self.groups.iter_mut().flat_map(|g| g.fields.iter_mut()) {
            f.id_prefix = prefix;
        }
        self
    }

    pub fn has_errors(&self) -> bool {
        !self.summary.is_empty()
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.groups
            .iter_mut()
            .flat_map(|g| g.fields.iter_mut())
            .find(|f| f.name == name)
    }

    /// Puts the catalog message of `code` next to the field `name` (or in the summary when the
    /// form has no such field).
    pub fn field_error(&mut self, l: L, name: &str, code: &str) {
        let message = l.msg(code);
        if self.summary.is_empty() {
            self.summary = l.msg("validation_failed");
        }
        match self.field_mut(name) {
            Some(f) => {
                if f.error.is_empty() {
                    f.error = message;
                    let (id, label) = (f.id(), f.label);
                    self.lines.push(ErrorLine { id, label, message });
                }
            }
            None => self.summary = message,
        }
    }

    /// Shows a flow's failure: each field error next to its field, the rest in the summary.
    pub fn fail(&mut self, l: L, failure: &Failure) {
        if failure.fields.is_empty() {
            match failure.code {
                "username_unavailable" if self.field_mut("username").is_some() => {
                    self.field_error(l, "username", failure.code);
                    self.summary = l.msg("validation_failed");
                }
                code => self.summary = l.msg(code),
            }
            return;
        }
        for f in &failure.fields {
            self.field_error(l, f.field, f.code);
        }
    }
}

/// A trimmed optional value: `None` when blank.
pub fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::field::FieldError;
    use tessera_core::lang::Lang;

    #[test]
    fn failure_lands_next_to_its_field_and_in_the_summary() {
        let l = L(Lang::ZhTw);
        let mut form = Form::new(vec![
            Field::text("username", "帳號").hint("5-15"),
            Field::password("password", "密碼").value("secret"),
        ]);
        assert!(
            form.field_mut("password")
                .is_some_and(|f| f.value.is_empty())
        );
        form.fail(
            l,
            &Failure::validation(vec![FieldError::new("username", "username_invalid")]),
        );
        assert!(form.has_errors());
        let f = form
            .field_mut("username")
            .map(|f| (f.error, f.describedby()));
        assert_eq!(
            f,
            Some((
                "帳號需設 5-15 字元的英文字母、數字，且第一個字須為英文字母。",
                "f-username-error f-username-hint".to_string()
            ))
        );
        assert_eq!(form.lines.len(), 1);
        assert_eq!(form.lines[0].id, "f-username");
    }

    #[test]
    fn non_field_failure_goes_to_the_summary() {
        let l = L(Lang::En);
        let mut form = Form::new(vec![Field::text("username", "Username")]);
        form.fail(
            l,
            &Failure::new(crate::error::FailureKind::Locked, "account_locked"),
        );
        assert!(form.summary.contains("disabled after 5 wrong passwords"));
        assert!(form.lines.is_empty());
    }
}
