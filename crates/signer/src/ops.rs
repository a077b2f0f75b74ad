//! Carries out one parsed request against a back end: `MakeSignature` (PKCS7 or PKCS1),
//! `GetUserCert` and `CheckEnvir` (both answered in the `/pkcs11info` shape). Blocking: the
//! HTTP layer runs it on tokio's blocking pool.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::backend::{Backend, SlotReport};
use crate::cms;
use crate::codes;
use crate::error::{PinState, SignerError};
use crate::protocol::{
    Func, InfoResponse, Request, SignResponse, SignatureType, SlotJson, TokenJson, reported_version,
};

/// The JSON answer to a request.
pub fn handle(backend: &dyn Backend, req: &Request) -> serde_json::Value {
    let value = match req.func {
        Func::MakeSignature => serde_json::to_value(make_signature(backend, req)),
        Func::GetUserCert => serde_json::to_value(info(backend, true)),
        Func::CheckEnvir => serde_json::to_value(info(backend, false)),
    };
    value.unwrap_or(serde_json::Value::Null)
}

/// `MakeSignature`.
pub fn make_signature(backend: &dyn Backend, req: &Request) -> SignResponse {
    match sign(backend, req) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(ret_code = format!("0x{:08X}", e.ret_code()), error = %e, "sign refused");
            SignResponse::error("sign", &e)
        }
    }
}

fn sign(backend: &dyn Backend, req: &Request) -> Result<SignResponse, SignerError> {
    let tbs = req.tbs.as_deref().ok_or(SignerError::NoTbs)?;
    let pin = req.pin.as_ref().ok_or(SignerError::NoPin)?;
    let (hash, sig_type, attached) = (req.hash, req.signature_type, req.attached);
    let signed = backend.sign_with(&req.selection, pin, &mut |key, cert| match sig_type {
        SignatureType::Pkcs7 => cms::signed_data(key, cert, hash, tbs, attached),
        SignatureType::Pkcs1 => cms::raw_signature(key, hash, tbs),
    })?;
    let cert_der = signed
        .cert
        .to_der()
        .map_err(|e| SignerError::Cert(e.to_string()))?;
    Ok(SignResponse {
        func: "sign".into(),
        ret_code: codes::OK,
        last_error: 0,
        signature: Some(STANDARD.encode(&signed.value)),
        certb64: Some(STANDARD.encode(cert_der)),
        card_sn: req.with_card_sn.then_some(signed.card_sn),
        version: reported_version().into(),
        product: crate::protocol::PRODUCT.into(),
        message: codes::message(codes::OK).into(),
        pin_state: None,
        pin_tries_left: None,
    })
}

fn pin_state_text(p: PinState) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn slot_json(slot: &SlotReport) -> SlotJson {
    SlotJson {
        slot_description: slot.description.clone(),
        token: slot.token.as_ref().map(|t| TokenJson {
            serial_number: t.serial_number.clone(),
            label: t.label.clone(),
            pin_state: pin_state_text(t.pin_state),
            certs: t
                .certs
                .iter()
                .filter_map(crate::certinfo::describe)
                .collect(),
        }),
    }
}

/// `/pkcs11info`, `GetUserCert` (with certificates) and `CheckEnvir` (without).
pub fn info(backend: &dyn Backend, with_certs: bool) -> InfoResponse {
    let (ret_code, last_error, slots) = match backend.slots(with_certs) {
        Ok(slots) => (codes::OK, 0, slots.iter().map(slot_json).collect()),
        Err(e) => (e.ret_code(), e.last_error(), Vec::new()),
    };
    InfoResponse {
        func: "pkcs11info".into(),
        ret_code,
        last_error,
        version: reported_version().into(),
        product: crate::protocol::PRODUCT.into(),
        server_version: reported_version().into(),
        message: codes::message(ret_code).into(),
        slots,
    }
}

/// A failure in the shape of the answer `func` would have given.
pub fn failure(func: Option<Func>, e: &SignerError) -> serde_json::Value {
    let value = match func {
        Some(Func::GetUserCert | Func::CheckEnvir) => serde_json::to_value(InfoResponse {
            func: "pkcs11info".into(),
            ret_code: e.ret_code(),
            last_error: e.last_error(),
            version: reported_version().into(),
            product: crate::protocol::PRODUCT.into(),
            server_version: reported_version().into(),
            message: codes::message(e.ret_code()).into(),
            slots: Vec::new(),
        }),
        _ => serde_json::to_value(SignResponse::error("sign", e)),
    };
    value.unwrap_or(serde_json::Value::Null)
}
