//! Decoding of signatures and certificates as they arrive from the signer component or files:
//! DER, PEM, or base64 (standard or URL-safe, whitespace ignored).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::error::VerifyError;

/// Largest signature or certificate accepted, to bound work on hostile input.
pub const MAX_INPUT: usize = 256 * 1024;

/// Returns DER bytes from DER, PEM or base64 input.
pub fn decode_blob(input: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if input.len() > MAX_INPUT {
        return Err(VerifyError::malformed("input too large"));
    }
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let text =
        std::str::from_utf8(input).map_err(|_| VerifyError::malformed("neither DER nor text"))?;
    let body: String = if let Some(start) = text.find("-----BEGIN") {
        let after = &text[start..];
        let header_end = after
            .find('\n')
            .ok_or_else(|| VerifyError::malformed("PEM header"))?;
        let end = after
            .find("-----END")
            .ok_or_else(|| VerifyError::malformed("PEM footer"))?;
        after
            .get(header_end..end)
            .ok_or_else(|| VerifyError::malformed("PEM body"))?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    };
    if body.is_empty() {
        return Err(VerifyError::malformed("empty input"));
    }
    STANDARD
        .decode(&body)
        .or_else(|_| URL_SAFE_NO_PAD.decode(body.trim_end_matches('=')))
        .map_err(|_| VerifyError::malformed("base64"))
}

/// Returns raw signature bytes: base64 text is decoded, anything else is taken as binary.
pub fn decode_raw_signature(input: &[u8]) -> Result<Vec<u8>, VerifyError> {
    if input.len() > MAX_INPUT || input.is_empty() {
        return Err(VerifyError::malformed("signature size"));
    }
    match std::str::from_utf8(input) {
        Ok(text) if !text.trim().is_empty() && !text.contains("-----BEGIN") => {
            let body: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD
                .decode(&body)
                .or_else(|_| URL_SAFE_NO_PAD.decode(body.trim_end_matches('=')))
                .or_else(|_| Ok(input.to_vec()))
        }
        _ => Ok(input.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_all_forms() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x05];
        assert_eq!(decode_blob(&der).unwrap(), der);
        assert_eq!(decode_blob(b"MAMCAQU=\n").unwrap(), der);
        let pem = b"-----BEGIN PKCS7-----\nMAMCAQU=\n-----END PKCS7-----\n";
        assert_eq!(decode_blob(pem).unwrap(), der);
        assert_eq!(decode_blob(b"!!!").unwrap_err().code(), "malformed");
        assert_eq!(decode_blob(b"").unwrap_err().code(), "malformed");
    }
}
