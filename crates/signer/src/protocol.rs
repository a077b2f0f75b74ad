//! The HiPKI LocalSignServer wire format: the request (`tbsPackage` form field or a JSON body)
//! and the response objects of `/sign` (`func: "sign"`) and `/pkcs11info`
//! (`func: "pkcs11info"`). Unknown fields are ignored, as HiPKI does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::backend::{HashAlg, Selection};
use crate::error::{PinState, SignerError};
use crate::pin::Pin;

/// Product name in every answer (Tessera extension), whatever version is reported.
pub const PRODUCT: &str = "tessera-signer";

/// This program's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

static REPORTED_VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Sets the version answers report (`--report-version`), once, at start-up.
pub fn set_reported_version(v: String) {
    let _ = REPORTED_VERSION.set(v);
}

/// The version reported in `version` / `serverVersion`: [`VERSION`] unless overridden.
pub fn reported_version() -> &'static str {
    REPORTED_VERSION
        .get()
        .map(String::as_str)
        .unwrap_or(VERSION)
}

/// Largest request body accepted (a challenge or a document digest, not a file upload).
pub const MAX_BODY: usize = 1024 * 1024;

/// The operation asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    MakeSignature,
    GetUserCert,
    CheckEnvir,
}

/// `signatureType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureType {
    Pkcs7,
    Pkcs1,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Wire {
    func: Option<String>,
    tbs: Option<String>,
    #[serde(rename = "tbsEncoding")]
    tbs_encoding: Option<String>,
    #[serde(rename = "hashAlgorithm")]
    hash_algorithm: Option<String>,
    #[serde(rename = "signatureType")]
    signature_type: Option<String>,
    pin: Option<WirePin>,
    #[serde(rename = "withCardSN")]
    with_card_sn: Option<serde_json::Value>,
    #[serde(rename = "slotDescription")]
    slot_description: Option<String>,
    keyidb64: Option<String>,
    /// Tessera extension: `true` leaves the content out of the SignedData.
    detached: Option<serde_json::Value>,
}

/// The PIN as it arrives; wiped when the parsed request is dropped.
#[derive(Deserialize)]
#[serde(transparent)]
struct WirePin(String);

impl Drop for WirePin {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn truthy(v: Option<&serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true") || s == "1",
        Some(serde_json::Value::Number(n)) => n.as_u64() == Some(1),
        _ => false,
    }
}

/// A parsed request.
#[derive(Debug)]
pub struct Request {
    pub func: Func,
    /// The bytes to sign (decoded per `tbsEncoding`).
    pub tbs: Option<Vec<u8>>,
    pub hash: HashAlg,
    pub signature_type: SignatureType,
    pub pin: Option<Pin>,
    pub with_card_sn: bool,
    pub attached: bool,
    pub selection: Selection,
}

impl Request {
    /// Parses a request from its JSON text.
    pub fn from_json(json: &[u8]) -> Result<Request, SignerError> {
        let wire: Wire =
            serde_json::from_slice(json).map_err(|e| SignerError::BadJson(e.to_string()))?;
        let func = match wire.func.as_deref() {
            Some("MakeSignature") => Func::MakeSignature,
            Some("GetUserCert") => Func::GetUserCert,
            Some("CheckEnvir") => Func::CheckEnvir,
            Some(other) => return Err(SignerError::UnsupportedFunc(other.into())),
            None => return Err(SignerError::UnsupportedFunc(String::new())),
        };
        let hash = match wire.hash_algorithm.as_deref() {
            None | Some("") => HashAlg::Sha256,
            Some(h) => HashAlg::parse(h).ok_or_else(|| SignerError::SignType(h.into()))?,
        };
        let signature_type = match wire.signature_type.as_deref() {
            None | Some("") => SignatureType::Pkcs7,
            Some(t) if t.eq_ignore_ascii_case("PKCS7") => SignatureType::Pkcs7,
            Some(t) if t.eq_ignore_ascii_case("PKCS1") => SignatureType::Pkcs1,
            Some(t) => return Err(SignerError::SignType(t.into())),
        };
        let tbs = match (wire.tbs.as_deref(), wire.tbs_encoding.as_deref()) {
            (None, _) | (Some(""), _) => None,
            (Some(t), None | Some("") | Some("NONE") | Some("none")) => Some(t.as_bytes().to_vec()),
            (Some(t), Some(e)) if e.eq_ignore_ascii_case("base64") => {
                let clean: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                Some(STANDARD.decode(clean).map_err(|_| SignerError::Base64)?)
            }
            (Some(_), Some(e)) => return Err(SignerError::BadParam(format!("tbsEncoding {e}"))),
        };
        let key_id = match wire.keyidb64.as_deref() {
            None | Some("") => None,
            Some(k) => Some(
                STANDARD
                    .decode(k)
                    .map_err(|_| SignerError::BadParam("keyidb64".into()))?,
            ),
        };
        Ok(Request {
            func,
            tbs,
            hash,
            signature_type,
            pin: wire.pin.as_ref().and_then(|p| Pin::from_request(&p.0)),
            with_card_sn: truthy(wire.with_card_sn.as_ref()),
            attached: !truthy(wire.detached.as_ref()),
            selection: Selection {
                slot_description: wire.slot_description.clone().filter(|s| !s.is_empty()),
                key_id,
            },
        })
    }

    /// Parses a `/sign` body: a form with `tbsPackage`, or JSON.
    pub fn from_body(body: &[u8], is_form: bool) -> Result<Request, SignerError> {
        if !is_form {
            return Request::from_json(body);
        }
        let mut package = form_urlencoded::parse(body)
            .find(|(k, _)| k == "tbsPackage")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| SignerError::BadJson("no tbsPackage field".into()))?;
        let parsed = Request::from_json(package.as_bytes());
        package.zeroize();
        parsed
    }
}

/// The answer to `MakeSignature` (and to any failed request): HiPKI's `func: "sign"`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignResponse {
    pub func: String,
    pub ret_code: u32,
    pub last_error: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certb64: Option<String>,
    #[serde(rename = "cardSN", skip_serializing_if = "Option::is_none")]
    pub card_sn: Option<String>,
    pub version: String,
    /// Always `tessera-signer` (Tessera extension).
    #[serde(default)]
    pub product: String,
    /// zh-TW text for `ret_code` (Tessera extension, like HiPKI's optional `message`).
    pub message: String,
    /// What the token said about the PIN's remaining tries (Tessera extension).
    #[serde(rename = "pinState", skip_serializing_if = "Option::is_none")]
    pub pin_state: Option<PinState>,
    #[serde(rename = "pinTriesLeft", skip_serializing_if = "Option::is_none")]
    pub pin_tries_left: Option<u32>,
}

impl SignResponse {
    /// A failure answer with `func`.
    pub fn error(func: &str, e: &SignerError) -> SignResponse {
        let pin_state = e.pin_state().filter(|p| *p != PinState::Ok);
        SignResponse {
            func: func.into(),
            ret_code: e.ret_code(),
            last_error: e.last_error(),
            signature: None,
            certb64: None,
            card_sn: None,
            version: reported_version().into(),
            product: PRODUCT.into(),
            message: crate::codes::message(e.ret_code()).into(),
            pin_state,
            pin_tries_left: pin_state.and_then(PinState::tries_left),
        }
    }
}

/// One certificate in `/pkcs11info?withcert=true`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CertJson {
    pub certb64: String,
    pub label: String,
    pub usage: String,
    pub sn: String,
    #[serde(rename = "subjectDN")]
    pub subject_dn: String,
    #[serde(rename = "issuerDN")]
    pub issuer_dn: String,
    #[serde(rename = "notBefore")]
    pub not_before: String,
    #[serde(rename = "notAfter")]
    pub not_after: String,
    pub keyidb64: String,
}

/// A token in `/pkcs11info`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenJson {
    #[serde(rename = "serialNumber")]
    pub serial_number: String,
    pub label: String,
    #[serde(rename = "pinState")]
    pub pin_state: PinStateJson,
    pub certs: Vec<CertJson>,
}

/// [`PinState`] as text, deserializable for clients and tests.
pub type PinStateJson = String;

/// A reader in `/pkcs11info`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SlotJson {
    #[serde(rename = "slotDescription")]
    pub slot_description: String,
    pub token: Option<TokenJson>,
}

/// The answer to `/pkcs11info`, `GetUserCert` and `CheckEnvir`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InfoResponse {
    pub func: String,
    pub ret_code: u32,
    pub last_error: u64,
    pub version: String,
    /// Always `tessera-signer` (Tessera extension).
    #[serde(default)]
    pub product: String,
    #[serde(rename = "serverVersion")]
    pub server_version: String,
    pub message: String,
    pub slots: Vec<SlotJson>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hipki_form_package() {
        let json = r#"{"func":"MakeSignature","tbs":"aGVsbG8=","tbsEncoding":"base64","hashAlgorithm":"SHA384","signatureType":"PKCS1","pin":"12%2B34","withCardSN":"true"}"#;
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("tbsPackage", json)
            .finish();
        let r = Request::from_body(body.as_bytes(), true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.func, Func::MakeSignature);
        assert_eq!(r.tbs.as_deref(), Some(&b"hello"[..]));
        assert_eq!(r.hash, HashAlg::Sha384);
        assert_eq!(r.signature_type, SignatureType::Pkcs1);
        assert_eq!(r.pin.as_ref().map(|p| p.expose()), Some("12+34"));
        assert!(r.with_card_sn && r.attached);
    }

    #[test]
    fn rejects_bad_input_with_hipki_codes() {
        let code = |j: &str| {
            Request::from_json(j.as_bytes())
                .map(|_| 0)
                .unwrap_or_else(|e| e.ret_code())
        };
        assert_eq!(code("{"), crate::codes::BAD_JSON);
        assert_eq!(code(r#"{"func":"Format"}"#), crate::codes::UNSUPPORTED_FUNC);
        assert_eq!(
            code(r#"{"func":"MakeSignature","hashAlgorithm":"MD5"}"#),
            crate::codes::SIGN_TYPE
        );
        assert_eq!(
            code(r#"{"func":"MakeSignature","tbs":"***","tbsEncoding":"base64"}"#),
            crate::codes::BASE64_DECODE
        );
        assert_eq!(code(r#"{"func":"CheckEnvir"}"#), 0);
        assert_eq!(
            Request::from_body(b"x=1", true)
                .map(|_| 0)
                .unwrap_or_else(|e| e.ret_code()),
            crate::codes::BAD_JSON
        );
    }
}
