//! Validated identifiers and personal-data fields. Each type's `parse` normalises what people
//! commonly type (full-width digits, spaces, hyphens, lowercase letters) and returns a
//! [`FieldError`] naming what to fix.

mod birthday;
mod email;
mod name;
mod national_id;
mod phone;
mod username;

pub use birthday::Birthday;
pub use email::Email;
pub use name::PersonName;
pub use national_id::{NationalId, NationalIdKind};
pub use phone::{Landline, Mobile};
pub use username::Username;

use crate::FieldError;

/// Parses an optional field: blank input (only whitespace) is `Ok(None)`, anything else must
/// pass `parse`.
pub fn optional<T>(
    input: &str,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

/// Trims the input and folds full-width ASCII forms (U+FF01–U+FF5E, typed by Chinese input
/// methods) and the ideographic space to their ASCII equivalents.
pub(crate) fn fold_ascii(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Implements `as_str`, `Display`, `AsRef<str>` and serde (as a validated string).
macro_rules! string_newtype {
    ($ty:ident) => {
        impl $ty {
            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_newtype;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_treats_blank_as_absent() {
        assert_eq!(optional("  ", Mobile::parse), Ok(None));
        assert_eq!(
            optional("0912345678", Mobile::parse).map(|m| m.map(|m| m.to_string())),
            Ok(Some("0912345678".to_owned()))
        );
        assert!(optional("12", Mobile::parse).is_err());
    }

    #[test]
    fn parsers_never_panic_on_odd_input() {
        let palette: Vec<char> = "aZ09-#/()+@. 　０Ａ王𡘙é\u{0}\u{202E}分機xX8"
            .chars()
            .collect();
        let mut seed: u64 = 0x5EED;
        let policy = crate::PasswordPolicy::default();
        for _ in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (seed >> 59) as usize;
            let s: String = (0..len)
                .map(|i| palette[((seed >> (i * 3 % 56)) as usize) % palette.len()])
                .collect();
            let _ = (
                Username::parse(&s),
                NationalId::parse(&s),
                Mobile::parse(&s),
            );
            let _ = (Landline::parse(&s), PersonName::parse(&s), Email::parse(&s));
            let _ = Birthday::parse(&s);
            let ctx = crate::PasswordContext {
                username: Some(&s),
                national_id: Some(&s),
                birthday: Some(&s),
            };
            let _ = policy.check(&s, &ctx);
            let _ = crate::Lang::from_accept_language(&s);
        }
    }

    #[test]
    fn folds_full_width_forms() {
        assert_eq!(fold_ascii("　Ａ１２３ "), "A123");
    }
}
