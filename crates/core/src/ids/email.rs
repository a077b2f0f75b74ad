//! Email addresses, checked pragmatically (dot-atom local part, ASCII domain with a dot) so
//! that what passes here can be used as an SMTP recipient.

use super::{fold_ascii, string_newtype};
use crate::FieldError;

/// An email address with its domain lowercased; the local part keeps its case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);
string_newtype!(Email);

const LOCAL_SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~.";

fn local_ok(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(&b))
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.bytes().all(|b| b.is_ascii_digit()))
}

impl Email {
    /// Longest address (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Validates an address such as `Lin.Mei@Example.COM.tw` → `Lin.Mei@example.com.tw`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input);
        if s.is_empty() {
            return Err(FieldError::new("email", "email_required"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(FieldError::new("email", "email_too_long"));
        }
        let invalid = FieldError::new("email", "email_invalid");
        let (local, domain) = s.rsplit_once('@').ok_or(invalid)?;
        let domain = domain.to_ascii_lowercase();
        if local_ok(local) && domain_ok(&domain) {
            Ok(Email(format!("{local}@{domain}")))
        } else {
            Err(invalid)
        }
    }

    /// The part after `@`, lowercase.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The address with most of the local part hidden, for display: "li***@example.com".
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let shown: String = local
            .chars()
            .take(2.min(local.len().saturating_sub(1)))
            .collect();
        format!("{shown}***@{domain}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &'static str {
        Email::parse(s).err().map_or("ok", |e| e.code)
    }

    #[test]
    fn accepts_and_normalises() {
        let e = Email::parse("  Lin.Mei+gov@Example.COM.tw ").unwrap();
        assert_eq!(e.as_str(), "Lin.Mei+gov@example.com.tw");
        assert_eq!(e.domain(), "example.com.tw");
        assert_eq!(e.masked(), "Li***@example.com.tw");
        assert_eq!(Email::parse("a@b.tw").unwrap().masked(), "***@b.tw");
        assert_eq!(code("user@mail-server.gov.tw"), "ok");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "plain",
            "@example.com",
            "user@",
            "user@localhost",
            "user@@example.com",
            "a b@example.com",
            ".user@example.com",
            "user.@example.com",
            "us..er@example.com",
            "user@-example.com",
            "user@example..com",
            "user@example.c",
            "user@1.2.3.4",
            "使用者@example.com",
            "user@例子.台灣",
        ] {
            assert_eq!(code(bad), "email_invalid", "{bad}");
        }
        assert_eq!(code(""), "email_required");
    }

    #[test]
    fn length_limit() {
        let domain = format!(
            "{}.{}.{}.tw",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(60)
        );
        let ok = format!("{}@{domain}", "u".repeat(254 - 1 - domain.len()));
        assert_eq!(ok.len(), 254);
        assert_eq!(code(&ok), "ok");
        assert_eq!(code(&format!("u{ok}")), "email_too_long");
    }
}
