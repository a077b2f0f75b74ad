//! Certificate serials as people type or paste them (憑證序號 on the 授權指派 form).

use crate::FieldError;
use crate::ids::{fold_ascii, string_newtype};

/// A certificate serial as people type or paste it (`0A:1B`, `0x0a1b`, `0A 1B`): hex digits,
/// stored lowercase without leading zeros (the form `tessera_pki` reports).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertSerial(String);
string_newtype!(CertSerial);

impl CertSerial {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let folded = fold_ascii(input).to_ascii_lowercase();
        let s = folded.strip_prefix("0x").unwrap_or(&folded);
        let hex: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | ':' | '-'))
            .collect();
        if hex.is_empty() {
            return Err(FieldError::new("cert_serial", "cert_serial_required"));
        }
        if hex.len() > 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FieldError::new("cert_serial", "cert_serial_invalid"));
        }
        let trimmed = hex.trim_start_matches('0');
        Ok(CertSerial(if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        }))
    }

    /// Whether `other` (a serial in any accepted form) is the same number.
    pub fn same_as(&self, other: &str) -> bool {
        CertSerial::parse(other).is_ok_and(|o| o == *self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, FieldError>) -> &'static str {
        r.err().map_or("ok", |e| e.code)
    }

    #[test]
    fn serials_normalise() {
        let s = CertSerial::parse("0x00:0A:1b").unwrap();
        assert_eq!(s.as_str(), "a1b");
        assert!(s.same_as("0A 1B"));
        assert!(!s.same_as("a1c"));
        assert_eq!(code(CertSerial::parse("  ")), "cert_serial_required");
        assert_eq!(code(CertSerial::parse("xyz")), "cert_serial_invalid");
        assert_eq!(CertSerial::parse("000").unwrap().as_str(), "0");
    }
}
