//! The PKCS#12 soft token, for development and demo mode: one `.p12`/`.pfx` file whose
//! password plays the role of the card PIN. The file is decrypted per operation with the PIN
//! of the request; a password given at start-up only lets the certificate be listed early.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use openssl::pkcs12::Pkcs12;
use openssl::pkey::{Id, PKey, Private};
use openssl::x509::X509;

use super::{
    Backend, HashAlg, KeyKind, KeySigner, Selection, SignOp, Signed, SlotReport, TokenCert,
    TokenReport,
};
use crate::codes;
use crate::error::{PinState, SignerError};
use crate::pin::Pin;

/// Slot description of the soft token.
pub const SLOT_DESCRIPTION: &str = "Tessera PKCS#12 soft token";

/// A PKCS#12 file acting as a token.
pub struct Pkcs12Backend {
    path: PathBuf,
    der: Vec<u8>,
    /// The certificate, known once the file was opened with the right password.
    cert: Mutex<Option<Vec<u8>>>,
}

impl std::fmt::Debug for Pkcs12Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs12Backend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

struct Opened {
    key: PKey<Private>,
    cert: X509,
}

impl Pkcs12Backend {
    /// Reads the file; with `password`, opens it once to learn the certificate.
    pub fn open(path: &Path, password: Option<&Pin>) -> Result<Self, SignerError> {
        let der = std::fs::read(path)
            .map_err(|e| SignerError::Pfx(format!("{}: {e}", path.display())))?;
        Pkcs12::from_der(&der).map_err(|e| SignerError::Pfx(e.to_string()))?;
        let backend = Pkcs12Backend {
            path: path.to_owned(),
            der,
            cert: Mutex::new(None),
        };
        if let Some(pw) = password {
            backend.unlock(pw)?;
        }
        Ok(backend)
    }

    fn unlock(&self, pin: &Pin) -> Result<Opened, SignerError> {
        let p12 = Pkcs12::from_der(&self.der).map_err(|e| SignerError::Pfx(e.to_string()))?;
        let parsed = p12.parse2(pin.expose()).map_err(|_| SignerError::Login {
            ckr: codes::CKR_PIN_INCORRECT,
            pin: PinState::Ok,
        })?;
        let (Some(key), Some(cert)) = (parsed.pkey, parsed.cert) else {
            return Err(SignerError::KeyNotFound);
        };
        if let (Ok(der), Ok(mut slot)) = (cert.to_der(), self.cert.lock()) {
            *slot = Some(der);
        }
        Ok(Opened { key, cert })
    }

    fn label(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

fn serial_hex(cert: &X509) -> String {
    cert.serial_number()
        .to_bn()
        .and_then(|b| b.to_hex_str().map(|s| s.to_string()))
        .unwrap_or_default()
}

impl Backend for Pkcs12Backend {
    fn slots(&self, with_certs: bool) -> Result<Vec<SlotReport>, SignerError> {
        let cert = self.cert.lock().ok().and_then(|c| c.clone());
        let serial_number = cert
            .as_deref()
            .and_then(|d| X509::from_der(d).ok())
            .map(|c| serial_hex(&c))
            .unwrap_or_default();
        let certs = match (with_certs, cert) {
            (true, Some(der)) => vec![TokenCert {
                der,
                label: self.label(),
                key_id: vec![1],
            }],
            _ => Vec::new(),
        };
        Ok(vec![SlotReport {
            description: SLOT_DESCRIPTION.into(),
            token: Some(TokenReport {
                serial_number,
                label: self.label(),
                pin_state: PinState::Ok,
                certs,
            }),
        }])
    }

    fn sign_with(
        &self,
        sel: &Selection,
        pin: &Pin,
        op: &mut SignOp<'_>,
    ) -> Result<Signed, SignerError> {
        if sel
            .slot_description
            .as_deref()
            .is_some_and(|d| d != SLOT_DESCRIPTION)
        {
            return Err(SignerError::NoCard);
        }
        if sel.key_id.as_deref().is_some_and(|k| k != [1]) {
            return Err(SignerError::CertNotFound);
        }
        let opened = self.unlock(pin)?;
        let kind = match opened.key.id() {
            Id::RSA => KeyKind::Rsa,
            Id::EC => KeyKind::Ec,
            _ => return Err(SignerError::SignType("key type not RSA or EC".into())),
        };
        let soft = SoftKey {
            key: &opened.key,
            kind,
        };
        let value = op(&soft, &opened.cert)?;
        Ok(Signed {
            value,
            card_sn: serial_hex(&opened.cert),
            cert: opened.cert,
        })
    }
}

/// A private key held in memory for one operation.
pub struct SoftKey<'a> {
    pub key: &'a PKey<Private>,
    pub kind: KeyKind,
}

impl KeySigner for SoftKey<'_> {
    fn kind(&self) -> KeyKind {
        self.kind
    }

    fn sign_digest(&self, alg: HashAlg, digest: &[u8]) -> Result<Vec<u8>, SignerError> {
        let failed = |e: openssl::error::ErrorStack| SignerError::Sign {
            msg: e.to_string(),
            ckr: 0,
        };
        match self.kind {
            KeyKind::Rsa => {
                let rsa = self.key.rsa().map_err(failed)?;
                let mut info = alg.digest_info_prefix().to_vec();
                info.extend_from_slice(digest);
                let mut out = vec![0u8; rsa.size() as usize];
                let n = rsa
                    .private_encrypt(&info, &mut out, openssl::rsa::Padding::PKCS1)
                    .map_err(failed)?;
                out.truncate(n);
                Ok(out)
            }
            KeyKind::Ec => {
                let ec = self.key.ec_key().map_err(failed)?;
                let sig = openssl::ecdsa::EcdsaSig::sign(digest, &ec).map_err(failed)?;
                sig.to_der().map_err(failed)
            }
        }
    }

    fn soft_key(&self) -> Option<&PKey<Private>> {
        Some(self.key)
    }
}
