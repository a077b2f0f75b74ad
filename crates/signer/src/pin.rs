//! The user PIN: held only in memory for one request, zeroized when dropped, never printed.
//! HiPKI pages send it `encodeURIComponent`-encoded, so it is percent-decoded once here.

use zeroize::Zeroizing;

/// A PIN for one operation. `Debug` shows only that a PIN is present.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Takes a PIN as sent by a page (percent-encoded or plain). `None` when empty.
    pub fn from_request(raw: &str) -> Option<Pin> {
        let decoded: Zeroizing<Vec<u8>> =
            Zeroizing::new(percent_encoding::percent_decode_str(raw).collect());
        let text = std::str::from_utf8(&decoded).ok()?;
        if text.is_empty() {
            return None;
        }
        Some(Pin(Zeroizing::new(text.to_owned())))
    }

    /// The PIN text, for handing to the token.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_hipki_encoding_and_hides_value() {
        let pin = Pin::from_request("12%2B34").map(|p| p.expose().to_owned());
        assert_eq!(pin.as_deref(), Some("12+34"));
        assert!(Pin::from_request("").is_none());
        let p = Pin::from_request("123456");
        assert_eq!(format!("{p:?}"), "Some(Pin(***))");
    }
}
