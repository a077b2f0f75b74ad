//! The PKCS#11 back end (cryptoki): loads the configured module once, lists slots, tokens and
//! certificates, and signs inside the token. The private key never leaves the token; the PIN
//! goes to `C_Login` once per operation and a refused PIN is reported, never retried.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use openssl::x509::X509;

use super::{
    Backend, HashAlg, KeyKind, KeySigner, Selection, SignOp, Signed, SlotReport, TokenCert,
    TokenReport,
};
use crate::error::{PinState, SignerError};
use crate::pin::Pin;

/// A PKCS#11 module, loaded on first use and kept for the process's life.
pub struct Pkcs11Backend {
    module: PathBuf,
    ctx: Mutex<Option<Pkcs11>>,
}

impl std::fmt::Debug for Pkcs11Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Backend")
            .field("module", &self.module)
            .finish_non_exhaustive()
    }
}

/// The PKCS#11 return value (`CKR_*`) of a cryptoki error; 0x05 (general error) otherwise.
pub fn ckr(e: &CkError) -> u64 {
    let CkError::Pkcs11(rv, _) = e else {
        return 0x05;
    };
    match rv {
        RvError::Cancel => 0x01,
        RvError::HostMemory => 0x02,
        RvError::SlotIdInvalid => 0x03,
        RvError::GeneralError => 0x05,
        RvError::FunctionFailed => 0x06,
        RvError::ArgumentsBad => 0x07,
        RvError::DataInvalid => 0x20,
        RvError::DataLenRange => 0x21,
        RvError::DeviceError => 0x30,
        RvError::DeviceMemory => 0x31,
        RvError::DeviceRemoved => 0x32,
        RvError::FunctionCanceled => 0x50,
        RvError::FunctionNotSupported => 0x54,
        RvError::KeyHandleInvalid => 0x60,
        RvError::KeyTypeInconsistent => 0x63,
        RvError::KeyFunctionNotPermitted => 0x68,
        RvError::MechanismInvalid => 0x70,
        RvError::MechanismParamInvalid => 0x71,
        RvError::PinIncorrect => 0xA0,
        RvError::PinInvalid => 0xA1,
        RvError::PinLenRange => 0xA2,
        RvError::PinExpired => 0xA3,
        RvError::PinLocked => 0xA4,
        RvError::SessionClosed => 0xB0,
        RvError::SessionHandleInvalid => 0xB3,
        RvError::TokenNotPresent => 0xE0,
        RvError::TokenNotRecognized => 0xE1,
        RvError::UserAlreadyLoggedIn => 0x100,
        RvError::UserNotLoggedIn => 0x101,
        RvError::UserPinNotInitialized => 0x102,
        _ => 0x05,
    }
}

fn no_token(e: &CkError) -> bool {
    matches!(
        e,
        CkError::Pkcs11(
            RvError::TokenNotPresent | RvError::DeviceRemoved | RvError::TokenNotRecognized,
            _
        )
    )
}

fn trimmed(s: &str) -> String {
    s.trim_end_matches([' ', '\0']).to_owned()
}

impl Pkcs11Backend {
    pub fn new(module: &Path) -> Self {
        Pkcs11Backend {
            module: module.to_owned(),
            ctx: Mutex::new(None),
        }
    }

    fn with_ctx<R>(
        &self,
        f: impl FnOnce(&Pkcs11) -> Result<R, SignerError>,
    ) -> Result<R, SignerError> {
        let mut guard = self
            .ctx
            .lock()
            .map_err(|_| SignerError::ModuleLoad("module lock poisoned".into()))?;
        if guard.is_none() {
            let ctx = Pkcs11::new(&self.module)
                .map_err(|e| SignerError::ModuleLoad(format!("{}: {e}", self.module.display())))?;
            ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
                .map_err(|e| SignerError::ModuleLoad(e.to_string()))?;
            *guard = Some(ctx);
        }
        let result = match guard.as_ref() {
            Some(ctx) => f(ctx),
            None => Err(SignerError::ModuleLoad("module not loaded".into())),
        };
        if matches!(result, Err(SignerError::NoReader)) {
            // PKCS#11 v2 modules see readers plugged in later only after C_Initialize again:
            // drop (finalize) the context so the next request loads it afresh.
            *guard = None;
        }
        result
    }
}

fn pin_state(ctx: &Pkcs11, slot: Slot) -> PinState {
    match ctx.get_token_info(slot) {
        Ok(info) if info.user_pin_locked() => PinState::Locked,
        Ok(info) if info.user_pin_final_try() => PinState::FinalTry,
        Ok(info) if info.user_pin_count_low() => PinState::CountLow,
        _ => PinState::Ok,
    }
}

/// Slots whose token is present and initialized, with their descriptions.
fn token_slots(ctx: &Pkcs11) -> Result<Vec<(Slot, String)>, SignerError> {
    let all = ctx
        .get_all_slots()
        .map_err(|e| SignerError::ReaderInfo(e.to_string()))?;
    if all.is_empty() {
        return Err(SignerError::NoReader);
    }
    let mut out = Vec::new();
    for slot in all {
        let Ok(info) = ctx.get_slot_info(slot) else {
            continue;
        };
        if !info.token_present() {
            continue;
        }
        match ctx.get_token_info(slot) {
            Ok(t) if t.token_initialized() => out.push((slot, trimmed(info.slot_description()))),
            _ => {}
        }
    }
    Ok(out)
}

fn attr_bytes(session: &Session, obj: ObjectHandle, ty: AttributeType) -> Option<Vec<u8>> {
    let attrs = session.get_attributes(obj, &[ty]).ok()?;
    attrs.into_iter().find_map(|a| match a {
        Attribute::Value(v) | Attribute::Id(v) | Attribute::Label(v) => Some(v),
        _ => None,
    })
}

fn list_certs(session: &Session) -> Result<Vec<TokenCert>, SignerError> {
    let handles = session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .map_err(|e| SignerError::Cert(e.to_string()))?;
    let mut out = Vec::new();
    for h in handles {
        let Some(der) = attr_bytes(session, h, AttributeType::Value) else {
            continue;
        };
        let label = attr_bytes(session, h, AttributeType::Label)
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .unwrap_or_default();
        let key_id = attr_bytes(session, h, AttributeType::Id).unwrap_or_default();
        out.push(TokenCert { der, label, key_id });
    }
    Ok(out)
}

impl Backend for Pkcs11Backend {
    fn slots(&self, with_certs: bool) -> Result<Vec<SlotReport>, SignerError> {
        self.with_ctx(|ctx| {
            let all = ctx
                .get_all_slots()
                .map_err(|e| SignerError::ReaderInfo(e.to_string()))?;
            if all.is_empty() {
                return Err(SignerError::NoReader);
            }
            let mut out = Vec::new();
            for slot in all {
                let Ok(info) = ctx.get_slot_info(slot) else {
                    continue;
                };
                let description = trimmed(info.slot_description());
                let token = match ctx.get_token_info(slot) {
                    Ok(t) if info.token_present() && t.token_initialized() => {
                        let certs = if with_certs {
                            let session = ctx
                                .open_ro_session(slot)
                                .map_err(|e| SignerError::Session(e.to_string()))?;
                            list_certs(&session)?
                        } else {
                            Vec::new()
                        };
                        Some(TokenReport {
                            serial_number: trimmed(t.serial_number()),
                            label: trimmed(t.label()),
                            pin_state: pin_state(ctx, slot),
                            certs,
                        })
                    }
                    _ => None,
                };
                out.push(SlotReport { description, token });
            }
            Ok(out)
        })
    }

    fn sign_with(
        &self,
        sel: &Selection,
        pin: &Pin,
        op: &mut SignOp<'_>,
    ) -> Result<Signed, SignerError> {
        self.with_ctx(|ctx| {
            let slots = token_slots(ctx)?;
            let (slot, _) = match &sel.slot_description {
                Some(want) => slots
                    .into_iter()
                    .find(|(_, d)| d == want)
                    .ok_or(SignerError::NoCard)?,
                None => slots.into_iter().next().ok_or(SignerError::NoCard)?,
            };
            let card_sn = ctx
                .get_token_info(slot)
                .map(|t| trimmed(t.serial_number()))
                .map_err(|e| SignerError::ReaderInfo(e.to_string()))?;
            let session = ctx.open_ro_session(slot).map_err(|e| {
                if no_token(&e) {
                    SignerError::NoCard
                } else {
                    SignerError::Session(e.to_string())
                }
            })?;
            let certs = list_certs(&session)?;
            let cert = certs
                .iter()
                .filter(|c| !c.key_id.is_empty() && super::can_sign(&c.der))
                .find(|c| sel.key_id.as_ref().is_none_or(|k| *k == c.key_id))
                .ok_or(SignerError::CertNotFound)?;
            let x509 = X509::from_der(&cert.der).map_err(|e| SignerError::Cert(e.to_string()))?;
            let auth = AuthPin::from(pin.expose().to_owned());
            if let Err(e) = session.login(UserType::User, Some(&auth)) {
                return Err(SignerError::Login {
                    ckr: ckr(&e),
                    pin: pin_state(ctx, slot),
                });
            }
            let result = sign_in_session(&session, &cert.key_id, &x509, op);
            let _ = session.logout();
            result.map(|value| Signed {
                value,
                cert: x509,
                card_sn,
            })
        })
    }
}

fn sign_in_session(
    session: &Session,
    key_id: &[u8],
    cert: &X509,
    op: &mut SignOp<'_>,
) -> Result<Vec<u8>, SignerError> {
    let keys = session
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Id(key_id.to_vec()),
        ])
        .map_err(|e| SignerError::Sign {
            msg: e.to_string(),
            ckr: ckr(&e),
        })?;
    let key = *keys.first().ok_or(SignerError::KeyNotFound)?;
    let key_type = session
        .get_attributes(key, &[AttributeType::KeyType])
        .ok()
        .and_then(|a| {
            a.into_iter().find_map(|x| match x {
                Attribute::KeyType(t) => Some(t),
                _ => None,
            })
        })
        .ok_or(SignerError::KeyNotFound)?;
    let kind = if key_type == KeyType::RSA {
        KeyKind::Rsa
    } else if key_type == KeyType::EC {
        KeyKind::Ec
    } else {
        return Err(SignerError::SignType("key type not RSA or EC".into()));
    };
    let signer = TokenKey { session, key, kind };
    op(&signer, cert)
}

struct TokenKey<'a> {
    session: &'a Session,
    key: ObjectHandle,
    kind: KeyKind,
}

impl KeySigner for TokenKey<'_> {
    fn kind(&self) -> KeyKind {
        self.kind
    }

    fn sign_digest(&self, alg: HashAlg, digest: &[u8]) -> Result<Vec<u8>, SignerError> {
        let failed = |e: CkError| SignerError::Sign {
            msg: e.to_string(),
            ckr: ckr(&e),
        };
        match self.kind {
            KeyKind::Rsa => {
                let mut info = alg.digest_info_prefix().to_vec();
                info.extend_from_slice(digest);
                self.session
                    .sign(&Mechanism::RsaPkcs, self.key, &info)
                    .map_err(failed)
            }
            KeyKind::Ec => {
                let raw = self
                    .session
                    .sign(&Mechanism::Ecdsa, self.key, digest)
                    .map_err(failed)?;
                crate::der::ecdsa_raw_to_der(&raw).ok_or_else(|| SignerError::Sign {
                    msg: "token returned a malformed ECDSA signature".into(),
                    ckr: 0,
                })
            }
        }
    }
}
