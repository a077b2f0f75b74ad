//! The HiPKI LocalSignServer wire format: the request (`tbsPackage` form field or a JSON body)
//! and the response objects of `/sign` (`func: "sign"`) and `/pkcs11info`
//! (`func: "pkcs11info"`). Unknown fields are ignored, as HiPKI does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

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

/// How the string values of a request's JSON text are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    /// A JSON body: every value means exactly what it says.
    Literal,
    /// The text of HiPKI's `tbsPackage`, whose values are percent-decoded once (`%XX` only:
    /// a `+` is a plus sign, as in base64, never a space), as HiPKI pages expect: MOICA's
    /// sample sends `encodeURIComponent(tbs)`, others escape `+` as `%2B`, others nothing.
    Package,
    /// A package text that was percent-decoded as a whole before parsing; its values are
    /// not decoded again.
    PackageDecoded,
}

impl Text {
    /// The bytes of a value: for a package, `%XX` decoded once; `+` and stray `%` kept.
    fn bytes(self, value: &str) -> Vec<u8> {
        match self {
            Text::Package => percent_encoding::percent_decode_str(value).collect(),
            Text::Literal | Text::PackageDecoded => value.as_bytes().to_vec(),
        }
    }

    /// A value that must be text (a reader's name), decoded like [`Text::bytes`].
    fn string(self, value: &str) -> String {
        match self {
            Text::Package => percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned(),
            Text::Literal | Text::PackageDecoded => value.to_owned(),
        }
    }
}

/// The text of the `tbsPackage` field of a form body, exactly as the page wrote it.
///
/// HiPKI pages (and HiPKI's own popup) post `tbsPackage=` followed by their JSON text with
/// nothing encoded, so a base64 `tbs` arrives with bare `+` (and a text `tbs` may hold `&`).
/// Form decoding would turn each `+` into a space and cut the text at an `&`. A form encoder
/// always writes `{` as `%7B`, so a value that starts with `{` and is a JSON object as it
/// stands (up to the end of the body or the next `&` after it) was not form-encoded and is
/// taken byte for byte; any other body is form-decoded as usual (`+` is a space there).
fn package_text(body: &[u8]) -> Result<Zeroizing<Vec<u8>>, SignerError> {
    const FIELD: &[u8] = b"tbsPackage=";
    let start = if body.starts_with(FIELD) {
        Some(FIELD.len())
    } else {
        body.windows(FIELD.len() + 1)
            .position(|w| w[0] == b'&' && &w[1..] == FIELD)
            .map(|i| i + 1 + FIELD.len())
    };
    if let Some(raw) = start.and_then(|i| body.get(i..))
        && raw.trim_ascii_start().starts_with(b"{")
    {
        let mut values =
            serde_json::Deserializer::from_slice(raw).into_iter::<serde::de::IgnoredAny>();
        if let Some(Ok(_)) = values.next() {
            let end = values.byte_offset();
            let rest = raw.get(end..).unwrap_or_default().trim_ascii_start();
            if rest.is_empty() || rest.starts_with(b"&") {
                return Ok(Zeroizing::new(raw.get(..end).unwrap_or_default().to_vec()));
            }
        }
    }
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "tbsPackage")
        .map(|(_, v)| Zeroizing::new(v.into_owned().into_bytes()))
        .ok_or_else(|| SignerError::BadJson("no tbsPackage field".into()))
}

impl Request {
    /// Parses a request from its JSON text (a JSON body): values are taken as they are.
    pub fn from_json(json: &[u8]) -> Result<Request, SignerError> {
        Request::parse(json, Text::Literal)
    }

    /// Parses HiPKI's `tbsPackage` text, as a page wrote it (its postMessage to the popup, or
    /// the field of a form post): the values are percent-decoded once, `+` kept. A text that
    /// is not JSON as it stands (a page that encoded the whole package) is percent-decoded as
    /// a whole once instead, and its values are then taken as they are.
    pub fn from_package(text: &[u8]) -> Result<Request, SignerError> {
        match Request::parse(text, Text::Package) {
            Err(SignerError::BadJson(first)) => {
                let decoded: Zeroizing<Vec<u8>> =
                    Zeroizing::new(percent_encoding::percent_decode(text).collect());
                if *decoded == text {
                    return Err(SignerError::BadJson(first));
                }
                Request::parse(&decoded, Text::PackageDecoded)
            }
            other => other,
        }
    }

    fn parse(json: &[u8], text: Text) -> Result<Request, SignerError> {
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
            (Some(t), None | Some("") | Some("NONE") | Some("none")) => Some(text.bytes(t)),
            (Some(t), Some(e)) if e.eq_ignore_ascii_case("base64") => {
                let mut clean = text.bytes(t);
                clean.retain(|c| !c.is_ascii_whitespace());
                Some(STANDARD.decode(clean).map_err(|_| SignerError::Base64)?)
            }
            (Some(_), Some(e)) => return Err(SignerError::BadParam(format!("tbsEncoding {e}"))),
        };
        let key_id = match wire.keyidb64.as_deref() {
            None | Some("") => None,
            Some(k) => Some(
                STANDARD
                    .decode(text.bytes(k))
                    .map_err(|_| SignerError::BadParam("keyidb64".into()))?,
            ),
        };
        // `Pin::from_request` percent-decodes the PIN once more (pages send
        // `encodeURIComponent(pin)`), as it did after the form decoding of a package.
        let pin = wire.pin.as_ref().and_then(|p| {
            let raw = Zeroizing::new(text.bytes(&p.0));
            std::str::from_utf8(&raw).ok().and_then(Pin::from_request)
        });
        Ok(Request {
            func,
            tbs,
            hash,
            signature_type,
            pin,
            with_card_sn: truthy(wire.with_card_sn.as_ref()),
            attached: !truthy(wire.detached.as_ref()),
            selection: Selection {
                slot_description: wire
                    .slot_description
                    .as_deref()
                    .map(|s| text.string(s))
                    .filter(|s| !s.is_empty()),
                key_id,
            },
        })
    }

    /// Parses a `/sign` body: a form with `tbsPackage` (HiPKI: encoded by a form encoder, or
    /// the page's JSON text appended as it is), or JSON.
    pub fn from_body(body: &[u8], is_form: bool) -> Result<Request, SignerError> {
        if !is_form {
            return Request::from_json(body);
        }
        Request::from_package(&package_text(body)?)
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

    fn tbs_of(body: &str) -> Vec<u8> {
        Request::from_body(body.as_bytes(), true)
            .unwrap_or_else(|e| panic!("{body}: {e}"))
            .tbs
            .unwrap_or_default()
    }

    #[test]
    fn an_unencoded_package_keeps_plus_and_ampersand() {
        // As HiPKI pages post it (and HiPKI's popup forwards it): the JSON text as it is.
        let raw = r#"tbsPackage={"func":"MakeSignature","tbs":"+/v/+w==","tbsEncoding":"base64"}"#;
        assert_eq!(tbs_of(raw), [0xfb, 0xfb, 0xff, 0xfb]);
        let text = r#"tbsPackage={"func":"MakeSignature","tbs":"a+b&c=d e"}"#;
        assert_eq!(tbs_of(text), b"a+b&c=d e");
        let with_more = r#"tbsPackage= {"func":"MakeSignature","tbs":"a+b"} &nonce=1"#;
        assert_eq!(tbs_of(with_more), b"a+b");
    }

    #[test]
    fn package_values_are_percent_decoded_once_and_plus_stays_plus() {
        // MOICA's sample sends encodeURIComponent(tbs); others escape only '+'.
        let moica = r#"{"func":"MakeSignature","tbs":"a%2Bb%20c%25+%E4%B8%AD","keyidb64":"AQ%3D%3D","slotDescription":"Reader%20%E8%AE%80"}"#;
        for body in [
            format!("tbsPackage={moica}"),
            form_urlencoded::Serializer::new(String::new())
                .append_pair("tbsPackage", moica)
                .finish(),
        ] {
            let r = Request::from_body(body.as_bytes(), true).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.tbs.as_deref(), Some("a+b c%+中".as_bytes()));
            assert_eq!(r.selection.key_id.as_deref(), Some(&[1u8][..]));
            assert_eq!(r.selection.slot_description.as_deref(), Some("Reader 讀"));
        }
        // A stray '%' is kept as it is.
        assert_eq!(
            tbs_of(r#"tbsPackage={"func":"MakeSignature","tbs":"100%"}"#),
            b"100%"
        );
    }

    #[test]
    fn a_package_encoded_as_a_whole_is_decoded_once() {
        let body = "tbsPackage=%7B%22func%22%3A%22MakeSignature%22%2C%22tbs%22%3A%22a%2Bb%22%7D";
        assert_eq!(tbs_of(body), b"a+b");
    }

    #[test]
    fn a_json_body_is_taken_literally() {
        let r = Request::from_body(br#"{"func":"MakeSignature","tbs":"a%2Bb+c"}"#, false)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.tbs.as_deref(), Some(&b"a%2Bb+c"[..]));
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
