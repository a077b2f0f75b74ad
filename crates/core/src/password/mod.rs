//! The password policy: length limits, letter and digit requirements, and refusal of
//! passwords built from the username, the national ID number, the birthday, or found in the
//! bundled list of common passwords.

mod common;

use crate::ids::{Birthday, NationalId};
use crate::{FieldError, Lang, messages};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// What a new password must satisfy. Limits count characters (Unicode scalar values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// Fewest characters (default 8).
    pub min_len: usize,
    /// Most characters (default 64; the seed's site uses 15).
    pub max_len: usize,
    /// At least one letter (any script) is required (default true).
    pub require_letter: bool,
    /// At least one digit is required (default true).
    pub require_digit: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_len: 8,
            max_len: 64,
            require_letter: true,
            require_digit: true,
        }
    }
}

/// What is known about the account, so that the password does not give it away. Values are
/// as stored or as typed; they are normalised here and ignored when blank or malformed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PasswordContext<'a> {
    /// The username.
    pub username: Option<&'a str>,
    /// The national ID or resident certificate number.
    pub national_id: Option<&'a str>,
    /// The birthday, `YYYY-MM-DD`.
    pub birthday: Option<&'a str>,
}

/// Number of entries in the bundled common-password list.
pub fn common_password_count() -> usize {
    common::len()
}

/// Is this password (compared case-insensitively) in the bundled common-password list?
pub fn is_common(password: &str) -> bool {
    common::contains(&password.to_lowercase())
}

fn fail(code: &'static str) -> Result<(), FieldError> {
    Err(FieldError::new("password", code))
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

impl PasswordPolicy {
    /// Checks a new password; the first rule broken is reported, in this order: length,
    /// characters, letter, digit, username, personal data, common list.
    pub fn check(&self, password: &str, ctx: &PasswordContext<'_>) -> Result<(), FieldError> {
        if password.is_empty() {
            return fail("password_required");
        }
        let len = password.chars().count();
        if len < self.min_len {
            return fail("password_too_short");
        }
        if len > self.max_len {
            return fail("password_too_long");
        }
        if password.chars().any(char::is_control) {
            return fail("password_invalid_chars");
        }
        if self.require_letter && !password.chars().any(char::is_alphabetic) {
            return fail("password_needs_letter");
        }
        if self.require_digit && !password.chars().any(is_digit) {
            return fail("password_needs_digit");
        }
        let lower = password.to_lowercase();
        if let Some(user) = ctx.username.map(str::trim).filter(|u| !u.is_empty())
            && lower.contains(&user.to_lowercase())
        {
            return fail("password_contains_username");
        }
        if contains_personal_data(&lower, ctx) {
            return fail("password_contains_personal_data");
        }
        if common::contains(&lower) {
            return fail("password_too_common");
        }
        Ok(())
    }
}

impl PasswordPolicy {
    /// The rules as configured, for a form hint: "密碼需 8-64 個字元，至少含英文字母及數字…".
    pub fn hint(&self, lang: Lang) -> String {
        let (min, max) = (self.min_len, self.max_len);
        let needs = match (lang, self.require_letter, self.require_digit) {
            (Lang::ZhTw, true, true) => "，至少須含英文字母及數字",
            (Lang::ZhTw, true, false) => "，至少須含一個英文字母",
            (Lang::ZhTw, false, true) => "，至少須含一個數字",
            (Lang::En, true, true) => ", with at least one letter and one digit",
            (Lang::En, true, false) => ", with at least one letter",
            (Lang::En, false, true) => ", with at least one digit",
            (_, false, false) => "",
        };
        match lang {
            Lang::ZhTw => format!(
                "密碼需 {min}-{max} 個字元{needs}，有區分大小寫；不得與帳號相同，請避免使用身分證字號、生日等個人資訊。"
            ),
            Lang::En => format!(
                "{min}-{max} characters{needs}; case-sensitive; not your username, and avoid personal data such as your ID number or birthday."
            ),
        }
    }

    /// The text for a password error code with this policy's actual limits filled in (the
    /// catalog's texts quote the defaults); other codes come from the catalog unchanged.
    pub fn explain(&self, code: &str, lang: Lang) -> Cow<'static, str> {
        match (code, lang) {
            ("password_too_short", Lang::ZhTw) => {
                format!("密碼太短，至少需要 {} 個字元。", self.min_len).into()
            }
            ("password_too_short", Lang::En) => format!(
                "The password is too short: use at least {} characters.",
                self.min_len
            )
            .into(),
            ("password_too_long", Lang::ZhTw) => {
                format!("密碼太長，最多 {} 個字元。", self.max_len).into()
            }
            ("password_too_long", Lang::En) => format!(
                "The password is too long: use at most {} characters.",
                self.max_len
            )
            .into(),
            _ => Cow::Borrowed(messages::message(code, lang)),
        }
    }
}

/// Does the (lowercased) password contain the national ID, its digits, or a birthday form?
fn contains_personal_data(lower: &str, ctx: &PasswordContext<'_>) -> bool {
    if let Some(id) = ctx.national_id.and_then(|s| NationalId::parse(s).ok()) {
        let id = id.as_str().to_ascii_lowercase();
        // The whole number, or its digits after the letter(s) (8 or 9 of them).
        let digits = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        if lower.contains(&id) || lower.contains(digits) {
            return true;
        }
    }
    if let Some(b) = ctx.birthday.and_then(|s| Birthday::parse(s).ok()) {
        return b
            .password_forms()
            .iter()
            .any(|f| lower.contains(f.as_str()));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pw: &str) -> &'static str {
        check_ctx(pw, PasswordContext::default())
    }

    fn check_ctx(pw: &str, ctx: PasswordContext<'_>) -> &'static str {
        PasswordPolicy::default()
            .check(pw, &ctx)
            .err()
            .map_or("ok", |e| e.code)
    }

    #[test]
    fn length_boundaries_in_characters() {
        assert_eq!(check("k7Rm2qX"), "password_too_short");
        assert_eq!(check("k7Rm2qXz"), "ok");
        let sixty_four = format!("k7{}", "Rm2qXzP".repeat(9))
            .chars()
            .take(64)
            .collect::<String>();
        assert_eq!(sixty_four.chars().count(), 64);
        assert_eq!(check(&sixty_four), "ok");
        assert_eq!(check(&format!("{sixty_four}a")), "password_too_long");
        // Eight CJK characters plus digits count as characters, not bytes.
        assert_eq!(check("台北風景7號好美"), "ok");
        assert_eq!(check(""), "password_required");
    }

    #[test]
    fn configurable_limits_like_the_seed_site() {
        let seed = PasswordPolicy {
            max_len: 15,
            ..PasswordPolicy::default()
        };
        let ctx = PasswordContext::default();
        assert!(seed.check("k7Rm2qXzP4wLs9t", &ctx).is_ok());
        assert_eq!(
            seed.check("k7Rm2qXzP4wLs9tY", &ctx).map_err(|e| e.code),
            Err("password_too_long")
        );
        let lax = PasswordPolicy {
            require_digit: false,
            ..PasswordPolicy::default()
        };
        assert!(lax.check("kRmqXzPwLs", &ctx).is_ok());
    }

    #[test]
    fn needs_letter_and_digit() {
        assert_eq!(check("83619472"), "password_needs_letter");
        assert_eq!(check("kRmqXzPw"), "password_needs_digit");
        assert_eq!(check("kRmq Xz!P"), "password_needs_digit");
        assert_eq!(check("kRmq\nXz12"), "password_invalid_chars");
    }

    #[test]
    fn case_sensitive_password_but_username_check_is_not() {
        let ctx = PasswordContext {
            username: Some("AliceChen"),
            ..Default::default()
        };
        assert_eq!(check_ctx("alicechen", ctx), "password_needs_digit");
        assert_eq!(check_ctx("alicechen1", ctx), "password_contains_username");
        assert_eq!(check_ctx("x9ALICECHENx", ctx), "password_contains_username");
        assert_eq!(check_ctx("Alice9Chen", ctx), "ok");
    }

    #[test]
    fn refuses_national_id_and_its_digits() {
        let ctx = PasswordContext {
            national_id: Some("a123456789"),
            ..Default::default()
        };
        assert_eq!(
            check_ctx("xa123456789", ctx),
            "password_contains_personal_data"
        );
        assert_eq!(
            check_ctx("pw123456789", ctx),
            "password_contains_personal_data"
        );
        assert_eq!(check_ctx("k7Rm2qXz", ctx), "ok");
        let old = PasswordContext {
            national_id: Some("AC01234567"),
            ..Default::default()
        };
        assert_eq!(
            check_ctx("me01234567", old),
            "password_contains_personal_data"
        );
    }

    #[test]
    fn refuses_birthday_forms() {
        let ctx = PasswordContext {
            birthday: Some("1990-01-01"),
            ..Default::default()
        };
        for pw in [
            "abc19900101",
            "Lin0790101x",
            "Lin790101x",
            "qx1990-01-01",
            "key0101zz",
        ] {
            assert_eq!(
                check_ctx(pw, ctx),
                "password_contains_personal_data",
                "{pw}"
            );
        }
        assert_eq!(check_ctx("k7Rm2qXz", ctx), "ok");
        let bad = PasswordContext {
            birthday: Some("not a date"),
            ..Default::default()
        };
        assert_eq!(check_ctx("k7Rm2qXz", bad), "ok");
    }

    #[test]
    fn refuses_common_passwords_case_insensitively() {
        assert_eq!(check("password1"), "password_too_common");
        assert_eq!(check("PassWord1"), "password_too_common");
        assert_eq!(check("qwerty123"), "password_too_common");
        assert!(is_common("iloveyou"));
        assert!(!is_common("k7Rm2qXz"));
        assert!(common_password_count() >= 10_000);
    }

    #[test]
    fn hints_and_explanations_use_configured_limits() {
        let seed = PasswordPolicy {
            max_len: 15,
            ..PasswordPolicy::default()
        };
        assert!(
            seed.hint(Lang::ZhTw)
                .starts_with("密碼需 8-15 個字元，至少須含英文字母及數字")
        );
        assert!(
            seed.hint(Lang::En)
                .starts_with("8-15 characters, with at least one letter and one digit")
        );
        assert_eq!(
            seed.explain("password_too_long", Lang::ZhTw),
            "密碼太長，最多 15 個字元。"
        );
        let err = seed
            .check("k7Rm2qXzP4wLs9tY", &PasswordContext::default())
            .unwrap_err();
        assert!(seed.explain(err.code, Lang::En).contains("at most 15"));
        assert_eq!(
            seed.explain("password_too_common", Lang::En),
            messages::message("password_too_common", Lang::En)
        );
    }

    #[test]
    fn policy_reads_partial_config() {
        let p: PasswordPolicy = serde_json::from_str(r#"{"max_len":15}"#).unwrap();
        assert_eq!(
            p,
            PasswordPolicy {
                max_len: 15,
                ..PasswordPolicy::default()
            }
        );
    }
}
